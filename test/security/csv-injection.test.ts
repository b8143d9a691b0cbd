import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeReport } from '../../application/report-delivery';
import { inertCsvText } from '../../reports/csv-cells';
import type { TabularReport } from '../../reports/report';
import { simulationOutputFiles, writeSimulationOutputs } from '../../scripts/simulate/outputs';
import type { SimulatedPremium } from '../../scripts/simulate/simulate';
import { runCliCaptured } from '../support/cli';
import { approvedUnmaskRequest } from '../support/unmask';
import { freshDatabase, type TestDatabase } from '../support/database';
import { DATA_KEY, DUE_MONTH, HOLDER, INJECTION, seedInjectedPortfolio, simulationResult } from './injected-portfolio';

/**
 * CSV injection: a product, branch or operator name that is a formula reaches every CSV the project
 * writes through the real writers, and is read back as text with a leading '. Numbers stay numbers.
 */
let t: TestDatabase;
let dir: string;

beforeAll(async () => {
  t = await freshDatabase();
  await seedInjectedPortfolio(t.db);
  dir = await mkdtemp(join(tmpdir(), 'renewals-csv-injection-'));
  vi.stubEnv('DATABASE_URL', t.url);
  vi.stubEnv('RENEWALS_DATA_KEY', DATA_KEY);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await t?.drop();
});

/** Every cell of a CSV file as a spreadsheet would get it (BOM dropped, ragged rows allowed). */
async function cells(file: string): Promise<string[]> {
  const rows: string[][] = parse(await readFile(file), { bom: true, relax_column_count: true });
  return rows.flat();
}

const DANGEROUS = /^[=+\-@\t\r]/;

describe('inertCsvText', () => {
  it.each([
    [INJECTION, `'${INJECTION}`],
    ['+1+cmd|calc', "'+1+cmd|calc"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['终身寿险', '终身寿险'],
    ['P3201000101', 'P3201000101'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('%j → %j', (text, inert) => {
    expect(inertCsvText(text)).toBe(inert);
  });
});

describe('report CSV', () => {
  it('renewals report monthly --format csv: the product and branch names are inert', async () => {
    const file = join(dir, 'monthly.csv');
    const { code, err } = await runCliCaptured(['report', 'monthly', '--month', DUE_MONTH, '--as-of', '2027-03-31', '--format', 'csv', '--out', file]);
    expect(code, err).toBe(0);
    const all = await cells(file);
    expect(all).toContain(`'${INJECTION}`);
    expect(all).toContain("'+1+cmd|calc");
    expect(all.filter((cell) => DANGEROUS.test(cell))).toEqual([]);
  });

  it('text cells are inert, amounts and counts written as numbers stay numbers, negative ones too', async () => {
    const report: TabularReport = {
      title: '-title',
      parameters: { month: DUE_MONTH },
      sections: [
        {
          key: 'refunds',
          title: 'Refunds',
          columns: [
            { key: 'agent', header: 'Agent', kind: 'text' },
            { key: 'amount', header: 'Amount', kind: 'money' },
            { key: 'count', header: 'Cases', kind: 'count' },
          ],
          rows: [
            { agent: INJECTION, amount: -50_000, count: -3 },
            { agent: '-5.00', amount: 12_345, count: 0 },
          ],
        },
      ],
    };
    const file = join(dir, 'refunds.csv');
    await writeReport(report, { format: 'csv', out: file });
    const rows: string[][] = parse(await readFile(file), { bom: true, relax_column_count: true });
    expect(rows[0]).toEqual(["'-title"]);
    expect(rows).toContainEqual([`'${INJECTION}`, '-500.00', '-3']);
    // A text cell that looks like an amount is still text.
    expect(rows).toContainEqual(["'-5.00", '123.45', '0']);
  });
});

describe('report XLSX', () => {
  it('a name that is a formula is a string cell, never a formula', async () => {
    const file = join(dir, 'monthly.xlsx');
    const { code, err } = await runCliCaptured(['report', 'monthly', '--month', DUE_MONTH, '--as-of', '2027-03-31', '--format', 'xlsx', '--out', file]);
    expect(code, err).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const found: ExcelJS.Cell[] = [];
    let formulas = 0;
    for (const sheet of book.worksheets) {
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.type === ExcelJS.ValueType.Formula) formulas += 1;
          if (cell.value === INJECTION) found.push(cell);
        }),
      );
    }
    expect(formulas).toBe(0);
    expect(found.length).toBeGreaterThan(0);
    for (const cell of found) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    }
  });
});

