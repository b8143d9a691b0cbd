/**
 * Validation of one row of an import file (docs/business-rules.md#import-files) into a typed record, or the
 * list of what is wrong with it, column by column. Pure: no I/O, so the same rules run in the
 * importer, in tests and anywhere a row must be checked. Reasons name the column and the rule,
 * never the value: rejected-row reports are read and stored, and the values are personal data.
 */
import { PREFERRED_CHANNELS, type PreferredChannel } from './channels';
import { daysBetween, isCivilDate, type CivilDate } from './civil-date';
import {
  AGENT_STATUSES,
  HOLDER_ID_TYPES,
  isSinglePremium,
  PAYMENT_FREQUENCIES,
  POLICY_STATUSES,
  resolveAlias,
  SALES_CHANNELS,
  SEGMENT_VALUES,
  type CodeOf,
  type HolderIdType,
  type Vocabulary,
} from './import-aliases';
import { yuanToFen, type Fen } from './money';
import type { Segment } from './segments';

export interface RowError {
  column: string;
  reason: string;
}

export type RowCheck<T> = { ok: true; record: T } | { ok: false; errors: RowError[] };

/** A row as read from the file: column name → raw text (missing columns read as empty). */
export type RowValues = Readonly<Record<string, string | undefined>>;

export { AGENT_STATUSES, HOLDER_ID_TYPES, PAYMENT_FREQUENCIES, POLICY_STATUSES, SALES_CHANNELS, type HolderIdType };

/** One policy as policies.csv gives it, validated, money in fen. */
export interface PolicyRecord {
  policyNo: string;
  productCode: string;
  channel: (typeof SALES_CHANNELS)[number];
  branchCode: string;
  agentCode: string | null;
  holderName: string;
  holderIdType: string;
  holderIdNo: string;
  holderBirthDate: CivilDate | null;
  holderMobile: string | null;
  holderEmail: string | null;
  holderWechatOpenId: string | null;
  /** Where letters go (a `postal` contact point); absent when the file gives none. */
  holderPostalAddress?: string;
  preferredChannel: PreferredChannel | null;
  issueDate: CivilDate;
  paymentFrequency: (typeof PAYMENT_FREQUENCIES)[number];
  premiumFen: Fen;
  nextDueDate: CivilDate;
  installmentNo: number;
  bankCode: string;
  accountNo: string;
  accountName: string;
  aplElected: boolean;
  cashValueFen: Fen;
  status: (typeof POLICY_STATUSES)[number];
  /** The segment the file gives; absent when it gives none (the importer computes it: domain/segments.ts). */
  segment?: Segment;
  /** A collection plan for this policy instead of its product's; absent when the file gives none. */
  planCode?: string;
}

/** One agent as agents.csv gives it. */
export interface AgentRecord {
  code: string;
  name: string;
  mobile: string | null;
  teamCode: string;
  branchCode: string;
  status: (typeof AGENT_STATUSES)[number];
  leaderCode: string | null;
}

/** One product as products.csv gives it. */
export interface ProductRecord {
  code: string;
  name: string;
  graceDays: number;
  reinstatementYears: number;
  planCode: string;
}

/** Product defaults when the file leaves a column empty (docs/business-rules.md#import-files: grace 60 days, 2-year window). */
export const PRODUCT_DEFAULTS = { graceDays: 60, reinstatementYears: 2, planCode: 'standard-60' } as const;

/** The canonical values as error messages list them. */
const VOCABULARY_LIST: Readonly<Record<Vocabulary, string>> = {
  holder_id_type: HOLDER_ID_TYPES.join(', '),
  sales_channel: SALES_CHANNELS.join(', '),
  preferred_channel: PREFERRED_CHANNELS.join(', '),
  payment_frequency: PAYMENT_FREQUENCIES.join(', '),
  yes_no: 'Y, N',
  policy_status: POLICY_STATUSES.join(', '),
  agent_status: AGENT_STATUSES.join(', '),
  segment: SEGMENT_VALUES.join(', '),
};

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const DIGIT = /\d/;
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const OPENID = /^[A-Za-z0-9_-]{16,64}$/;
/** A postal address is printed on one line of the letter's address block. */
export const POSTAL_ADDRESS_MAX = 200;
const ACCOUNT_NO = /^\d{8,32}$/;
const BANK_CODE = /^[A-Z0-9]{2,16}$/;
const YUAN = /^\d+(\.\d{1,2})?$/;
const WHOLE = /^\d+$/;

/** Collects the errors of one row while its columns are read; each reader returns undefined on error. */
class RowReader {
  readonly errors: RowError[] = [];

  constructor(private readonly values: RowValues) {}

  fail(column: string, reason: string): undefined {
    this.errors.push({ column, reason });
    return undefined;
  }

