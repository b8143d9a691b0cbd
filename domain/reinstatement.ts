/**
 * The outcomes that end a suspension other than termination: reinstatement once the back premiums
 * are paid, and the reduced paid-up (减额交清) option offered at grace end and in the window.
 * The window, the application and the arrears quote are in reinstatement-window.ts,
 * reinstatement-application.ts and reinstatement-arrears.ts.
 */
import { addDays, addYears, isCivilDate, shanghaiDate, type CivilDate } from './civil-date';
import type { ArrearsQuote } from './reinstatement-arrears';
import { applyDeemedConsent, paymentAllowed, type ApprovedBy, type ReinstatementApplication } from './reinstatement-application';
import type { ReinstatementWindow } from './reinstatement-window';

/** Insurance Law Art. 44: suicide within 2 years of conclusion *or reinstatement* is excluded. */
export const SUICIDE_EXCLUSION_YEARS = 2;
/**
 * [PRACTICE] Misstatements in the reinstatement declaration are contestable for 2 years from
 * reinstatement, by analogy with the Art. 16 two-year bar from conclusion.
 */
export const CONTESTABILITY_YEARS = 2;

/** A period of whole years from a date: from that day to the day before the same date N years on. */
export interface RestartedPeriod {
  startsOn: CivilDate;
  /** Last day inside the period. */
  endsOn: CivilDate;
}

function yearsFrom(date: CivilDate, years: number): RestartedPeriod {
  return { startsOn: date, endsOn: addDays(addYears(date, years), -1) };
}

export interface ReinstatementRecord {
  /** Interp. (III) Art. 8: in force again from the day the back premiums are paid. */
  effectiveDate: CivilDate;
  approvedBy: ApprovedBy;
  paidFen: number;
  premiumsFen: number;
  interestFen: number;
  installmentsCovered: number;
  /** The next premium of the reinstated policy (a new cycle); null when the paying term is over. */
  nextDueDate: CivilDate | null;
  suicideExclusion: RestartedPeriod;
  contestability: RestartedPeriod;
}

/**
 * Reinstates on payment of exactly the quoted amount, on the quote's date, under an approval still
 * open. The application becomes 'reinstated'. Throws naming what does not match.
 */
export function reinstate(app: ReinstatementApplication, quote: ArrearsQuote, payment: { amountFen: number; at: number }): ReinstatementRecord {
  if (!Number.isSafeInteger(payment.amountFen) || payment.amountFen <= 0) throw new RangeError(`payment amountFen must be a positive whole number of fen, got ${String(payment.amountFen)}`);
  const paymentDate = shanghaiDate(payment.at);
  if (paymentDate !== quote.paymentDate) throw new RangeError(`the quote is for payment on ${quote.paymentDate}, not ${paymentDate}: quote again for the day of payment`);
  if (payment.amountFen !== quote.totalFen) {
    throw new RangeError(`payment of ${payment.amountFen} fen does not match the quoted ${quote.totalFen} fen (difference ${payment.amountFen - quote.totalFen})`);
  }
  const allowed = paymentAllowed(app, paymentDate);
  if (!allowed.allowed) throw new RangeError(`cannot reinstate: ${allowed.message}`);
  applyDeemedConsent(app, payment.at);
  app.status = 'reinstated';
  app.closedAt = payment.at;
  return {
    effectiveDate: paymentDate,
    approvedBy: app.approval!.by,
    paidFen: payment.amountFen,
    premiumsFen: quote.premiumsFen,
    interestFen: quote.interestFen,
    installmentsCovered: quote.lines.length,
    nextDueDate: quote.nextDueDate,
    suicideExclusion: yearsFrom(paymentDate, SUICIDE_EXCLUSION_YEARS),
    contestability: yearsFrom(paymentDate, CONTESTABILITY_YEARS),
  };
}

/**
 * Reduced paid-up (减额交清, docs/business-rules.md#reduced-paid-up): the cash value less unpaid
 * premiums with interest and loans with interest becomes a single premium for a reduced sum insured;
 * no more premiums. Offered, never pushed (using it to sell a new policy is prohibited conduct); the
 * policyholder chooses, and the policy administration system makes the change (an activity port).
 */
export type ReducedPaidUpStage = 'grace_end' | 'reinstatement_window';

