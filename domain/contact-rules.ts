import type { ContactChannel } from './channels';
import type { HoldKind } from './holds';
import { addDays, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';

/**
 * Contact rules (docs/business-rules.md#contact-rules), checked before every
 * contact. Pure: the caller passes the clock and the customer's sent contacts, and records the
 * decision whether or not the contact is suppressed.
 */

export type SuppressionRule =
  | 'quiet_hours'
  | 'daily_cap'
  | 'weekly_cap'
  | 'promise_to_pay'
  | 'hold'
  | 'opt_out'
  | 'no_verified_contact'
  | 'flagged_number';

export interface ContactLimits {
  /** 'HH:MM' Asia/Shanghai; the window is [windowStart, windowEnd) on one day, so it cannot span midnight. */
  windowStart: string;
  windowEnd: string;
  maxPerChannelPerDay: number;
  maxPerRolling7Days: number;
}

/** The caps are an assumption, not law (docs/business-rules.md#contact-caps): configurable. */
export const DEFAULT_CONTACT_LIMITS: Readonly<ContactLimits> = {
  windowStart: '09:00',
  windowEnd: '21:00',
  maxPerChannelPerDay: 1,
  maxPerRolling7Days: 3,
};

/** Channels that reach a person at once. Email and letters wait until read, so they may go out any time. */
export const QUIET_HOURS_CHANNELS: readonly ContactChannel[] = ['sms', 'wechat', 'phone'];

/**
 * The automated messages: the only channels capped, and the only ones counted by the caps. A phone
 * contact is a call task for an agent, who decides whether and when to call; the task is not itself
 * a message, and capping it would silently drop the grace follow-ups the plan relies on. A letter is
 * a formal notice the insurer may owe (the lapse letter) and intrudes on no one.
 */
export const CAPPED_CHANNELS: readonly ContactChannel[] = ['sms', 'wechat', 'email'];

/** A contact point also on file for this many other, unrelated customers (重复电话) is flagged. */
export const SHARED_CONTACT_THRESHOLD = 2;

const ROLLING_WEEK_MS = 7 * 24 * 3_600_000;

function assertLimits(limits: ContactLimits): void {
  const probe = '2000-01-01';
  if (shanghaiInstant(probe, limits.windowStart) >= shanghaiInstant(probe, limits.windowEnd)) {
    throw new RangeError(`contact window must open before it closes: ${limits.windowStart}–${limits.windowEnd}`);
  }
  for (const [name, cap] of [['maxPerChannelPerDay', limits.maxPerChannelPerDay], ['maxPerRolling7Days', limits.maxPerRolling7Days]] as const) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`${name} must be a whole number >= 1, got ${cap}`);
  }
}

/** The instant a contact due at `now` may go out on `channel`: `now` inside the window, else its next opening. */
export function contactWindowOpening(now: number, limits: ContactLimits, channel: ContactChannel): number {
  assertLimits(limits);
  if (!QUIET_HOURS_CHANNELS.includes(channel)) return now;
  const today = shanghaiDate(now);
  const opens = shanghaiInstant(today, limits.windowStart);
  if (now < opens) return opens;
  if (now < shanghaiInstant(today, limits.windowEnd)) return now;
  return shanghaiInstant(addDays(today, 1), limits.windowStart);
}

export interface ContactPoint {
  status: 'valid' | 'invalid' | 'unverified';
  flags: {
    /** Code of the agent whose registered number this is. */
    sameAsAgent?: string;
    /** How many other, unrelated customers have the same contact point on file. */
    sharedBy?: number;
  };
}

export interface SentContact {
  channel: ContactChannel;
  at: number;
}

export interface ContactCheck {
  channel: ContactChannel;
  now: number;
  /** The policyholder's own contact point for the channel; undefined when none is on file. */
  contactPoint: ContactPoint | undefined;
  /** Contacts sent to this customer, on any policy. */
  recentContacts: readonly SentContact[];
  /** Promised payment date of a promise-to-pay. */
  promiseUntil?: CivilDate;
  holds: readonly HoldKind[];
  /** Marketing opt-out. */
  optedOut?: boolean;
  /** A service (contract) notice rather than marketing; every renewal notice is one. */
  serviceNotice: boolean;
  /**
   * Tells the customer the contract's standing changed (suspended, terminated, reinstated, a payment
   * applied, a decision on an application). The caps keep reminders from crowding a customer; they
   * must not keep such news from them, so it goes past both caps (it still counts against later
   * reminders). Quiet hours and every other rule still apply.
   */
  statusChange?: boolean;
  limits: ContactLimits;
}

