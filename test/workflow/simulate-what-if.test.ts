import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { addDays, dayOfWeek, shanghaiDate } from '../../domain/civil-date';
import { STANDARD_60 } from '../../domain/collection-plan';
import { idCheckDigit } from '../../scripts/scenario/invented';
import { shiftMonth } from '../../scripts/simulate/shift-dates';
import type { WhatIfResult } from '../../scripts/simulate/what-if';
import { runCliCaptured } from '../support/cli';

/**
 * `renewals simulate --plan standard-60 --compare-plan lean-4` on three premiums due on one Monday D
 * between the 8th and the 14th (so D+14 lies in the due month and D+30 in the next), with a plan of the
 * scenario's own (plans.json) that debits on D, D+7, D+30 and D+60 only and sends no D−30 reminder:
 *
 * - W1, funded: paid on D by the first debit under both plans;
 * - W2, 1,000 yuan deposited on D+8: standard-60 collects it at D+14 (its 4th attempt), lean-4 only at
 *   D+30 (its 3rd): 当月 under one, 次月 under the other;
 * - W3, deposited on D+10, then the mandate moved on D+20 to an empty account: standard-60 collected on
 *   D+14 before the move; lean-4's next debit (D+30) meets the empty account and the policy lapses.
 *
 * Dates are three months ahead of today, as in simulate.test.ts, so they are not moved.
 */
const dir = mkdtempSync(join(tmpdir(), 'renewals-what-if-'));
const out = mkdtempSync(join(tmpdir(), 'renewals-what-if-out-'));
const today = shanghaiDate(Date.now());
const runMonth = shiftMonth(today.slice(0, 7), 0, 3);
let due = `${runMonth}-08`;
while (dayOfWeek(due) !== 1) due = addDays(due, 1);

const LEAN = {
  ...STANDARD_60,
  code: 'lean-4',
  version: 1,
  reminders: STANDARD_60.reminders.filter((r) => r.offsetDays !== -30),
  debitOffsets: [0, 7, 30, 60],
};

const HEADER =
  'policy_no,product_code,channel,branch_code,agent_code,holder_name,holder_id_type,holder_id_no,holder_birth_date,holder_mobile,holder_email,holder_wechat_openid,preferred_channel,issue_date,payment_frequency,premium,next_due_date,installment_no,bank_code,account_no,account_name,apl_elected,cash_value,status';
const idNo = (seq: number) => {
  const body = `11010119800101${String(seq).padStart(3, '0')}`;
  return body + idCheckDigit(body);
};
function policy(no: string, seq: number, account: string, email = ''): string {
  return [no, 'WL20', 'agency', '3201', 'A001', '周明', 'ID', idNo(seq), '1980-01-01', `1391234500${seq}`, email, '', email ? 'email' : 'sms', addDays(due, -3 * 365), 'annual', '1000.00', due, '4', 'ICBC', account, '周明', 'N', '0', 'in_force'].join(',');
}

function writeScenario(into: string, plans: unknown): void {
  writeFileSync(join(into, 'agents.csv'), 'agent_code,name,mobile,team_code,branch_code,status,leader_code\nA001,钱进,13700001111,T1,3201,active,\n');
  writeFileSync(join(into, 'products.csv'), 'product_code,name,grace_days,reinstatement_years,plan_code\nWL20,终身寿险,60,2,standard-60\n');
  writeFileSync(join(into, 'plans.json'), JSON.stringify(plans, null, 2));
  writeFileSync(
    join(into, 'policies.csv'),
    [HEADER, policy('W1', 1, '6222000000000001', 'w1@example.cn'), policy('W2', 2, '6222000000000002'), policy('W3', 3, '6222000000000003')].join('\n') + '\n',
  );
  writeFileSync(
    join(into, 'accounts.csv'),
    'bank_code,account_no,account_name,balance,status,daily_limit\n' +
      ['5000.00', '0.00', '0.00', '0.00'].map((balance, i) => `ICBC,622200000000000${i + 1},周明,${balance},active,`).join('\n') +
      '\n',
  );
  writeFileSync(
    join(into, 'events.csv'),
    ['date,policy_no,event,value', `${addDays(due, 8)},W2,deposit,1000.00`, `${addDays(due, 10)},W3,deposit,1000.00`, `${addDays(due, 20)},W3,account_update,6222000000000004`].join('\n') + '\n',
  );
}