  /** Trimmed text; '' when empty. Undecodable bytes (U+FFFD) and control characters are errors. */
  text(column: string): string | undefined {
    const value = (this.values[column] ?? '').trim();
    if (value.includes('\uFFFD')) return this.fail(column, `${column} has bytes that are not valid text in the file's encoding`);
    if (CONTROL.test(value)) return this.fail(column, `${column} contains control characters`);
    return value;
  }

  required(column: string): string | undefined {
    const value = this.text(column);
    if (value === '') return this.fail(column, `${column} is required`);
    return value;
  }

  /** null when empty, undefined on error. */
  optional(column: string): string | null | undefined {
    const value = this.text(column);
    return value === '' ? null : value;
  }

  code(column: string, maxLength: number, value = this.required(column)): string | undefined {
    if (value === undefined) return undefined;
    if (value.length > maxLength || !CODE.test(value)) {
      return this.fail(column, `${column} must be 1 to ${maxLength} letters, digits, '_', '.' or '-'`);
    }
    return value;
  }

  optionalCode(column: string, maxLength: number): string | null | undefined {
    const value = this.optional(column);
    return value === null || value === undefined ? value : this.code(column, maxLength, value);
  }

  /** A value of a vocabulary, given as its code or an alias (domain/import-aliases.ts). */
  oneOf<V extends Vocabulary>(column: string, vocabulary: V, value = this.required(column)): CodeOf<V> | undefined {
    if (value === undefined) return undefined;
    return resolveAlias(vocabulary, value) ?? this.fail(column, `${column} must be one of ${VOCABULARY_LIST[vocabulary]}`);
  }

  date(column: string, value = this.required(column)): CivilDate | undefined {
    if (value === undefined) return undefined;
    if (!isCivilDate(value)) return this.fail(column, `${column} must be a calendar date written YYYY-MM-DD`);
    return value;
  }

  yuan(column: string, value = this.required(column)): Fen | undefined {
    if (value === undefined) return undefined;
    if (!YUAN.test(value)) return this.fail(column, `${column} must be an amount in yuan with at most 2 decimals, e.g. 1234.50`);
    try {
      return yuanToFen(value);
    } catch {
      return this.fail(column, `${column} is too large`);
    }
  }

  whole(column: string, min: number, max: number, value = this.required(column)): number | undefined {
    if (value === undefined) return undefined;
    const n = WHOLE.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) return this.fail(column, `${column} must be a whole number from ${min} to ${max}`);
    return n;
  }

  personName(column: string, value = this.required(column)): string | undefined {
    if (value === undefined) return undefined;
    if (Array.from(value).length > 50) return this.fail(column, `${column} is longer than 50 characters`);
    if (DIGIT.test(value)) return this.fail(column, `${column} contains digits`);
    return value;
  }

  mobile(column: string): string | null | undefined {
    const value = this.optional(column);
    if (value === null || value === undefined) return value;
    const compact = value.replace(/[\s-]/g, '').replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
    if (!MAINLAND_MOBILE.test(compact)) return this.fail(column, `${column} is not a mainland mobile number (11 digits starting 13–19)`);
    return compact;
  }
}

/**
 * The key a rejected row is named by (policy number, agent or product code): the key column's text
 * when it is a valid code, else null (its own error then says what is wrong with it). Codes only,
 * so a reason never carries a personal value even from a file whose columns are mixed up.
 */
export function rowKey(value: string | undefined): string | null {
  const text = (value ?? '').trim();
  return text.length <= 32 && CODE.test(text) ? text : null;
}

function check<T>(reader: RowReader, build: () => T): RowCheck<T> {
  return reader.errors.length > 0 ? { ok: false, errors: reader.errors } : { ok: true, record: build() };
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** The check character of an 18-character resident ID (GB 11643, ISO 7064 MOD 11-2). */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11]!;
}

/** The birth date an 18-character resident ID carries (characters 7–14), if it is a real date. */
export function residentIdBirthDate(idNo: string): CivilDate | undefined {
  const date = `${idNo.slice(6, 10)}-${idNo.slice(10, 12)}-${idNo.slice(12, 14)}`;
  return isCivilDate(date) ? date : undefined;
}

