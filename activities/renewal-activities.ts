import type { Knex } from 'knex';
import type { ContactLimits } from '../domain/contact-rules';
import type { PiiCipher } from '../db/pii-cipher';
import type { BankPort } from '../integrations/bank/port';
import type { EmailPort } from '../integrations/messaging/port';
import type { TextMessagePort } from '../integrations/messaging/text-channels';
import { createContactActivities } from './contact-activities';
import { createContactQualityActivities } from './contact-quality-activities';
import type { DebitResult } from '../domain/cycle-state';
import type { StageRows } from '../domain/renewal-stage';
import { createCycleActivities, writeStage } from './cycle-activities';
import { activityOrigin, type CycleRef } from './origin';
import type { StartCycle } from './cycle-starter';
import { createDebitActivities, type DebitTiming } from './debit-activities';
import { createLetterBatchActivities, type BatchLetters } from './letter-batch-activities';
import { createMonthlyRunActivities } from './monthly-run-activities';
import { failUnreadableForGood } from './personal-data-unreadable';
import { createReducedPaidUpActivities } from './reduced-paid-up-activities';
import { createReinstatedPolicyActivities } from './reinstated-policy-activities';
import { createReinstatementApplicationActivities } from './reinstatement-application-activities';
import { createReinstatementDebitActivities } from './reinstatement-debit-activities';
import { createReinstatementWindowActivities } from './reinstatement-window-activities';
import { createTaskSweepActivities } from './task-sweep-activities';

export type { CycleRef } from './origin';
export type { CycleToStart, StartCycle } from './cycle-starter';

export interface RenewalActivityDeps {
  db: Knex;
  cipher: PiiCipher;
  bank: BankPort;
  email: EmailPort;
  text: TextMessagePort;
  limits?: ContactLimits;
  /** How long a debit activity waits on an accepted debit (0 for file banks, which answer by report). */
  debitTiming?: DebitTiming;
  /** Starts cycles: the monthly run's pages and a reinstated policy's next premium (the worker supplies it). */
  startCycle?: StartCycle;
  /** The customer-service number notices give (SERVICE_HOTLINE; a placeholder when not given). */
  serviceHotline?: string;
  /** The premium's payment link for notices (online payment on; the worker supplies it). */
  payLinkFor?: (premiumDueId: number) => Promise<string | undefined>;
  /** Makes the day's letter batches for the scheduled run (the worker supplies it with its outbox folder). */
  letterBatches?: BatchLetters;
}

/**
 * A lean cycle's stage rows on the contact and debit steps (docs/architecture.md#stage-rows): the
 * stage the cycle entered is written by the step it takes in it, and a debit that pays writes PAID
 * (with the payment, in its transaction, when this step records it; on its own when a report or a
 * callback recorded it before).
 */
function withStageRows(db: Knex, contacts: ReturnType<typeof createContactActivities>, debits: ReturnType<typeof createDebitActivities>) {
  const entered = async (ref: CycleRef, stages: StageRows | undefined) => {
    if (!stages?.entered) return;
    const o = activityOrigin();
    await db.transaction((trx) => writeStage(trx, ref, o, stages.entered!));
  };
  const paid = async (ref: CycleRef, stages: StageRows | undefined, result: DebitResult) => {
    if (!stages?.resulting || result.status !== 'succeeded') return;
    const o = activityOrigin();
    await db.transaction((trx) => writeStage(trx, ref, o, 'PAID'));
  };
  return {
    async attemptContact(ref: CycleRef, request: Parameters<typeof contacts.attemptContact>[1], stages?: StageRows): ReturnType<typeof contacts.attemptContact> {
      await entered(ref, stages);
      return contacts.attemptContact(ref, request);
    },
    async collectDebit(ref: CycleRef, attemptNo: number, collectionDate: string, stages?: StageRows): Promise<DebitResult> {
      await entered(ref, stages);
      const result = await debits.collectDebit(ref, attemptNo, collectionDate, stages);
      await paid(ref, stages, result);
      return result;
    },
    async checkDebit(ref: CycleRef, attemptNo: number, stages?: StageRows): Promise<DebitResult> {
      await entered(ref, stages);
      const result = await debits.checkDebit(ref, attemptNo, stages);
      await paid(ref, stages, result);
      return result;
    },
  };
}

/** Every activity of the renewal cycle, the monthly run and reinstatement, with their ports injected. */
export function createRenewalActivities(deps: RenewalActivityDeps) {
  const contacts = createContactActivities(deps);
  const debits = createDebitActivities(deps);
  return failUnreadableForGood(deps.db, {
    ...createCycleActivities(deps),
    ...contacts,
    ...createContactQualityActivities(deps),
    ...debits,
    ...withStageRows(deps.db, contacts, debits),
    ...createMonthlyRunActivities(deps),
    ...createReinstatementWindowActivities(deps),
    ...createReinstatementApplicationActivities(deps),
    ...createReinstatementDebitActivities(deps),
    ...createReinstatedPolicyActivities(deps),
    ...createReducedPaidUpActivities(deps),
    ...createTaskSweepActivities(deps),
    ...createLetterBatchActivities(deps),
  });
}

export type RenewalActivities = ReturnType<typeof createRenewalActivities>;