export interface ReducedPaidUpValues {
  cashValueFen: number;
  unpaidPremiumFen: number;
  unpaidInterestFen: number;
  /** Policy loans and automatic premium loans, with their interest. */
  loansFen: number;
}

export interface ReducedPaidUpOffer extends ReducedPaidUpValues {
  stage: ReducedPaidUpStage;
  offeredOn: CivilDate;
  /** Last day to choose: the last grace day, or the last day of the reinstatement window. */
  validUntil: CivilDate;
  /** What buys the reduced cover. */
  netSinglePremiumFen: number;
}

export type ReducedPaidUpEligibility =
  | { eligible: true; offer: ReducedPaidUpOffer }
  | { eligible: false; reason: 'no_cash_value' | 'debts_exceed_cash_value'; message: string };

function checkFen(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number of fen >= 0, got ${String(value)}`);
}

/** Whether the option can be offered, and the offer: only with cash value left after debts. */
export function reducedPaidUpOffer(
  values: ReducedPaidUpValues,
  when: { stage: 'grace_end'; lastGraceDay: CivilDate; today: CivilDate } | { stage: 'reinstatement_window'; window: ReinstatementWindow; today: CivilDate },
): ReducedPaidUpEligibility {
  for (const [name, value] of Object.entries(values)) checkFen(name, value as number);
  if (!isCivilDate(when.today)) throw new RangeError(`today must be YYYY-MM-DD, got ${JSON.stringify(when.today)}`);
  const validUntil = when.stage === 'grace_end' ? when.lastGraceDay : when.window.lastDayToApply;
  if (!isCivilDate(validUntil)) throw new RangeError(`lastGraceDay must be YYYY-MM-DD, got ${JSON.stringify(validUntil)}`);
  if (when.today > validUntil) throw new RangeError(`the ${when.stage} offer ended on ${validUntil}; today is ${when.today}`);
  if (when.stage === 'reinstatement_window' && when.today < when.window.suspensionDate) {
    throw new RangeError(`the window opens on ${when.window.suspensionDate}; today is ${when.today}`);
  }
  if (values.cashValueFen === 0) return { eligible: false, reason: 'no_cash_value', message: 'the policy has no cash value' };
  const net = values.cashValueFen - values.unpaidPremiumFen - values.unpaidInterestFen - values.loansFen;
  if (net <= 0) {
    return { eligible: false, reason: 'debts_exceed_cash_value', message: `unpaid premiums, interest and loans (${values.cashValueFen - net} fen) use up the cash value (${values.cashValueFen} fen)` };
  }
  return { eligible: true, offer: { ...values, stage: when.stage, offeredOn: when.today, validUntil, netSinglePremiumFen: net } };
}

export interface ReducedPaidUpChoice {
  stage: ReducedPaidUpStage;
  choice: 'accepted' | 'declined';
  decidedAt: number;
  netSinglePremiumFen: number;
}

/**
 * Why a reducedPaidUp update is refused before its stage's own checks, or undefined: a known choice,
 * one being recorded at a time, none once one was accepted.
 */
export function reducedPaidUpChoiceError(choice: string, taking: { choosing: boolean; accepted: boolean }): string | undefined {
  if (choice !== 'accepted' && choice !== 'declined') return `choice must be accepted or declined, got ${String(choice)}`;
  if (taking.choosing || taking.accepted) return 'a reduced paid-up choice is already being recorded';
  return undefined;
}

/** The policyholder's recorded choice; accepted only while the offer stands. */
export function recordReducedPaidUpChoice(offer: ReducedPaidUpOffer, choice: 'accepted' | 'declined', at: number): ReducedPaidUpChoice {
  if (choice !== 'accepted' && choice !== 'declined') throw new RangeError(`choice must be accepted or declined, got ${JSON.stringify(choice)}`);
  const day = shanghaiDate(at);
  if (day < offer.offeredOn) throw new RangeError(`a choice on ${day} comes before the offer of ${offer.offeredOn}`);
  if (day > offer.validUntil) throw new RangeError(`the reduced paid-up offer ended on ${offer.validUntil}; a choice on ${day} is too late`);
  return { stage: offer.stage, choice, decidedAt: at, netSinglePremiumFen: offer.netSinglePremiumFen };
}