/** Checks an ID number for its type; returns the normalised number (upper case, no spaces). */
function idNumber(reader: RowReader, type: HolderIdType | undefined, column: string): string | undefined {
  const raw = reader.required(column);
  if (raw === undefined || type === undefined) return undefined;
  const value = raw.replace(/\s/g, '').toUpperCase();
  switch (type) {
    case 'ID':
      if (!/^[1-9]\d{16}[\dX]$/.test(value)) return reader.fail(column, `${column} must be 18 characters: 17 digits and a check digit or X`);
      if (!residentIdBirthDate(value)) return reader.fail(column, `${column} does not carry a valid birth date`);
      if (residentIdCheckChar(value) !== value[17]) return reader.fail(column, `${column} check digit does not match`);
      return value;
    case 'PASSPORT':
      return /^[A-Z0-9]{5,17}$/.test(value) ? value : reader.fail(column, `${column} must be a passport number of 5 to 17 letters or digits`);
    case 'HKMO_PERMIT':
      return /^[HM]\d{8,10}$/.test(value) ? value : reader.fail(column, `${column} must be H or M followed by 8 to 10 digits`);
    case 'TW_PERMIT':
      return /^(\d{8}|\d{10})$/.test(value) ? value : reader.fail(column, `${column} must be 8 or 10 digits`);
    case 'FOREIGN_PR':
      return /^([A-Z]{3}\d{12}|9\d{16}[\dX])$/.test(value)
        ? value
        : reader.fail(column, `${column} must be 3 letters and 12 digits, or 18 characters starting with 9`);
  }
}

export function validatePolicyRow(values: RowValues): RowCheck<PolicyRecord> {
  const r = new RowReader(values);
  const policyNo = r.code('policy_no', 32);
  const productCode = r.code('product_code', 32);
  const channel = r.oneOf('channel', 'sales_channel');
  const branchCode = r.code('branch_code', 16);
  const agentCode = r.optionalCode('agent_code', 32);
  const holderName = r.personName('holder_name');

  const holderIdType = r.oneOf('holder_id_type', 'holder_id_type');
  const holderIdNo = idNumber(r, holderIdType, 'holder_id_no');

  const birthText = r.optional('holder_birth_date');
  let holderBirthDate = birthText === null || birthText === undefined ? birthText : r.date('holder_birth_date', birthText);
  if (holderIdType === 'ID' && holderIdNo !== undefined) {
    const fromId = residentIdBirthDate(holderIdNo);
    if (holderBirthDate === null) holderBirthDate = fromId ?? null;
    else if (holderBirthDate !== undefined && holderBirthDate !== fromId) {
      holderBirthDate = r.fail('holder_birth_date', 'holder_birth_date differs from the birth date in holder_id_no');
    }
  }

  const holderMobile = r.mobile('holder_mobile');
  const emailText = r.optional('holder_email');
  const holderEmail =
    emailText === null || emailText === undefined
      ? emailText
      : emailText.length <= 254 && EMAIL.test(emailText)
        ? emailText
        : r.fail('holder_email', 'holder_email is not an email address');
  const openIdText = r.optional('holder_wechat_openid');
  const holderWechatOpenId =
    openIdText === null || openIdText === undefined
      ? openIdText
      : OPENID.test(openIdText)
        ? openIdText
        : r.fail('holder_wechat_openid', 'holder_wechat_openid must be 16 to 64 letters, digits, _ or -');

  const postalText = r.optional('holder_postal_address');
  const holderPostalAddress =
    postalText === null || postalText === undefined
      ? postalText
      : Array.from(postalText).length <= POSTAL_ADDRESS_MAX
        ? postalText.replace(/\s+/g, ' ')
        : r.fail('holder_postal_address', `holder_postal_address is longer than ${POSTAL_ADDRESS_MAX} characters`);

  const preferredText = r.optional('preferred_channel');
  let preferredChannel = preferredText === null || preferredText === undefined ? preferredText : r.oneOf('preferred_channel', 'preferred_channel', preferredText);
  // The preferred channel must be reachable, otherwise every "preferred" reminder is suppressed.
  const needs = { sms: ['holder_mobile', holderMobile], phone: ['holder_mobile', holderMobile], email: ['holder_email', holderEmail], wechat: ['holder_wechat_openid', holderWechatOpenId] } as const;
  if (preferredChannel) {
    const [column, point] = needs[preferredChannel];
    if (point === null) preferredChannel = r.fail('preferred_channel', `preferred_channel is ${preferredChannel} but ${column} is empty`);
  }

  const issueDate = r.date('issue_date');
  const frequencyText = r.required('payment_frequency');
  const paymentFrequency =
    frequencyText !== undefined && isSinglePremium(frequencyText)
      ? r.fail('payment_frequency', 'payment_frequency is a single premium (趸交): it has no renewal premiums to collect')
      : r.oneOf('payment_frequency', 'payment_frequency', frequencyText);
  let premiumFen = r.yuan('premium');
  if (premiumFen === 0) premiumFen = r.fail('premium', 'premium must be more than 0');
  let nextDueDate = r.date('next_due_date');
  if (issueDate && nextDueDate && daysBetween(issueDate, nextDueDate) <= 0) {
    nextDueDate = r.fail('next_due_date', 'next_due_date must be after issue_date');
  }
  if (issueDate && holderBirthDate && daysBetween(holderBirthDate, issueDate) < 0) {
    r.fail('holder_birth_date', 'holder_birth_date is after issue_date');
  }
  // The first premium is paid at issue: renewal collection starts with the second.
  const installmentNo = r.whole('installment_no', 2, 1200);

  const bankText = r.required('bank_code');
  const bankCode = bankText === undefined ? undefined : BANK_CODE.test(bankText.toUpperCase()) ? bankText.toUpperCase() : r.fail('bank_code', 'bank_code must be 2 to 16 letters or digits');
  const accountText = r.required('account_no');
  const accountCompact = accountText?.replace(/[\s-]/g, '');
  const accountNo = accountCompact === undefined ? undefined : ACCOUNT_NO.test(accountCompact) ? accountCompact : r.fail('account_no', 'account_no must be 8 to 32 digits');
  const accountName = r.personName('account_name');

  const aplText = r.required('apl_elected');
  const aplCode = aplText === undefined ? undefined : (resolveAlias('yes_no', aplText) ?? r.fail('apl_elected', 'apl_elected must be Y or N'));
  const aplElected = aplCode === undefined ? undefined : aplCode === 'Y';
  const cashText = r.text('cash_value');
  const cashValueFen = cashText === undefined ? undefined : cashText === '' ? 0 : r.yuan('cash_value', cashText);
  const status = r.oneOf('status', 'policy_status');
  const segmentText = r.optional('segment');
  const segment = segmentText === null || segmentText === undefined ? segmentText : r.oneOf('segment', 'segment', segmentText);
  const planCode = r.optionalCode('plan_code', 32);

  return check(r, () => ({
    policyNo: policyNo!,
    productCode: productCode!,
    channel: channel!,
    branchCode: branchCode!,
    agentCode: agentCode ?? null,
    holderName: holderName!,
    holderIdType: holderIdType!,
    holderIdNo: holderIdNo!,
    holderBirthDate: holderBirthDate ?? null,
    holderMobile: holderMobile ?? null,
    holderEmail: holderEmail ?? null,
    holderWechatOpenId: holderWechatOpenId ?? null,
    preferredChannel: preferredChannel ?? null,
    issueDate: issueDate!,
    paymentFrequency: paymentFrequency!,
    premiumFen: premiumFen!,
    nextDueDate: nextDueDate!,
    installmentNo: installmentNo!,
    bankCode: bankCode!,
    accountNo: accountNo!,
    accountName: accountName!,
    aplElected: aplElected!,
    cashValueFen: cashValueFen!,
    status: status!,
    // Only when given, so a file without these columns fingerprints as it always did.
    ...(segment ? { segment } : {}),
    ...(planCode ? { planCode } : {}),
    ...(holderPostalAddress ? { holderPostalAddress } : {}),
  }));
}

