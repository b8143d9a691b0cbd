/**
 * Normalised bank debit outcomes (docs/business-rules.md#normalised-reasons). Adapters map their raw codes
 * here; the cycle decides retries and lapse on the normalised reason only.
 */
export type DebitReason =
  | 'INSUFFICIENT_FUNDS'
  | 'LIMIT_EXCEEDED'
  | 'ACCOUNT_CLOSED'
  | 'ACCOUNT_INVALID'
  | 'ACCOUNT_FROZEN'
  | 'CARD_LOST'
  | 'DORMANT'
  | 'EXPIRED'
  | 'NAME_MISMATCH'
  | 'ID_MISMATCH'
  | 'NO_MANDATE'
  | 'MANDATE_REVOKED'
  | 'REFUSED_BY_DEBTOR'
  | 'BANK_ERROR'
  | 'TIMEOUT'
  | 'UNKNOWN';

export interface ReasonRule {
  /** Try again at the next planned attempt without anything being fixed first. */
  retryable: boolean;
  /** The customer's fault: only such failures can lead to lapse. */
  customerFault: boolean;
  /** Resolve by querying the bank before anything else (the debit may have gone through). */
  queryFirst: boolean;
}

export const REASON_RULES: Readonly<Record<DebitReason, ReasonRule>> = {
  INSUFFICIENT_FUNDS: { retryable: true, customerFault: true, queryFirst: false },
  LIMIT_EXCEEDED: { retryable: true, customerFault: true, queryFirst: false },
  ACCOUNT_CLOSED: { retryable: false, customerFault: true, queryFirst: false },
  ACCOUNT_INVALID: { retryable: false, customerFault: true, queryFirst: false },
  ACCOUNT_FROZEN: { retryable: false, customerFault: true, queryFirst: false },
  CARD_LOST: { retryable: false, customerFault: true, queryFirst: false },
  DORMANT: { retryable: false, customerFault: true, queryFirst: false },
  EXPIRED: { retryable: false, customerFault: true, queryFirst: false },
  // Insurer's data unless the customer supplied it: never the customer's fault by default.
  NAME_MISMATCH: { retryable: false, customerFault: false, queryFirst: false },
  ID_MISMATCH: { retryable: false, customerFault: false, queryFirst: false },
  NO_MANDATE: { retryable: false, customerFault: false, queryFirst: false },
  MANDATE_REVOKED: { retryable: false, customerFault: true, queryFirst: false },
  REFUSED_BY_DEBTOR: { retryable: false, customerFault: true, queryFirst: false },
  BANK_ERROR: { retryable: true, customerFault: false, queryFirst: true },
  TIMEOUT: { retryable: true, customerFault: false, queryFirst: true },
  UNKNOWN: { retryable: true, customerFault: false, queryFirst: true },
};

/**
 * Where a raw code comes from. Codes overlap between families ('05' means different things to
 * UnionPay and PSBC), so a code is only meaningful together with its family.
 */
export type CodeFamily = 'iso' | 'unionpay' | 'nacha' | 'psbc';

/**
 * ISO 20022 external status / return reason codes (pain.002 StsRsnInf, camt.054 RtrInf) seen on
 * direct debits (the SEPA R-transaction set).
 */
const ISO_CODES: Readonly<Record<string, DebitReason>> = {
  AM04: 'INSUFFICIENT_FUNDS',
  AM02: 'LIMIT_EXCEEDED',
  AM14: 'LIMIT_EXCEEDED',
  AC01: 'ACCOUNT_INVALID',
  AC04: 'ACCOUNT_CLOSED',
  AC06: 'ACCOUNT_FROZEN',
  AC13: 'ACCOUNT_INVALID',
  // Transaction forbidden on this kind of account: another account is needed.
  AG01: 'ACCOUNT_INVALID',
  BE05: 'NAME_MISMATCH',
  BE01: 'NAME_MISMATCH',
  MD01: 'NO_MANDATE',
  // Mandate data the scheme requires is missing: the insurer's file, so not the customer's fault.
  MD02: 'NO_MANDATE',
  // A refund the customer asked for (SEPA: up to 8 weeks after collection): the debtor refused it.
  MD06: 'REFUSED_BY_DEBTOR',
  // Debtor deceased: the account is as good as closed; collection stops until servicing acts.
  MD07: 'ACCOUNT_CLOSED',
  MS02: 'REFUSED_BY_DEBTOR',
  MS03: 'BANK_ERROR',
  // Regulatory block on the debtor's account (sanctions, judicial freeze): no debit until lifted.
  RR04: 'ACCOUNT_FROZEN',
  SL01: 'REFUSED_BY_DEBTOR',
  // Duplication: the bank believes it already has this collection, so it may have been debited.
  // Query, never resubmit.
  AM05: 'BANK_ERROR',
  FF01: 'BANK_ERROR',
  // Received after the bank's cut-off: a timing problem on the creditor's side.
  TM01: 'BANK_ERROR',
  NARR: 'UNKNOWN',
};

