import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { relayPolicyChanges } from '../../application/policy-admin-relay';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addYears, shanghaiDate } from '../../domain/civil-date';
import type { PolicyRecord } from '../../db/repositories/policies';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { SimulatedPolicyAdmin } from '../../integrations/policy-admin/simulator';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The reinstatement window and the `reinstatement` workflow on the time-skipping server with real
 * PostgreSQL, driven through the CLI as operations and underwriters would. Dates are fixed so every
 * figure can be worked out by hand; they move forward by whole multiples of 4 years when the server's
 * clock has passed them, which keeps weekdays aside but every day count (leap years included) the same.
 */
const taskQueue = 'reinstatement';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let shiftYears = 0;
let stopWorker: (() => void) | undefined;
let workerDone: Promise<void> | undefined;
const printed: string[] = [];

/** A fixed date of the scenario, moved by the file's shift. */
const d = (date: string) => addYears(date, shiftYears);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('RENEWALS_UPDATE_TIMEOUT_MS', '20000');
  const today = shanghaiDate(await env.currentTimeMs());
  while (addYears('2026-11-25', shiftYears) < today) shiftYears += 4;
  // One worker for the whole file: cycles of earlier tests go on in their windows while later tests
  // run, and a worker stopped in the middle of an activity would leave the server unable to skip time.
  workerDone = rig.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
});