export function validateAgentRow(values: RowValues): RowCheck<AgentRecord> {
  const r = new RowReader(values);
  const code = r.code('agent_code', 32);
  const name = r.personName('name');
  const mobile = r.mobile('mobile');
  const teamCode = r.code('team_code', 32);
  const branchCode = r.code('branch_code', 16);
  const status = r.oneOf('status', 'agent_status');
  let leaderCode = r.optionalCode('leader_code', 32);
  if (leaderCode && leaderCode === code) leaderCode = r.fail('leader_code', 'leader_code is the agent themself');
  return check(r, () => ({
    code: code!,
    name: name!,
    mobile: mobile ?? null,
    teamCode: teamCode!,
    branchCode: branchCode!,
    status: status!,
    leaderCode: leaderCode ?? null,
  }));
}

export function validateProductRow(values: RowValues): RowCheck<ProductRecord> {
  const r = new RowReader(values);
  const code = r.code('product_code', 32);
  const nameText = r.required('name');
  const name = nameText === undefined ? undefined : Array.from(nameText).length <= 200 ? nameText : r.fail('name', 'name is longer than 200 characters');
  // Insurance Law Art. 36: at least 30 days after a reminder or 60 after the due date; 30 is the floor.
  const graceText = r.text('grace_days');
  const graceDays = graceText === undefined ? undefined : graceText === '' ? PRODUCT_DEFAULTS.graceDays : r.whole('grace_days', 30, 365, graceText);
  // Insurance Law Art. 37: the reinstatement window is at least 2 years.
  const yearsText = r.text('reinstatement_years');
  const reinstatementYears =
    yearsText === undefined ? undefined : yearsText === '' ? PRODUCT_DEFAULTS.reinstatementYears : r.whole('reinstatement_years', 2, 10, yearsText);
  const planText = r.text('plan_code');
  const planCode = planText === undefined ? undefined : planText === '' ? PRODUCT_DEFAULTS.planCode : r.code('plan_code', 32, planText);
  return check(r, () => ({ code: code!, name: name!, graceDays: graceDays!, reinstatementYears: reinstatementYears!, planCode: planCode! }));
}
