import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { monthlyRunCalendarWarning } from '../../application/monthly-runs';
import { PiiCipher } from '../../db/pii-cipher';
import { statutoryHolidays } from '../../domain/calendars/cn-mainland';
import { addMonths, monthOf } from '../../domain/months';
import { shanghaiDate } from '../../domain/civil-date';
import { actAs } from '../support/acting';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/** `renewals calendar show|import|check` against PostgreSQL. */
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'renewals-calendar-'));
  vi.stubEnv('DATABASE_URL', t.url);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

type YearJson = { year: number; status: string; source: string; holidays: number; workdays: number; days: { date: string; kind: string; name: string; source: string }[] };

async function showJson(year: number): Promise<YearJson> {
  const { code, out, err } = await runCliCaptured(['calendar', 'show', String(year), '--json']);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as YearJson;
}

// A notice for 2027 as the State Council might publish it: the statutory days bridged to weekends,
// with make-up workdays. Made up for the test; the shape is that of the 2025 and 2026 notices.
const NOTICE_2027 = [
  'date,kind,name',
  ...statutoryHolidays(2027).map((d) => `${d.date},holiday,${d.name}`),
  '2027-02-09,holiday,春节 Spring Festival',
  '2027-02-10,holiday,春节 Spring Festival',
  '2027-02-11,holiday,春节 Spring Festival',
  '2027-02-20,workday,春节调休 Spring Festival make-up workday',
  '',
].join('\n');

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('renewals calendar show', () => {
  it('lists Spring Festival 2027 as provisional holidays by rule', async () => {
    const { code, out } = await runCliCaptured(['calendar', 'show', '2027']);
    expect(code).toBe(0);
    expect(out).toMatch(/status\s+provisional/);
    for (const date of ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08']) {
      expect(out).toMatch(new RegExp(`${date} .*holiday .*春节 Spring Festival .*provisional .*rule`));
    }
  });

  it('--json: 13 statutory days, no make-up workdays, each from the rule', async () => {
    const year = await showJson(2027);
    expect(year).toMatchObject({ year: 2027, status: 'provisional', holidays: 13, workdays: 0 });
    expect(year.days.map((d) => d.date)).toEqual(statutoryHolidays(2027).map((d) => d.date));
    expect(new Set(year.days.map((d) => d.source))).toEqual(new Set(['rule']));
  });

  it('shows 2026 as published from the built-in notice', async () => {
    const year = await showJson(2026);
    expect(year).toMatchObject({ status: 'published', source: 'built-in State Council notice', workdays: 6 });
    expect(year.days.find((d) => d.date === '2026-02-14')).toMatchObject({ kind: 'workday', source: 'built-in notice' });
  });

  it('refuses a year that is not one', async () => {
    const { code, err } = await runCliCaptured(['calendar', 'show', '27']);
    expect(code).toBe(2);
    expect(err).toBe('renewals: year must be 1950–2100, got "27"\n');
  });
});

describe('the monthly run warning', () => {
  it('is one line while the month or its grace reaches a provisional year, none once all are published', async () => {
    expect(await monthlyRunCalendarWarning(t.db, '2026-10')).toBeUndefined(); // 31 October + 60 days is still 2026
    expect(await monthlyRunCalendarWarning(t.db, '2026-11')).toMatch(/^warning: the business calendar for 2027 is provisional .*run month 2026-11 and its 60-day grace reach it; see renewals calendar show 2027$/);
  });
});

