import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedSuspensions } from '../db/reinstatement-report.seed';

/** `renewals report reinstatement` and `report lapsed` on the data set of reinstatement-report.seed.ts. */
let t: TestDatabase;
type Rate = { numerator: number; denominator: number; percent: string };
type ReinstatementJson = { kind: string; byMonth: { key: string }[]; total: { rate: { byCase: Rate; byPremium: Rate }; concludedRate: { byCase: Rate } } };
let dir: string;

beforeAll(async () => {
  t = await freshDatabase();
  await seedSuspensions(t.db);
  dir = await mkdtemp(join(tmpdir(), 'renewals-reinstatement-'));
  vi.stubEnv('DATABASE_URL', t.url);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

describe('renewals report reinstatement', () => {
  it('--json: the cohort figures with exact rates and their percentages', async () => {
    const { code, out, err } = await runCliCaptured(['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--as-of', '2026-06-30', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out) as ReinstatementJson;
    expect(json.kind).toBe('reinstatement');
    // 2 of 10 reinstated (S01, S10); 1650000 of 7430000 fen = 22.2073 %; concluded 2 of 3 = 66.67 %.
    expect(json.total.rate.byCase).toEqual({ numerator: 2, denominator: 10, percent: '20.00%' });
    expect(json.total.rate.byPremium).toEqual({ numerator: 1_650_000, denominator: 7_430_000, percent: '22.21%' });
    expect(json.total.concludedRate.byCase.percent).toBe('66.67%');
    expect(json.byMonth.map((g) => g.key)).toEqual(['2026-01', '2026-02']);
  });

  it('as a table: yuan, percentages, branch names and the definitions', async () => {
    const { code, out } = await runCliCaptured(['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--as-of', '2026-06-30']);
    expect(code).toBe(0);
    // Suspended premium 7430000 fen = 74300.00 yuan; January 1500000 / 3280000 = 45.73 %.
    expect(out).toContain('74300.00');
    expect(out).toContain('45.73%');
    expect(out).toContain('南京分公司');
    expect(out).toContain('Concluded rate = reinstated ÷ (reinstated + terminated + reduced paid-up)');
  });

  it('--format xlsx --out: a sheet per section', async () => {
    const file = join(dir, 'reinstatement.xlsx');
    const { code, err } = await runCliCaptured(['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--as-of', '2026-06-30', '--format', 'xlsx', '--out', file]);
    expect(code).toBe(0);
    expect(err).toContain(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((s) => s.name)).toEqual(['about', 'months', 'branch', 'product', 'value']);
    // Row 2 = January: suspended premium 32800.00 yuan.
    expect(book.getWorksheet('months')!.getRow(2).getCell(3).value).toBe(32_800);
  });
});

describe('renewals report lapsed', () => {
  it('--json: ranked, days left, codes only', async () => {
    const { code, out, err } = await runCliCaptured(['report', 'lapsed', '--as-of', '2028-02-09', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { matching: number; policies: { policyNo: string; daysLeft: number }[] };
    // P07 high value on its last day; then P09 (high value), P11 700000, P08 500000.
    expect(json.policies.map((p) => [p.policyNo, p.daysLeft])).toEqual([
      ['P07', 1],
      ['P09', 11],
      ['P11', 21],
      ['P08', 5],
    ]);
    expect(json.matching).toBe(4);
  });

  it('as a table with filters: branch 3202, orphans named, premium in yuan, no personal data', async () => {
    const { code, out } = await runCliCaptured(['report', 'lapsed', '--as-of', '2026-06-30', '--branch', '3202']);
    expect(code).toBe(0);
    const rows = out.split('\n').filter((l) => /\bP0\d\b/.test(l));
    // P04 (high value, 12000.00 yuan, declined), P08 (5000.00), P05 (800.00; its agent departed).
    expect(rows.map((l) => /\b(P0\d)\b/.exec(l)![1])).toEqual(['P04', 'P08', 'P05']);
    expect(rows[0]).toMatch(/P04.*CI10.*3202.*orphan.*12000\.00.*yes.*2026-01-31.*2028-01-30.*580.*declined/);
    expect(rows[2]).toMatch(/P05.*orphan.*800\.00.*no.*574.*under_review/);
    expect(out).not.toMatch(/张|李|王|320102|\*/);
  });

  it('--high-value --limit 2 as CSV with a BOM', async () => {
    const file = join(dir, 'lapsed.csv');
    const { code } = await runCliCaptured(['report', 'lapsed', '--as-of', '2026-06-30', '--high-value', '--limit', '2', '--format', 'csv', '--out', file]);
    expect(code).toBe(0);
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').split('\r\n');
    expect(lines.filter((l) => /^P0\d,/.test(l)).map((l) => l.slice(0, 3))).toEqual(['P07', 'P04']);
    expect(bytes.toString('utf8')).toContain('Showing 2 of 3');
  });
});

describe('bad arguments: one line naming the argument, exit 2', () => {
  it.each([
    [['report', 'reinstatement', '--from', '2026-1', '--to', '2026-02'], /--from must be a month YYYY-MM, got "2026-1"/],
    [['report', 'reinstatement', '--from', '2026-01', '--to', '2026-13'], /--to must be a month YYYY-MM, got "2026-13"/],
    [['report', 'reinstatement', '--from', '2026-02', '--to', '2026-01'], /--to 2026-01 is before --from 2026-02/],
    [['report', 'reinstatement', '--from', '2010-01', '--to', '2026-01'], /spans more than 120 months/],
    [['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--as-of', '2026-02-30'], /--as-of must be a date YYYY-MM-DD/],
    [['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--as-of', '2025-12-31'], /--as-of 2025-12-31 is before the month 2026-01/],
    [['report', 'reinstatement', '--from', '2026-01', '--to', '2026-02', '--format', 'pdf'], /--format must be one of table, csv, xlsx, json, got "pdf"/],
    [['report', 'lapsed', '--as-of', 'today'], /--as-of must be a date YYYY-MM-DD, got "today"/],
    [['report', 'lapsed', '--limit', '0'], /--limit must be a whole number from 1 to 100000, got "0"/],
    [['report', 'lapsed', '--limit', '2.5'], /--limit must be a whole number/],
    [['report', 'lapsed', '--branch', '32 01'], /--branch must be a branch code/],
    [['report', 'lapsed', '--branch', '9999'], /--branch 9999: no such branch/],
    [['report', 'lapsed', '--format', 'xlsx'], /--format xlsx needs --out <file>/],
  ])('%j', async (args, message) => {
    const { code, out, err } = await runCliCaptured(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });
});
