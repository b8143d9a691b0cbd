import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActivities, type ContactOutcome, type ContactRequest } from '../../activities/contact-activities';
import { PiiCipher } from '../../db/pii-cipher';
import { shanghaiInstant } from '../../domain/civil-date';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../../integrations/messaging/text-channels';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The reminder and failed-debit SMS with the premium's payment link (docs/architecture.md#online-payment):
 * the provider is handed the link variant's own registered template and the link as its last
 * variable, and the audit row names that template; without a link, the approved text as before.
 */
let database: TestDatabase;
const cipher = new PiiCipher('46'.repeat(32));
const payLink = `https://pay.insurer.example/p/${'Zz9-'.repeat(10)}abc`;
let run = 0;

beforeAll(async () => {
  database = await freshDatabase();
  // One holder each: the contact caps would hold back a second SMS to one person on one day.
  for (const n of [1, 2, 3]) {
    await seedPolicy(database.db, cipher, samplePolicy({ policyNo: `P-SMS-000${n}`, holderIdNo: `32010219800101555${n}`, holderMobile: `1391234555${n}`, preferredChannel: 'sms', nextDueDate: '2026-12-31' }));
  }
});

afterAll(async () => {
  await database?.drop();
});

async function sendSms(n: number, step: string, template: string, withLink: boolean, fields: ContactRequest['fields'] = {}): Promise<{ outcome: ContactOutcome; text: RecordingTextChannels; workflowId: string }> {
  run += 1;
  const workflowId = `renewal-P-SMS-000${n}-${step}-${run}`;
  const env = new MockActivityEnvironment({ activityId: 'sms', attempt: 1, currentAttemptScheduledTimestampMs: shanghaiInstant('2026-12-16', '10:00'), workflowExecution: { workflowId, runId: `sms-${run}` } });
  const text = new RecordingTextChannels();
  const email = new SmtpEmail('smtp://127.0.0.1:1', 'renewals@insurer.example');
  const activities = createContactActivities({ db: database.db, cipher, email, text, ...(withLink ? { payLinkFor: () => Promise.resolve(payLink) } : {}) });
  const request: ContactRequest = { step, template, channels: ['sms'], allChannels: false, fields };
  try {
    const outcome = await env.run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.sendContact({ policyNo: `P-SMS-000${n}`, dueDate: '2026-12-31' }, request));
    return { outcome, text, workflowId };
  } finally {
    email.close();
  }
}

describe('SMS with a payment link', () => {
  it('a reminder with a link goes as the link variant: its template, the link last; the audit row names it', async () => {
    const { outcome, text, workflowId } = await sendSms(1, 'pre_due_reminder_d15', 'pre_due_reminder', true);
    expect(outcome).toEqual({ sent: ['sms'], suppressed: [] });
    const [sms] = text.sent;
    expect(sms).toMatchObject({ channel: 'sms', template: 'pre_due_reminder.link', params: expect.objectContaining({ payLink }) });
    expect(sms!.text.endsWith(` ${payLink}`)).toBe(true);
    expect(Object.keys(sms!.params).at(-1)).toBe('payLink');
    const audit = await database.db('audit_events').where({ kind: 'contact_sent', workflow_id: workflowId }).first<{ detail: { template: string } }>('detail');
    expect(audit.detail.template).toMatch(/^pre_due_reminder\.link@\d+$/);
  });

  it('without a link, the approved text as before', async () => {
    const { text } = await sendSms(2, 'pre_due_reminder_d15', 'pre_due_reminder', false);
    expect(text.sent[0]).toMatchObject({ template: 'pre_due_reminder' });
    expect(text.sent[0]!.params).not.toHaveProperty('payLink');
    expect(text.sent[0]!.text).not.toContain('/p/');
  });

  it('a failed debit with a link goes as its reason variant\'s link template', async () => {
    const { text } = await sendSms(3, 'debit_failed_1', 'debit_failed', true, { reason: 'INSUFFICIENT_FUNDS', lastGraceDay: '2027-03-01' });
    expect(text.sent[0]!.template).toMatch(/^debit_failed\.[a-z_]+\.link$/);
    expect(text.sent[0]!.text.endsWith(payLink)).toBe(true);
  });
});
