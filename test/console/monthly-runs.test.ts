import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMonthlySchedule, monthlyRunCalendarWarning, pauseMonthlyRun, startMonthlyRun } from '../../application/monthly-runs';
import { escapeHtml } from '../../console/html';
import { listedMonths } from '../../console/monthly-runs';
import { RUN_NOTICE_COOKIE } from '../../console/run-routes';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from '../../console/server';
import { findMonthlyRun } from '../../db/repositories/monthly-runs';
import { shanghaiDate } from '../../domain/civil-date';
import { addMonths, monthOf } from '../../domain/months';
import { startDevServer } from '../../scripts/temporal-env';
import { monthlyRunWorkflowId } from '../../workflows/monthly-run-messages';
import { consolePerson, type ConsoleRig, consoleRig, csrfOf, getAs, setCookie, signedIn } from '../support/console';
import { consoleForRuns } from '../support/console-runs';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';
import { MonthSeeder, until } from '../support/monthly-runs';

/**
 * The console's monthly runs (docs/architecture.md#console) through app.inject(), on real PostgreSQL
 * and the Temporal dev server (it has schedules; the time-skipping server has none): who may see,
 * start, pause and resume; the CSRF check; a bad month named in the person's language; the JSON
 * progress only for a signed-in person allowed `run status`; the schedule and its next firings.
 */
const taskQueue = 'console-runs';
let env: TestWorkflowEnvironment;
let client: Client;
let rig: CycleRig;
let console_: ConsoleRig;
let seeder: MonthSeeder;
/** A listed month (the page shows it without asking), with 3 premiums due; and a later one with 2. */
let listed: string;
let later: string;

const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  env = (await startDevServer()).env;
  client = env.client;
  rig = await startCycleRig(env, taskQueue);
  seeder = new MonthSeeder(rig);
  const current = monthOf(shanghaiDate(Date.now()));
  listed = addMonths(current, 2);
  later = addMonths(current, 4);
  await seeder.seedMonth(listed, 3, 'CRL');
  await seeder.seedMonth(later, 2, 'CRM');
  const db = rig.database.db;
  await consolePerson(db, 'ops-lead', ['operations_lead']);
  await consolePerson(db, 'engineer', ['engineer']);
  await consolePerson(db, 'collector', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(db, 'team-lead', ['team_lead'], [{ kind: 'team', value: 'T1' }]);
  console_ = await consoleForRuns(db, client, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 1 });
});

afterAll(async () => {
  await console_?.app.close();
  await rig?.close();
  await env?.teardown();
});

const get = (login: string, url: string, language?: string) => getAs(console_.app, login, url, language);

/** The audit rows of a month's run actions, and a person's opaque reference. */
const runAudit = (month: string) =>
  rig.database.db('audit_events').whereIn('kind', ['monthly_run_started', 'monthly_run_paused', 'monthly_run_resumed']).whereRaw("detail->>'month' = ?", [month]).orderBy('seq').select('kind', 'actor', 'detail');
const refOf = async (login: string) => `user:${(await rig.database.db('users').where({ login }).first<{ id: number }>('id')).id}`;

async function post(login: string, url: string, fields: Record<string, string>, options: { csrf?: string | null; language?: string } = {}) {
  const { session, response: page } = await get(login, '/');
  const csrf = options.csrf === undefined ? csrfOf(page.body) : options.csrf;
  return console_.app.inject({ method: 'POST', url, cookies: { [SESSION_COOKIE]: session, ...(options.language ? { [LANGUAGE_COOKIE]: options.language } : {}) }, ...form({ ...(csrf !== null ? { csrf } : {}), ...fields }) });
}

