/**
 * The plan laid out on the calendar for one premium: every reminder, call, debit and notice with
 * the instant it falls due. Pure and recomputed on every decision, so a payment or a failed debit
 * changes what comes next without any timer bookkeeping.
 */
import type { BusinessCalendar } from './business-calendar';
import { addDays, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';
import { preferredNoticeChannel, type ContactChannel, type PlanChannel, type PreferredChannel } from './channels';
import { isHighValue, type CollectionPlan, type ContactStep, type PERIODS_PER_YEAR } from './collection-plan';
import type { CycleState } from './cycle-state';
import type { DebitReason } from './debit-reasons';

/** What the cycle knows of its policy: no personal data, only what the rules route on. */
export interface PolicySnapshot {
  dueDate: CivilDate;
  graceDays: number;
  premiumFen: number;
  paymentFrequency: keyof typeof PERIODS_PER_YEAR;
  segment: string | null;
  preferredChannel: PreferredChannel | null;
  hasMandate: boolean;
  aplElected: boolean;
  cashValueFen: number;
}

export type ScheduledStep =
  | {
      kind: 'contact';
      step: string;
      at: number;
      template: string;
      channels: ContactChannel[];
      allChannels: boolean;
      reason?: DebitReason;
      /** Past this instant the message no longer makes sense (a pre-due reminder once the due date came). */
      expiresAt?: number;
    }
  | { kind: 'task'; step: string; at: number; task: 'call' | 'escalation'; assignee: 'agent' | 'team_lead' }
  | { kind: 'debit'; step: string; at: number; collectionDate: CivilDate };

export type DebitStep = Extract<ScheduledStep, { kind: 'debit' }>;

export function lastGraceDay(snapshot: Pick<PolicySnapshot, 'dueDate' | 'graceDays'>): CivilDate {
  return addDays(snapshot.dueDate, snapshot.graceDays);
}

/** 00:00 of the day after the last grace day: the instant of suspension if still unpaid. */
export function lapseInstant(snapshot: PolicySnapshot): number {
  return shanghaiInstant(addDays(lastGraceDay(snapshot), 1));
}

/** WeChat or SMS when the customer prefers a channel we cannot send a reminder on. */
function resolveChannels(channels: readonly PlanChannel[], preferred: PolicySnapshot['preferredChannel']): ContactChannel[] {
  const resolved = channels.map((c): ContactChannel => (c === 'preferred' ? preferredNoticeChannel(preferred) : c));
  return [...new Set(resolved)];
}

function contactAt(plan: CollectionPlan, snapshot: PolicySnapshot, s: ContactStep): ScheduledStep {
  return {
    kind: 'contact',
    step: s.step,
    at: shanghaiInstant(addDays(snapshot.dueDate, s.offsetDays), plan.contactTime),
    template: s.template,
    channels: resolveChannels(s.channels, snapshot.preferredChannel),
    allChannels: s.allChannels ?? false,
  };
}

/**
 * Debit dates: each planned offset moved to the next bank business day. The final sweep must stay
 * inside grace, so one that would move past the last grace day moves back instead; attempts that
 * land on a date already used (a holiday block) are dropped.
 */
export function debitSchedule(plan: CollectionPlan, snapshot: PolicySnapshot, calendar: BusinessCalendar): DebitStep[] {
  const graceEnd = lastGraceDay(snapshot);
  const steps: DebitStep[] = [];
  let previous: CivilDate | undefined;
  plan.debitOffsets.forEach((offset, index) => {
    let date = calendar.nextBusinessDay(addDays(snapshot.dueDate, offset));
    if (date > graceEnd) date = calendar.previousBusinessDay(graceEnd);
    if (date < snapshot.dueDate || (previous !== undefined && date <= previous)) return;
    previous = date;
    steps.push({ kind: 'debit', step: `debit_${index + 1}`, at: shanghaiInstant(date, plan.debitTime), collectionDate: date });
  });
  return steps;
}

/** Every step of the plan before and during grace, in time order, with the failed-debit notices so far. */
export function cycleSchedule(plan: CollectionPlan, snapshot: PolicySnapshot, calendar: BusinessCalendar, state: CycleState): ScheduledStep[] {
  const highValue = isHighValue(plan, snapshot);
  const steps: ScheduledStep[] = [
    ...plan.reminders.map((s) => ({ ...contactAt(plan, snapshot, s), expiresAt: shanghaiInstant(snapshot.dueDate) })),
    ...plan.graceNotices.filter((s) => !s.withCashValueOnly || snapshot.cashValueFen > 0).map((s) => contactAt(plan, snapshot, s)),
    ...plan.tasks
      .filter((t) => highValue || !t.highValueOnly)
      .map((t): ScheduledStep => ({
        kind: 'task',
        step: t.step,
        at: shanghaiInstant(addDays(snapshot.dueDate, t.offsetDays), plan.contactTime),
        task: t.kind,
        assignee: t.assignee,
      })),
    ...debitSchedule(plan, snapshot, calendar),
  ];
  for (const debit of state.debits) {
    const returned = debit.outcome === 'returned' && debit.returnedAt !== undefined;
    if (debit.outcome !== 'failed' && !returned) continue;
    // A failure is told the morning after its collection date; a return the morning after it arrived.
    const noticeDay = addDays(returned ? shanghaiDate(debit.returnedAt!) : debit.collectionDate, 1);
    steps.push({
      kind: 'contact',
      step: `debit_${returned ? 'returned' : 'failed'}_notice_${debit.attemptNo}`,
      at: shanghaiInstant(noticeDay, plan.contactTime),
      template: plan.failedDebitNotice.template,
      channels: resolveChannels(plan.failedDebitNotice.channels, snapshot.preferredChannel),
      allChannels: false,
      reason: debit.reason,
    });
  }
  return steps.sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/** Same instant: open the task, then contact, then debit (a reminder never trails its debit). */
const KIND_ORDER = { task: 0, contact: 1, debit: 2 } as const;

/** The notices after suspension: the plan's lapse messages and the lapse letter. */
export function lapseSchedule(plan: CollectionPlan, snapshot: PolicySnapshot, calendar: BusinessCalendar): ScheduledStep[] {
  const lapseDate = addDays(lastGraceDay(snapshot), 1);
  const letterDate = calendar.nextBusinessDay(lapseDate);
  return [
    ...plan.lapseNotices.map((s) => contactAt(plan, snapshot, s)),
    {
      kind: 'contact' as const,
      step: 'lapse_letter',
      at: shanghaiInstant(letterDate, plan.debitTime),
      template: 'lapse_letter',
      channels: ['letter' as const],
      allChannels: false,
    },
  ].sort((a, b) => a.at - b.at);
}
