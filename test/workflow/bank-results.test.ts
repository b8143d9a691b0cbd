import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBankOutcomes } from '../../application/bank-results';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import { classifyIsoReason } from '../../domain/debit-reasons';
import { FileBatchBank } from '../../integrations/bank/file-bank';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

let env: TestWorkflowEnvironment;
let simulated: CycleRig;
let filed: CycleRig;

beforeAll(async () => {
  const server = await startTimeSkippingServer();
  env = server.env;
  simulated = await startCycleRig(env, 'bank-results-simulated');
  // A bank reached by files: attempts wait for the status report, which the test "ingests".
  filed = await startCycleRig(env, 'bank-results-files', { bank: new FileBatchBank(), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 } });
});

afterAll(async () => {
  await simulated?.close();
  await filed?.close();
  await env?.teardown();
});

describe('bank answers that arrive later, on the time-skipping server', () => {
  it('a return after a successful debit reverses the payment, reopens the premium, and a later debit pays it', async () => {
    const rig = simulated;
    const { dueDate, debits } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-RET-0001', holderIdNo: '310101198001020001', nextDueDate: dueDate, premiumFen: 300_000 }, 300_000);
    const db = rig.database.db;

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'bank-results-simulated');
      await sleepUntil(env, addDays(dueDate, 2), '12:00');
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'PAID' });
      const [first] = await attemptsOf(rig, policy.policyNo);

      // Two days after "success" the bank returns the debit (insufficient funds after all).
      const outcome = { idempotencyKey: first.idempotency_key as string, outcome: 'returned' as const, rawCode: 'AM04', at: new Date(await env.currentTimeMs()) };
      const applied = await applyBankOutcomes(db, env.client, [outcome], classifyIsoReason, 'camt.054');
      expect(applied).toEqual([expect.objectContaining({ policyNo: policy.policyNo, appliedAs: 'applied' })]);
      // The same return read twice (a file ingested again) changes nothing.
      expect(await applyBankOutcomes(db, env.client, [outcome], classifyIsoReason, 'camt.054')).toEqual([expect.objectContaining({ appliedAs: 'duplicate' })]);

      expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'due', paid_at: null });
      const payments = await db('payments').where({ reference: first.idempotency_key });
      expect(payments).toEqual([expect.objectContaining({ reversal_reason: 'INSUFFICIENT_FUNDS' })]);
      expect(payments[0].reversed_at).not.toBeNull();
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([expect.objectContaining({ status: 'returned', return_code: 'AM04' })]);

      await sleepUntil(env, addDays(dueDate, 2), '13:00');
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'IN_GRACE' });
      // The customer deposits again; the next planned debit (D+3, on a bank business day) collects.
      rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 300_000, status: 'active' });
      return handle.result();
    });

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 2, lastReason: 'INSUFFICIENT_FUNDS' });
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(attempts.map((a) => [a.status, a.collection_date])).toEqual([
      ['returned', debits[0]!.collectionDate],
      ['succeeded', debits.find((d) => d.step === 'debit_2')!.collectionDate],
    ]);
    const notices = await db('contact_attempts').where({ policy_no: policy.policyNo, step: 'debit_returned_notice_1' });
    expect(notices).toEqual([expect.objectContaining({ channel: 'sms', status: 'sent' })]);
    const kinds = (await db('audit_events').where({ policy_no: policy.policyNo }).orderBy('seq').pluck('kind')) as string[];
    expect(kinds.filter((k) => ['premium_paid', 'debit_returned'].includes(k))).toEqual(['premium_paid', 'debit_returned', 'premium_paid']);
  });

  it('a file bank: the debit waits in the batch until the status report; a rejection, then a payment, both by report', async () => {
    const rig = filed;
    const { dueDate, debits } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-FILE-0001', holderIdNo: '310101198001020002', nextDueDate: dueDate, premiumFen: 200_000 });
    const db = rig.database.db;

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'bank-results-files');
      await sleepUntil(env, debits[0]!.collectionDate, '11:30');
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([expect.objectContaining({ attempt_no: 1, status: 'accepted' })]);
      const status = await handle.query(statusQuery);
      expect(status.debitAttempts).toBe(1);
      expect(['DEBITING', 'IN_GRACE']).toContain(status.stage); // IN_GRACE when D fell on a weekend
      expect(status.nextAction).toBe('wait: check the debit in flight');

      // The pain.002 rejects it: insufficient funds. The cycle hears it and plans the next attempt.
      const [first] = await attemptsOf(rig, policy.policyNo);
      const rejected = await applyBankOutcomes(db, env.client, [{ idempotencyKey: first.idempotency_key as string, outcome: 'failed', rawCode: 'AM04', at: new Date(await env.currentTimeMs()) }], classifyIsoReason, 'pain.002');
      expect(rejected).toEqual([expect.objectContaining({ appliedAs: 'applied' })]);
      await sleepUntil(env, debits[1]!.collectionDate, '11:30');
      const second = (await attemptsOf(rig, policy.policyNo))[1];
      expect(second).toMatchObject({ attempt_no: 2, status: 'accepted', collection_date: debits[1]!.collectionDate });

      // The next report accepts it as settled.
      const paid = await applyBankOutcomes(db, env.client, [{ idempotencyKey: second.idempotency_key as string, outcome: 'succeeded', bankRef: 'BK-0002', at: new Date(await env.currentTimeMs()) }], classifyIsoReason, 'pain.002');
      expect(paid).toEqual([expect.objectContaining({ appliedAs: 'applied' })]);
      return handle.result();
    });

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 2, lastReason: 'INSUFFICIENT_FUNDS' });
    expect((await attemptsOf(rig, policy.policyNo)).map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'paid', paid_via: 'debit' });
    const failedNotice = await db('contact_attempts').where({ policy_no: policy.policyNo, step: 'debit_failed_notice_1' });
    expect(failedNotice).toHaveLength(1);
  });

  it('a return that arrives before its success (a notification read before the status report) books both, in order', async () => {
    const rig = filed;
    const { dueDate, debits } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-FILE-0002', holderIdNo: '310101198001020003', nextDueDate: dueDate, premiumFen: 210_000 });
    const db = rig.database.db;
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'bank-results-files');
      await sleepUntil(env, debits[0]!.collectionDate, '11:30');
      const [attempt] = await attemptsOf(rig, policy.policyNo);
      expect(attempt).toMatchObject({ status: 'accepted' });
      const at = new Date(await env.currentTimeMs());
      const applied = await applyBankOutcomes(db, env.client, [{ idempotencyKey: attempt.idempotency_key as string, outcome: 'returned', rawCode: 'AM04', at }], classifyIsoReason, 'camt.054');
      expect(applied).toEqual([expect.objectContaining({ outcome: 'returned', appliedAs: 'applied' })]);
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([expect.objectContaining({ status: 'returned', return_code: 'AM04' })]);
      expect(await db('payments').where({ reference: attempt.idempotency_key })).toEqual([expect.objectContaining({ reversal_reason: 'INSUFFICIENT_FUNDS' })]);
      expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'due' });
      // The status report saying "settled" comes afterwards: it changes nothing.
      const late = await applyBankOutcomes(db, env.client, [{ idempotencyKey: attempt.idempotency_key as string, outcome: 'succeeded', bankRef: 'BK-9', at }], classifyIsoReason, 'pain.002');
      expect(late).toEqual([expect.objectContaining({ appliedAs: 'ignored' })]);
      await sleepUntil(env, debits[0]!.collectionDate, '13:00');
      const status = await handle.query(statusQuery);
      expect(status.stage).not.toBe('PAID');
      await handle.terminate('test done');
    });
  });

  it('an outcome for a key that is not ours is reported, not applied', async () => {
    const applied = await applyBankOutcomes(simulated.database.db, env.client, [{ idempotencyKey: 'RNW999999A1', outcome: 'succeeded', bankRef: 'X', at: new Date() }], classifyIsoReason, 'pain.002');
    expect(applied).toEqual([{ idempotencyKey: 'RNW999999A1', outcome: 'succeeded', appliedAs: 'unknown_key' }]);
  });
});
