import { proxyActivities, sleep } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import type { CivilDate } from '../domain/civil-date';
import type { ServicingRole } from '../domain/orphans';

/** IDs and dates only: who serves the policy now is read by the activity when the notice goes. */
export interface OrphanNoticeInput {
  policyNo: string;
  agentCode: string;
  departedOn: CivilDate;
  /** When it goes: 10:00 on the first business day after the departure (domain/orphans.ts). */
  sendAt: number;
  /** The last day it may go: departure + 30 days. */
  lastDay: CivilDate;
}

export interface OrphanNoticeResult {
  sent: string[];
  suppressed: { channel: string; rule: string }[];
  servicingRole: ServicingRole;
  /** The day it went (Asia/Shanghai), to compare with lastDay. */
  sentAt: string;
}

/**
 * A provider that cannot take the notice now is retried (the row written first is found again and
 * the provider asked before resending); a retry every hour at most keeps it well inside the 30 days.
 */
const { sendOrphanNotice } = proxyActivities<RenewalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/**
 * One orphan notice (docs/business-rules.md#orphan-policies): a plan step of its own, started per
 * policy and departure by `renewals agents depart`. It waits for its planned time, then sends the
 * notice through the contact path, where the contact rules apply and suppressions are recorded.
 */
export async function orphanNotice(input: OrphanNoticeInput): Promise<OrphanNoticeResult> {
  const wait = input.sendAt - Date.now();
  if (wait > 0) await sleep(wait);
  const outcome = await sendOrphanNotice({ policyNo: input.policyNo, agentCode: input.agentCode, departedOn: input.departedOn });
  return { sent: outcome.sent, suppressed: outcome.suppressed, servicingRole: outcome.servicingRole, sentAt: new Date(Date.now()).toISOString() };
}