describe('renewals calendar import', () => {
  it('refuses a bad file row by row and loads nothing', async () => {
    const bad = await file(
      'bad.csv',
      ['date,kind,name', '2027-01-01,holiday,元旦', '2027-02-30,holiday,春节', '2027-02-06,rest,春节', '2027-02-07,holiday,', '2027-02-22,workday,春节调休', '2028-01-01,holiday,元旦'].join('\n'),
    );
    const { code, err } = await runCliCaptured(['calendar', 'import', bad]);
    expect(code).toBe(1);
    expect(err.split('\n')).toHaveLength(2); // one line
    expect(err).toContain('bad.csv: nothing loaded: ');
    expect(err).toContain('row 3, date: "2027-02-30" is not a date (YYYY-MM-DD)');
    expect(err).toContain('row 4, kind: "rest" must be holiday or workday');
    expect(err).toContain('row 5, name: empty');
    expect(err).toContain('row 6, kind: 2027-02-22 is a weekday; a make-up workday (调休) is a Saturday or Sunday worked');
    expect(err).toContain('row 7, date: 2028-01-01 is not in 2027');
    expect(await t.db('calendar_notices').count<{ count: number }[]>('* as count')).toEqual([{ count: 0 }]);
    expect((await showJson(2027)).status).toBe('provisional');
  });

  it('refuses a notice that leaves out a statutory day', async () => {
    const short = await file('short.csv', NOTICE_2027.replace('2027-06-09,holiday,端午节 Dragon Boat Festival\n', ''));
    const { code, err } = await runCliCaptured(['calendar', 'import', short]);
    expect(code).toBe(1);
    expect(err).toContain('2027-06-09 (端午节 Dragon Boat Festival) is a statutory day off by the regulation but not a holiday row in the file');
  });

  it('needs a header it knows, and takes no --operator (the person is who runs it)', async () => {
    const notice = await file('notice.csv', NOTICE_2027);
    expect((await runCliCaptured(['calendar', 'import', notice, '--operator', 'ops.li'])).code).not.toBe(0); // commander: unknown option
    const wrong = await file('wrong.csv', 'day,kind,name\n2027-01-01,holiday,元旦\n');
    const { code, err } = await runCliCaptured(['calendar', 'import', wrong]);
    expect(code).toBe(1);
    expect(err).toMatch(/^renewals: wrong\.csv: /);
  });

  it('loads a notice: the year is published, replaced whole, and audited', async () => {
    const ops = await actAs(t.db, { roles: ['operations_lead'] });
    await t.db('business_calendar').insert({ day: '2027-03-01', kind: 'holiday', name: 'operator guess' });
    const notice = await file('notice.csv', NOTICE_2027);
    const { code, out, err } = await runCliCaptured(['calendar', 'import', notice, '--source', '国办发明电〔2026〕X号', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ year: 2027, holidays: 16, workdays: 1, replaced: 1, source: '国办发明电〔2026〕X号' });

    const year = await showJson(2027);
    expect(year).toMatchObject({ status: 'published', holidays: 16, workdays: 1 });
    expect(year.source).toMatch(new RegExp(`^notice 国办发明电〔2026〕X号, imported .* by ${ops.ref}$`));
    expect(year.days.find((d) => d.date === '2027-03-01')).toBeUndefined(); // the operator's guess went with the year
    expect(year.days.find((d) => d.date === '2027-02-20')).toMatchObject({ kind: 'workday', source: 'notice' });

    const audit = await t.db('audit_events').where({ kind: 'calendar_notice_imported' }).select('actor', 'detail');
    expect(audit).toEqual([{ actor: ops.ref, detail: expect.objectContaining({ year: 2027, holidays: 16, workdays: 1, replaced: 1 }) }]);

    // Loaded again without the bridging days: the year is replaced whole, not merged.
    const again = await file('again.csv', NOTICE_2027.split('\n').filter((l) => !/^2027-02-(09|10|11|20)/.test(l)).join('\n'));
    expect((await runCliCaptured(['calendar', 'import', again])).code).toBe(0);
    expect(await showJson(2027)).toMatchObject({ status: 'published', holidays: 13, workdays: 0 });
    expect(await monthlyRunCalendarWarning(t.db, '2026-11')).toBeUndefined();
    expect(await monthlyRunCalendarWarning(t.db, '2027-11')).toMatch(/calendar for 2028 is provisional/);
    expect(await t.db('audit_events').where({ kind: 'calendar_notice_imported' }).count<{ count: number }[]>('* as count')).toEqual([{ count: 2 }]);
  });
});

describe('renewals calendar check', () => {
  it('lists the provisional years of open cycles and upcoming runs, exit 1', async () => {
    await seedPolicy(t.db, new PiiCipher('33'.repeat(32)), samplePolicy({ policyNo: 'P-CAL-1', nextDueDate: '2028-12-10' }));
    await t.db('premium_dues').where({ policy_no: 'P-CAL-1' }).update({ workflow_id: 'renewal-P-CAL-1-2028-12-10' });
    const { code, out, err } = await runCliCaptured(['calendar', 'check', '--json']);
    const years = JSON.parse(out) as { year: number; cycles: number; runMonths: string[] }[];
    const month = monthOf(shanghaiDate(Date.now()));
    expect(code).toBe(1);
    expect(err).toMatch(/provisional: load the State Council notice with renewals calendar import\n$/);
    // The open cycle due 2028-12-10 reaches 2029 in grace; 2027 is published above.
    expect(years.find((y) => y.year === 2028)).toMatchObject({ cycles: 1 });
    expect(years.find((y) => y.year === 2029)).toMatchObject({ cycles: 1 });
    expect(years.find((y) => y.year === 2027)).toBeUndefined();
    for (const y of years) expect(y.runMonths.every((m) => m === month || m === addMonths(month, 1))).toBe(true);
  });
});
