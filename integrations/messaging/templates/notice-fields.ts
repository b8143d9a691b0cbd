import { addDays, isCivilDate } from '../../../domain/civil-date';
import type { DebitReason } from '../../../domain/debit-reasons';
import { formatYuan } from '../../../domain/money';
import type { ServicingRole } from '../../../domain/orphans';
import type { ApprovedBy, DeclineReason } from '../../../domain/reinstatement-application';

/**
 * What a notice may say about a policy: identifiers, amounts, dates and the insurer's hotline.
 * Never personal data (names, mobiles, ID or account numbers, addresses): notices greet
 * "尊敬的客户" and the print house / providers add the recipient themselves. Every field is
 * checked only when the template being rendered needs it.
 */
export interface NoticeFields {
  policyNo: string;
  dueDate?: string;
  /** The bank business day the first debit is collected: the due date, or the next working day. */
  debitDate?: string;
  /** The premium due, in fen. */
  amountFen?: number;
  lastGraceDay?: string;
  /** Normalised reason of the failed debit: picks the guidance variant of debit_failed. */
  reason?: DebitReason;
  /** The insurer's customer-service number, e.g. '95500' or '400-820-8888'. */
  serviceHotline?: string;
  /** Date the premium was received (payment confirmation). */
  paidOn?: string;
  /** First day of suspension (效力中止); defaults to the day after lastGraceDay. */
  suspensionDate?: string;
  /** Last day a reinstatement application can be made (suspension + the product's years − 1 day). */
  reinstatementWindowEnd?: string;
  /** Back premiums to reinstate, in fen, before interest (补交保费). */
  backPremiumsFen?: number;
  /** Cash value refunded on termination, in fen. */
  cashValueFen?: number;
  /** Day the insurer terminated the contract at the end of the reinstatement window. */
  terminationDate?: string;
  /** Interest on the back premiums, in fen (复效利息). */
  interestFen?: number;
  /** Back premiums plus interest, in fen: the amount to pay when approved, the amount received when reinstated. */
  totalDueFen?: number;
  /** Last day to pay the back premiums under the approval (the application's approval.payBy). */
  payBy?: string;
  /** Who approved a reinstatement (the application's approval.by): picks the reinstatement_approved wording. */
  approvedBy?: ApprovedBy;
  /** Why a reinstatement was declined: picks the reinstatement_declined wording. Never the medical detail. */
  declineReason?: DeclineReason;
  /** First day the reinstated policy is in force again: the day the back premiums were paid. */
  effectiveDate?: string;
  /** Last day of the restarted suicide exclusion (the reinstatement record's suicideExclusion.endsOn). */
  suicideExclusionEnds?: string;
  /** The reinstated policy's next premium due date; absent when the paying term is over. */
  nextDueDate?: string;
  /** Who serves an orphan policy now: picks the orphan_notice wording. */
  servicingRole?: ServicingRole;
  /** Their masked name as on file (domain/masking maskName: 王**), never in clear. */
  servicingMasked?: string;
  /** Their agent code (工号). */
  servicingCode?: string;
  /** The premium's payment link (docs/architecture.md#online-payment): its URL carries a random token only. */
  payLink?: string;
}

/** A value a template may use, and the field it comes from (named in errors). */
interface Variable {
  field: keyof NoticeFields;
  /** Returns the display string, or undefined when the field is absent; throws when malformed. */
  value(fields: NoticeFields): string | undefined;
}

class NoticeFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoticeFieldError';
  }
}

function present(fields: NoticeFields, field: keyof NoticeFields): unknown {
  const value = fields[field];
  return value === undefined || value === null || value === '' ? undefined : value;
}