/**
 * UnionPay (银联) response codes on collections, in the ISO 8583 numbering of 《银行卡联网联合技术规范》.
 * Where collection practice reads a code otherwise than plain ISO 8583, practice wins
 * (docs/business-rules.md#normalised-reasons):
 * - 64 and 90 are INSUFFICIENT_FUNDS (plain ISO 8583 reads 64 as "original amount incorrect" and
 *   90 as "cut-off in progress");
 * - 81 is LIMIT_EXCEEDED;
 * - 03, 04, 05, 83 are BANK_ERROR ("query first, then retry; never the customer's fault"),
 *   although some banks list 05 (do not honour) with the restricted codes.
 */
const UNIONPAY_CODES: Readonly<Record<string, DebitReason>> = {
  '51': 'INSUFFICIENT_FUNDS',
  '64': 'INSUFFICIENT_FUNDS',
  '90': 'INSUFFICIENT_FUNDS',
  '61': 'LIMIT_EXCEEDED',
  '65': 'LIMIT_EXCEEDED',
  '81': 'LIMIT_EXCEEDED',
  '14': 'ACCOUNT_INVALID',
  // Transaction not permitted to this card (not enabled for collections): another account needed.
  '57': 'ACCOUNT_INVALID',
  '41': 'CARD_LOST',
  '43': 'CARD_LOST',
  '33': 'EXPIRED',
  '54': 'EXPIRED',
  // Restricted card / suspected fraud: blocked by the issuer until the customer sorts it out.
  '36': 'ACCOUNT_FROZEN',
  '59': 'ACCOUNT_FROZEN',
  '62': 'ACCOUNT_FROZEN',
  '03': 'BANK_ERROR',
  '04': 'BANK_ERROR',
  '05': 'BANK_ERROR',
  '83': 'BANK_ERROR',
  '06': 'BANK_ERROR',
  '09': 'BANK_ERROR',
  '22': 'BANK_ERROR',
  '91': 'BANK_ERROR',
  '96': 'BANK_ERROR',
  // The switch heard nothing from the issuer: the debit may or may not have happened.
  '98': 'TIMEOUT',
};

/** NACHA (US ACH) return reason codes. */
const NACHA_CODES: Readonly<Record<string, DebitReason>> = {
  R01: 'INSUFFICIENT_FUNDS',
  R09: 'INSUFFICIENT_FUNDS',
  R02: 'ACCOUNT_CLOSED',
  R03: 'ACCOUNT_INVALID',
  R04: 'ACCOUNT_INVALID',
  R12: 'ACCOUNT_INVALID',
  R13: 'ACCOUNT_INVALID',
  R20: 'ACCOUNT_INVALID',
  R14: 'ACCOUNT_CLOSED',
  R15: 'ACCOUNT_CLOSED',
  R16: 'ACCOUNT_FROZEN',
  R07: 'MANDATE_REVOKED',
  // "Not authorised" returns: the authorisation is in question; re-authorise before collecting.
  R05: 'NO_MANDATE',
  R10: 'NO_MANDATE',
  R11: 'NO_MANDATE',
  R29: 'NO_MANDATE',
  R31: 'NO_MANDATE',
  R08: 'REFUSED_BY_DEBTOR',
  R06: 'BANK_ERROR',
  R17: 'BANK_ERROR',
  // Duplicate entry: as ISO AM05, the original may have been collected. Query, never resubmit.
  R24: 'BANK_ERROR',
};

