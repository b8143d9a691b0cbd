import type { BusinessCalendar } from './business-calendar';
import { addDays, daysBetween, isCivilDate, shanghaiDate, shanghaiInstant, type CivilDate } from './civil-date';

/**
 * Orphan policies (孤儿单): the servicing agent has departed. The customer is told in writing within
 * ORPHAN_NOTICE_DAYS of the departure who serves them now, and servicing is reassigned
 * (docs/business-rules.md#orphan-policies).
 */

/** The customer is told within this many days of the agent's departure. [REG] */
export const ORPHAN_NOTICE_DAYS = 30;

/** The hour (Asia/Shanghai) the notice is planned for: inside the contact window, in office hours. */
export const ORPHAN_NOTICE_TIME = '10:00';

/** The plan step the orphan notice is recorded under, on every contact row and audit row. */
export const ORPHAN_NOTICE_STEP = 'orphan_notice';

/** Who serves an orphan policy now, as the notice names them. */
export const SERVICING_ROLES = ['agent', 'team_lead'] as const;
export type ServicingRole = (typeof SERVICING_ROLES)[number];

export interface OrphanNoticePlan {
  /** When the notice is sent: 10:00 on the first business day after the departure. */
  sendAt: number;
  /** The last day it may go (departure + 30 days). */
  lastDay: CivilDate;
  /** The departure was recorded so late that the notice cannot go by lastDay: it goes at once. */
  late: boolean;
}

/** 10:00 on the first business day after `day` (or on `day` itself when `inclusive`). */
function nextBusinessMorning(day: CivilDate, calendar: BusinessCalendar, inclusive: boolean): number {
  let d = inclusive ? day : addDays(day, 1);
  while (!calendar.isBusinessDay(d)) d = addDays(d, 1);
  return shanghaiInstant(d, ORPHAN_NOTICE_TIME);
}

/**
 * The notice goes at 10:00 of the first business day after the departure day, which is always well
 * inside the 30 days (the longest run of non-business days, Spring Festival, is 9 days). A departure
 * recorded after that moment is told at the next business morning from `now`.
 */
export function orphanNoticePlan(departedOn: CivilDate, calendar: BusinessCalendar, now?: number): OrphanNoticePlan {
  if (!isCivilDate(departedOn)) throw new RangeError(`departure date must be YYYY-MM-DD, got ${JSON.stringify(departedOn)}`);
  const lastDay = addDays(departedOn, ORPHAN_NOTICE_DAYS);
  let sendAt = nextBusinessMorning(departedOn, calendar, false);
  if (now !== undefined && sendAt < now) {
    const today = shanghaiDate(now);
    sendAt = nextBusinessMorning(today, calendar, now < shanghaiInstant(today, ORPHAN_NOTICE_TIME));
  }
  return { sendAt, lastDay, late: daysBetween(shanghaiDate(sendAt), lastDay) < 0 };
}

/**
 * One notice per policy and departure: the workflow ID says which, so recording the same departure
 * twice starts nothing new.
 */
export function orphanNoticeWorkflowId(policyNo: string, agentCode: string, departedOn: CivilDate): string {
  return `orphan-notice-${policyNo}-${agentCode}-${departedOn}`;
}

/**
 * Policies spread over a team's active agents: sorted by policy number, dealt in turn to the agents
 * sorted by code, so the same policies and agents always give the same assignment.
 */
export function spreadOverAgents(policyNos: readonly string[], agentCodes: readonly string[]): Map<string, string> {
  const agents = [...new Set(agentCodes)].sort();
  if (agents.length === 0) throw new RangeError('no active agent to reassign the policies to');
  const policies = [...new Set(policyNos)].sort();
  return new Map(policies.map((policyNo, i) => [policyNo, agents[i % agents.length]!]));
}

/** An agent code as the CLI and imports accept it. */
export function isAgentCode(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(value);
}
