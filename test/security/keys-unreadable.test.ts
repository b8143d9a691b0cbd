import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failUnreadableForGood } from '../../activities/personal-data-unreadable';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { DataKey } from '../../db/data-key';
import { PersonalDataUnreadable, PiiCipher } from '../../db/pii-cipher';
import { addDays } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { attemptsOf, dueIn, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * A row of personal data under a key the worker does not have: the activity records the contact or
 * the debit as failed with that reason, opens one operations task for the premium naming the row and
 * the key id (never the data), and returns, so the cycle goes on instead of retrying for ever.
 */
const taskQueue = 'keys-unreadable';
const OTHER_KEY = '55'.repeat(32);
let env: TestWorkflowEnvironment;
let rig: CycleRig;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});

describe('personal data the worker cannot decrypt', () => {
  it('fails the contact and the debit with the reason, opens one task, and the cycle goes on without a retry', async () => {
    const { dueDate } = await dueIn(env, 3, { onBusinessDay: true });
    // Written under a key the worker's ring does not hold (an import run with the wrong key).
    const policy = samplePolicy({ policyNo: 'P-UNREAD-01', holderIdNo: '310101198001019999', nextDueDate: dueDate, preferredChannel: 'sms' });
    await seedPolicy(rig.database.db, new PiiCipher(OTHER_KEY), policy);
    const db = rig.database.db;

    const { status, history } = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, 1), '12:00');
      const status = await handle.query(statusQuery);
      const history = await handle.fetchHistory();
      await handle.terminate('test done');
      return { status, history };
    });

    // The cycle moved on: past the reminder and the first debit, into grace, not stuck on an activity.
    expect(status.debitAttempts).toBe(1);
    expect(status.stage).not.toBe('PRE_DUE');
    const contacts = await db('contact_attempts').where({ policy_no: policy.policyNo }).select('step', 'channel', 'status', 'provider_code');
    // Reminders already past when the cycle opened are suppressed as stale; every one it tried failed for the reason.
    const tried = contacts.filter((c) => c.status !== 'suppressed');
    expect(tried.map((c) => c.step)).toEqual(expect.arrayContaining(['reminder_d-3', 'debit_failed_notice_1']));
    for (const contact of tried) expect(contact).toMatchObject({ status: 'failed', provider_code: 'personal_data_unreadable' });
    expect(rig.text.sent).toEqual([]);
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(attempts.map((a) => [a.attempt_no, a.status, a.reason, a.raw_code, a.customer_fault])).toEqual([[1, 'failed', 'NO_MANDATE', 'personal_data_unreadable', false]]);
    expect(rig.bank.ledger.filter((e) => e.accountNo === policy.accountNo)).toEqual([]);

    // One operations task for the premium, audited, naming the row and the key id only.
    const tasks = await db('tasks').where({ policy_no: policy.policyNo, step: 'personal_data_unreadable' });
    expect(tasks).toEqual([expect.objectContaining({ kind: 'escalation', assignee_role: 'operations', status: 'open', workflow_id: `renewal-${policy.policyNo}-${dueDate}` })]);
    const opened = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'task_opened' }).whereRaw(`detail->>'step' = 'personal_data_unreadable'`);
    expect(opened).toHaveLength(1);
    const pointId = (await db('contact_points as c').join('policies as p', 'p.holder_customer_id', 'c.customer_id').where({ 'p.policy_no': policy.policyNo, 'c.type': 'mobile' }).first('c.id')).id;
    expect(opened[0].detail).toMatchObject({ row: `contact_points ${pointId}`, keyId: new DataKey(OTHER_KEY).id });
    const trail = JSON.stringify(await db('audit_events').where({ policy_no: policy.policyNo }).select('detail'));
    for (const secret of [policy.holderMobile, policy.holderEmail, policy.accountNo, policy.holderIdNo]) expect(trail).not.toContain(secret);

    // No activity failed and none was tried twice: no retry loop.
    const events = history.events ?? [];
    const started = events.filter((e) => e.activityTaskStartedEventAttributes);
    expect(started.length).toBeGreaterThan(5);
    expect(events.filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
    expect(started.filter((e) => (e.activityTaskStartedEventAttributes!.attempt ?? 1) > 1)).toEqual([]);
  });

  it('any other activity that meets it fails for good (non-retryable PersonalDataUnreadable), after opening the task', async () => {
    const ref = { policyNo: 'P-UNREAD-01', dueDate: (await rig.database.db('premium_dues').where({ policy_no: 'P-UNREAD-01' }).first('due_date')).due_date };
    const activities = failUnreadableForGood(rig.database.db, {
      // An activity that needs the data to do anything at all.
      readHolder: async (_ref: typeof ref): Promise<string> => Promise.reject(new PersonalDataUnreadable(new DataKey(OTHER_KEY).id, { table: 'customers', id: 7 }, 'key_not_configured')),
    });
    const mock = new MockActivityEnvironment(
      { workflowExecution: { workflowId: `renewal-${ref.policyNo}-${ref.dueDate}`, runId: 'run-x' }, activityId: '99' },
      { logger: new DefaultLogger('ERROR', () => undefined) },
    );
    const failure = await mock.run(() => activities.readHolder(ref)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'PersonalDataUnreadable', nonRetryable: true });
    expect((failure as Error).message).toBe(`personal data unreadable: customers 7 is encrypted under key ${new DataKey(OTHER_KEY).id}, which is neither RENEWALS_DATA_KEY nor in RENEWALS_DATA_KEYS_PREVIOUS`);
    // Still one task for the premium.
    expect(await rig.database.db('tasks').where({ policy_no: ref.policyNo, step: 'personal_data_unreadable' })).toHaveLength(1);
  });
});