/** retryAt: when the reported rule stops applying (time rules only). Another rule may apply then: check again. */
export type ContactDecision = { allowed: true } | { allowed: false; rule: SuppressionRule; retryAt?: number };

/**
 * First matching rule wins: hold, promise_to_pay, no_verified_contact, flagged_number, opt_out,
 * quiet_hours, daily_cap, weekly_cap. The customer's case (hold, promise) comes first, then whether
 * there is a usable contact point and consent, and the timing rules last, so a suppression is
 * recorded under its most fundamental reason.
 */
export function checkContact(input: ContactCheck): ContactDecision {
  const { channel, now, contactPoint, limits } = input;
  assertLimits(limits);

  if (input.holds.length > 0) return { allowed: false, rule: 'hold' };

  if (input.promiseUntil !== undefined) {
    // "Until the promised date + 1 day" is read as through the end of that day: a promise to pay on
    // the 10th keeps contacts off through the 11th, and they resume at 00:00 of the 12th.
    const resumesAt = shanghaiInstant(addDays(input.promiseUntil, 2));
    if (now < resumesAt) return { allowed: false, rule: 'promise_to_pay', retryAt: resumesAt };
  }

  if (contactPoint === undefined || contactPoint.status !== 'valid') return { allowed: false, rule: 'no_verified_contact' };
  const { sameAsAgent, sharedBy = 0 } = contactPoint.flags;
  if (sameAsAgent !== undefined || sharedBy >= SHARED_CONTACT_THRESHOLD) return { allowed: false, rule: 'flagged_number' };

  // Opt-out withdraws consent to marketing only; service notices rest on the contract (PIPL Art. 13(2)).
  if (input.optedOut === true && !input.serviceNotice) return { allowed: false, rule: 'opt_out' };

  const opening = contactWindowOpening(now, limits, channel);
  if (opening > now) return { allowed: false, rule: 'quiet_hours', retryAt: opening };

  if (!CAPPED_CHANNELS.includes(channel) || input.statusChange === true) return { allowed: true };
  const counted = input.recentContacts.filter((c) => CAPPED_CHANNELS.includes(c.channel) && c.at <= now);

  const today = shanghaiDate(now);
  const sameChannelToday = counted.filter((c) => c.channel === channel && shanghaiDate(c.at) === today).length;
  if (sameChannelToday >= limits.maxPerChannelPerDay) {
    const tomorrow = shanghaiInstant(addDays(today, 1));
    return { allowed: false, rule: 'daily_cap', retryAt: contactWindowOpening(tomorrow, limits, channel) };
  }

  const inWindow = counted.filter((c) => c.at > now - ROLLING_WEEK_MS).map((c) => c.at).sort((a, b) => a - b);
  if (inWindow.length >= limits.maxPerRolling7Days) {
    // The count falls under the cap when this contact leaves the window (the oldest, unless over the cap).
    const leaving = inWindow[inWindow.length - limits.maxPerRolling7Days]!;
    return { allowed: false, rule: 'weekly_cap', retryAt: leaving + ROLLING_WEEK_MS };
  }

  return { allowed: true };
}

export interface CallTaskRouting {
  agentCode: string | null;
  /** null: the agent code is not in the agents file. */
  agentStatus: 'active' | 'departed' | null;
  teamLeadCode: string | null;
  escalation: boolean;
}

export interface CallTaskAssignment {
  assigneeRole: 'agent' | 'team_lead' | 'operations';
  assigneeCode: string | null;
  /** No agent or a departed one: the customer must be told within 30 days and servicing reassigned (§2.7). */
  orphan: boolean;
}

/** Empty codes come from empty CSV cells; they mean none. */
function present(code: string | null): code is string {
  return code !== null && code !== '';
}

/**
 * A call task goes to the servicing agent if active; orphan policies and escalations go to the team
 * lead, and to operations when no team lead is known. An agent code of unknown status is not called
 * orphan (nobody is known to have left) but is not trusted with the task either.
 */
export function routeCallTask(input: CallTaskRouting): CallTaskAssignment {
  const orphan = !present(input.agentCode) || input.agentStatus === 'departed';
  if (present(input.agentCode) && input.agentStatus === 'active' && !input.escalation) {
    return { assigneeRole: 'agent', assigneeCode: input.agentCode, orphan };
  }
  if (present(input.teamLeadCode)) return { assigneeRole: 'team_lead', assigneeCode: input.teamLeadCode, orphan };
  return { assigneeRole: 'operations', assigneeCode: null, orphan };
}
