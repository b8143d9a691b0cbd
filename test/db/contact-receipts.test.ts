import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { recordReceipts } from '../../db/repositories/contact-receipts';
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
});
