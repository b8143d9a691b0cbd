import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { shanghaiDate } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { paymentReceivedUpdate } from '../../workflows/messages';
import { dueIn, seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The payment-received message (domain/payment-received-notice.ts), end to end on the time-skipping
 * server: a counter payment and a debit each settle the premium, and the customer is told on their
 * channel with the amount and the day paid. RECORD_HISTORIES=1 keeps the counter run as the replay
 * fixture renewal-cycle-payment-received-notice.json.
 */
const taskQueue = 'payment-received-notice';
const DAY = 86_400_000;
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

describe('the payment-received notice', () => {
  it('a counter payment: the SMS says the amount and the day, once, and the cycle closes PAID', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CONF-0001', holderIdNo: '110101199001017777', nextDueDate: dueDate, premiumFen: 456_700, preferredChannel: 'sms' });
    const { result, history, paidOn } = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await env.sleep(8 * DAY);
      const paidOn = shanghaiDate(await env.currentTimeMs());
      await handle.executeUpdate(paymentReceivedUpdate, { args: [{ via: 'counter', reference: 'RCPT-CONF-0001', by: 'user:7' }] });
      return { result: await handle.result(), history: await handle.fetchHistory(), paidOn };
    });
    expect(result).toEqual({ stage: 'PAID', paidVia: 'counter', debitAttempts: 0 });

    const db = rig.database.db;
    const notices = await db('contact_attempts').where({ policy_no: policy.policyNo, step: 'payment_received' });
    expect(notices.map((c) => [c.channel, c.status, c.template_code])).toEqual([['sms', 'sent', 'payment_received']]);
    const sms = rig.text.sent.filter((m) => m.template === 'payment_received');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.text).toContain('4567.00');
    expect(sms[0]!.text).toContain(policy.policyNo);
    expect(sms[0]!.text).toContain(paidOn);
    // Said after the payment was recorded, never before: the payment row is older than the attempt.
    const payment = await db('payments as p').join('premium_dues as d', 'd.id', 'p.premium_due_id').where('d.policy_no', policy.policyNo).first('p.received_at');
    expect((notices[0].planned_at as Date).getTime()).toBeGreaterThanOrEqual((payment.received_at as Date).getTime());

    const json = JSON.parse(historyToJSON(history));
    await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, json);
    if (process.env.RECORD_HISTORIES === '1') writeFileSync(join(__dirname, '..', 'fixtures', 'histories', 'renewal-cycle-payment-received-notice.json'), `${JSON.stringify(json, null, 2)}\n`);
  });

  it('a debit: the customer who chose email is told by email, then the cycle waits out the return window', async () => {
    const { dueDate } = await dueIn(env, 10, { onBusinessDay: true });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CONF-0002', holderIdNo: '110101199001018888', nextDueDate: dueDate, premiumFen: 300_000, preferredChannel: 'email' });
    const before = rig.smtp.messages.length;
    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      return handle.result();
    });
    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    const db = rig.database.db;
    const [notice] = await db('contact_attempts').where({ policy_no: policy.policyNo, step: 'payment_received' });
    expect(notice).toMatchObject({ channel: 'email', status: 'sent' });
    const mails = await Promise.all(rig.smtp.messages.slice(before).map((m) => simpleParser(m.raw)));
    const received = mails.filter((m) => m.subject?.includes('续期保费到账确认'));
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('3000.00');
  });
});
