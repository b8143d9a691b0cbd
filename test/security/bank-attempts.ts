import type { Client } from '@temporalio/client';
import type { Db } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { markAccepted, prepareAttempt, type DebitAttemptRow } from '../../db/repositories/debits';
import type { PolicyRecord } from '../../db/repositories/policies';
import { maskNumber } from '../../domain/masking';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/** The cipher the security tests seed with (and give the CLI as RENEWALS_DATA_KEY). */
export const DATA_KEY = '66'.repeat(32);
export const cipher = new PiiCipher(DATA_KEY);

/**
 * A policy whose first debit is accepted and waiting for the bank's answer: what the forged and the
 * genuine messages of these tests are about. `bankRef` as the gateway accepted it, or none (a file's).
 */
export async function seedAcceptedDebit(db: Db, overrides: Partial<PolicyRecord>, bankRef?: (key: string) => string): Promise<{ policy: PolicyRecord; attempt: DebitAttemptRow }> {
  const policy = samplePolicy(overrides);
  await seedPolicy(db, cipher, policy);
  const premium = await db('premium_dues').where({ policy_no: policy.policyNo, due_date: policy.nextDueDate }).first<{ id: number; amount_fen: number }>('id', 'amount_fen');
  const prepared = await prepareAttempt(db, {
    premiumDueId: premium.id,
    attemptNo: 1,
    bankCode: policy.bankCode,
    debtorAccountMasked: maskNumber(policy.accountNo),
    amountFen: premium.amount_fen,
    collectionDate: policy.nextDueDate,
    workflowId: `renewal-${policy.policyNo}-${policy.nextDueDate}`,
    runId: 'run-1',
    activityId: '1',
  });
  await markAccepted(db, prepared.id, bankRef?.(prepared.idempotency_key));
  return { policy, attempt: (await db('debit_attempts').where({ id: prepared.id }).first<DebitAttemptRow>()) };
}

/** Where the attempt and its premium stand: what a refused message must leave as it was. */
export async function standing(db: Db, attemptId: number): Promise<{ attempt: string; premium: string; payments: number }> {
  const attempt = await db('debit_attempts').where({ id: attemptId }).first<{ status: string; premium_due_id: number }>('status', 'premium_due_id');
  const premium = await db('premium_dues').where({ id: attempt.premium_due_id }).first<{ status: string }>('status');
  const payments = await db('payments').where({ premium_due_id: attempt.premium_due_id });
  return { attempt: attempt.status, premium: premium.status, payments: payments.length };
}

/** The bank_message_rejected rows written so far, oldest first. */
export async function rejections(db: Db): Promise<{ actor: string; detail: { reason: string; problems: string[] } }[]> {
  return db('audit_events').where({ kind: 'bank_message_rejected' }).orderBy('seq').select('actor', 'detail');
}

/** A Temporal client that only counts the signals it is asked to send (no cycle runs in these tests). */
export function countingClient(): { client: Client; signals: unknown[] } {
  const signals: unknown[] = [];
  const handle = { signal: (_signal: unknown, payload: unknown) => Promise.resolve(void signals.push(payload)) };
  return { client: { workflow: { getHandle: () => handle } } as unknown as Client, signals };
}
