/**
 * The renewal cycle's contract with clients: input, result, updates, signals, queries and
 * search-attribute keys. Shared by workflows and clients, so it imports only Temporal's workflow
 * API and domain types. Everything here carries IDs and non-personal data only.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CalendarNotice } from '../domain/calendar-notice';
import type { CivilDate } from '../domain/civil-date';
import type { DebitResult } from '../domain/cycle-state';
import type { HoldKind } from '../domain/holds';
import type { NonPaymentReasonCode } from '../domain/non-payment-reasons';
import type { PaidVia, ReportedVia } from '../domain/payments';
import type { LapseNotice } from '../domain/reinstatement-window';
import type { RenewalStage } from '../domain/renewal-stage';

export const RENEWAL_TASK_QUEUE = 'renewals';

export const PolicyNo = defineSearchAttributeKey('PolicyNo', 'KEYWORD');
/** Civil date 'YYYY-MM-DD' as a keyword: exact and range filters read as the operators write them. */
export const DueDate = defineSearchAttributeKey('DueDate', 'KEYWORD');
export const RenewalStageKey = defineSearchAttributeKey('RenewalStage', 'KEYWORD');
export const Branch = defineSearchAttributeKey('Branch', 'KEYWORD');
export const Channel = defineSearchAttributeKey('Channel', 'KEYWORD');
export const RunMonth = defineSearchAttributeKey('RunMonth', 'KEYWORD');

/** Every key, registered on every server the project starts. */
export const SEARCH_ATTRIBUTES = [PolicyNo, DueDate, RenewalStageKey, Branch, Channel, RunMonth];

export interface RenewalCycleInput {
  policyNo: string;
  dueDate: CivilDate;
  /** YYYY-MM of the monthly run that started the cycle, when one did. */
  runMonth?: string;
  /** Set when the cycle continues as new after suspension: the reinstatement window stage. */
  reinstatementWindow?: { lapsedAt: number; branch: string; channel: string; lapseNotices?: LapseNotice[] };
}

export interface RenewalCycleResult {
  stage: RenewalStage;
  paidVia?: PaidVia;
  debitAttempts: number;
  /** Normalised reason of the last failed debit, if any. */
  lastReason?: string;
  lapsedAt?: string;
  /** How the reinstatement window ended. */
  outcome?: 'reinstated' | 'terminated' | 'reduced_paid_up';
  reinstatedOn?: CivilDate;
  terminatedOn?: CivilDate;
}

/** The status's next action while a cycle or its window stage runs its opening activity. */
export const OPENING = 'opening';

export interface RenewalCycleStatus {
  stage: RenewalStage;
  nextAction: string;
  nextActionAt?: string;
  debitAttempts: number;
  holds: HoldKind[];
  promiseUntil?: CivilDate;
  lastContact?: { step: string; sent: string[]; suppressed: string[] };
  /** Contact steps owed because their provider could not take them: when they are tried next, and why. */
  contactsWaiting?: { step: string; tries: number; retryAt: string; reason: string }[];
  plan?: string;
  /** What is still owed after part payments (docs/business-rules.md#payment-amounts); absent before any. */
  owedFen?: number;
  /** The last operator update the cycle took and the person who sent it (an opaque reference). */
  lastSigned?: { update: string; by: string };
  /** The agent code servicing was moved to while the cycle ran (renewals policies reassign). */
  servicingAgent?: string;
  /** In the reinstatement window: its dates, the open application, the reminders done. */
  reinstatement?: {
    suspensionDate: CivilDate;
    lastDayToApply: CivilDate;
    highValue: boolean;
    application?: string;
    remindersDone: string[];
  };
}

export const statusQuery = defineQuery<RenewalCycleStatus>('status');

/**
 * Who sent an operator's update: the person's opaque reference (`user:42`, never a name), the actor
 * of the audit row the cycle writes for it (docs/architecture.md#people). Histories recorded before
 * carry none: their rows keep the workflow's own actor.
 */
export interface SignedBy {
  by?: string;
}

/** The person an update names; histories recorded before sent some updates with no argument at all. */
export function signerOf(signed: SignedBy | undefined): string | undefined {
  return signed?.by;
}

/**
 * A payment reported to the cycle: its way and reference, and (docs/business-rules.md#payment-amounts)
 * the amount in fen and the instant it was paid (ISO 8601). Without an amount it is the whole premium
 * still owed; without a paid-at it was paid when reported (histories recorded before carry neither).
 */
export interface ReportedPayment {
  via: ReportedVia;
  reference: string;
  amountFen?: number;
  paidAt?: string;
}

/** Operator and customer events: updates, so the caller hears at once if the cycle refuses one. */
export const paymentReceivedUpdate = defineUpdate<RenewalCycleStatus, [ReportedPayment & SignedBy]>('paymentReceived');
export const promiseToPayUpdate = defineUpdate<RenewalCycleStatus, [{ date: CivilDate } & SignedBy]>('promiseToPay');
export const customerRefusedUpdate = defineUpdate<RenewalCycleStatus, [{ reasonCode: NonPaymentReasonCode } & SignedBy]>('customerRefused');
export const holdPlacedUpdate = defineUpdate<RenewalCycleStatus, [{ kind: HoldKind } & SignedBy]>('holdPlaced');
export const holdReleasedUpdate = defineUpdate<RenewalCycleStatus, [{ kind: HoldKind } & SignedBy]>('holdReleased');
export const accountUpdatedUpdate = defineUpdate<RenewalCycleStatus, [SignedBy]>('accountUpdated');
export const taskCompletedUpdate = defineUpdate<RenewalCycleStatus, [{ step: string; outcome: string } & SignedBy]>('taskCompleted');

/** From integrations, not people: a contact point changed, an asynchronous debit result arrived. */
export const contactUpdatedSignal = defineSignal<[]>('contactUpdated');
export const bankResultSignal = defineSignal<[{ attemptNo: number; result: DebitResult }]>('bankResult');
/**
 * `renewals calendar import` loaded a State Council notice for a year this cycle's dates touch
 * (docs/business-rules.md#business-calendar): the year's days off and make-up workdays, no personal data.
 */
export const calendarChangedSignal = defineSignal<[CalendarNotice]>('calendarChanged');


/**
 * Servicing of the policy moved to another agent (renewals policies reassign): the cycle records it
 * in its trail and shows it in its status; the tasks it opens from then on go to that agent, as
 * routing is read from PostgreSQL when a task opens. An agent code, never a name.
 */
export const servicingReassignedSignal = defineSignal<[{ agentCode: string; from: string | null }]>('servicingReassigned');
