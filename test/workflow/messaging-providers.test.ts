import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { startMessagingSimulators, type MessagingSimulators } from '../../scripts/messaging-simulators';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { dueIn, seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * A whole cycle's messages through the real provider adapters (the official Alibaba SDK, our
 * WeChat client) against simulators speaking the providers' wire shapes, with an SMS outage and a
 * lost answer on the way; delivery receipts come back through the receipt server.
 */
const taskQueue = 'messaging-providers';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let messaging: MessagingSimulators;
let alibaba: MessagingSimulators['alibaba'];
let wechat: MessagingSimulators['wechat'];

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  // The stack's simulators and receipt server; receipts go to the rig's database once it exists.
  messaging = await startMessagingSimulators((receipts) => recordReceipts(rig.database.db, receipts));
  ({ alibaba, wechat } = messaging);
  rig = await startCycleRig(env, taskQueue, { text: messaging.text });
});

afterAll(async () => {
  await messaging?.close();
  await rig?.close();
  await env?.teardown();
});

describe('messages through the provider adapters', () => {
  it('an SMS outage and a lost answer: every message reaches the provider exactly once, receipts recorded', async () => {
    const { dueDate } = await dueIn(env, 40);
    const policy = await seedFundedPolicy(rig, {
      policyNo: 'P-MSG-0001',
      holderIdNo: '310101198001040001',
      nextDueDate: dueDate,
      preferredChannel: 'wechat',
      holderWechatOpenId: 'oQ9xw5Xn8sImUlAtEdOpEnId0001',
    });
    alibaba.failNext(3, 'http500'); // the first SMS meets an outage: the activity is retried
    alibaba.loseNextAnswers(1); // then its answer is lost after the provider took it

    const result = await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());
    expect(result).toMatchObject({ stage: 'PAID' });

    const db = rig.database.db;
    const contacts = await db('contact_attempts').where({ policy_no: policy.policyNo }).orderBy('created_at').select('id', 'step', 'channel', 'status', 'provider', 'provider_message_id');
    const sent = contacts.filter((c) => c.channel === 'sms' || c.channel === 'wechat');
    expect(sent.map((c) => `${c.step}:${c.channel}`)).toEqual(['reminder_d-30:wechat', 'reminder_d-15:sms', 'reminder_d-3:sms', 'payment_received:wechat']);
    for (const contact of sent) {
      const simulator = contact.channel === 'sms' ? alibaba : wechat;
      expect({ step: contact.step, delivered: simulator.deliveredCount(contact.id as string) }).toEqual({ step: contact.step, delivered: 1 });
    }
    // Receipts arrive on their own schedule: wait for them, then every message reads delivered.
    // Wait on the statuses themselves: a provider may push a receipt twice, so a count of receipt rows proves nothing.
    const statuses = () => db('contact_attempts').whereIn('id', sent.map((c) => c.id as string)).orderBy('created_at').pluck('status');
    const deadline = Date.now() + 10_000;
    let after = await statuses();
    while (after.some((s: string) => s !== 'delivered') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await statuses();
    }
    expect(after).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(await db('contact_receipts').whereNull('contact_id')).toEqual([]);
    // The outage was met (refused sends), and the lost answer was found by asking, not by resending.
    expect(alibaba.requests('SendSms').length).toBe(3); // two messages, and one send refused by the outage
    expect(alibaba.requests('QuerySendDetails').length).toBeGreaterThanOrEqual(2); // retries ask first
    expect(sent[1]!.provider_message_id).toBe(`outid:${sent[1]!.id as string}`);
  });
});
