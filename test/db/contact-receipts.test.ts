import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { applyEarlyReceipts, holdMessage, recordReceipts, recordSendAndEarlyReceipts } from '../../db/repositories/contact-receipts';
import { markContactSent, openContactAttempt } from '../../db/repositories/contacts';
import type { DeliveryReceipt } from '../../integrations/messaging/port';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

let database: TestDatabase;
const contactId = '0b6f8a52-4b8e-4d1c-9a36-1f0c2d3e4a01';

beforeAll(async () => {
  database = await freshDatabase();
  await seedPolicy(database.db, new PiiCipher('33'.repeat(32)), samplePolicy());
  const row = await openContactAttempt(database.db, {
    id: contactId,
    policyNo: 'P202600001',
    dueDate: '2026-12-24',
    step: 'reminder_d-15',
    channel: 'sms',
    templateCode: 'pre_due_reminder',
    templateVersion: 1,
    recipientMasked: '138****8000',
    workflowId: 'renewal-P202600001-2026-12-24',
    runId: 'run-1',
    activityId: '7',
    plannedAt: new Date('2026-12-09T01:00:00Z'),
  });
  await markContactSent(database.db, row.id, 'alibaba-sms', 'BIZ-1001', new Date('2026-12-09T01:00:01Z'));
});

afterAll(async () => {
  await database?.drop();
});

const receipt = (over: Partial<DeliveryReceipt>): DeliveryReceipt => ({
  provider: 'alibaba-sms',
  contactId,
  providerMessageId: 'BIZ-1001',
  delivered: true,
  code: 'DELIVERED',
  at: new Date('2026-12-09T01:00:05Z'),
  ...over,
});

