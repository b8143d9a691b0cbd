import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactActivities, type ContactOutcome, type ContactRequest } from '../../activities/contact-activities';
import { PiiCipher } from '../../db/pii-cipher';
import type { Client } from '@temporalio/client';
import { resetProvider } from '../../application/provider-circuits';
import { openProviderCircuits } from '../../db/repositories/provider-circuits';
import { shanghaiInstant } from '../../domain/civil-date';
import { CONTACT_SEND_ATTEMPTS } from '../../domain/contact-waits';
import { CIRCUIT_COOL_DOWN_MS } from '../../domain/provider-circuit';
import { ACCOUNT_WIDE } from '../../domain/provider-failures';
import { ProviderError, type OutgoingText, type ProviderMessageStatus, type SentText, type TextMessagePort } from '../../integrations/messaging/port';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The contact activities when a provider fails, in Temporal's mock activity context against real
 * PostgreSQL and a real SMTP server: a transient failure is thrown for the activity's retries and
 * answered as waiting on the last try (attemptContact); an account-wide refusal opens the circuit,
 * after which nothing is sent until the probe, whose success closes it.
 */
let database: TestDatabase;
let smtp: SmtpCatcher;
let email: SmtpEmail;
const cipher = new PiiCipher('66'.repeat(32));
const ref = { policyNo: 'P-CPF-0001', dueDate: '2026-12-24' };
const workflowId = `renewal-${ref.policyNo}-${ref.dueDate}`;

/** An SMS provider whose account can run dry: refuses every send with an account-wide code until topped up. */
class DrySms implements TextMessagePort {
  dry = true;
  sends = 0;
  send(message: OutgoingText): Promise<SentText> {
    this.sends += 1;
    if (this.dry) return Promise.reject(ProviderError.classified('alibaba-sms', 'isv.AMOUNT_NOT_ENOUGH', ACCOUNT_WIDE, 'alibaba-sms SendSms rejected with isv.AMOUNT_NOT_ENOUGH'));
    return Promise.resolve({ provider: 'alibaba-sms', providerMessageId: `BIZ-${message.contactId}` });
  }
  status(): Promise<ProviderMessageStatus> {
    return Promise.resolve({ state: 'unknown' });
  }
  providerOf(): string {
    return 'alibaba-sms';
  }
}
const sms = new DrySms();
let activities: ReturnType<typeof createContactActivities>;

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
  await seedPolicy(database.db, cipher, samplePolicy({ policyNo: ref.policyNo, holderIdNo: '320102198001016666', nextDueDate: ref.dueDate }));
  activities = createContactActivities({ db: database.db, cipher, email, text: sms });
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await database?.drop();
});

function run(activityId: string, at: number, attempt = 1) {
  return new MockActivityEnvironment({ activityId, attempt, currentAttemptScheduledTimestampMs: at, workflowExecution: { workflowId, runId: 'run-1' } });
}

const contact = (step: string, channels: ContactRequest['channels']): ContactRequest => ({ step, template: 'pre_due_reminder', channels, allChannels: false });

describe('a transient SMTP outage', () => {
  it('is thrown for Temporal to retry, then answered as waiting on the last try, with one contact_waiting row', async () => {
    const at = shanghaiInstant('2026-11-24', '09:00');
    smtp.setDown(true);
    try {
      const request = contact('email-outage', ['email']);
      await expect(run('1', at).run(() => activities.attemptContact(ref, request))).rejects.toMatchObject({ name: 'ProviderError', code: '421 4.3.2', retryable: true });
      const last = () => run('1', at, CONTACT_SEND_ATTEMPTS).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.attemptContact(ref, request));
      expect(await last()).toEqual({ sent: [], suppressed: [], waiting: [{ channel: 'email', provider: 'smtp', why: 'transient', code: '421 4.3.2' }] });
      await last(); // the last try's answer lost, the activity run again: no second row
      const row = await database.db('contact_attempts').where({ workflow_id: workflowId, step: 'email-outage' }).first('status', 'provider_code');
      expect(row).toEqual({ status: 'pending', provider_code: 'smtp:421 4.3.2' });
      expect(await database.db('audit_events').where({ workflow_id: workflowId, kind: 'contact_waiting' })).toHaveLength(1);
      // sendContact (the window stage) keeps waiting on the send: the failure goes to Temporal.
      await expect(run('2', at, CONTACT_SEND_ATTEMPTS).run(() => activities.sendContact(ref, contact('email-outage-window', ['email'])))).rejects.toMatchObject({ code: '421 4.3.2' });
    } finally {
      smtp.setDown(false);
    }
  });
});