let result: WhatIfResult;
let exit: number;
let stderr: string;

beforeAll(async () => {
  writeScenario(dir, [LEAN]);
  vi.stubEnv('DATABASE_URL', inject('postgresUrl'));
  const run = await runCliCaptured(['simulate', dir, '--plan', 'standard-60', '--compare-plan', 'lean-4', '--json', '--out', out]);
  exit = run.code;
  stderr = run.err;
  result = JSON.parse(run.out) as WhatIfResult;
}, 600_000);

afterAll(() => vi.unstubAllEnvs());

const premium = (side: 0 | 1, policyNo: string) => result.runs[side].premiums.find((p) => p.policyNo === policyNo);
const row = (figure: string) => result.comparison.find((r) => r.figure === figure);

describe('renewals simulate --plan A --compare-plan B', () => {
  it('plays the same month twice, each side on its own database, under its own plan', () => {
    expect(exit, stderr).toBe(0);
    expect(result.month).toBe(runMonth);
    expect(result.plans).toEqual(['standard-60', 'lean-4']);
    expect(result.runs.map((r) => r.plan)).toEqual(['standard-60', 'lean-4']);
    expect(result.runs.map((r) => r.scenarioPlans)).toEqual([['lean-4@1'], ['lean-4@1']]);
    // Each side imported all three policies and played every event on its own rows.
    for (const run of result.runs) {
      expect(run.premiums.map((p) => p.policyNo)).toEqual(['W1', 'W2', 'W3']);
      expect(run.audit.chainIntact).toBe(true);
    }
    // W3's cycle was over by D+20 under standard-60 only: there the new account came too late to matter.
    expect(result.runs[0].events.map((e) => e.applied)).toEqual([true, true, false]);
    expect(result.runs[0].events[2]!.note).toMatch(/PAID/);
    expect(result.runs[1].events.map((e) => e.applied)).toEqual([true, true, true]);
    expect(stderr).toContain('[standard-60] monthly run');
    expect(stderr).toContain('[lean-4] every product collected under plan lean-4');
  });

  it('a funded account pays on D at the first debit under either plan', () => {
    for (const side of [0, 1] as const) expect(premium(side, 'W1')).toMatchObject({ paidOn: due, paidVia: 'debit', debitAttempts: 1, debitsSucceeded: 1 });
  });

  it('a deposit on D+8 is collected at D+14 under standard-60, at D+30 under the lean plan', () => {
    expect(premium(0, 'W2')).toMatchObject({ paidOn: addDays(due, 14), debitAttempts: 4, debitsSucceeded: 1 });
    expect(premium(1, 'W2')).toMatchObject({ paidOn: addDays(due, 30), debitAttempts: 3, debitsSucceeded: 1 });
  });

  it('money moved away after D+14 is collected under standard-60 and lost under the lean plan', () => {
    expect(premium(0, 'W3')).toMatchObject({ paidOn: addDays(due, 14), debitAttempts: 4, lapsedOn: null });
    expect(premium(1, 'W3')).toMatchObject({ paidOn: null, lapsedOn: addDays(due, 61), debitsSucceeded: 0 });
    expect(result.differences).toEqual([
      { policyNo: 'W2', a: `paid ${addDays(due, 14)} (debit)`, b: `paid ${addDays(due, 30)} (debit)` },
      { policyNo: 'W3', a: `paid ${addDays(due, 14)} (debit)`, b: `lapsed ${addDays(due, 61)}` },
    ]);
  });

  it('compares the rates at the three cut-offs and the lapse rate', () => {
    expect(row('collection rate 当月 by case')).toMatchObject({ a: '100.0%', b: '33.3%', delta: '-66.7 pp' });
    expect(row('collection rate 当月 by premium')).toMatchObject({ a: '100.0%', b: '33.3%', delta: '-66.7 pp' });
    expect(row('collection rate 次月 by case')).toMatchObject({ a: '100.0%', b: '66.7%', delta: '-33.3 pp' });
    expect(row('collection rate 宽末 by premium')).toMatchObject({ a: '100.0%', b: '66.7%', delta: '-33.3 pp' });
    expect(row('lapse rate by case')).toMatchObject({ a: '0.0%', b: '33.3%', delta: '+33.3 pp' });
    expect(row('paid')).toMatchObject({ a: '3', b: '2', delta: '-1' });
  });

  it('counts debits attempted and succeeded, contacts by channel and tasks on each side', () => {
    const [a, b] = result.sides;
    expect(a.debits).toEqual({ attempted: 9, succeeded: 3 });
    expect(b.debits.succeeded).toBe(2);
    expect(row('debits succeeded')).toMatchObject({ a: '3', b: '2', delta: '-1' });
    // W1 paid on D: the reminders and the payment-received notice (by email, its channel) are all it got.
    // standard-60: the D−30 email and the D−15 and D−3 SMS; the lean plan has no D−30 reminder.
    expect(premium(0, 'W1')!.contacts).toEqual({ email: 2, sms: 2 });
    expect(premium(1, 'W1')!.contacts).toEqual({ email: 1, sms: 2 });
    for (const [side, run] of [[a, result.runs[0]], [b, result.runs[1]]] as const) {
      expect(side.contacts.sms).toBe(run.premiums.reduce((n, p) => n + (p.contacts.sms ?? 0), 0));
      expect(side.tasks).toBe(run.premiums.reduce((n, p) => n + p.tasks, 0));
      expect(side.debits.attempted).toBe(run.premiums.reduce((n, p) => n + p.debitAttempts, 0));
    }
    // call_d+7: W2 and W3 were still unpaid at 09:00 of D+7 under standard-60.
    expect(premium(0, 'W2')!.tasks).toBe(1);
    expect(premium(0, 'W3')!.tasks).toBe(1);
  });

  it('--out writes each side in its own folder and the comparison as CSV and JSON', () => {
    expect(result.outputs!.sides).toEqual([join(out, 'standard-60'), join(out, 'lean-4')]);
    for (const side of result.outputs!.sides) expect(existsSync(join(side, 'simulation.json'))).toBe(true);
    const csv = readFileSync(join(out, 'comparison.csv'), 'utf8');
    expect(csv).toContain('figure,standard-60,lean-4,lean-4 - standard-60');
    // Signed cells are kept inert for spreadsheets (a leading ' before + and -).
    expect(csv).toContain("lapse rate by case,0.0%,33.3%,'+33.3 pp");
    expect(csv).toContain('contacts sms,');
    const json = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as Omit<WhatIfResult, 'runs'>;
    expect(json.comparison).toEqual(result.comparison);
    expect(json).not.toHaveProperty('runs');
  });

  it('refuses the folder of an earlier comparison without --force, before playing', async () => {
    const run = await runCliCaptured(['simulate', dir, '--plan', 'standard-60', '--compare-plan', 'lean-4', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/already exists: give --force/);
  });
});

describe('what-if arguments and plans.json, refused before anything starts', () => {
  it('an unknown plan is named with the plans there are', async () => {
    const run = await runCliCaptured(['simulate', dir, '--plan', 'standard-60', '--compare-plan', 'lean-9']);
    expect(run.code).toBe(2);
    expect(run.err).toBe('renewals: --compare-plan lean-9: no such collection plan (known: lean-4, standard-60; a scenario adds its own in plans.json)\n');
  });

  it('--compare-plan needs --plan, and another plan than it', async () => {
    expect((await runCliCaptured(['simulate', dir, '--compare-plan', 'lean-4'])).err).toMatch(/--compare-plan needs --plan/);
    const same = await runCliCaptured(['simulate', dir, '--plan', 'lean-4', '--compare-plan', 'lean-4']);
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/is the --plan itself/);
  });

  it('a bad plan in plans.json is named by its place, code, version and field', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'renewals-what-if-bad-'));
    writeScenario(bad, [LEAN, { ...LEAN, code: 'lean-5', debitOffsets: [0, 30, 7] }]);
    const run = await runCliCaptured(['simulate', bad, '--plan', 'lean-5']);
    expect(run.code).toBe(1);
    expect(run.err).toBe('renewals: plans.json [1]: collection plan lean-5@1: debitOffsets[2] must be later than the attempt before it\n');
    writeFileSync(join(bad, 'plans.json'), '[{"code": "lean-6",');
    expect((await runCliCaptured(['simulate', bad])).err).toMatch(/^renewals: plans\.json is not JSON: /);
  });
});
