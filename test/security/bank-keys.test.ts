import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDebitKey } from '../../db/debit-keys';
import { prepareAttempt } from '../../db/repositories/debits';
import { prepareReinstatementDebit } from '../../db/repositories/reinstatement-debits';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { cipher } from './bank-attempts';

/**
 * Issue 14: keys were RNW{premiumDueId}A{attemptNo}, so anyone could name a debit in a forged
 * answer. They are random now, unique, and fit both an ISO 20022 EndToEndId and the gateway's REQ_SN.
 */
const FORMAT = /^(RNW|RI)[0-9A-HJKMNP-TV-Z]{26}$/;
const GATEWAY_REQ_SN = /^[A-Za-z0-9_-]{1,40}$/;

describe('debit keys', () => {
  it('are random: 20,000 of them all differ, each of the 32 characters turns up in every position', () => {
    const keys = Array.from({ length: 20_000 }, () => newDebitKey('RNW'));
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) {
      expect(key).toMatch(FORMAT);
      expect(key).toMatch(GATEWAY_REQ_SN);
      expect(key.length).toBeLessThanOrEqual(35);
    }
    for (let position = 3; position < 29; position += 1) expect(new Set(keys.map((k) => k[position])).size).toBe(32);
    expect(newDebitKey('RI')).toMatch(/^RI[0-9A-Z]{26}$/);
  });

  describe('in the database', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await freshDatabase();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it('are stored before submission, unique across many attempts, and a retried activity gets the same one', async () => {
      const db = database.db;
      const policy = samplePolicy({ policyNo: 'P-KEYS-0001', nextDueDate: '2026-01-24' });
      await seedPolicy(db, cipher, policy);
      // 400 premiums of one policy, one attempt each (one in flight per premium).
      const dues = await db('premium_dues')
        .insert(Array.from({ length: 400 }, (_, i) => ({ policy_no: policy.policyNo, due_date: `${2027 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-24`, installment_no: i + 8, amount_fen: 100_000 })))
        .returning<{ id: number }[]>('id');
      const attempt = (premiumDueId: number) => ({
        premiumDueId,
        attemptNo: 1,
        bankCode: 'ICBC',
        debtorAccountMasked: '622202******0123',
        amountFen: 100_000,
        collectionDate: '2027-01-24',
        workflowId: `wf-${premiumDueId}`,
        runId: 'run',
        activityId: '1',
      });
      const first = await Promise.all(dues.map((d) => prepareAttempt(db, attempt(d.id))));
      const keys = first.map((a) => a.idempotency_key);
      expect(new Set(keys).size).toBe(400);
      for (const key of keys) expect(key).toMatch(FORMAT);
      // A retried activity prepares again: the row and the key first stored come back.
      const retried = await Promise.all(dues.map((d) => prepareAttempt(db, attempt(d.id))));
      expect(retried.map((a) => a.idempotency_key)).toEqual(keys);
      expect(await db('debit_attempts').count<{ count: number }[]>('* as count')).toEqual([{ count: 400 }]);
      // The database keeps them unique whoever writes.
      await expect(db('debit_attempts').insert({ ...row(dues[0]!.id), attempt_no: 2, idempotency_key: keys[1] })).rejects.toThrow(/debit_attempts_idempotency_key_unique/);
    });

    it('of a reinstatement debit are stored too, and a retry reuses its key', async () => {
      const db = database.db;
      const [due] = await db('premium_dues').where({ policy_no: 'P-KEYS-0001' }).orderBy('due_date').limit(1).select('id');
      const [suspension] = await db('suspensions')
        .insert({
          policy_no: 'P-KEYS-0001',
          premium_due_id: due.id,
          lapsed_due_date: '2026-01-24',
          suspended_at: new Date('2026-03-25T16:00:00Z'),
          suspension_date: '2026-03-26',
          window_closes_on: '2028-03-26',
          annual_premium_fen: 1_234_500,
          high_value: false,
          workflow_id: 'renewal-P-KEYS-0001-2026-01-24',
        })
        .returning<{ id: number }[]>('id');
      const workflowId = `reinstatement-P-KEYS-0001-2026-01-24-1`;
      await db('reinstatement_applications').insert({ suspension_id: suspension!.id, policy_no: 'P-KEYS-0001', workflow_id: workflowId, received_at: new Date(), decision_due_date: '2026-05-01', payment_method: 'debit' });
      const debit = { applicationWorkflowId: workflowId, attemptNo: 1, amountFen: 1_300_000 };
      const key = await prepareReinstatementDebit(db, debit);
      expect(key).toMatch(/^RI[0-9A-Z]{26}$/);
      expect(await prepareReinstatementDebit(db, debit)).toBe(key);
      const second = await prepareReinstatementDebit(db, { ...debit, attemptNo: 2 });
      expect(second).not.toBe(key);
      expect(await db('reinstatement_debits').orderBy('attempt_no').pluck('idempotency_key')).toEqual([key, second]);
    });
  });
});

function row(premiumDueId: number) {
  return { premium_due_id: premiumDueId, bank_code: 'ICBC', amount_fen: 1, collection_date: '2027-01-24', status: 'failed', workflow_id: 'wf', run_id: 'run', activity_id: '1' };
}
