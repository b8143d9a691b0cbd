import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActivities } from '../../activities/contact-activities';
import { createCycleActivities } from '../../activities/cycle-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * A fact and its audit row commit together, and a retried activity writes neither twice. The audit
 * insert is made to fail once (a trigger that raises on the first row of a kind, counted by a
 * sequence, which a rollback does not undo): the activity fails with nothing written, its retry
 * writes exactly one fact and one row, and a further retry (the first answer lost) writes nothing.
 */
let database: TestDatabase;
let smtp: SmtpCatcher;
let email: SmtpEmail;
const cipher = new PiiCipher('55'.repeat(32));
let cycle: ReturnType<typeof createCycleActivities>;
let contacts: ReturnType<typeof createContactActivities>;
let armed = 0;

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
  cycle = createCycleActivities({ db: database.db });
  contacts = createContactActivities({ db: database.db, cipher, email, text: new RecordingTextChannels() });
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await database?.drop();
});

/** The next audit row of this kind fails to insert, once. */
async function failFirstAuditInsert(kind: string): Promise<void> {
  armed += 1;
  // A trigger of the test's own: a schema change, which only the owner role may make.
  const db = database.owner;
  await db.raw(`CREATE SEQUENCE fail_once_${armed}`);
  await db.raw(`
    CREATE FUNCTION fail_once_${armed}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.kind = '${kind}' AND nextval('fail_once_${armed}') = 1 THEN
        RAISE EXCEPTION 'audit insert failed on purpose (${kind})';
      END IF;
      RETURN NEW;
    END $$`);
  // Named to run before the chain trigger (BEFORE triggers fire in name order).
  await db.raw(`CREATE TRIGGER a_fail_once_${armed} BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_once_${armed}()`);
}

async function policyWithPremium(n: number, overrides: Parameters<typeof samplePolicy>[0] = {}) {
  const policy = samplePolicy({ policyNo: `P-FA-${n}`, holderIdNo: `31010119800108000${n}`, nextDueDate: '2026-12-24', ...overrides });
  await seedPolicy(database.db, cipher, policy);
  return { ref: { policyNo: policy.policyNo, dueDate: '2026-12-24' }, workflowId: `renewal-${policy.policyNo}-2026-12-24` };
}

/** One activity execution; the same activityId and run again is its retry. */
function activity(workflowId: string, activityId: string, attempt = 1) {
  return new MockActivityEnvironment({
    activityId,
    attempt,
    currentAttemptScheduledTimestampMs: shanghaiInstant('2027-02-23', '00:00'),
    workflowExecution: { workflowId, runId: 'run-1' },
  });
}

async function rows(kind: string, workflowId: string) {
  return database.db('audit_events').where({ kind, workflow_id: workflowId });
}

