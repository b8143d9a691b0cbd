import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import { addDays, dayOfWeek, shanghaiDate } from '../../domain/civil-date';
import { idCheckDigit } from '../../scripts/scenario/invented';
import { shiftMonth } from '../../scripts/simulate/shift-dates';
import type { SimulationResult } from '../../scripts/simulate/simulate';
import { runCliCaptured } from '../support/cli';

/**
 * `renewals simulate` on a small scenario whose outcome is known by hand: five premiums due on one
 * Monday (so the debit days D, D+3, D+7 fall on Monday, Thursday, Monday), one bad policy row and
 * one bad event row. Dates are three months ahead of today, so the month's run (the 1st of the month
 * before) always lies ahead of the time-skipping server's clock (which starts at today) and the
 * scenario is not moved.
 */
const dir = mkdtempSync(join(tmpdir(), 'renewals-scenario-'));
const out = mkdtempSync(join(tmpdir(), 'renewals-sim-out-'));
const today = shanghaiDate(Date.now());
const runMonth = shiftMonth(today.slice(0, 7), 0, 3);
let due = `${runMonth}-11`;
while (dayOfWeek(due) !== 1) due = addDays(due, 1);

const HEADER =
  'policy_no,product_code,channel,branch_code,agent_code,holder_name,holder_id_type,holder_id_no,holder_birth_date,holder_mobile,holder_email,holder_wechat_openid,preferred_channel,issue_date,payment_frequency,premium,next_due_date,installment_no,bank_code,account_no,account_name,apl_elected,cash_value,status';
const idNo = (seq: number) => {
  const body = `11010119800101${String(seq).padStart(3, '0')}`;
  return body + idCheckDigit(body);
};
function policy(no: string, seq: number, mobile: string, account: string, premium: string, email = ''): string {
  return [no, 'WL20', 'agency', '3201', 'A001', '周明', 'ID', idNo(seq), '1980-01-01', mobile, email, '', email ? 'email' : 'sms', addDays(due, -3 * 365), 'annual', premium, due, '4', 'ICBC', account, '周明', 'N', '0', 'in_force'].join(',');
}

beforeAll(() => {
  writeFileSync(join(dir, 'agents.csv'), 'agent_code,name,mobile,team_code,branch_code,status,leader_code\nA001,钱进,13700001111,T1,3201,active,\n');
  writeFileSync(join(dir, 'products.csv'), 'product_code,name,grace_days,reinstatement_years,plan_code\nWL20,终身寿险,60,2,standard-60\n');
  writeFileSync(
    join(dir, 'policies.csv'),
    [
      HEADER,
      policy('S001', 1, '13912345001', '6222000000000001', '1000.00', 's001@example.cn'),
      policy('S002', 2, '13912345002', '6222000000000002', '1000.00'),
      policy('S003', 3, '13912345003', '6222000000000003', '1000.00'),
      policy('S004', 4, '13912345004', '6222000000000004', '1000.00'),
      policy('S005', 5, '13912345005', '6222000000000005', '1000.00'),
      policy('S006', 6, '1391234', '6222000000000006', '1000.00'),
      policy('S007', 7, '13912345007', '6222000000000007', '1000.00'),
      policy('S008', 8, '13912345008', '6222000000000008', '1000.00'),
      policy('S009', 9, '13912345009', '6222000000000009', '1000.00'),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'accounts.csv'),
    'bank_code,account_no,account_name,balance,status,daily_limit\n' +
      ['5000.00', '100.00', '50.00', '0.00', '20.00', '0.00', '0.00', '0.00', '0.00'].map((balance, i) => `ICBC,622200000000000${i + 1},周明,${balance},active,`).join('\n') +
      '\n',
  );
  writeFileSync(
    join(dir, 'events.csv'),
    [
      'date,policy_no,event,value',
      `${addDays(due, 5)},S002,deposit,1000.00`,
      `${addDays(due, 10)},S004,pay_counter,400.00`,
      `${addDays(due, 12)},S004,pay_counter,600.00`,
      `${addDays(due, 20)},S007,pay_online,`,
      `${addDays(due, 61)},S008,pay_counter,1000.00@${addDays(due, 60)} 23:59`,
      `${addDays(due, 8)},S005,refuse,8`,
      `${addDays(due, 2)},S001,teleport,`,
      `${addDays(due, 65)},S003,apply_reinstatement,debit`,
      `${addDays(due, 66)},S003,deposit,1100.00`,
      `${addDays(due, 25)},S009,pay_online,alipay`,
      `${addDays(due, 26)},S009,pay_online,paypal`,
    ].join('\n') + '\n',
  );
});

let result: SimulationResult;
let exit: number;
let stderr: string;

beforeAll(async () => {
  vi.stubEnv('DATABASE_URL', inject('postgresUrl'));
  const run = await runCliCaptured(['simulate', dir, '--json', '--out', out]);
  exit = run.code;
  stderr = run.err;
  result = JSON.parse(run.out) as SimulationResult;
}, 600_000);

afterAll(() => vi.unstubAllEnvs());

const premium = (policyNo: string) => result.premiums.find((p) => p.policyNo === policyNo);