/** Postal Savings Bank of China (邮储) back-end response codes. */
const PSBC_CODES: Readonly<Record<string, DebitReason>> = {
  '5': 'INSUFFICIENT_FUNDS', // 账户余额不足
  '6': 'INSUFFICIENT_FUNDS', // 可用余额不足
  '9': 'ACCOUNT_CLOSED', // 帐户已销户
  '4': 'ACCOUNT_INVALID', // 帐号不存在
  '2': 'ACCOUNT_INVALID', // 该储种不允许执行此类交易
  '3': 'ACCOUNT_INVALID', // 不能办理代收付业务
  '24': 'ACCOUNT_INVALID', // 该类别卡不允许办理此交易
  '10': 'ACCOUNT_FROZEN', // 已冻结
  '12': 'ACCOUNT_FROZEN', // 全额止付
  '14': 'ACCOUNT_FROZEN', // 挂失冻结户
  '13': 'CARD_LOST', // 已挂失
  '23': 'CARD_LOST', // 卡挂失
  '17': 'DORMANT', // 不动户
  '25': 'DORMANT', // 卡户未激活
  '37': 'NAME_MISMATCH', // 户名不符
  '41': 'NAME_MISMATCH', // 原户名输入错误
  // ID type / ID number do not match the bank's records.
  '42': 'ID_MISMATCH',
  '43': 'ID_MISMATCH',
  // 未加办代收付标志: the collection agreement was never set up at the bank, an insurer/bank-side
  // gap ("binding not set up"), hence NO_MANDATE, not the customer's fault.
  '16': 'NO_MANDATE',
};

const FAMILIES: Readonly<Record<CodeFamily, { prefix: string; codes: Readonly<Record<string, DebitReason>> }>> = {
  iso: { prefix: '', codes: ISO_CODES },
  unionpay: { prefix: 'UP', codes: UNIONPAY_CODES },
  nacha: { prefix: 'NACHA', codes: NACHA_CODES },
  psbc: { prefix: 'PSBC', codes: PSBC_CODES },
};

export interface Classified extends ReasonRule {
  reason: DebitReason;
  /**
   * The code in canonical form, qualified by its family so that a stored code keeps its meaning:
   * ISO codes bare ('AM04'), others prefixed ('UP:51', 'NACHA:R01', 'PSBC:37').
   */
  rawCode: string;
}

/**
 * Canonical spelling of a code within its family: trimmed and upper-cased; UnionPay's two-digit
 * numeric codes keep their leading zero ('5' → '05'); PSBC's numeric codes drop it ('05' → '5').
 */
export function canonicalCode(family: CodeFamily, rawCode: string): string {
  const code = rawCode.trim().toUpperCase();
  if (family === 'unionpay' && /^\d$/.test(code)) return `0${code}`;
  if (family === 'psbc' && /^\d+$/.test(code)) return String(Number(code));
  return code;
}

/** The family-qualified form stored as a debit's raw code (see Classified.rawCode). */
export function qualifiedCode(family: CodeFamily, rawCode: string): string {
  const { prefix } = familyOf(family);
  const code = canonicalCode(family, rawCode);
  return prefix ? `${prefix}:${code}` : code;
}

/**
 * Classifies a bank's raw code within its family. Anything unrecognised (including an empty code)
 * is UNKNOWN: query the bank first, retry, never a reason to lapse.
 */
export function classifyReason(family: CodeFamily, rawCode: string): Classified {
  const { codes } = familyOf(family);
  const code = canonicalCode(family, rawCode);
  const reason = Object.hasOwn(codes, code) ? (codes[code] ?? 'UNKNOWN') : 'UNKNOWN';
  return { reason, rawCode: qualifiedCode(family, rawCode), ...REASON_RULES[reason] };
}

/** Classifies an ISO 20022 reason code; anything unrecognised is UNKNOWN (query first, never lapse). */
export function classifyIsoReason(rawCode: string): Classified {
  return classifyReason('iso', rawCode);
}

/**
 * Classifies a code stored in its qualified form (Classified.rawCode): 'UP:51', 'NACHA:R01',
 * 'PSBC:37', or a bare ISO code. An unknown prefix is UNKNOWN, like any unknown code.
 */
export function classifyQualifiedCode(stored: string): Classified {
  const match = /^\s*([A-Za-z]+):(.*)$/.exec(stored);
  if (!match) return classifyReason('iso', stored);
  const prefix = (match[1] ?? '').toUpperCase();
  const family = (Object.keys(FAMILIES) as CodeFamily[]).find((name) => FAMILIES[name].prefix === prefix);
  if (!family) return { reason: 'UNKNOWN', rawCode: stored.trim(), ...REASON_RULES.UNKNOWN };
  return classifyReason(family, match[2] ?? '');
}

/** Every code a family knows, in canonical form (for simulators, docs and exhaustive tests). */
export function knownCodes(family: CodeFamily): readonly string[] {
  return Object.keys(familyOf(family).codes);
}

function familyOf(family: CodeFamily): (typeof FAMILIES)[CodeFamily] {
  const entry = (FAMILIES as Partial<Record<string, (typeof FAMILIES)[CodeFamily]>>)[family];
  if (!entry) throw new RangeError(`unknown reason code family: ${JSON.stringify(family)}`);
  return entry;
}