describe('facts and their audit rows, when the audit insert fails once and the activity is retried', () => {
  it('suspendPolicy: nothing on the first try; one lapse and one row after the retry; nothing more on a further retry', async () => {
    const { ref, workflowId } = await policyWithPremium(1);
    await failFirstAuditInsert('policy_suspended');
    const at = shanghaiInstant('2027-02-23', '00:00');
    await expect(activity(workflowId, '7').run(() => cycle.suspendPolicy(ref, 11, at))).rejects.toThrow(/failed on purpose/);
    expect(await database.db('premium_dues').where({ policy_no: ref.policyNo }).first('status')).toEqual({ status: 'due' });
    expect(await rows('policy_suspended', workflowId)).toEqual([]);

    await activity(workflowId, '7', 2).run(() => cycle.suspendPolicy(ref, 11, at));
    await activity(workflowId, '7', 3).run(() => cycle.suspendPolicy(ref, 11, at));
    expect(await database.db('premium_dues').where({ policy_no: ref.policyNo }).first('status')).toEqual({ status: 'lapsed' });
    expect(await database.db('policies').where({ policy_no: ref.policyNo }).first('status')).toEqual({ status: 'lapsed' });
    expect(await rows('policy_suspended', workflowId)).toHaveLength(1);
  });

  it('recordPaymentReceived: one payment and one premium_paid row', async () => {
    const { ref, workflowId } = await policyWithPremium(2);
    await failFirstAuditInsert('premium_paid');
    const payment = { via: 'counter' as const, reference: 'R-0001' };
    await expect(activity(workflowId, '9').run(() => cycle.recordPaymentReceived(ref, payment))).rejects.toThrow(/failed on purpose/);
    expect(await database.db('payments').whereIn('premium_due_id', database.db('premium_dues').select('id').where({ policy_no: ref.policyNo }))).toEqual([]);

    await activity(workflowId, '9', 2).run(() => cycle.recordPaymentReceived(ref, payment));
    await activity(workflowId, '9', 3).run(() => cycle.recordPaymentReceived(ref, payment));
    const payments = await database.db('payments').whereIn('premium_due_id', database.db('premium_dues').select('id').where({ policy_no: ref.policyNo }));
    expect(payments).toHaveLength(1);
    expect(await rows('premium_paid', workflowId)).toHaveLength(1);
  });

  it('grantPremiumLoan: one loan payment and one premium_loan_granted row', async () => {
    const { ref, workflowId } = await policyWithPremium(3, { aplElected: true, cashValueFen: 50_000_000 });
    await failFirstAuditInsert('premium_loan_granted');
    await expect(activity(workflowId, '11').run(() => cycle.grantPremiumLoan(ref))).rejects.toThrow(/failed on purpose/);
    expect(await activity(workflowId, '11', 2).run(() => cycle.grantPremiumLoan(ref))).toBe(true);
    expect(await activity(workflowId, '11', 3).run(() => cycle.grantPremiumLoan(ref))).toBe(true);
    const payments = await database.db('payments').whereIn('premium_due_id', database.db('premium_dues').select('id').where({ policy_no: ref.policyNo }));
    expect(payments.map((p) => p.via)).toEqual(['apl']);
    expect(await rows('premium_loan_granted', workflowId)).toHaveLength(1);
  });

  it('recordCycleEvent and recordStage: a retry writes no second row', async () => {
    const { ref, workflowId } = await policyWithPremium(4);
    await failFirstAuditInsert('hold_placed');
    await expect(activity(workflowId, '13').run(() => cycle.recordCycleEvent(ref, 'hold_placed', { kind: 'claim' }))).rejects.toThrow(/failed on purpose/);
    await activity(workflowId, '13', 2).run(() => cycle.recordCycleEvent(ref, 'hold_placed', { kind: 'claim' }));
    await activity(workflowId, '13', 3).run(() => cycle.recordCycleEvent(ref, 'hold_placed', { kind: 'claim' }));
    expect(await rows('hold_placed', workflowId)).toHaveLength(1);

    await activity(workflowId, '14').run(() => cycle.recordStage(ref, 'IN_GRACE'));
    await activity(workflowId, '14', 2).run(() => cycle.recordStage(ref, 'IN_GRACE'));
    expect(await rows('stage_changed', workflowId)).toHaveLength(1);
    // Another activity of the same run is another event: written.
    await activity(workflowId, '15').run(() => cycle.recordCycleEvent(ref, 'hold_placed', { kind: 'claim' }));
    expect(await rows('hold_placed', workflowId)).toHaveLength(2);
  });

  it('completeTask: one task_completed row however often retried', async () => {
    const { ref, workflowId } = await policyWithPremium(5);
    await activity(workflowId, '20').run(() => contacts.openCycleTask(ref, { step: 'call_d+7', task: 'call', assignee: 'agent' }));
    await failFirstAuditInsert('task_completed');
    const completion = { step: 'call_d+7', outcome: 'reached' };
    await expect(activity(workflowId, '21').run(() => contacts.completeTask(ref, completion))).rejects.toThrow(/failed on purpose/);
    expect(await database.db('tasks').where({ workflow_id: workflowId }).first('status')).toEqual({ status: 'open' });
    await activity(workflowId, '21', 2).run(() => contacts.completeTask(ref, completion));
    await activity(workflowId, '21', 3).run(() => contacts.completeTask(ref, completion));
    expect(await database.db('tasks').where({ workflow_id: workflowId }).first('status', 'outcome_code')).toEqual({ status: 'done', outcome_code: 'reached' });
    const completed = await rows('task_completed', workflowId);
    expect(completed).toHaveLength(1);
    expect(completed[0].detail.taskId).not.toBeNull();
  });
});