function date(field: keyof NoticeFields): Variable {
  return {
    field,
    value(fields) {
      const v = present(fields, field);
      if (v === undefined) return undefined;
      if (!isCivilDate(v)) throw new NoticeFieldError(`notice field ${field} must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
      return v;
    },
  };
}

function yuan(field: keyof NoticeFields): Variable {
  return {
    field,
    value(fields) {
      const v = present(fields, field);
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw new NoticeFieldError(`notice field ${field} must be a whole, non-negative number of fen, got ${JSON.stringify(v)}`);
      }
      return formatYuan(v);
    },
  };
}

function pattern(field: keyof NoticeFields, shape: RegExp, expected: string): Variable {
  return {
    field,
    value(fields) {
      const v = present(fields, field);
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || !shape.test(v)) throw new NoticeFieldError(`notice field ${field} must be ${expected}, got ${JSON.stringify(v)}`);
      return v;
    },
  };
}

/**
 * Every variable a template may name, keyed by its name in the template text. This list is the
 * guard against personal data: a template naming anything else fails when the catalogue loads.
 */
export const NOTICE_VARIABLES = {
  // Printable ASCII, no spaces: policy numbers come from import files, so anything odd in one is
  // escaped in HTML rather than trusted.
  policyNo: pattern('policyNo', /^[\x21-\x7e]{1,40}$/, '1–40 printable characters without spaces'),
  dueDate: date('dueDate'),
  debitDate: date('debitDate'),
  lastGraceDay: date('lastGraceDay'),
  amount: yuan('amountFen'),
  serviceHotline: pattern('serviceHotline', /^\d[\d-]{2,18}\d$/, 'a service number of digits and -'),
  paidOn: date('paidOn'),
  suspensionDate: {
    field: 'suspensionDate',
    value(fields) {
      const explicit = date('suspensionDate').value(fields);
      if (explicit !== undefined) return explicit;
      const graceEnd = date('lastGraceDay').value(fields);
      return graceEnd === undefined ? undefined : addDays(graceEnd, 1);
    },
  },
  reinstatementWindowEnd: date('reinstatementWindowEnd'),
  backPremiums: yuan('backPremiumsFen'),
  cashValue: yuan('cashValueFen'),
  terminationDate: date('terminationDate'),
  interest: yuan('interestFen'),
  totalDue: yuan('totalDueFen'),
  payBy: date('payBy'),
  effectiveDate: date('effectiveDate'),
  suicideExclusionEnds: date('suicideExclusionEnds'),
  nextDueDate: date('nextDueDate'),
  // A masked name only: one or two characters shown, then at least one *; a name in clear is refused.
  servicingMasked: pattern('servicingMasked', /^[^\s*]{1,2}\*{1,10}$/u, 'a masked name (王**)'),
  servicingCode: pattern('servicingCode', /^[A-Za-z0-9_-]{1,32}$/, 'an agent code'),
  payLink: pattern('payLink', /^https?:\/\/[\x21-\x7e]{1,200}\/p\/[A-Za-z0-9_-]{43}$/, 'a payment link (<base>/p/<token>)'),
} satisfies Record<string, Variable>;

export type NoticeVariable = keyof typeof NOTICE_VARIABLES;

export function isNoticeVariable(name: string): name is NoticeVariable {
  return Object.hasOwn(NOTICE_VARIABLES, name);
}

/** The field a caller must supply for a variable (suspensionDate also accepts lastGraceDay). */
export function fieldOf(variable: NoticeVariable): string {
  return variable === 'suspensionDate' ? 'suspensionDate (or lastGraceDay)' : NOTICE_VARIABLES[variable].field;
}

/**
 * The display values of the named variables. A variable the template needs but the fields lack
 * is an error naming the field; optional ones (inside `{{#if}}`) are left out when absent.
 */
export function variableValues(
  template: string,
  fields: NoticeFields,
  required: ReadonlySet<NoticeVariable>,
  optional: ReadonlySet<NoticeVariable>,
): Partial<Record<NoticeVariable, string>> {
  const values: Partial<Record<NoticeVariable, string>> = {};
  for (const name of [...required, ...optional]) {
    let value: string | undefined;
    try {
      value = NOTICE_VARIABLES[name].value(fields);
    } catch (error) {
      throw new NoticeFieldError(`notice ${template}: ${(error as Error).message}`);
    }
    if (value !== undefined) values[name] = value;
    else if (required.has(name)) throw new NoticeFieldError(`notice ${template} needs field ${fieldOf(name)}, which is missing`);
  }
  return values;
}

/**
 * A field that picks a template's wording rather than filling a variable (approvedBy,
 * declineReason): required, and one of the listed values; errors name the template and field.
 */
export function wordingChoice<T extends string>(template: string, fields: NoticeFields, field: keyof NoticeFields, allowed: readonly T[]): T {
  const v = present(fields, field);
  if (v === undefined) throw new NoticeFieldError(`notice ${template} needs field ${field}, which is missing`);
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new NoticeFieldError(`notice ${template}: notice field ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}
