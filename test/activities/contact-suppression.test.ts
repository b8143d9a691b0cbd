import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createContactActivities, type ContactOutcome, type ContactRequest } from '../../activities/contact-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { runCliCaptured, type CliRun } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * Every rule that can stop a contact leaves its audit row, linked to the policy, due date, workflow,
 * run and activity. The activities run in Temporal's mock activity context against real PostgreSQL
 * and a real SMTP server.
 */
let database: TestDatabase;
let smtp: SmtpCatcher;
let email: SmtpEmail;
const cipher = new PiiCipher('44'.repeat(32));
const text = new RecordingTextChannels();
const ref = { policyNo: 'P-SUP-0001', dueDate: '2026-12-24' };
let activities: ReturnType<typeof createContactActivities>;
let run = 0;

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
  await seedPolicy(database.db, cipher, samplePolicy({ policyNo: ref.policyNo, holderIdNo: '320102198001015555', nextDueDate: ref.dueDate }));
  activities = createContactActivities({ db: database.db, cipher, email, text });
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await database?.drop();
});

/** One sendContact as activity N of its own workflow run, at a Shanghai wall-clock time. */
async function send(at: string, request: Partial<ContactRequest> & { step: string }, workflowId = `renewal-${ref.policyNo}-${ref.dueDate}`) {
  run += 1;
  const [date, time] = at.split(' ');
  const env = new MockActivityEnvironment({
    activityId: String(run),
    currentAttemptScheduledTimestampMs: shanghaiInstant(date!, time),
    workflowExecution: { workflowId, runId: `run-${run}` },
  });
  const contact: ContactRequest = { template: 'pre_due_reminder', channels: ['sms'], allChannels: false, ...request };
  const outcome = await env.run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.sendContact(ref, contact));
  const rows = await database.db('audit_events').where({ kind: 'contact_suppressed', run_id: `run-${run}` });
  return { outcome, rows };
}