describe('audit export CSV', () => {
  it('renewals audit export: an actor that is a formula is inert; seq stays a number; JSON keeps the value', async () => {
    const csv = join(dir, 'audit.csv');
    expect((await runCliCaptured(['audit', 'export', '--policy', HOLDER.policyNo, '--out', csv])).code).toBe(0);
    const rows = parse<Record<string, string>>(await readFile(csv), { bom: true, columns: true });
    expect(rows.map((row) => row.actor)).toEqual(expect.arrayContaining([`'${INJECTION}`, "'@SUM(1+1)"]));
    for (const row of rows) expect(row.seq).toMatch(/^\d+$/);
    expect(Object.values(rows).flatMap((row) => Object.values(row)).filter((cell) => DANGEROUS.test(cell))).toEqual([]);

    const json = join(dir, 'audit.json');
    expect((await runCliCaptured(['audit', 'export', '--policy', HOLDER.policyNo, '--format', 'json', '--out', json])).code).toBe(0);
    const parsed = JSON.parse(await readFile(json, 'utf8')) as { actor: string }[];
    expect(parsed.map((row) => row.actor)).toContain(INJECTION);
  });

  it('the unmasked export is inert too', async () => {
    const csv = join(dir, 'audit-unmasked.csv');
    const request = await approvedUnmaskRequest(t.db, ['--policy', HOLDER.policyNo], 'complaint review');
    const run = await runCliCaptured(['audit', 'export', '--unmasked', '--request', request, '--out', csv]);
    expect(run.code, run.err).toBe(0);
    expect(await cells(csv)).toContain(`'${INJECTION}`);
  });
});

/** A premium whose texts are formulas; a negative count is a number and stays as written. */
const injectedPremium: SimulatedPremium = {
  policyNo: INJECTION,
  dueDate: HOLDER.nextDueDate,
  stage: 'LAPSED',
  paidOn: null,
  paidVia: null,
  debitAttempts: 2,
  debitsSucceeded: 0,
  lastDebitReason: '-ACCOUNT_CLOSED',
  contacts: { sms: 2, email: 1 },
  suppressed: {},
  tasks: -1,
  lapsedOn: '2027-02-23',
  reinstatedOn: null,
};

describe("the simulator's CSV files", () => {
  it('premiums.csv, the report CSV and audit.csv, through writeSimulationOutputs', async () => {
    const out = await mkdtemp(join(dir, 'simulation-'));
    const files = simulationOutputFiles(out, DUE_MONTH);
    await writeSimulationOutputs(t.db, DUE_MONTH, '2027-03-31', files, simulationResult([injectedPremium]), false);

    const premiums = parse<Record<string, string>>(await readFile(files.premiumsCsv), { bom: true, columns: true });
    expect(premiums).toEqual([
      expect.objectContaining({ policyNo: `'${INJECTION}`, lastDebitReason: "'-ACCOUNT_CLOSED", debitAttempts: '2', tasks: '-1', contacts: 'email 1, sms 2' }),
    ]);
    expect(await cells(files.reportCsv)).toContain(`'${INJECTION}`);
    expect(await cells(files.auditCsv)).toContain(`'${INJECTION}`);
    for (const file of [files.premiumsCsv, files.reportCsv, files.auditCsv]) {
      expect((await cells(file)).filter((cell) => DANGEROUS.test(cell) && cell !== '-1'), file).toEqual([]);
    }
  });
});
