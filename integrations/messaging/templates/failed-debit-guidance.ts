import type { DebitReason } from '../../../domain/debit-reasons';

/**
 * What a customer can do about a failed debit, by normalised reason (docs/business-rules.md#bank-debit-outcomes, "Bank debit
 * outcomes"): deposit, raise the limit, change or fix the account with the bank, re-authorise, or
 * nothing at all when the bank's side failed. Each group is one registered SMS template, since
 * providers approve fixed texts, not free-text variables.
 */
export type GuidanceGroup =
  | 'insufficient_funds'
  | 'limit_exceeded'
  | 'account_unusable'
  | 'account_blocked'
  | 'details_mismatch'
  | 'authorisation'
  | 'refused'
  | 'bank_side';

export const GUIDANCE_BY_REASON: Readonly<Record<DebitReason, GuidanceGroup>> = {
  INSUFFICIENT_FUNDS: 'insufficient_funds',
  LIMIT_EXCEEDED: 'limit_exceeded',
  ACCOUNT_CLOSED: 'account_unusable',
  ACCOUNT_INVALID: 'account_unusable',
  ACCOUNT_FROZEN: 'account_blocked',
  CARD_LOST: 'account_blocked',
  DORMANT: 'account_blocked',
  EXPIRED: 'account_blocked',
  NAME_MISMATCH: 'details_mismatch',
  ID_MISMATCH: 'details_mismatch',
  NO_MANDATE: 'authorisation',
  MANDATE_REVOKED: 'authorisation',
  REFUSED_BY_DEBTOR: 'refused',
  BANK_ERROR: 'bank_side',
  TIMEOUT: 'bank_side',
  UNKNOWN: 'bank_side',
};

/** No reason known (e.g. a return without a code): treat as the bank's side, never the customer's. */
export function guidanceGroupFor(reason: DebitReason | undefined): GuidanceGroup {
  if (reason === undefined) return 'bank_side';
  const group = (GUIDANCE_BY_REASON as Partial<Record<string, GuidanceGroup>>)[reason];
  if (!group) throw new RangeError(`notice debit_failed: unknown debit reason ${JSON.stringify(reason)}`);
  return group;
}

export interface Guidance {
  /** For the email, letter and WeChat remark. */
  zh: string;
  en: string;
  /** Shorter English for the SMS. */
  smsEn: string;
  /** WeChat keyword value (≤ 20 characters). */
  status: string;
}

export const GUIDANCE: Readonly<Record<GuidanceGroup, Guidance>> = {
  insufficient_funds: {
    zh: '请在下次扣款日前存入足额保费，我们将再次扣款。',
    en: 'Please deposit the full premium before the next debit date; we will try again.',
    smsEn: 'Please deposit the full premium.',
    status: '余额不足',
  },
  limit_exceeded: {
    zh: '账户扣款限额不足，请提高限额或更换缴费账户，我们将再次扣款。',
    en: "The account's debit limit is too low: please raise it or change the payment account; we will try again.",
    smsEn: 'Please raise the debit limit or change account.',
    status: '超出扣款限额',
  },
  account_unusable: {
    zh: '您的缴费账户无法扣款，请联系我们更换缴费账户，更换前暂停扣款。',
    en: 'Your payment account cannot be debited: please contact us to change it. Debits pause until then.',
    smsEn: 'Please contact us to change the account.',
    status: '账户无法扣款',
  },
  account_blocked: {
    zh: '您的缴费账户暂时无法扣款，请联系开户银行处理，或联系我们更换缴费账户。',
    en: 'Your payment account is blocked (frozen, reported lost, dormant or expired): please contact your bank, or contact us to change the account.',
    smsEn: 'Please contact your bank, or us to change account.',
    status: '账户暂不可用',
  },
  details_mismatch: {
    zh: '账户信息与银行记录不一致，我们正在核实，如需协助请联系您的服务人员。',
    en: "The account details do not match the bank's records; we are checking them, and your adviser can help if needed.",
    smsEn: 'We are checking the account details.',
    status: '账户信息待核实',
  },
  authorisation: {
    zh: '您的银行代扣授权需要重新办理，请联系我们或您的服务人员。',
    en: 'The direct-debit authorisation needs to be renewed: please contact us or your adviser.',
    smsEn: 'Please renew the debit authorisation.',
    status: '代扣授权待办理',
  },
  refused: {
    zh: '本次扣款已被拒付，如需继续以银行代扣方式缴费或改用其他方式缴费，请联系我们。',
    en: 'The debit was refused. To keep paying by direct debit, or to pay another way, please contact us.',
    smsEn: 'Please contact us to choose how to pay.',
    status: '扣款被拒付',
  },
  bank_side: {
    zh: '本次扣款因银行处理原因未成功，我们将再次扣款，您无需操作。',
    en: 'The debit did not go through for a bank-side reason; we will try again, nothing is needed from you.',
    smsEn: 'Bank-side issue: we will retry, no action needed.',
    status: '银行原因未成功',
  },
};
