import type { Knex } from 'knex';
import { maskPersonalText } from '../../domain/personal-text';
import type { RefusedReceiptPush } from '../../domain/receipt-rejections';
import { appendAudit } from './audit';

/**
 * A delivery-receipt push refused whole, on the audit trail with why (like a refused bank message).
 * The problem names the check that failed; it is masked all the same, since an unauthenticated
 * sender chose what the push said.
 */
export async function recordReceiptRejection(db: Knex, refused: RefusedReceiptPush): Promise<void> {
  await appendAudit(db, {
    kind: 'receipt_rejected',
    actor: `receipts:${refused.provider}`,
    detail: { reason: refused.reason, problem: maskPersonalText(refused.problem.slice(0, 300)) },
  });
}
