import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { openProviderCircuits } from '../../db/repositories/provider-circuits';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { STANDARD_60 } from '../../domain/collection-plan';
import { startMessagingSimulators, type MessagingSimulators } from '../../scripts/messaging-simulators';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * When a provider fails, no notice is dropped silently and no cycle waits on a contact: a bad
 * address is recorded failed once and its point flagged; an exhausted SMS balance opens the
 * provider's circuit with an operations task, and the waiting SMS goes once the balance is back and
 * the probe closes the circuit; a long SMTP outage leaves the email waiting while the debit goes on
 * its day. Real SMTP (the catcher, made to refuse), the Alibaba SMS simulator through the official
 * SDK, PostgreSQL and the time-skipping server.
 */
const taskQueue = 'contact-failures';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let messaging: MessagingSimulators;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  messaging = await startMessagingSimulators((receipts) => recordReceipts(rig.database.db, receipts));
  rig = await startCycleRig(env, taskQueue, { text: messaging.text });
});

afterAll(async () => {
  await messaging?.close();
  await rig?.close();
  await env?.teardown();
});

/** Set RECORD_HISTORIES=1 to store this run's history as a replay fixture. */
function maybeRecord(name: string, history: Parameters<typeof historyToJSON>[0]): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeFileSync(join(__dirname, '..', 'fixtures', 'histories', name), `${historyToJSON(history)}\n`);
}

function shanghaiDay(at: Date): string {
  return shanghaiDate(at.getTime());
}

