import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { verifyAuditChain } from '../../db/repositories/audit';
import { addDays, addYears, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { accountUpdatedUpdate, paymentReceivedUpdate, promiseToPayUpdate, statusQuery } from '../../workflows/messages';
import { dueIn, seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

const taskQueue = 'cycle-time-skipping';
const DAY = 86_400_000;
let env: TestWorkflowEnvironment;
let rig: CycleRig;

beforeAll(async () => {
  const server = await startTimeSkippingServer();
  env = server.env;
  process.stderr.write(`[test] renewal-cycle on the time-skipping test server (${server.source})\n`);
  rig = await startCycleRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});


async function auditKinds(policyNo: string): Promise<string[]> {
  const rows = await rig.database.db('audit_events').where({ policy_no: policyNo }).orderBy('seq');
  return rows.map((e) => (e.kind === 'stage_changed' ? `stage:${e.detail.stage}` : e.kind === 'contact_sent' || e.kind === 'contact_suppressed' ? `${e.kind}:${e.detail.step}/${e.detail.channel}` : e.kind));
}

describe('renewal-cycle on the time-skipping server', () => {
  it('paid at the first debit: reminders by email and SMS, one debit, PAID after the return window', async () => {
    // On a business day, so the debit falls on the due date (a DEBITING stage) whatever day this runs.
    const { dueDate, debits } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0001', nextDueDate: dueDate, premiumFen: 1_234_500 }, 2_000_000);
    const wallStart = Date.now();

    const outcome = await rig.withWorker(async () => {
      const { handle, started } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      expect(started).toBe(true);
      const again = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      expect(again.started).toBe(false);
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    const wallSeconds = (Date.now() - wallStart) / 1000;
    process.stderr.write(`[test] a 91-day cycle took ${wallSeconds.toFixed(1)} s of wall time\n`);

    expect(outcome.result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    expect(wallSeconds).toBeLessThan(60);
    const db = rig.database.db;
    const due = await db('premium_dues').where({ policy_no: policy.policyNo }).first();
    expect(due).toMatchObject({ status: 'paid', paid_via: 'debit', workflow_id: `renewal-${policy.policyNo}-${dueDate}` });
    expect(shanghaiDate((due.paid_at as Date).getTime())).toBe(debits[0]!.collectionDate);
    const attempts = await db('debit_attempts').where({ premium_due_id: due.id });
    expect(attempts).toEqual([expect.objectContaining({ attempt_no: 1, status: 'succeeded', amount_fen: 1_234_500, collection_date: debits[0]!.collectionDate })]);
    expect(rig.bank.ledger.filter((e) => e.accountNo === policy.accountNo)).toEqual([expect.objectContaining({ outcome: 'debited', amountFen: 1_234_500 })]);

    const contacts = await db('contact_attempts').where({ policy_no: policy.policyNo }).orderBy('planned_at');
    expect(contacts.map((c) => [c.step, c.channel, c.status, shanghaiDate((c.planned_at as Date).getTime())])).toEqual([
      ['reminder_d-30', 'email', 'sent', addDays(dueDate, -30)],
      ['reminder_d-15', 'sms', 'sent', addDays(dueDate, -15)],
      ['reminder_d-3', 'sms', 'sent', addDays(dueDate, -3)],
      // The customer prefers email: the debit's payment-received notice goes there, on the collection day.
      ['payment_received', 'email', 'sent', debits[0]!.collectionDate],
    ]);
    expect(contacts[1].recipient_masked).toBe('138****8000');
    const mails = await Promise.all(rig.smtp.messages.map((m) => simpleParser(m.raw)));
    const mail = mails.find((m) => m.messageId === `<${contacts[0].id}@renewals.invalid>`)!;
    expect(mail).toBeDefined();
    expect(mails.find((m) => m.messageId === `<${contacts[3].id}@renewals.invalid>`)?.text).toContain(`续期保费 12345.00 元已于 ${debits[0]!.collectionDate} 收到`);
    expect(mail.text).toContain(`续期保费 12345.00 元应于 ${dueDate} 缴纳，将于 ${debits[0]!.collectionDate} 从您授权的银行账户扣缴`);
    const texts = rig.text.sent.filter((m) => m.text.includes(policy.policyNo));
    expect(texts.map((m) => [m.channel, m.to, m.template])).toEqual([
      ['sms', policy.holderMobile, 'pre_due_reminder'],
      ['sms', policy.holderMobile, 'debit_tomorrow_keep_funds'],
    ]);

    expect(await auditKinds(policy.policyNo)).toEqual([
      'cycle_opened',
      'stage:PRE_DUE',
      'contact_sent:reminder_d-30/email',
      'task_opened', // 12,345 yuan a year is high-value: an agent call at D-15
      'contact_sent:reminder_d-15/sms',
      'contact_sent:reminder_d-3/sms',
      'stage:DEBITING',
      'premium_paid',
      'stage:PAID',
      'task_settled', // the unworked D-15 call closes itself with the premium (docs/business-rules.md#tasks-that-act)
      'contact_sent:payment_received/email', // the customer is told (docs/business-rules.md#payment-received-notice)
    ]);
    expect(await db('tasks').where({ policy_no: policy.policyNo }).select('step', 'kind', 'assignee_role', 'status', 'outcome_code')).toEqual([
      // no agent and no team lead on file
      { step: 'call_d-15', kind: 'call', assignee_role: 'operations', status: 'settled', outcome_code: 'premium_paid' },
    ]);
    expect((await verifyAuditChain(db)).firstBreak).toBeUndefined();
    // The recorded history replays against today's workflow code without a determinism error.
    await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, outcome.history);
  });

  it('never paid: every planned debit, suspension at 00:00 of D+61 with lapse notices, then the reinstatement window', async () => {
    const { dueDate, debits } = await dueIn(env, 5);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0002', holderIdNo: '110101199001011111', nextDueDate: dueDate, premiumFen: 800_000 }, 100_000);

    const result = await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());

    const lapseAt = shanghaiInstant(addDays(dueDate, 61));
    // Nobody applies to reinstate: the window runs its two years and the contract is terminated.
    const terminatedOn = addYears(addDays(dueDate, 61), 2);
    expect(result).toEqual({ stage: 'CLOSED', debitAttempts: 0, lapsedAt: new Date(lapseAt).toISOString(), outcome: 'terminated', terminatedOn });
    const db = rig.database.db;
    const attempts = await db('debit_attempts as a').join('premium_dues as d', 'd.id', 'a.premium_due_id').where('d.policy_no', policy.policyNo).orderBy('a.attempt_no').select('a.*');
    // Every planned debit, then the late check at 22:00 of the last grace day (docs/business-rules.md#late-check).
    expect(attempts.map((a) => a.collection_date)).toEqual([...debits.map((d) => d.collectionDate), addDays(dueDate, 60)]);
    expect(new Set(attempts.map((a) => a.reason))).toEqual(new Set(['INSUFFICIENT_FUNDS']));
    expect(rig.bank.balanceOf(policy.bankCode, policy.accountNo)).toBe(100_000);
    expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'lapsed' });
    expect(await db('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'terminated' });
    expect(await db('suspensions').where({ policy_no: policy.policyNo }).first()).toMatchObject({ suspension_date: addDays(dueDate, 61), window_closes_on: terminatedOn, outcome: 'terminated' });

    const suspended = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'policy_suspended' }).first();
    expect((suspended.occurred_at as Date).getTime()).toBe(lapseAt);
    expect(suspended.detail).toEqual({ nonPaymentReason: 11 });
    const lapseContacts = await db('contact_attempts').where({ policy_no: policy.policyNo }).whereIn('step', ['lapse_sms_d+61', 'lapse_letter']).orderBy('step');
    expect(lapseContacts.map((c) => [c.step, c.channel, c.status])).toEqual([
      ['lapse_letter', 'letter', 'sent'],
      ['lapse_sms_d+61', 'sms', 'sent'],
    ]);
    const tasks = await db('tasks').where({ policy_no: policy.policyNo }).orderBy('due_at');
    // No agent on file: an orphan policy's calls go to the team lead, and with none known, to operations.
    expect(tasks.map((t) => [t.step, t.assignee_role])).toEqual([
      ['call_d+7', 'operations'],
      ['call_d+30', 'operations'],
      ['escalation_d+45', 'operations'],
    ]);
    expect(await auditKinds(policy.policyNo)).toEqual(expect.arrayContaining(['stage:IN_GRACE', 'stage:LAPSED', 'stage:CLOSED']));
  });

  it('a counter payment before the due date: no debit, later reminders cancelled', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0003', holderIdNo: '110101199001012222', nextDueDate: dueDate });

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await env.sleep(8 * DAY); // past the D-15 reminder
      // A bad value is refused by the validator, with the reason, and changes nothing.
      const refused = await handle.executeUpdate(promiseToPayUpdate, { args: [{ date: addDays(dueDate, 61) }] }).catch((e: unknown) => e);
      expect(String((refused as { cause?: Error }).cause?.message)).toMatch(/promised date must be from .* to the last grace day/);
      const status = await handle.executeUpdate(paymentReceivedUpdate, { args: [{ via: 'counter', reference: 'RCPT-2026-0001' }] });
      expect(status.stage).toBe('PRE_DUE');
      return handle.result();
    });

    expect(result).toEqual({ stage: 'PAID', paidVia: 'counter', debitAttempts: 0 });
    const db = rig.database.db;
    expect(await db('debit_attempts as a').join('premium_dues as d', 'd.id', 'a.premium_due_id').where('d.policy_no', policy.policyNo)).toEqual([]);
    // Started 20 days before D: the D-30 reminder is late but still true, so it goes; after the payment only its payment-received notice.
    expect((await db('contact_attempts').where({ policy_no: policy.policyNo }).orderBy('planned_at')).map((c) => c.step)).toEqual(['reminder_d-30', 'reminder_d-15', 'payment_received']);
    expect(await db('payments as p').join('premium_dues as d', 'd.id', 'p.premium_due_id').where('d.policy_no', policy.policyNo).select('p.via', 'p.reference')).toEqual([
      { via: 'counter', reference: 'RCPT-2026-0001' },
    ]);
  });

  it('closed account: debits stop, an account-fix task, accountUpdated brings a debit at once → paid', async () => {
    const { dueDate, debits } = await dueIn(env, 4);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0004', holderIdNo: '110101199001013333', nextDueDate: dueDate, premiumFen: 300_000 });
    rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 5_000_000, status: 'closed' });

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await env.sleep(shanghaiInstant(debits[0]!.collectionDate, '12:00') - (await env.currentTimeMs()) + 5 * DAY);
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ stage: 'IN_GRACE', debitAttempts: 1 });
      // The customer reopens the account (a servicing change recorded the mandate); operations tell the cycle.
      rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 5_000_000, status: 'active' });
      await handle.executeUpdate(accountUpdatedUpdate, { args: [{}] });
      return handle.result();
    });

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 2, lastReason: 'ACCOUNT_CLOSED' });
    const db = rig.database.db;
    const attempts = await db('debit_attempts as a').join('premium_dues as d', 'd.id', 'a.premium_due_id').where('d.policy_no', policy.policyNo).orderBy('a.attempt_no').select('a.*');
    expect(attempts.map((a) => [a.attempt_no, a.status, a.reason])).toEqual([
      [1, 'failed', 'ACCOUNT_CLOSED'],
      [2, 'succeeded', null],
    ]);
    const fixTask = await db('tasks').where({ policy_no: policy.policyNo, kind: 'fix_account' }).first();
    // Nobody worked the account-fix task before the customer's update brought the money: it settled with the premium.
    expect(fixTask).toMatchObject({ step: 'fix_account_1', status: 'settled', outcome_code: 'premium_paid' });
    // The SMS goes out on the provider template registered for this reason group, with its variables.
    const notice = rig.text.sent.find((m) => m.text.includes(policy.policyNo) && m.template.startsWith('debit_failed'));
    expect(notice).toMatchObject({ channel: 'sms', template: 'debit_failed.account_unusable', templateVersion: 3 });
    expect(notice?.text).toContain('请联系我们更换缴费账户');
    expect(notice?.params).toMatchObject({ policyNo: policy.policyNo });
  });
});
