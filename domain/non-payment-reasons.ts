/**
 * Non-payment reasons (未缴原因): why a premium was not paid, recorded as a code when the customer
 * refuses and when the policy lapses, and reported as the lapse reasons. Codes, never free text.
 */
import type { Bilingual } from './bilingual';

/** The codes, with their wording. */
export const NON_PAYMENT_REASONS = {
  1: { zh: '单位购买', en: 'Employer-purchased' },
  2: { zh: '对产品不满意', en: 'Product unsatisfactory' },
  3: { zh: '对保险公司不信任', en: 'Distrust of the insurer' },
  4: { zh: '对服务不满意', en: 'Service unsatisfactory' },
  5: { zh: '对理赔不满意', en: 'Claim unsatisfactory' },
  6: { zh: '家庭问题', en: 'Family problems' },
  7: { zh: '销售误导', en: 'Mis-selling' },
  8: { zh: '暂时经济困难', en: 'Temporary financial difficulty' },
  9: { zh: '业务员自保件', en: "Agent's own policy" },
  10: { zh: '已投保其他公司', en: 'Competitor' },
  11: { zh: '其他', en: 'Other' },
  12: { zh: '无法联系', en: 'Unreachable' },
} as const satisfies Record<number, Bilingual>;

export type NonPaymentReasonCode = keyof typeof NON_PAYMENT_REASONS;
export const NON_PAYMENT_REASON_CODES = Object.keys(NON_PAYMENT_REASONS).map(Number) as NonPaymentReasonCode[];

/** Recorded when a policy lapses without the customer having given a reason. */
export const NON_PAYMENT_OTHER: NonPaymentReasonCode = 11;

export function isNonPaymentReason(value: unknown): value is NonPaymentReasonCode {
  return typeof value === 'number' && (NON_PAYMENT_REASON_CODES as number[]).includes(value);
}