describe('delivery receipts', () => {
  it('records a receipt once, however often the provider pushes it, and follows the latest report', async () => {
    const db = database.db;
    const failedEarlier = receipt({ delivered: false, code: 'MK:0001', at: new Date('2026-12-09T01:00:03Z') });
    const deliveredLater = receipt({ at: new Date('2026-12-09T01:00:09Z') });
    // Out of order: the later "delivered" arrives first, then the earlier failure, then the delivery again.
    expect(await recordReceipts(db, [deliveredLater])).toEqual({ recorded: 1, duplicates: 0, unmatched: 0 });
    expect(await recordReceipts(db, [failedEarlier, deliveredLater])).toEqual({ recorded: 1, duplicates: 1, unmatched: 0 });

    const attempt = await db('contact_attempts').where({ id: contactId }).first();
    expect(attempt).toMatchObject({ status: 'delivered', provider_code: 'DELIVERED' });
    expect(new Date(attempt.receipt_at as string).toISOString()).toBe('2026-12-09T01:00:09.000Z');
    expect(await db('contact_receipts').where({ provider_message_id: 'BIZ-1001' }).count<{ count: string }[]>('* as count')).toEqual([{ count: 2 }]);
    const audited = await db('audit_events').where({ kind: 'contact_receipt' }).orderBy('seq');
    expect(audited.map((a) => [a.detail.code, a.detail.delivered])).toEqual([
      ['DELIVERED', true],
      ['MK:0001', false],
    ]);
    expect((await verifyAuditChain(db)).firstBreak).toBeUndefined();
  });

  it('keeps a receipt for a message nobody sent, and says so', async () => {
    const tally = await recordReceipts(database.db, [receipt({ contactId: undefined, providerMessageId: 'BIZ-UNKNOWN' })]);
    expect(tally).toEqual({ recorded: 0, duplicates: 0, unmatched: 1 });
    expect(await database.db('contact_receipts').where({ provider_message_id: 'BIZ-UNKNOWN' }).first()).toMatchObject({ contact_id: null });
  });

  it('a receipt known only by message ID that arrives while its send is being recorded waits for it, then delivers', async () => {
    const db = database.db;
    const wechatId = '0b6f8a52-4b8e-4d1c-9a36-1f0c2d3e4a02';
    await openContactAttempt(db, {
      id: wechatId,
      policyNo: 'P202600001',
      dueDate: '2026-12-24',
      step: 'reminder_d-30',
      channel: 'wechat',
      templateCode: 'pre_due_reminder',
      templateVersion: 1,
      recipientMasked: 'oQ9x****0001',
      workflowId: 'renewal-P202600001-2026-12-24',
      runId: 'run-1',
      activityId: '3',
      plannedAt: new Date('2026-11-24T01:00:00Z'),
    });
    // WeChat's TEMPLATESENDJOBFINISH carries the MsgID only, no contact ID.
    const pushed = receipt({ provider: 'wechat', contactId: undefined, providerMessageId: 'MSG-2002', code: 'success', at: new Date('2026-11-24T01:00:02Z') });
    let receiptSettled = false;
    let receiptDone: Promise<unknown> | undefined;
    await db.transaction(async (trx) => {
      await holdMessage(trx, 'MSG-2002');
      await markContactSent(trx, wechatId, 'wechat', 'MSG-2002', new Date('2026-11-24T01:00:01Z'));
      receiptDone = recordReceipts(db, [pushed]).then((tally) => {
        receiptSettled = true;
        return tally;
      });
      await new Promise((r) => setTimeout(r, 300));
      // Without the shared lock the receipt would have been stored unlinked by now, invisible to this transaction.
      expect(receiptSettled).toBe(false);
      await applyEarlyReceipts(trx, wechatId, 'MSG-2002');
    });
    expect(await receiptDone).toEqual({ recorded: 1, duplicates: 0, unmatched: 0 });
    expect(await db('contact_attempts').where({ id: wechatId }).first()).toMatchObject({ status: 'delivered', provider_code: 'success' });
    expect(await db('contact_receipts').where({ provider_message_id: 'MSG-2002' }).first()).toMatchObject({ contact_id: wechatId });
  });

  it('recorded in one statement: the send links the receipts that came before it, and the latest one sets its status', async () => {
    const db = database.db;
    const open = (id: string, step: string) =>
      openContactAttempt(db, {
        id,
        policyNo: 'P202600001',
        dueDate: '2026-12-24',
        step,
        channel: 'sms',
        templateCode: 'pre_due_reminder',
        templateVersion: 1,
        recipientMasked: '138****8000',
        workflowId: 'renewal-P202600001-2026-12-24',
        runId: 'run-1',
        activityId: '21',
        plannedAt: new Date('2026-12-10T01:00:00Z'),
      });
    const early = '0b6f8a52-4b8e-4d1c-9a36-1f0c2d3e4a03';
    const quiet = '0b6f8a52-4b8e-4d1c-9a36-1f0c2d3e4a04';
    await open(early, 'reminder_d-14');
    await open(quiet, 'reminder_d-13');
    // Two receipts before the send is recorded: one by message ID only (stored unlinked), one by contact ID.
    await recordReceipts(db, [receipt({ contactId: undefined, providerMessageId: 'BIZ-3003', delivered: false, code: 'MK:0005', at: new Date('2026-12-10T01:00:03Z') })]);
    await recordReceipts(db, [receipt({ contactId: early, providerMessageId: 'BIZ-3003', code: 'DELIVERED', at: new Date('2026-12-10T01:00:06Z') })]);
    await db.transaction(async (trx) => {
      await holdMessage(trx, 'BIZ-3003');
      await recordSendAndEarlyReceipts(trx, { contactId: early, provider: 'alibaba-sms', providerMessageId: 'BIZ-3003', at: new Date('2026-12-10T01:00:01Z') });
      await holdMessage(trx, 'BIZ-3004');
      await recordSendAndEarlyReceipts(trx, { contactId: quiet, provider: 'alibaba-sms', providerMessageId: 'BIZ-3004', at: new Date('2026-12-10T01:00:01Z') });
    });
    const attempt = await db('contact_attempts').where({ id: early }).first();
    expect(attempt).toMatchObject({ status: 'delivered', provider: 'alibaba-sms', provider_message_id: 'BIZ-3003', provider_code: 'DELIVERED' });
    expect(new Date(attempt.receipt_at as string).toISOString()).toBe('2026-12-10T01:00:06.000Z');
    expect(await db('contact_receipts').where({ provider_message_id: 'BIZ-3003' }).pluck('contact_id')).toEqual([early, early]);
    // No receipt yet: simply sent.
    expect(await db('contact_attempts').where({ id: quiet }).first()).toMatchObject({ status: 'sent', provider_message_id: 'BIZ-3004', receipt_at: null, provider_code: null });
    // Recorded again (a retried activity): a row no longer pending is left as it is.
    await db.transaction((trx) => recordSendAndEarlyReceipts(trx, { contactId: early, provider: 'other', providerMessageId: 'BIZ-9999', at: new Date() }));
    expect(await db('contact_attempts').where({ id: early }).first()).toMatchObject({ status: 'delivered', provider: 'alibaba-sms' });
  });
});