async function runExists(month: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(monthlyRunWorkflowId(month)).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/** The months the runs table lists, with the state each shows. */
function rows(body: string): [string, string][] {
  return [...body.matchAll(/<tr data-month="(\d{4}-\d{2})">[\s\S]*?<td data-state="(\w+)">/g)].map((m) => [m[1]!, m[2]!]);
}

describe('who sees the runs', () => {
  it('the roles of `run status` see the page and the nav link; others get 403 and no link', async () => {
    for (const login of ['ops-lead', 'engineer']) {
      const { response } = await get(login, '/runs');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<a href="/runs" aria-current="page">月度批处理</a>');
      expect(rows(response.body)).toEqual(listedMonths(Date.now()).map((month) => [month, 'not_started']));
    }
    for (const login of ['collector', 'team-lead']) {
      for (const url of ['/runs', `/runs/${listed}`]) {
        const { response } = await get(login, url);
        expect(response.statusCode).toBe(403);
        expect(response.body).toContain('您的角色无权进行此操作。');
      }
      expect((await get(login, '/')).response.body).not.toContain('href="/runs"');
    }
    expect((await get('ops-lead', '/')).response.body).toContain('<li><a href="/runs">月度批处理</a></li>');
    const out = await console_.app.inject({ method: 'GET', url: '/runs' });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/sign-in');
  });

  it('offers the start form to the operations lead only; the engineer gets a field to open a month', async () => {
    const lead = (await get('ops-lead', '/runs')).response.body;
    expect(lead).toContain('<form method="post" action="/runs" id="start-run">');
    expect(lead).toContain('<label for="start-month">月份（YYYY-MM）</label>');
    const engineer = (await get('engineer', '/runs')).response.body;
    expect(engineer).not.toContain('action="/runs" id="start-run"');
    expect(engineer).toContain('<form method="get" action="/runs/open" id="open-run">');
    const opened = await get('engineer', `/runs/open?month=${later}`);
    expect(opened.response.statusCode).toBe(303);
    expect(opened.response.headers.location).toBe(`/runs/${later}`);
    const bad = await get('engineer', '/runs/open?month=July', 'en');
    expect(bad.response.statusCode).toBe(400);
    expect(bad.response.body).toContain('The month must be YYYY-MM (e.g. 2026-07); got &quot;July&quot;.');
  });

  it('shows the schedule: none installed, then its settings and next three firings', async () => {
    expect((await get('engineer', '/runs')).response.body).toContain('<p id="schedule-none">尚未安装月度排程（renewals schedule install）。</p>');
    const installed = await installMonthlySchedule(client, { dayOfMonth: 3, hour: 2, leadMonths: 1, taskQueue, cycleTaskQueue: taskQueue });
    const { body } = (await get('engineer', '/runs')).response;
    expect(body).toContain('<dd id="schedule-when">每月 3 日 2:00（Asia/Shanghai）</dd>');
    expect(body).toContain('<dd id="schedule-state">生效中</dd>');
    const firings = [...body.matchAll(/<li>(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})<\/li>/g)].map((m) => m[1]);
    expect(firings).toHaveLength(3);
    expect(firings[0]).toBe(new Date(Date.parse(installed.nextRuns[0]!) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
    expect(firings[0]).toMatch(/-03 02:00:00$/);
    await client.schedule.getHandle(installed.scheduleId).delete();
  });
});

describe('starting a month', () => {
  it('refuses a POST without the CSRF token and starts nothing', async () => {
    for (const csrf of [null, 'forged']) {
      const response = await post('ops-lead', '/runs', { month: listed }, { csrf });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('请求无法验证');
    }
    expect(await runExists(listed)).toBe(false);
  });

  it('refuses roles without `run start`, and names a bad month in the person\'s language', async () => {
    expect((await post('engineer', '/runs', { month: listed })).statusCode).toBe(403);
    expect((await post('collector', '/runs', { month: listed })).statusCode).toBe(403);
    expect(await runExists(listed)).toBe(false);
    const bad = await post('ops-lead', '/runs', { month: '2026-13' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<p class="error" role="alert" id="problem">月份格式应为 YYYY-MM（例如 2026-07），收到“2026-13”。</p>');
    expect(bad.body).toContain('value="2026-13" aria-invalid="true" aria-describedby="problem"');
    const english = await post('ops-lead', '/runs', { month: '' }, { language: 'en' });
    expect(english.statusCode).toBe(400);
    expect(english.body).toContain('The month must be YYYY-MM (e.g. 2026-07); got &quot;&quot;.');
  });

  it('the operations lead starts a month: it runs to the end, and starting it again starts nothing', async () => {
    await rig.withWorker(async () => {
      const started = await post('ops-lead', '/runs', { month: listed });
      expect(started.statusCode).toBe(303);
      expect(started.headers.location).toBe(`/runs/${listed}`);
      const notice = setCookie(started, RUN_NOTICE_COOKIE)!;
      expect(notice.value).toBe(`started.${listed}`);
      await until('run completed', () => findMonthlyRun(rig.database.db, listed), (row) => row?.status === 'completed');

      const session = await signedIn(console_.app, 'ops-lead');
      const page = await console_.app.inject({ method: 'GET', url: `/runs/${listed}`, cookies: { [SESSION_COOKIE]: session, [RUN_NOTICE_COOKIE]: notice.value } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<p class="notice" role="status" id="notice">已启动 ${listed} 的月度批处理。</p>`);
      expect(page.body).toContain('<dd id="run-state" data-field="stateName" data-state="completed">已完成</dd>');
      expect(page.body).toContain('<dd id="run-found" data-field="found">3</dd>');
      expect(page.body).toContain('<dd id="run-started" data-field="started">3</dd>');
      expect(page.body).toContain('<dd id="run-pages" data-field="pages">');
      // Over: no polling, no script, no pause.
      expect(page.body).not.toContain('data-progress=');
      expect(page.body).not.toContain('/console.js');
      expect(page.body).not.toContain('action="/runs/' + listed + '/pause"');
      expect(rows((await get('engineer', '/runs')).response.body)).toContainEqual([listed, 'completed']);

      const again = await post('ops-lead', '/runs', { month: listed });
      expect(setCookie(again, RUN_NOTICE_COOKIE)!.value).toBe(`there.${listed}`);
      const paused = await post('ops-lead', `/runs/${listed}/pause`, {});
      expect(paused.statusCode).toBe(409);
      expect(paused.body).toContain('此批处理当前为“已完成”，只有运行中的批处理可以暂停或继续。');
      // Each start is signed by the person; the refused pause wrote nothing.
      expect(await runAudit(listed)).toEqual([
        { kind: 'monthly_run_started', actor: await refOf('ops-lead'), detail: { month: listed, startedNow: true } },
        { kind: 'monthly_run_started', actor: await refOf('ops-lead'), detail: { month: listed, startedNow: false } },
      ]);
    });
    expect(await findMonthlyRun(rig.database.db, listed)).toMatchObject({ status: 'completed', found: 3, started: 3 });
  });
});

describe('pause and resume', () => {
  it('only the roles of `run pause` / `run resume` may; the page shows the button that applies', async () => {
    // Paused before any worker sees it: its first step sees the pause, so it stays put.
    await startMonthlyRun(client, later, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 1 });
    await pauseMonthlyRun(client, later);
    await rig.withWorker(async () => {
      await until('run paused', () => findMonthlyRun(rig.database.db, later), (row) => row?.status === 'paused');
      const { body } = (await get('ops-lead', `/runs/${later}`)).response;
      expect(body).toContain('<dd id="run-state" data-field="stateName" data-state="paused">已暂停</dd>');
      expect(body).toContain(`<div id="run-figures" aria-live="polite" data-progress="/runs/${later}/progress">`);
      expect(body).toContain('<script src="/console.js" defer></script>');
      expect(body).toContain(`<form method="post" action="/runs/${later}/pause" data-when="running" hidden>`);
      expect(body).toContain(`<form method="post" action="/runs/${later}/resume" data-when="paused">`);
      const engineer = (await get('engineer', `/runs/${later}`)).response.body;
      expect(engineer).not.toContain('/resume"');
      expect((await post('engineer', `/runs/${later}/resume`, {})).statusCode).toBe(403);
      expect((await post('ops-lead', `/runs/${later}/resume`, {}, { csrf: 'forged' })).statusCode).toBe(403);
      expect(await findMonthlyRun(rig.database.db, later)).toMatchObject({ status: 'paused', started: 0 });
      // The warning `renewals run start` prints when the month or its grace reaches a provisional calendar year.
      const warning = await monthlyRunCalendarWarning(rig.database.db, later);
      if (warning === undefined) expect(body).not.toContain('id="calendar-warning"');
      else expect(body).toContain(`<p class="muted" id="calendar-warning">业务日历提示： <span lang="en">${escapeHtml(warning)}</span></p>`);

      const resumed = await post('ops-lead', `/runs/${later}/resume`, {});
      expect(resumed.statusCode).toBe(303);
      expect(setCookie(resumed, RUN_NOTICE_COOKIE)!.value).toBe(`resume.${later}`);
      expect(await runAudit(later)).toEqual([{ kind: 'monthly_run_resumed', actor: await refOf('ops-lead'), detail: { month: later } }]);
      await until('run completed', () => findMonthlyRun(rig.database.db, later), (row) => row?.status === 'completed');
    });
    expect(await findMonthlyRun(rig.database.db, later)).toMatchObject({ status: 'completed', found: 2, started: 2 });
    const none = addMonths(later, 3);
    const missing = await post('ops-lead', `/runs/${none}/pause`, {});
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('此月份尚无批处理。');
    expect((await get('ops-lead', '/runs/2026-13')).response.statusCode).toBe(404);
  });
});

describe('the JSON progress', () => {
  it('answers only a signed-in person allowed `run status`, with figures and no personal data', async () => {
    const url = `/runs/${listed}/progress`;
    const out = await console_.app.inject({ method: 'GET', url });
    expect(out.statusCode).toBe(401);
    expect(out.json()).toEqual({ error: 'signed out' });
    expect((await get('collector', url)).response.statusCode).toBe(403);
    const { response } = await get('engineer', url, 'en');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ month: listed, state: 'completed', stateName: 'Completed', found: 3, started: 3, existing: 0, pages: expect.any(Number), total: 3 });
    for (const policyNo of seeder.policyNos.get(listed)!) expect(response.body).not.toContain(policyNo);
    expect((await get('engineer', '/runs/not-a-month/progress')).response.statusCode).toBe(404);
  });

  it('serves /console.js under a CSP that allows only scripts of its own', async () => {
    const script = await console_.app.inject({ method: 'GET', url: '/console.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.body).toContain("getAttribute('data-progress')");
    const csp = String(script.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it("the language switch returns to a run's page, and only to the console's own pages", async () => {
    const { session, response: page } = await get('engineer', `/runs/${listed}`);
    expect(page.body).toContain(`<input type="hidden" name="back" value="/runs/${listed}">`);
    const back = async (to: string) => (await console_.app.inject({ method: 'POST', url: '/language', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), language: 'en', back: to }) })).headers.location;
    expect(await back(`/runs/${listed}`)).toBe(`/runs/${listed}`);
    expect(await back('/runs')).toBe('/runs');
    expect(await back('/runs/2026-07/../../x')).toBe('/sign-in');
    expect(await back('//elsewhere.example/runs')).toBe('/sign-in');
  });

  it('without Temporal the runs page and the progress say so (503)', async () => {
    const bare = await consoleRig(rig.database.db);
    try {
      const session = await signedIn(bare.app, 'ops-lead');
      const page = await bare.app.inject({ method: 'GET', url: '/runs', cookies: { [SESSION_COOKIE]: session } });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('控制台未连接 Temporal，无法读取或启动月度批处理。');
      const progress = await bare.app.inject({ method: 'GET', url: `/runs/${listed}/progress`, cookies: { [SESSION_COOKIE]: session } });
      expect(progress.statusCode).toBe(503);
    } finally {
      await bare.app.close();
    }
  });

  it('writes no personal data to the log', () => {
    const logs = console_.lines.join('');
    expect(logs).toContain('console request');
    for (const month of [listed, later]) for (const policyNo of seeder.policyNos.get(month)!) expect(logs).not.toContain(policyNo);
  });
});