describe('renewals simulate on a scenario with known outcomes', () => {
  it('runs the month of the earliest due date, without moving the dates', () => {
    expect(exit, stderr).toBe(0);
    expect(result.month).toBe(runMonth);
    expect(result.shiftedYears).toBe(0);
    expect(result.premiums.map((p) => p.policyNo)).toEqual(['S001', 'S002', 'S003', 'S004', 'S005', 'S007', 'S008', 'S009']);
    expect(stderr).toContain(`monthly run ${runMonth}`);
  });

  it('reports the bad policy row and the unknown event by file, row and column, and imports the rest', () => {
    expect(result.inputErrors).toContainEqual(expect.objectContaining({ file: 'policies.csv', row: 7, column: 'holder_mobile' }));
    expect(result.inputErrors).toContainEqual(expect.objectContaining({ file: 'events.csv', row: 8, column: 'event' }));
    expect(result.inputErrors).toContainEqual(expect.objectContaining({ file: 'events.csv', row: 12, column: 'value', reason: expect.stringMatching(/wechatpay or alipay/) }));
  });

  it('a funded account pays on the due date with one debit', () => {
    expect(premium('S001')).toMatchObject({ stage: 'PAID', paidOn: due, paidVia: 'debit', debitAttempts: 1, lapsedOn: null });
  });

  it('a deposit on D+5 is collected by the D+7 debit, the third attempt', () => {
    expect(premium('S002')).toMatchObject({ stage: 'PAID', paidOn: addDays(due, 7), paidVia: 'debit', debitAttempts: 3 });
  });

  it('an account never funded is suspended at 00:00 of D+61 after every planned debit', () => {
    // Applied at D+65; no decision in 30 days, so consent at 00:00 of D+96 and, at 09:00, the debit of
    // 1 000 yuan + 96 days at 5 % (13.15) = 1 013.15 from the 50 + 1 100 yuan in the account.
    expect(premium('S003')).toMatchObject({ stage: 'REINSTATED', paidOn: null, lapsedOn: addDays(due, 61), reinstatedOn: addDays(due, 96) });
    // Nine planned debits and the late check at 22:00 of the last grace day.
    expect(premium('S003')!.debitAttempts).toBe(10);
    expect(premium('S003')!.tasks).toBeGreaterThan(0);
  });

  it('a part paid at the counter on D+10 leaves the rest owed; the rest on D+12 pays the premium', () => {
    expect(premium('S004')).toMatchObject({ stage: 'PAID', paidOn: addDays(due, 12), paidVia: 'counter', debitAttempts: 3 });
    const part = result.events.find((e) => e.policyNo === 'S004' && e.date === addDays(due, 10))!;
    expect(part).toMatchObject({ applied: true });
    expect(part.note).toMatch(/ of ¥400\.00$/);
  });

  it('a customer who pays online through the payment link on D+20: paid online', () => {
    expect(premium('S007')).toMatchObject({ stage: 'PAID', paidOn: addDays(due, 20), paidVia: 'online' });
    expect(result.events).toContainEqual(expect.objectContaining({ policyNo: 'S007', event: 'pay_online', applied: true, note: expect.stringMatching(/\(WeChat Pay order PL[0-9a-f]{24}\): applied/) }));
  });

  it('`pay_online alipay` on D+25: paid online through the Alipay simulator, by the official SDK', () => {
    expect(premium('S009')).toMatchObject({ stage: 'PAID', paidOn: addDays(due, 25), paidVia: 'online' });
    expect(result.events).toContainEqual(expect.objectContaining({ policyNo: 'S009', event: 'pay_online', applied: true, note: expect.stringMatching(/\(Alipay order PL[0-9a-f]{24}\): applied/) }));
  });

  it('paid at the counter at 23:59 of the last grace day, reported the next morning: the suspension is undone', () => {
    expect(premium('S008')).toMatchObject({ stage: 'PAID', paidOn: addDays(due, 60), paidVia: 'counter' });
  });

  it('a refusal is recorded and the policy lapses at grace end', () => {
    expect(premium('S005')).toMatchObject({ stage: 'LAPSED', lapsedOn: addDays(due, 61) });
    expect(result.events).toContainEqual(expect.objectContaining({ policyNo: 'S005', event: 'refuse', applied: true }));
    expect(result.events).toContainEqual(expect.objectContaining({ policyNo: 'S003', event: 'apply_reinstatement', applied: true }));
  });

  it('counts reminders per channel and suppressed steps per rule', () => {
    // S001 has an email and a mobile: its pre-due reminders went out by email and SMS.
    expect(premium('S001')!.contacts.sms).toBeGreaterThan(0);
    expect(premium('S001')!.contacts.email).toBeGreaterThan(0);
    expect(premium('S002')!.contacts.email).toBeUndefined();
  });

  it('the month KPIs: 6 of 8 cases and 6,000 of 8,000 yuan collected, 2 of 8 lapsed', () => {
    expect(result.kpis).toMatchObject({ premiums: 8, paid: 6, lapsed: 2, open: 0, collectionRateByCase: '75.0%', collectionRateByPremium: '75.0%', lapseRate: '25.0%' });
    expect(result.audit.chainIntact).toBe(true);
  });

  it('--out writes the report (XLSX, CSV with BOM), the audit export (CSV, JSON) and the emails', async () => {
    const files = result.outputs!;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(files.reportXlsx);
    expect(workbook.worksheets.length).toBeGreaterThan(0);
    expect(readFileSync(files.reportCsv).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const audit = JSON.parse(readFileSync(files.auditJson, 'utf8')) as { kind: string; at_iso: string; policy_no: string | null; recipient: string | null }[];
    const contacts = audit.filter((row) => row.kind.startsWith('contact'));
    expect(contacts.length).toBeGreaterThan(0);
    for (const row of contacts) expect(row.at_iso).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(readFileSync(files.auditCsv, 'utf8')).not.toContain('13912345001');
    expect(existsSync(files.emails)).toBe(true);
    const emails = readdirSync(files.emails).filter((f) => f.endsWith('.eml'));
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.length).toBe(result.emailsDelivered);
  });

  it('a missing scenario directory is one clear line and exit code 2', async () => {
    const { code, err } = await runCliCaptured(['simulate', join(dir, 'nope')]);
    expect(code).toBe(2);
    expect(err).toMatch(/^renewals: scenario directory .* does not exist\n$/);
  });
});
