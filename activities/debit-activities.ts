import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { DebitResult } from '../domain/cycle-state';
import { storedResult, type FinalOutcome } from '../domain/debit-outcome';
import { REASON_RULES, type Classified } from '../domain/debit-reasons';
import { appendAudit } from '../db/repositories/audit';
import { recordOutcome } from '../db/repositories/debit-outcomes';
import {
  attemptOf,
  loadDebitContext,
  markAccepted,
  markSubmitted,
  markUnknown,
  storeAttempt,
  withdrawUnsentAttempt,
  type DebitAttemptRow,
  type DebitContext,
} from '../db/repositories/debits';
import { PersonalDataUnreadable, type PiiCipher } from '../db/pii-cipher';
import type { BankAnswer, BankPort, BankQueryAnswer, DebitExpectation } from '../integrations/bank/port';
import type { StageRows } from '../domain/renewal-stage';
import { requireCycle, writeStage } from './cycle-activities';
import { recordIfRefused } from './refused-answers';
import { activityOrigin, auditOf, type CycleRef, type Origin } from './origin';
import { reportUnreadable, UNREADABLE_RULE } from './personal-data-unreadable';
import { readAccount, submitOnce, type AccountInClear } from './submit-once';

/** How long collectDebit keeps asking about an accepted debit before leaving it to the cycle's checks. */
export interface DebitTiming {
  settleWithinMs: number;
  pollEveryMs: number;
}

export const DEFAULT_DEBIT_TIMING: DebitTiming = { settleWithinMs: 20_000, pollEveryMs: 1_000 };

type Final = Extract<BankAnswer, { status: 'succeeded' | 'failed' }>;

/**
 * A mandate whose account cannot be decrypted: the insurer's mandate data is unusable, as when the
 * scheme says mandate data is missing (MD02): NO_MANDATE, never the customer's fault, not retried
 * until the account is updated.
 */
const UNREADABLE_MANDATE: Classified = { ...REASON_RULES.NO_MANDATE, reason: 'NO_MANDATE', rawCode: UNREADABLE_RULE };