afterAll(async () => {
  stopWorker?.();
  await workerDone;
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

const { cli, json } = recordingCli(printed);

/** Polls PostgreSQL in real time (the server's clock does not move while nothing waits on it). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const db = () => rig.database.db;
const auditKinds = async (policyNo: string) => (await db()('audit_events').where({ policy_no: policyNo }).orderBy('seq').select('kind')).map((r: { kind: string }) => r.kind);
const contactsOf = async (policyNo: string, step: string) => db()('contact_attempts').where({ policy_no: policyNo, step }).orderBy('channel').select('channel', 'status', 'template_code'); // in the channel enum's order: sms, wechat, email, letter

async function lapsedPolicy(overrides: Partial<PolicyRecord>): Promise<PolicyRecord> {
  // No money in the account: every debit of the cycle fails and the policy lapses at D+61.
  const policy = await seedFundedPolicy(rig, { issueDate: '2020-01-10', preferredChannel: 'sms', ...overrides }, 0);
  await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate: policy.nextDueDate }, taskQueue);
  return policy;
}

async function declarationTask(policyNo: string): Promise<number> {
  type Task = { id: number; step: string; kind: string; assignee_role: string };
  // The application opens it from its first activity, just after the apply command returns.
  const tasks = await eventually(() => json<Task[]>('tasks', 'list', '--policy', policyNo), (list) => list.some((t) => t.step === 'reinstatement_declaration'), 'the declaration task');
  const task = tasks.find((t) => t.step === 'reinstatement_declaration');
  expect(task).toMatchObject({ kind: 'declaration', assignee_role: 'operations' });
  return task!.id;
}

describe('the reinstatement window and the reinstatement workflow', () => {
  it('reinstated at the counter with hand-computed arrears and interest; the next premium lapses and opens a fresh window', async () => {
    const policy = await lapsedPolicy({ policyNo: 'P-RI-0001', holderIdNo: '110101198001010011', accountNo: '6222020000000010011', paymentFrequency: 'quarterly', premiumFen: 300_000, nextDueDate: d('2027-01-10'), installmentNo: 5 });
    const cycleId = `renewal-P-RI-0001-${d('2027-01-10')}`;

    // Suspended at 00:00 of D+61 = 12 March; the +30 reminder on 11 April at 10:00.
    await sleepUntil(env, d('2027-04-11'), '12:00');
    const status = await env.client.workflow.getHandle(cycleId).query(statusQuery);
    // 3 000 yuan a quarter is 12 000 a year: high value, so an agent call comes with each reminder.
    expect(status).toMatchObject({ stage: 'LAPSED', reinstatement: { suspensionDate: d('2027-03-12'), lastDayToApply: d('2029-03-11'), highValue: true } });
    expect(await db()('tasks').where({ policy_no: policy.policyNo, step: 'reinstatement_call_30d' }).select('kind', 'assignee_role')).toEqual([{ kind: 'call', assignee_role: 'operations' }]);
    expect(await contactsOf(policy.policyNo, 'reinstatement_reminder_30d')).toEqual([
      { channel: 'sms', status: 'sent', template_code: 'reinstatement_reminder' },
      { channel: 'email', status: 'sent', template_code: 'reinstatement_reminder' },
    ]);

    await sleepUntil(env, d('2027-05-10'), '10:00');
    // One person at the counter takes the application and captures the declaration.
    const clerk = await actAs(db(), { roles: ['operations_lead', 'underwriter'] });
    const applied = await json('reinstate', 'apply', policy.policyNo, '--pay', 'counter');
    expect(applied).toMatchObject({ workflowId: `reinstatement-P-RI-0001-${d('2027-01-10')}-1`, receivedDate: d('2027-05-10'), decisionDueDate: d('2027-06-09') });
    expect((await cli('reinstate', 'apply', policy.policyNo)).err).toBe(
      `renewals: the reinstatement window of ${policy.policyNo} refused: an application is already open: reinstatement-P-RI-0001-${d('2027-01-10')}-1\n`,
    );
    expect((await cli('reinstate', 'decide', policy.policyNo, '--approve')).err).toMatch(/refused: the health and risk declaration is not captured yet/);
    expect((await cli('tasks', 'complete', String(await declarationTask(policy.policyNo)), '--outcome', 'done')).code).toBe(0);

    await sleepUntil(env, d('2027-05-12'), '11:00');
    // Four-eyes: whoever applied or captured the declaration may not approve, underwriter or not.
    const ownApproval = await cli('reinstate', 'decide', policy.policyNo, '--approve');
    expect(ownApproval.code).toBe(1);
    expect(ownApproval.err).toMatch(/refused: four-eyes: the approval must come from a second person, not the one who applied\n$/);
    const underwriter = await actAs(db(), { roles: ['underwriter'] });
    const approved = await json<{ status: Record<string, unknown> }>('reinstate', 'decide', policy.policyNo, '--approve');
    expect(approved.status).toMatchObject({
      status: 'approved',
      approvedBy: 'underwriter',
      payBy: d('2027-06-11'),
      signedBy: { applied: clerk.ref, declaration: clerk.ref, decided: underwriter.ref },
    });
    const underwriting = await eventually(() => db()('tasks').where({ policy_no: policy.policyNo, step: 'reinstatement_underwriting' }).first(), (t) => t?.status === 'done', 'the underwriting task closed');
    expect(underwriting).toMatchObject({ kind: 'underwriting', assignee_role: 'underwriter', status: 'done', outcome_code: 'approved' });

    // Paid on 20 May. Quarterly premiums due before it: 10 Jan and 10 Apr (10 Jul is the next).
    //   10 Jan → 20 May: 21 + 28 + 31 + 30 + 20 = 130 days; 300 000 × 5 % × 130 / 365 = 5 342.47 → 5 342 fen
    //   10 Apr → 20 May:            20 + 20 =  40 days; 300 000 × 5 % ×  40 / 365 = 1 643.84 → 1 644 fen
    //   premiums 600 000 + interest 6 986 = 606 986 fen (6 069.86 yuan)
    await sleepUntil(env, d('2027-05-20'), '10:00');
    const view = await json<{ application: { quote: { totalFen: number; lines: { interestFen: number; days: number }[] } } }>('reinstate', 'status', policy.policyNo, '--on', d('2027-05-20'));
    expect(view.application.quote.lines.map((l) => [l.days, l.interestFen])).toEqual([[130, 5342], [40, 1644]]);
    expect(view.application.quote.totalFen).toBe(606_986);
    const cashier = await actAs(db(), { roles: ['cashier'] });
    expect((await cli('reinstate', 'pay', policy.policyNo, '--amount', '6000.00', '--reference', 'R-0001')).err).toMatch(
      /refused: amountFen must be today's quote, 606986 fen \(back premiums 600000 \+ interest 6986\), got 600000/,
    );
    const paid = await json<{ status: Record<string, unknown> }>('reinstate', 'pay', policy.policyNo, '--amount', '6069.86', '--reference', 'R-0001');
    expect(paid.status).toMatchObject({ status: 'approved' });

    const application = await eventually(() => db()('reinstatement_applications').where({ policy_no: policy.policyNo }).first(), (a) => a?.status === 'reinstated', 'the reinstatement');
    expect(application).toMatchObject({
      paid_fen: 606_986,
      paid_via: 'counter',
      payment_reference: 'R-0001',
      effective_date: d('2027-05-20'),
      suicide_exclusion_ends: d('2029-05-19'),
      next_due_date: d('2027-07-10'),
      approved_by: 'underwriter',
    });
    expect(await db()('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'in_force', next_due_date: d('2027-07-10'), next_installment_no: 7 });
    expect(await db()('premium_dues').where({ policy_no: policy.policyNo }).orderBy('due_date').select('due_date', 'status', 'installment_no', 'amount_fen')).toEqual([
      { due_date: d('2027-01-10'), status: 'lapsed', installment_no: 5, amount_fen: 300_000 },
      { due_date: d('2027-07-10'), status: 'due', installment_no: 7, amount_fen: 300_000 },
    ]);
    await eventually(() => auditKinds(policy.policyNo), (k) => k.filter((x) => x === 'stage_changed').length > 0 && k.includes('policy_reinstated'), 'the audit of the reinstatement');
    // Each person's act is signed with their reference; what the clock and the workflow do is not.
    const signed = await db()('audit_events').where({ policy_no: policy.policyNo }).whereIn('kind', ['reinstatement_applied', 'task_completed', 'reinstatement_approved', 'policy_reinstated']).orderBy('seq').select('kind', 'actor');
    expect(signed).toEqual([
      { kind: 'reinstatement_applied', actor: clerk.ref },
      { kind: 'task_completed', actor: clerk.ref },
      { kind: 'reinstatement_approved', actor: underwriter.ref },
      { kind: 'policy_reinstated', actor: cashier.ref },
    ]);
    const reinstatedNotice = await eventually(() => contactsOf(policy.policyNo, 'policy_reinstated'), (c) => c.length === 2 && c.every((x) => x.status !== 'pending'), 'the reinstatement notice');
    expect(reinstatedNotice.map((c) => c.status)).toEqual(['sent', 'sent']);
    const cycle = await eventually(() => env.client.workflow.getHandle(cycleId).describe(), (w) => w.status.name === 'COMPLETED', 'the window stage to close');
    expect(cycle.searchAttributes.RenewalStage).toEqual(['REINSTATED']);
    expect(await json('reinstate', 'status', policy.policyNo)).toMatchObject({ policyStatus: 'in_force', suspension: { outcome: 'reinstated', daysLeftToApply: 0 } });

    // The next premium has its own cycle, started by the reinstatement. No money again: a second lapse
    // at 00:00 of 9 September (10 Jul + 61) opens a window of its own.
    const next = env.client.workflow.getHandle(`renewal-P-RI-0001-${d('2027-07-10')}`);
    expect((await next.describe()).status.name).toBe('RUNNING');
    await sleepUntil(env, d('2027-09-09'), '12:00');
    const suspensions = await eventually(() => db()('suspensions').where({ policy_no: policy.policyNo }).orderBy('id').select('lapsed_due_date', 'suspension_date', 'window_closes_on', 'outcome'), (s) => s.length === 2, 'the second suspension');
    expect(suspensions).toEqual([
      { lapsed_due_date: d('2027-01-10'), suspension_date: d('2027-03-12'), window_closes_on: d('2029-03-12'), outcome: 'reinstated' },
      { lapsed_due_date: d('2027-07-10'), suspension_date: d('2027-09-09'), window_closes_on: d('2029-09-09'), outcome: 'open' },
    ]);
    const second = await next.query(statusQuery);
    expect(second).toMatchObject({ stage: 'LAPSED', reinstatement: { suspensionDate: d('2027-09-09') } });
    // The window opened at 00:00 and sent the lapse SMS at 09:00 (the letter too, on a working day); no reminder yet.
    expect(second.reinstatement?.remindersDone).toContain('lapse_sms_d+61');
    expect(second.reinstatement?.remindersDone.every((step) => step.startsWith('lapse_'))).toBe(true);

    // The whole story of the lapsed premium: reminders, debits, lapse, window, application, reinstatement.
    const history = await json<{ entries: { text: string }[] }>('policy', 'history', policy.policyNo, '--due', d('2027-01-10'));
    const story = history.entries.map((e) => e.text).join('\n');
    for (const chapter of [
      /sendContact reminder_d-30 completed/,
      /debit attempt 1 failed/,
      /policy suspended as of/,
      /reinstatement window opened/,
      /sendContact lapse_sms_d\+61 completed → sent/,
      /sendContact lapse_letter completed → sent/,
      /sendContact reinstatement_reminder_30d completed → sent/,
      new RegExp(`update applyForReinstatement accepted: by ${clerk.ref}`),
      /application .*received/,
      /declaration captured/,
      /approved by the underwriter/,
      new RegExp(`update reinstatementPayment accepted: via counter, reference R-0001, by ${cashier.ref}`),
      new RegExp(`reinstated from ${d('2027-05-20')}: paid 6069.86 yuan`),
      /completed with stage REINSTATED/,
    ]) {
      expect(story).toMatch(chapter);
    }
  });

  it('declined after a request for evidence, with its notice; a second application is withdrawn; the window goes on', async () => {
    await actAs(db(), { roles: ['underwriter'] }); // takes the applications and decides what four-eyes allows
    const policy = await lapsedPolicy({ policyNo: 'P-RI-0002', holderIdNo: '110101198001010022', accountNo: '6222020000000010022', premiumFen: 800_000, nextDueDate: d('2027-10-20') });
    // Suspended at 00:00 of 20 December (20 Oct + 61): the window is open from then, and the policyholder
    // applies that very day, before the lapse letter (10:00 on a working day, 23 December at the latest).
    await sleepUntil(env, d('2027-12-20'), '08:00');
    const first = await json<{ workflowId: string }>('reinstate', 'apply', policy.policyNo, '--pay', 'debit');
    expect((await cli('tasks', 'complete', String(await declarationTask(policy.policyNo)), '--outcome', 'done')).code).toBe(0);
    await sleepUntil(env, d('2027-12-24'), '10:00');
    // The notices of the suspension still went out while the application was open.
    expect((await contactsOf(policy.policyNo, 'lapse_sms_d+61')).map((c) => c.status)).toEqual(['sent']);
    expect((await contactsOf(policy.policyNo, 'lapse_letter')).map((c) => c.status)).toEqual(['sent']);
    expect((await cli('reinstate', 'decide', policy.policyNo, '--decline', 'EVIDENCE_NOT_PROVIDED')).err).toMatch(/refused: reasonCode EVIDENCE_NOT_PROVIDED needs an earlier request for evidence/);
    expect((await cli('reinstate', 'decide', policy.policyNo, '--approve', '--decline', 'RISK_INCREASED_HEALTH')).err).toBe('renewals: give exactly one of --approve, --decline <reason>, --request-evidence <kinds>, got approve and decline\n');
    const asked = await json<{ status: Record<string, unknown> }>('reinstate', 'decide', policy.policyNo, '--request-evidence', 'medical_exam,medical_records');
    expect(asked.status).toMatchObject({ status: 'evidence_requested', evidenceRequested: ['medical_exam', 'medical_records'] });
    await sleepUntil(env, d('2028-01-05'), '10:00');
    const declined = await json<{ status: Record<string, unknown> }>('reinstate', 'decide', policy.policyNo, '--decline', 'EVIDENCE_NOT_PROVIDED');
    expect(declined.status).toMatchObject({ status: 'declined', declineReason: 'EVIDENCE_NOT_PROVIDED' });

    const notice = await eventually(() => contactsOf(policy.policyNo, 'reinstatement_declined'), (c) => c.length === 3 && c.every((x) => x.status !== 'pending'), 'the decline notice');
    expect(notice.map((c) => [c.channel, c.status])).toEqual([['sms', 'sent'], ['email', 'sent'], ['letter', 'sent']]);
    expect(await db()('reinstatement_applications').where({ workflow_id: first.workflowId }).first()).toMatchObject({ status: 'declined', decline_reason: 'EVIDENCE_NOT_PROVIDED', paid_fen: null });
    // No money was asked for: a declined application never debits.
    expect(rig.bank.ledger.filter((e) => e.accountNo === policy.accountNo && e.outcome === 'debited')).toEqual([]);

    // The window stays open: the policyholder applies again, then withdraws.
    const second = await eventually(() => cli('reinstate', 'apply', policy.policyNo), (r) => r.code === 0, 'a second application to be taken');
    expect(second.out).toContain(`reinstatement-P-RI-0002-${d('2027-10-20')}-2`);
    const withdrawn = await json<{ status: Record<string, unknown> }>('reinstate', 'withdraw', policy.policyNo);
    expect(withdrawn.status).toMatchObject({ status: 'withdrawn' });
    expect((await cli('reinstate', 'withdraw', policy.policyNo)).err).toMatch(/the withdrawal for the application reinstatement-P-RI-0002-.*-2: workflow .* is not running|refused: the application is withdrawn/);

    // The +30 reminder (19 January) and the cycle still in its window.
    await sleepUntil(env, d('2028-01-19'), '12:00');
    expect((await contactsOf(policy.policyNo, 'reinstatement_reminder_30d')).map((c) => c.status)).toEqual(['sent', 'sent']);
    const statuses = (await db()('reinstatement_applications').where({ policy_no: policy.policyNo }).orderBy('id').select('status')).map((r: { status: string }) => r.status);
    expect(statuses).toEqual(['declined', 'withdrawn']);
    expect(await auditKinds(policy.policyNo)).toEqual(expect.arrayContaining(['reinstatement_applied', 'reinstatement_evidence_requested', 'reinstatement_declined', 'reinstatement_withdrawn']));
    expect(await json('reinstate', 'status', policy.policyNo)).toMatchObject({ policyStatus: 'lapsed', suspension: { outcome: 'open' } });
  });

  it('deemed consent after 30 days without a decision, then the debit of the quote reinstates', async () => {
    await actAs(db(), { roles: ['underwriter'] }); // takes the applications and decides what four-eyes allows
    const policy = await lapsedPolicy({ policyNo: 'P-RI-0003', holderIdNo: '110101198001010033', accountNo: '6222020000000010033', premiumFen: 500_000, nextDueDate: d('2028-02-10') });
    // 2028 is a leap year: 10 Feb + 61 days = 11 April, the suspension date.
    await sleepUntil(env, d('2028-04-20'), '10:00');
    rig.bank.deposit(policy.bankCode, policy.accountNo, 600_000, d('2028-04-20'));
    const applied = await json<{ decisionDueDate: string }>('reinstate', 'apply', policy.policyNo, '--pay', 'debit');
    expect(applied.decisionDueDate).toBe(d('2028-05-20'));
    expect((await cli('tasks', 'complete', String(await declarationTask(policy.policyNo)), '--outcome', 'done')).code).toBe(0);

    // No decision by 20 May: consent at 00:00 of 21 May, and the debit of that day's quote.
    //   10 Feb → 21 May 2028: 19 + 31 + 30 + 21 = 101 days; 500 000 × 5 % × 101 / 365 = 6 917.81 → 6 918 fen
    //   premium 500 000 + interest 6 918 = 506 918 fen
    await sleepUntil(env, d('2028-05-21'), '12:00');
    const application = await eventually(() => db()('reinstatement_applications').where({ policy_no: policy.policyNo }).first(), (a) => a?.status === 'reinstated', 'the reinstatement');
    expect(application).toMatchObject({ approved_by: 'deemed_consent', pay_by: d('2028-06-20'), paid_fen: 506_918, paid_via: 'debit', effective_date: d('2028-05-21'), next_due_date: d('2029-02-10') });
    expect(application.quote.lines).toEqual([expect.objectContaining({ dueDate: d('2028-02-10'), days: 101, interestFen: 6918 })]);
    expect(rig.bank.balanceOf(policy.bankCode, policy.accountNo)).toBe(600_000 - 506_918);
    expect((await cli('reinstate', 'decide', policy.policyNo, '--approve')).err).toMatch(/is not running|approved by deemed consent/);
    expect(await db()('tasks').where({ policy_no: policy.policyNo, step: 'reinstatement_underwriting' }).first()).toMatchObject({ status: 'done', outcome_code: 'deemed_consent' });
    const approvedNotice = await eventually(() => contactsOf(policy.policyNo, 'reinstatement_approved'), (c) => c.length === 2 && c.every((x) => x.status !== 'pending'), 'the approval notice');
    expect(approvedNotice.map((c) => c.status)).toEqual(['sent', 'sent']);
    const kinds = await auditKinds(policy.policyNo);
    expect(kinds.indexOf('reinstatement_approved')).toBeLessThan(kinds.indexOf('reinstatement_debit_succeeded'));
    expect(kinds.indexOf('reinstatement_debit_succeeded')).toBeLessThan(kinds.indexOf('policy_reinstated'));
  });

  it('an application on the last day of the window is decided after it closes; without one the contract is terminated with its cash value', async () => {
    await actAs(db(), { roles: ['underwriter'] }); // takes the applications and decides what four-eyes allows
    const base = { premiumFen: 1_200_000, nextDueDate: d('2028-07-01'), issueDate: '2020-07-01' };
    const late = await lapsedPolicy({ ...base, policyNo: 'P-RI-0004', holderIdNo: '110101198001010044', accountNo: '6222020000000010044' });
    const gone = await lapsedPolicy({ ...base, policyNo: 'P-RI-0005', holderIdNo: '110101198001010055', accountNo: '6222020000000010055', cashValueFen: 2_345_600 });
    // Suspended at 00:00 of 31 August 2028 (1 Jul + 61); the window closes at 00:00 of 31 August 2030.
    await sleepUntil(env, d('2030-08-30'), '23:00');
    const reminders = await db()('contact_attempts').where({ policy_no: gone.policyNo }).where('step', 'like', 'reinstatement_reminder_%').distinct('step').orderBy('step');
    expect(reminders.map((r: { step: string }) => r.step)).toEqual(['reinstatement_reminder_180d', 'reinstatement_reminder_30d', 'reinstatement_reminder_365d', 'reinstatement_reminder_closing']);
    const calls = await db()('tasks').where({ policy_no: gone.policyNo, kind: 'call' }).where('step', 'like', 'reinstatement_call_%').orderBy('due_at').pluck('step');
    expect(calls).toEqual(['reinstatement_call_30d', 'reinstatement_call_180d', 'reinstatement_call_365d', 'reinstatement_call_closing']);

    const applied = await json<{ receivedDate: string; decisionDueDate: string }>('reinstate', 'apply', late.policyNo);
    expect(applied).toMatchObject({ receivedDate: d('2030-08-30'), decisionDueDate: d('2030-09-29') });
    expect((await cli('tasks', 'complete', String(await declarationTask(late.policyNo)), '--outcome', 'done')).code).toBe(0);

    await sleepUntil(env, d('2030-08-31'), '12:00');
    // Without an application: terminated at 00:00, the notice at 09:00 with the cash value.
    const terminated = await eventually(() => db()('policies').where({ policy_no: gone.policyNo }).first(), (p) => p?.status === 'terminated', 'the termination');
    expect(terminated.next_due_date).toBeNull();
    const termination = await db()('audit_events').where({ policy_no: gone.policyNo, kind: 'contract_terminated' }).first();
    expect(termination.detail).toEqual({ terminationDate: d('2030-08-31'), refund: 'cash_value', cashValueFen: 2_345_600 });
    expect(shanghaiDate((termination.occurred_at as Date).getTime())).toBe(d('2030-08-31'));
    const notice = await eventually(() => contactsOf(gone.policyNo, 'termination_notice'), (c) => c.length === 3 && c.every((x) => x.status !== 'pending'), 'the termination notice');
    expect(notice.map((c) => [c.channel, c.status])).toEqual([['sms', 'sent'], ['email', 'sent'], ['letter', 'sent']]);
    expect(rig.smtp.messages.some((m) => m.raw.includes('23456.00'))).toBe(true);
    const goneCycle = await eventually(() => env.client.workflow.getHandle(`renewal-P-RI-0005-${d('2028-07-01')}`).describe(), (w) => w.status.name === 'COMPLETED', 'the window to close');
    expect(goneCycle.searchAttributes.RenewalStage).toEqual(['CLOSED']);
    expect((await cli('reinstate', 'apply', gone.policyNo)).err).toBe(`renewals: policy ${gone.policyNo} was terminated at the end of its reinstatement window: nothing to reinstate\n`);

    // The application made on the last day stands: approved and paid after the close.
    //   1 Jul 2028 → 5 Sep 2030: 730 + 66 = 796 days; 1 200 000 × 5 % × 796 / 365 = 130 849.32 → 130 849 fen
    //   1 Jul 2029 → 5 Sep 2030: 365 + 66 = 431 days;                              70 849.32 →  70 849 fen
    //   1 Jul 2030 → 5 Sep 2030:        66 days;                                    10 849.32 →  10 849 fen
    //   premiums 3 600 000 + interest 212 547 = 3 812 547 fen (38 125.47 yuan)
    expect(await db()('policies').where({ policy_no: late.policyNo }).first()).toMatchObject({ status: 'lapsed' });
    await sleepUntil(env, d('2030-09-05'), '10:00');
    await actAs(db(), { roles: ['underwriter'] }); // a second person: not the one who took the application
    await json('reinstate', 'decide', late.policyNo, '--approve');
    const quoted = await json<{ application: { quote: { totalFen: number; interestFen: number } } }>('reinstate', 'status', late.policyNo, '--on', d('2030-09-05'));
    expect(quoted.application.quote).toMatchObject({ totalFen: 3_812_547, interestFen: 212_547 });
    await actAs(db(), { roles: ['cashier'] });
    await json('reinstate', 'pay', late.policyNo, '--amount', '38125.47', '--reference', 'R-0004');
    const reinstated = await eventually(() => db()('reinstatement_applications').where({ policy_no: late.policyNo }).first(), (a) => a?.status === 'reinstated', 'the late reinstatement');
    expect(reinstated).toMatchObject({ effective_date: d('2030-09-05'), paid_fen: 3_812_547, next_due_date: d('2031-07-01') });
    expect(await db()('suspensions').where({ policy_no: late.policyNo }).first()).toMatchObject({ outcome: 'reinstated' });
    // Both changes wait in the outbox for the policy administration system, in the order they happened.
    const changes = await db()('policy_admin_outbox').where({ policy_no: late.policyNo }).orderBy('id').select('kind', 'payload');
    expect(changes.map((c: { kind: string }) => c.kind)).toEqual(['policy_suspended', 'policy_reinstated']);
    expect(changes[1].payload).toMatchObject({ lapsedDueDate: d('2028-07-01'), effectiveDate: d('2030-09-05'), paidFen: 3_812_547, nextDueDate: d('2031-07-01') });
  });

  it('reduced paid-up: offered in writing near grace end and accepted there; declined then accepted in a window', async () => {
    const collector = await actAs(db(), { roles: ['collector'] }); // the policyholder's choice, recorded by the front line
    const inGrace = await lapsedPolicy({ policyNo: 'P-RI-0006', holderIdNo: '110101198001010066', accountNo: '6222020000000010066', premiumFen: 500_000, cashValueFen: 2_000_000, nextDueDate: d('2030-10-10'), issueDate: '2020-10-10' });
    const inWindow = await lapsedPolicy({ policyNo: 'P-RI-0007', holderIdNo: '110101198001010077', accountNo: '6222020000000010077', premiumFen: 500_000, cashValueFen: 3_000_000, nextDueDate: d('2030-10-12'), issueDate: '2020-10-12' });
    expect((await cli('reduced-paid-up', inGrace.policyNo, '--choice', 'accepted')).err).toMatch(/refused: reduced paid-up is offered from the due date/);
    expect((await cli('reduced-paid-up', inGrace.policyNo, '--choice', 'maybe')).err).toBe('renewals: --choice must be accepted or declined, got "maybe"\n');

    // D+50 = 29 November: the written offer; on 1 December the policyholder takes it.
    await sleepUntil(env, d('2030-12-01'), '10:00');
    expect((await contactsOf(inGrace.policyNo, 'reduced_paid_up_offer_d+50')).map((c) => [c.channel, c.status, c.template_code])).toEqual([
      ['email', 'sent', 'reduced_paid_up_option'],
      ['letter', 'sent', 'reduced_paid_up_option'],
    ]);
    // Net single premium: cash value 2 000 000 less the unpaid premium 500 000 = 1 500 000 fen.
    expect(await json('reduced-paid-up', inGrace.policyNo, '--choice', 'accepted')).toMatchObject({ choice: 'accepted', netSinglePremiumFen: 1_500_000 });
    const graceCycle = await eventually(() => env.client.workflow.getHandle(`renewal-P-RI-0006-${d('2030-10-10')}`).describe(), (w) => w.status.name === 'COMPLETED', 'the cycle to close');
    expect(graceCycle.searchAttributes.RenewalStage).toEqual(['CLOSED']);
    expect(await db()('policies').where({ policy_no: inGrace.policyNo }).first()).toMatchObject({ status: 'paid_up', next_due_date: null });
    expect(await db()('premium_dues').where({ policy_no: inGrace.policyNo }).first()).toMatchObject({ status: 'closed' });
    // The change waits in the outbox; the administration system's reference arrives with its delivery.
    const choice = () => db()('reduced_paid_up_choices').where({ policy_no: inGrace.policyNo }).select('stage', 'choice', 'cash_value_fen', 'net_single_premium_fen', 'admin_request_id');
    expect(await choice()).toEqual([{ stage: 'grace_end', choice: 'accepted', cash_value_fen: 2_000_000, net_single_premium_fen: 1_500_000, admin_request_id: null }]);
    const change = await db()('policy_admin_outbox').where({ policy_no: inGrace.policyNo, kind: 'reduced_paid_up_requested' }).first();
    expect(change).toMatchObject({ delivered_at: null, payload: { stage: 'grace_end', netSinglePremiumFen: 1_500_000, cashValueFen: 2_000_000, effectiveDate: d('2030-12-01') } });
    const policyAdmin = new SimulatedPolicyAdmin();
    await relayPolicyChanges(db(), policyAdmin, { maxAttempts: 3, backoff: { baseMs: 1, maxMs: 1 }, leaseMs: 60_000 });
    expect(await choice()).toEqual([
      { stage: 'grace_end', choice: 'accepted', cash_value_fen: 2_000_000, net_single_premium_fen: 1_500_000, admin_request_id: expect.stringMatching(/^PA\d{8}$/) },
    ]);
    const delivered = await db()('policy_admin_outbox').where({ id: change.id }).first();
    expect(delivered.admin_reference).toBe((await choice())[0].admin_request_id);
    expect(policyAdmin.changes.get(change.event_id)).toMatchObject({ kind: 'reduced_paid_up_requested', policyNo: inGrace.policyNo });
    expect(await db()('suspensions').where({ policy_no: inGrace.policyNo })).toEqual([]); // never suspended
    // Signed by the person who recorded the choice.
    expect(await db()('audit_events').where({ policy_no: inGrace.policyNo, kind: 'reduced_paid_up_accepted' }).pluck('actor')).toEqual([collector.ref]);

    // The other is suspended at 00:00 of 12 December. Declined on 5 January, taken on 6 January:
    //   unpaid premium 500 000 + interest 12 Oct → 6 Jan (19 + 30 + 31 + 6 = 86 days) 500 000 × 5 % × 86 / 365 = 5 890.41 → 5 890
    //   net single premium 3 000 000 − 505 890 = 2 494 110 fen
    await sleepUntil(env, d('2031-01-05'), '10:00');
    expect(await json('reduced-paid-up', inWindow.policyNo, '--choice', 'declined')).toMatchObject({ choice: 'declined' });
    await sleepUntil(env, d('2031-01-06'), '10:00');
    expect(await json('reduced-paid-up', inWindow.policyNo, '--choice', 'accepted')).toMatchObject({ choice: 'accepted', netSinglePremiumFen: 2_494_110 });
    await eventually(() => db()('suspensions').where({ policy_no: inWindow.policyNo }).first(), (s) => s?.outcome === 'reduced_paid_up', 'the window to end in reduced paid-up');
    expect(await db()('reduced_paid_up_choices').where({ policy_no: inWindow.policyNo }).orderBy('id').pluck('choice')).toEqual(['declined', 'accepted']);
    expect(await db()('policy_admin_outbox').where({ policy_no: inWindow.policyNo }).orderBy('id').pluck('kind')).toEqual(['policy_suspended', 'reduced_paid_up_requested']);
    expect(await db()('audit_events').where({ policy_no: inWindow.policyNo }).whereIn('kind', ['reduced_paid_up_declined', 'reduced_paid_up_accepted']).orderBy('seq').pluck('actor')).toEqual([collector.ref, collector.ref]);
    expect((await cli('reinstate', 'apply', inWindow.policyNo)).err).toBe(`renewals: policy ${inWindow.policyNo} is paid up, not suspended: nothing to reinstate\n`);
  });

  it('printed no personal data', () => {
    const all = printed.join('\n');
    for (const id of ['110101198001010011', '110101198001010022', '110101198001010033', '110101198001010044', '6222020000000010011', '13812348000', 'zhang.sanfeng@example.cn', '张三丰']) {
      expect(all).not.toContain(id);
    }
  });
});
