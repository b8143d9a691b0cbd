/**
 * What the policyholder is told of a reinstatement application: its approval with the back premiums
 * to pay, its decline, and the policy reinstated. News of the contract: every channel that works
 * (docs/business-rules.md#reinstatement). Dates, codes and fen only.
 */
import type { CivilDate } from './civil-date';
import type { NoticeChannel } from './channels';
import type { ReinstatementRecord } from './reinstatement';
import type { ApprovedBy, DeclineReason, ReinstatementApplication } from './reinstatement-application';
import type { ArrearsQuote } from './reinstatement-arrears';

export interface ApplicationNoticeFields {
  approvedBy?: ApprovedBy;
  backPremiumsFen?: number;
  interestFen?: number;
  totalDueFen?: number;
  payBy?: CivilDate;
  reinstatementWindowEnd?: CivilDate;
  declineReason?: DeclineReason;
  effectiveDate?: CivilDate;
  suicideExclusionEnds?: CivilDate;
  nextDueDate?: CivilDate;
}

/** A notice to send now, as the contact activity takes it. */
export interface ApplicationNotice {
  step: string;
  template: string;
  channels: NoticeChannel[];
  allChannels: true;
  fields: ApplicationNoticeFields;
}

/** Approved, with the quote for the day the notice goes out (the approval's own day at the earliest). */
export function approvalNotice(approval: NonNullable<ReinstatementApplication['approval']>, quote: ArrearsQuote): ApplicationNotice {
  return {
    step: 'reinstatement_approved',
    template: 'reinstatement_approved',
    channels: ['sms', 'email'],
    allChannels: true,
    fields: { approvedBy: approval.by, backPremiumsFen: quote.premiumsFen, interestFen: quote.interestFen, totalDueFen: quote.totalFen, payBy: approval.payBy },
  };
}

/** Declined, with the reason and the last day to apply again; a letter too. */
export function declineNotice(declineReason: DeclineReason | undefined, lastDayToApply: CivilDate): ApplicationNotice {
  return {
    step: 'reinstatement_declined',
    template: 'reinstatement_declined',
    channels: ['sms', 'email', 'letter'],
    allChannels: true,
    fields: { reinstatementWindowEnd: lastDayToApply, ...(declineReason ? { declineReason } : {}) },
  };
}

/** In force again: from when, what was paid, the restarted suicide exclusion and the next premium. */
export function reinstatedNotice(record: ReinstatementRecord): ApplicationNotice {
  return {
    step: 'policy_reinstated',
    template: 'policy_reinstated',
    channels: ['sms', 'email'],
    allChannels: true,
    fields: {
      effectiveDate: record.effectiveDate,
      suicideExclusionEnds: record.suicideExclusion.endsOn,
      totalDueFen: record.paidFen,
      ...(record.nextDueDate ? { nextDueDate: record.nextDueDate } : {}),
    },
  };
}
