import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBankOutcomes } from '../../application/bank-results';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { classifyIsoReason } from '../../domain/debit-reasons';
import { FileBatchBank } from '../../integrations/bank/file-bank';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * Issue 14: `temporal workflow signal --name bankResult` with a "succeeded" result closed a cycle as
 * PAID while the database still said due. The signal now only wakes the cycle, which reads the
 * attempt back from the database (and the bank): a forged one settles nothing.
 */
const taskQueue = 'bank-signal-security';
let env: TestWorkflowEnvironment;
let rig: CycleRig;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  // A bank reached by files: the debit waits in the day's batch, so only a report could settle it.
  rig = await startCycleRig(env, taskQueue, { bank: new FileBatchBank(), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 } });
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});

/** Resolves once the cycle has read back the attempt after the signal with event id `after` (a checkDebit completed). */
async function checkedAfter(handle: WorkflowHandle, after: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const checks = events.filter((e) => Number(e.eventId) > after && e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkDebit').map((e) => Number(e.eventId));
    if (events.some((e) => checks.includes(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1)))) return;
    if (Date.now() > deadline) throw new Error(`the cycle never read the attempt back: ${events.map((e) => `${String(e.eventId)}:${String(e.eventType)}`).join(' ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function lastSignal(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  return Number(events.filter((e) => e.workflowExecutionSignaledEventAttributes).at(-1)!.eventId);
}

describe('a forged bankResult signal', () => {
  it('leaves the cycle DEBITING and the premium due; the bank’s recorded answer still settles it', async () => {
    const { dueDate, debits } = await dueIn(env, 3, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-SIGSEC-0001', holderIdNo: '310101198001070001', nextDueDate: dueDate, premiumFen: 280_000 });
    const db = rig.database.db;

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      // Half past, between the hourly looks at the pending debit (see sleepUntil).
      await sleepUntil(env, debits[0]!.collectionDate, '11:30');
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([expect.objectContaining({ attempt_no: 1, status: 'accepted' })]);
      expect((await handle.query(statusQuery)).stage).toBe('DEBITING');

      // Sent with a Temporal client, as anyone who can reach Temporal could, by the signal's name.
      await env.client.workflow.getHandle(handle.workflowId).signal('bankResult', { attemptNo: 1, result: { status: 'succeeded', at: await env.currentTimeMs() } });
      await checkedAfter(handle, await lastSignal(handle));
      expect((await handle.query(statusQuery)).stage).toBe('DEBITING');
      expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'due', paid_at: null });
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([expect.objectContaining({ status: 'accepted' })]);
      expect(await db('payments')).toEqual([]);
      expect(await db('audit_events').where({ policy_no: policy.policyNo, kind: 'premium_paid' })).toEqual([]);

      // The bank's report, written to the database first, is what settles it; its signal wakes the cycle.
      const [attempt] = await attemptsOf(rig, policy.policyNo);
      await applyBankOutcomes(db, env.client, [{ idempotencyKey: attempt.idempotency_key as string, outcome: 'succeeded', bankRef: 'BK-1', at: new Date(await env.currentTimeMs()) }], classifyIsoReason, 'pain.002');
      await checkedAfter(handle, await lastSignal(handle));
      await expect.poll(async () => (await handle.query(statusQuery)).stage, { timeout: 15_000 }).toBe('PAID');
      await handle.terminate('test done');
    });
  });
});