describe('suppressed contacts are recorded with the rule that stopped them', () => {
  it('quiet hours: an SMS due at 22:00 is not sent', async () => {
    const { outcome, rows } = await send('2026-11-24 22:00', { step: 'quiet-1' });
    expect(outcome).toEqual({ sent: [], suppressed: [{ channel: 'sms', rule: 'quiet_hours' }] });
    expect(rows).toEqual([
      expect.objectContaining({ policy_no: ref.policyNo, due_date: ref.dueDate, workflow_id: `renewal-${ref.policyNo}-${ref.dueDate}`, activity_id: String(run) }),
    ]);
    expect(rows[0].detail).toMatchObject({ step: 'quiet-1', channel: 'sms', rule: 'quiet_hours' });
  });

  it('daily cap: a second SMS the same day waits', async () => {
    expect((await send('2026-11-25 09:00', { step: 'daily-1' })).outcome.sent).toEqual(['sms']);
    const { outcome, rows } = await send('2026-11-25 15:00', { step: 'daily-2' });
    expect(outcome.suppressed).toEqual([{ channel: 'sms', rule: 'daily_cap' }]);
    expect(rows).toHaveLength(1);
  });

  it('weekly cap: a fourth contact within seven days is not made', async () => {
    await send('2026-11-26 09:00', { step: 'weekly-1', channels: ['email'] });
    await send('2026-11-27 09:00', { step: 'weekly-2' });
    const { outcome, rows } = await send('2026-11-28 09:00', { step: 'weekly-3', channels: ['email'] });
    expect(outcome.suppressed).toEqual([{ channel: 'email', rule: 'weekly_cap' }]);
    expect(rows[0].detail).toMatchObject({ rule: 'weekly_cap', channel: 'email' });
  });

  it('the caps do not hold back news of a change in the contract: a lapse SMS in that full week goes out', async () => {
    expect((await send('2026-11-28 10:00', { step: 'weekly-4' })).outcome.suppressed).toEqual([{ channel: 'sms', rule: 'weekly_cap' }]);
    const { outcome, rows } = await send('2026-11-28 11:00', { step: 'lapse_sms_d+61', template: 'lapse_notice', fields: { suspensionDate: '2026-11-28' } });
    expect(outcome).toEqual({ sent: ['sms'], suppressed: [] });
    expect(rows).toEqual([]);
  });

  it.each(['hold', 'promise_to_pay', 'stale'] as const)('decided by the cycle (%s): recorded, not sent', async (rule) => {
    const before = text.sent.length;
    const { outcome, rows } = await send('2026-12-20 10:00', { step: `cycle-${rule}`, suppressedBy: rule });
    expect(outcome.suppressed).toEqual([{ channel: 'sms', rule }]);
    expect(rows[0].detail).toMatchObject({ rule });
    expect(text.sent.length).toBe(before);
  });

  it('flagged number (the agent\'s own) is not used, and the gap becomes an operations task', async () => {
    await database.db('contact_points').where({ type: 'mobile' }).update({ flags: JSON.stringify({ same_as_agent: 'A001' }) });
    const { outcome, rows } = await send('2026-12-21 10:00', { step: 'flagged-1' }, 'renewal-flagged');
    expect(outcome.suppressed).toEqual([{ channel: 'sms', rule: 'flagged_number' }]);
    expect(rows[0].detail).toMatchObject({ rule: 'flagged_number' });
    const tasks = await database.db('tasks').where({ workflow_id: 'renewal-flagged', kind: 'fix_contact' });
    expect(tasks).toEqual([expect.objectContaining({ step: 'verify_contact', assignee_role: 'operations', status: 'open' })]);
    await database.db('contact_points').where({ type: 'mobile' }).update({ flags: JSON.stringify({}) });
  });

  it('no verified contact point: recorded, and one operations task per cycle however many steps hit it', async () => {
    await database.db('contact_points').where({ type: 'email' }).update({ status: 'unverified' });
    const first = await send('2026-12-22 10:00', { step: 'unverified-1', channels: ['email'] }, 'renewal-unverified');
    await send('2026-12-23 10:00', { step: 'unverified-2', channels: ['email'] }, 'renewal-unverified');
    expect(first.outcome.suppressed).toEqual([{ channel: 'email', rule: 'no_verified_contact' }]);
    expect(await database.db('tasks').where({ workflow_id: 'renewal-unverified', kind: 'fix_contact' })).toHaveLength(1);
  });

  it('a suppression on one channel with a send on another is not a data gap: no task', async () => {
    const { outcome } = await send('2026-12-23 11:00', { step: 'mixed-1', channels: ['email', 'sms'], allChannels: true }, 'renewal-mixed');
    expect(outcome.sent).toEqual(['sms']);
    expect(await database.db('tasks').where({ workflow_id: 'renewal-mixed' })).toHaveLength(0);
  });
});

describe('call tasks and contact data checks', () => {
  it('a call task carries the call script for its step', async () => {
    run += 1;
    const env = new MockActivityEnvironment({
      activityId: String(run),
      currentAttemptScheduledTimestampMs: shanghaiInstant('2026-12-31', '09:00'),
      workflowExecution: { workflowId: 'renewal-call', runId: `run-${run}` },
    });
    await env.run<[], unknown, () => Promise<unknown>>(() => activities.openCycleTask(ref, { step: 'call_d+7', task: 'call', assignee: 'agent' }));
    const opened = await database.db('audit_events').where({ kind: 'task_opened', workflow_id: 'renewal-call' }).first();
    expect(opened.detail).toMatchObject({ step: 'call_d+7', callScript: expect.stringMatching(/^[a-z_-]+@\d+$/) });
  });

  it('renewals contacts check-quality runs the flag refresh and reports its counts', async () => {
    vi.stubEnv('DATABASE_URL', database.url);
    let run: CliRun;
    try {
      run = await runCliCaptured(['contacts', 'check-quality', '--json']);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(run, run.err).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(run.out)).toEqual({ flagged: expect.any(Number), cleared: expect.any(Number) });
  });
});