describe('contacts when a provider fails', () => {
  it('550 5.1.1: the email is recorded failed once, its address flagged invalid, and the debit goes on its day', async () => {
    const { dueDate } = await dueIn(env, 32, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CF-0001', holderIdNo: '310101198001070001', holderEmail: 'no.such.box@example.cn', nextDueDate: dueDate });
    rig.smtp.rejectRecipient('no.such.box@example.cn');

    const result = await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());

    expect(result).toMatchObject({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    const db = rig.database.db;
    const emails = await db('contact_attempts').where({ policy_no: policy.policyNo, channel: 'email' }).select('step', 'status', 'provider_code', 'recipient_masked');
    // The payment-received notice after the debit finds the address flagged: recorded suppressed, never sent.
    expect(emails).toEqual([
      { step: 'reminder_d-30', status: 'failed', provider_code: 'smtp:550 5.1.1', recipient_masked: expect.not.stringContaining('no.such.box') },
      { step: 'payment_received', status: 'suppressed', provider_code: null, recipient_masked: expect.not.stringContaining('no.such.box') },
    ]);
    const failed = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'contact_failed' });
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({ channel: 'email', provider: 'smtp', code: '550 5.1.1', pointInvalidated: true });
    expect(JSON.stringify(failed[0].detail)).not.toContain('no.such.box@example.cn');
    const point = await db('contact_points as c').join('policies as p', 'p.holder_customer_id', 'c.customer_id').where({ 'p.policy_no': policy.policyNo, 'c.type': 'email' }).first('c.status', 'c.flags');
    expect(point).toEqual({ status: 'invalid', flags: { provider_rejected: 'smtp:550 5.1.1' } });
    expect(rig.smtp.messages.filter((m) => m.to.includes('no.such.box@example.cn'))).toEqual([]);
    const [attempt] = await attemptsOf(rig, policy.policyNo);
    expect(attempt).toMatchObject({ attempt_no: 1, status: 'succeeded', collection_date: dueDate });
    const paid = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'premium_paid' }).first('occurred_at');
    expect(shanghaiDay(paid.occurred_at)).toBe(dueDate);
  });

  it('an exhausted SMS balance opens the circuit and raises the task; the waiting SMS goes once the balance is back', async () => {
    const { dueDate } = await dueIn(env, 20, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CF-0002', holderIdNo: '310101198001070002', holderMobile: '13900000002', holderEmail: 'cf2@example.cn', preferredChannel: 'sms', nextDueDate: dueDate });
    const { alibaba } = messaging;
    alibaba.failAccount('isv.AMOUNT_NOT_ENOUGH');
    const db = rig.database.db;

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -18), '12:00');
      // The balance is gone: the circuit is open, operations have their task, the SMS waits unsent.
      const circuit = await db('provider_circuits').where({ provider: 'alibaba-sms' }).first();
      expect(circuit).toMatchObject({ code: 'isv.AMOUNT_NOT_ENOUGH', openings: 1 });
      expect(circuit.status).not.toBe('closed');
      expect(await openProviderCircuits(db)).toBe(1);
      const tasks = await db('tasks').where({ kind: 'provider_outage' }).select('step', 'status', 'assignee_role', 'policy_no');
      expect(tasks).toEqual([{ step: 'outage_1', status: 'open', assignee_role: 'operations', policy_no: null }]);
      expect(await db('audit_events').where({ kind: 'provider_circuit_opened' })).toHaveLength(1);
      const sms = await db('contact_attempts').where({ policy_no: policy.policyNo, channel: 'sms' }).first('id', 'step', 'status', 'provider_code');
      expect(sms).toMatchObject({ step: 'reminder_d-30', status: 'pending', provider_code: 'alibaba-sms:isv.AMOUNT_NOT_ENOUGH' });
      expect(alibaba.deliveredCount(sms.id)).toBe(0);
      const status = await handle.query(statusQuery);
      expect(status.contactsWaiting).toEqual([expect.objectContaining({ step: 'reminder_d-30', reason: 'alibaba-sms:isv.AMOUNT_NOT_ENOUGH' })]);
      expect(status.stage).toBe('PRE_DUE');

      // Topped up: the next try is the probe; it goes through and closes the circuit.
      alibaba.recoverAccount();
      await sleepUntil(env, addDays(dueDate, -17), '12:00');
      expect(await db('contact_attempts').where({ id: sms.id }).first('status')).toEqual({ status: expect.stringMatching(/^(sent|delivered)$/) });
      expect(alibaba.deliveredCount(sms.id)).toBe(1);
      expect(await openProviderCircuits(db)).toBe(0);
      expect(await db('tasks').where({ kind: 'provider_outage' }).first('status', 'outcome_code')).toEqual({ status: 'done', outcome_code: 'probe_answered' });
      expect(await db('audit_events').where({ kind: 'provider_circuit_closed' }).first('detail')).toEqual({ detail: expect.objectContaining({ provider: 'alibaba-sms', how: 'probe_answered' }) });
      expect((await handle.query(statusQuery)).contactsWaiting).toBeUndefined();
      return handle.result();
    });

    expect(result).toMatchObject({ stage: 'PAID', paidVia: 'debit' });
    const [attempt] = await attemptsOf(rig, policy.policyNo);
    expect(attempt).toMatchObject({ status: 'succeeded', collection_date: dueDate });
    // Sent once, never recorded failed: the notice was not dropped.
    expect(await db('audit_events').where({ policy_no: policy.policyNo, kind: 'contact_failed' })).toEqual([]);
  });

  it('a long SMTP outage: the email waits and expires with its reason, and the debit is not delayed', async () => {
    const { dueDate } = await dueIn(env, 3, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CF-0003', holderIdNo: '310101198001070003', holderMobile: '13900000003', holderEmail: 'cf3@example.cn', preferredChannel: 'sms', nextDueDate: dueDate });
    const db = rig.database.db;
    // This cycle's plan has an email the day before the debit, the step the outage meets.
    const plan = { ...STANDARD_60, version: 90, reminders: [...STANDARD_60.reminders, { step: 'reminder_d-1', offsetDays: -1, channels: ['email'], template: 'debit_tomorrow_keep_funds' }] };
    await db('collection_plans').insert({ code: plan.code, version: plan.version, definition: JSON.stringify(plan) });

    try {
      const { result, history } = await rig.withWorker(async () => {
        const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
        await sleepUntil(env, addDays(dueDate, -1), '08:00');
        rig.smtp.setDown(true);
        await sleepUntil(env, dueDate, '12:00');
        // The debit went at 10:00 on the due date although the email has not gone since yesterday.
        const [attempt] = await attemptsOf(rig, policy.policyNo);
        expect(attempt).toMatchObject({ attempt_no: 1, status: 'succeeded', collection_date: dueDate });
        rig.smtp.setDown(false);
        return { result: await handle.result(), history: await handle.fetchHistory() };
      });
      maybeRecord('renewal-cycle-email-waits-debit-on-time.json', history);

      expect(result).toMatchObject({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
      expect(rig.smtp.refusedConnections()).toBeGreaterThan(0);
      const email = await db('contact_attempts').where({ policy_no: policy.policyNo, step: 'reminder_d-1' }).first('id', 'status', 'suppressed_rule', 'provider_code');
      expect(email).toMatchObject({ status: 'suppressed', suppressed_rule: 'expired', provider_code: 'smtp:421 4.3.2' });
      const waited = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'contact_waiting' });
      expect(waited.length).toBeGreaterThanOrEqual(2); // tried again after the first wait
      expect(waited[0].detail).toMatchObject({ channel: 'email', provider: 'smtp', why: 'transient', code: '421 4.3.2' });
      const expired = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'contact_expired' });
      expect(expired.map((e) => e.detail)).toEqual([expect.objectContaining({ contactId: email.id, step: 'reminder_d-1', reason: 'expired', waitedFor: 'smtp:421 4.3.2' })]);
      const paid = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'premium_paid' }).first('occurred_at');
      expect(shanghaiDay(paid.occurred_at)).toBe(dueDate);
      // No provider circuit for an outage: it is transient.
      expect(await db('provider_circuits').where({ provider: 'smtp' })).toEqual([]);
    } finally {
      await db('collection_plans').where({ code: plan.code, version: plan.version }).delete();
    }
  });
});
