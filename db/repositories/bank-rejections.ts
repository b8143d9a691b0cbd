import type { Knex } from 'knex';
import type { BankMessageRejection } from '../../domain/bank-claims';
import { maskPersonalText } from '../../domain/personal-text';
import { appendAudit } from './audit';

/** At most this many problems are kept per rejection: enough to act on, not a copy of a hostile file. */
const PROBLEMS_KEPT = 20;

export interface BankRejection {
  /** Where it came in: gateway:callback, gateway:answer, pain.002.001.03, camt.054.001.02, … */
  source: string;
  reason: BankMessageRejection;
  problems: readonly string[];
  /** The file's SHA-256, when it was a file. */
  sha256?: string;
}

/**
 * A message from the bank, or one claiming to be, refused whole: on the audit trail with why. The
 * problems name keys, amounts and element paths; anything shaped like personal data in them is
 * masked all the same, since an unauthenticated sender chose what they say.
 */
export async function recordBankRejection(db: Knex, rejection: BankRejection): Promise<void> {
  await appendAudit(db, {
    kind: 'bank_message_rejected',
    actor: rejection.source,
    detail: {
      reason: rejection.reason,
      problems: rejection.problems.slice(0, PROBLEMS_KEPT).map(maskPersonalText),
      ...(rejection.problems.length > PROBLEMS_KEPT ? { moreProblems: rejection.problems.length - PROBLEMS_KEPT } : {}),
      ...(rejection.sha256 ? { sha256: rejection.sha256 } : {}),
    },
  });
}