export function createDebitActivities(deps: { db: Knex; cipher: PiiCipher; bank: BankPort; debitTiming?: DebitTiming }) {
  const { db, bank } = deps;
  const timing = deps.debitTiming ?? DEFAULT_DEBIT_TIMING;

  /** The cycle's premium and active mandate; a premium not on file is no more fixable by retrying. */
  async function requireDebitContext(ref: CycleRef): Promise<DebitContext> {
    const context = await loadDebitContext(db, ref.policyNo, ref.dueDate);
    if (!context) throw ApplicationFailure.nonRetryable(`no premium due for policy ${ref.policyNo} on ${ref.dueDate}`, 'PremiumNotFound');
    return context;
  }

  /** Records a final answer (success with its payment, or the classified failure) with its audit row. */
  async function settle(ref: CycleRef, o: Origin, attempt: DebitAttemptRow, answer: Final, accountMasked: string, stages?: StageRows): Promise<DebitResult> {
    const outcome: FinalOutcome =
      answer.status === 'succeeded'
        ? { status: 'succeeded', bankRef: answer.bankRef, at: o.at }
        : { status: 'failed', classified: bank.classify(answer.rawCode), bankRef: answer.bankRef, at: o.at };
    // A payment's row names the account debited, masked.
    const detail = outcome.status === 'succeeded' ? { account: accountMasked } : {};
    const paidStage = stages?.resulting ? (trx: Knex) => writeStage(trx, ref, o, 'PAID') : undefined;
    const recorded = await recordOutcome(db, attempt, outcome, { ...auditOf(ref, o), detail }, paidStage);
    if (recorded) return recorded;
    // Another path (a callback, a status report) settled the attempt meanwhile: its answer stands.
    const now = await attemptOf(db, attempt.premium_due_id, attempt.attempt_no);
    return (now && storedResult(now, Date.now())) ?? { status: 'pending' };
  }

  /** What an answer about an attempt must say: its amount, from the account it was sent to. */
  const expectationOf = (attempt: DebitAttemptRow, mandate: { accountMasked: string } | undefined): DebitExpectation => ({
    amountFen: attempt.amount_fen,
    accountMasked: attempt.debtor_account_masked ?? mandate?.accountMasked ?? '',
  });

  /** Asks the bank about an accepted debit until it answers or the time allowed runs out. */
  async function pollAccepted(key: string, expected: DebitExpectation): Promise<BankQueryAnswer> {
    const deadline = Date.now() + timing.settleWithinMs;
    for (;;) {
      const known = await bank.queryDebit(key, expected);
      await recordIfRefused(db, key, known);
      if (known.status === 'succeeded' || known.status === 'failed' || Date.now() >= deadline) return known;
      Context.current().heartbeat({ key, waiting: known.status });
      await Context.current().sleep(timing.pollEveryMs);
    }
  }

  return {
    /**
     * One debit attempt. The attempt row and its idempotency key are stored before submission. A
     * retry of this activity (after a crash, a timeout or an unknown answer) asks the bank about that
     * key first; it sends again only when the bank has no record of it and never accepted it, and
     * then under the same key, which the bank refuses to book twice (EndToEndId / REQ_SN), so a late
     * original cannot debit twice. A new key is never made for the same attempt.
     */
    async collectDebit(ref: CycleRef, attemptNo: number, collectionDate: string, stages?: StageRows): Promise<DebitResult> {
      // The premium and the mandate in one round trip (docs/architecture.md#hot-paths).
      const { premiumDueId, amountFen, mandate } = await requireDebitContext(ref);
      // Revoked since the cycle opened: a failed attempt the cycle can act on, not a crash.
      if (!mandate) return { status: 'failed', ...REASON_RULES.NO_MANDATE, reason: 'NO_MANDATE' };
      const o = activityOrigin();
      // Read before the row is stored, so a first try stores it as submitted and sends at once. An
      // account that cannot be read is stored as prepared and never reaches the bank (below).
      let account: AccountInClear | undefined;
      try {
        account = readAccount(deps.cipher, mandate);
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadable)) throw error;
      }
      const { attempt, fresh } = await storeAttempt(db, {
        premiumDueId,
        attemptNo,
        bankCode: mandate.bankCode,
        debtorAccountMasked: mandate.accountMasked,
        amountFen,
        collectionDate,
        workflowId: o.workflowId,
        runId: o.runId,
        activityId: o.activityId,
        ...(account ? { submittedAt: o.at } : {}),
      });
      const earlier = storedResult(attempt, Date.now());
      if (earlier) return earlier;

      let sent: BankQueryAnswer;
      try {
        sent = await submitOnce(deps, {
          idempotencyKey: attempt.idempotency_key,
          mandate,
          // As stored with the attempt: a retry asks for the amount its key was made for.
          amountFen: Number(attempt.amount_fen),
          collectionDate,
          ...(attempt.debtor_account_masked ? { sentToAccountMasked: attempt.debtor_account_masked } : {}),
          // The bank said it holds this debit; not finding it now is the bank's problem to explain, not a
          // reason to send it again: leave it to the cycle's checks (and operations).
          maySend: attempt.status !== 'accepted',
          // This try made the key (the row is new): nobody can have sent it, the bank is not asked
          // first, and the row already says submitted. Any other try asks the bank before anything.
          ...(fresh ? { firstSubmission: true, ...(account ? { account } : {}) } : { beforeSend: () => markSubmitted(db, attempt.id, o.at) }),
        });
      } catch (error) {
        if (!(error instanceof PersonalDataUnreadable)) throw error;
        // Never sent: the attempt fails on the insurer's side, operations get a task, the cycle goes on.
        await reportUnreadable(db, ref, o, error, `debit_${attemptNo}`);
        const recorded = await recordOutcome(db, attempt, { status: 'failed', classified: UNREADABLE_MANDATE, at: o.at }, { ...auditOf(ref, o), detail: { keyId: error.keyId } });
        const now = recorded ? undefined : await attemptOf(db, attempt.premium_due_id, attempt.attempt_no);
        return recorded ?? (now && storedResult(now, Date.now())) ?? { status: 'pending' };
      }
      await recordIfRefused(db, attempt.idempotency_key, sent);
      if (sent.status === 'not_found') return { status: 'pending' };
      let answer: BankAnswer = sent;

      if (answer.status === 'accepted') {
        await markAccepted(db, attempt.id, answer.bankRef);
        const later = await pollAccepted(attempt.idempotency_key, expectationOf(attempt, mandate));
        if (later.status !== 'succeeded' && later.status !== 'failed') return { status: 'pending' };
        answer = later;
      }
      if (answer.status === 'unknown') {
        await markUnknown(db, attempt.id, answer.rawCode);
        // Retried by Temporal with backoff; the retry asks the bank before anything else.
        throw ApplicationFailure.retryable(`bank answer unknown for ${attempt.idempotency_key}`, 'DebitOutcomeUnknown');
      }
      return settle(ref, o, attempt, answer, mandate.accountMasked, stages);
    },

    /**
     * A hold came while this attempt waits for the day's bank file: taken back unless a file has
     * carried it (or it was settled meanwhile), when it stands and its answer is awaited. An online
     * bank has every accepted attempt already: nothing to take back.
     */
    async withdrawQueuedDebit(ref: CycleRef, attemptNo: number): Promise<{ withdrawn: boolean }> {
      if (!bank.queuesUntilFileSent) return { withdrawn: false };
      const cycle = await requireCycle(db, ref);
      const attempt = await attemptOf(db, cycle.premiumDueId, attemptNo);
      if (!attempt) throw ApplicationFailure.nonRetryable(`no debit attempt ${attemptNo} for ${ref.policyNo} ${ref.dueDate}`, 'DebitAttemptNotFound');
      // A retry after the first try committed: the row already says so, and its audit row went with it.
      if (attempt.status === 'withdrawn') return { withdrawn: true };
      const o = activityOrigin();
      const withdrawn = await db.transaction(async (trx) => {
        if (!(await withdrawUnsentAttempt(trx, attempt.id, o.at))) return false;
        await appendAudit(trx, {
          ...auditOf(ref, o),
          kind: 'debit_withdrawn',
          detail: { attemptNo, idempotencyKey: attempt.idempotency_key, why: 'collection held before the bank file was sent' },
        });
        return true;
      });
      return { withdrawn };
    },

    /**
     * An attempt still in flight, asked about by the cycle: the database first (a status report or
     * callback may have settled it), then the bank. Still open → pending, checked again later.
     */
    async checkDebit(ref: CycleRef, attemptNo: number, stages?: StageRows): Promise<DebitResult> {
      const { premiumDueId, mandate } = await requireDebitContext(ref);
      const attempt = await attemptOf(db, premiumDueId, attemptNo);
      if (!attempt) throw ApplicationFailure.nonRetryable(`no debit attempt ${attemptNo} for ${ref.policyNo} ${ref.dueDate}`, 'DebitAttemptNotFound');
      const earlier = storedResult(attempt, Date.now());
      if (earlier) return earlier;
      const known = await bank.queryDebit(attempt.idempotency_key, expectationOf(attempt, mandate));
      await recordIfRefused(db, attempt.idempotency_key, known);
      if (known.status !== 'succeeded' && known.status !== 'failed') return { status: 'pending' };
      return settle(ref, activityOrigin(), attempt, known, mandate?.accountMasked ?? 'account on file', stages);
    },
  };
}