describe('an SMS account run dry', () => {
  it('opens the circuit once; nothing is sent while open; the probe after the cool-down goes through and closes it', async () => {
    const at = shanghaiInstant('2026-12-09', '10:00');
    const first = await run('10', at).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.attemptContact(ref, contact('reminder_d-15', ['sms'])));
    expect(first.waiting).toEqual([{ channel: 'sms', provider: 'alibaba-sms', why: 'account_wide', code: 'isv.AMOUNT_NOT_ENOUGH', until: at + CIRCUIT_COOL_DOWN_MS }]);
    expect(await openProviderCircuits(database.db)).toBe(1);
    expect(await database.db('tasks').where({ kind: 'provider_outage' }).select('status')).toEqual([{ status: 'open' }]);
    expect(sms.sends).toBe(1);

    // Within the cool-down: not even tried. The window stage's send fails for Temporal to retry.
    const again = await run('11', at + 60_000).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.attemptContact(ref, contact('reminder_d-15', ['sms'])));
    expect(again.waiting?.[0]).toMatchObject({ why: 'circuit_open', code: 'isv.AMOUNT_NOT_ENOUGH' });
    await expect(run('12', at + 60_000).run(() => activities.sendContact(ref, contact('lapse_sms', ['sms'])))).rejects.toMatchObject({ type: 'ProviderUnavailable' });
    expect(sms.sends).toBe(1);

    // Topped up; after the cool-down the next send is the probe.
    sms.dry = false;
    const probe = await run('13', at + CIRCUIT_COOL_DOWN_MS).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.attemptContact(ref, contact('reminder_d-15', ['sms'])));
    expect(probe).toEqual({ sent: ['sms'], suppressed: [] });
    expect(await openProviderCircuits(database.db)).toBe(0);
    expect(await database.db('tasks').where({ kind: 'provider_outage' }).select('status', 'outcome_code')).toEqual([{ status: 'done', outcome_code: 'probe_answered' }]);
    const kinds = await database.db('audit_events').whereIn('kind', ['provider_circuit_opened', 'provider_circuit_closed']).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(['provider_circuit_opened', 'provider_circuit_closed']);
  });
});

describe('renewals providers reset', () => {
  it('closes the circuit under the operator, marks its task done, and wakes the cycles whose contacts wait on it', async () => {
    sms.dry = true;
    const at = shanghaiInstant('2026-12-21', '10:00');
    const waiting = await run('30', at).run<[], ContactOutcome, () => Promise<ContactOutcome>>(() => activities.attemptContact(ref, contact('reminder_d-3', ['sms'])));
    expect(waiting.waiting?.[0]).toMatchObject({ why: 'account_wide' });
    expect(await openProviderCircuits(database.db)).toBe(1);

    const signalled: string[] = [];
    const client = { workflow: { getHandle: (id: string) => ({ signal: () => Promise.resolve(void signalled.push(id)) }) } } as unknown as Client;
    expect(await resetProvider(database.db, client, 'alibaba-sms', 'cli:ops1', 'balance topped up')).toEqual({ provider: 'alibaba-sms', closed: true, cyclesWoken: 1 });
    expect(signalled).toEqual([workflowId]);
    expect(await openProviderCircuits(database.db)).toBe(0);
    const tasks = await database.db('tasks').where({ kind: 'provider_outage' }).orderBy('id').select('step', 'status', 'outcome_code');
    expect(tasks.at(-1)).toEqual({ step: 'outage_2', status: 'done', outcome_code: 'operator_reset' });
    const closed = await database.db('audit_events').where({ kind: 'provider_circuit_closed' }).orderBy('seq', 'desc').first('actor', 'detail');
    expect(closed).toMatchObject({ actor: 'cli:ops1', detail: { provider: 'alibaba-sms', how: 'operator_reset', reason: 'balance topped up' } });
    // Closed already: nothing changes; an unknown provider is refused as a bad argument.
    expect((await resetProvider(database.db, client, 'alibaba-sms', 'cli:ops1')).closed).toBe(false);
    await expect(resetProvider(database.db, client, 'no-such-provider', 'cli:ops1')).rejects.toMatchObject({ usage: true });
  });
});
