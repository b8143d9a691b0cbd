import type { Knex } from 'knex';
import { isCivilDate, type CivilDate } from '../domain/civil-date';
import { firstDayOf, isMonth } from '../domain/months';
import { mayRun, permissionFor } from '../domain/permissions';
import { isIsoWeek } from '../domain/weeks';
import { dailyReport } from '../reports/daily';
import { lapseReasonsReport } from '../reports/lapse-reasons';
import { DEFAULT_LAPSED_LIMIT, lapsedPoliciesReport } from '../reports/lapsed-policies';
import { monthlyReport } from '../reports/monthly';
import type { TabularReport } from '../reports/report';
import { MAX_COHORT_MONTHS, monthsFromTo, reinstatementReport } from '../reports/reinstatement';
import { weeklyReport } from '../reports/weekly';
import type { ConsoleSession } from './sessions';

/**
 * The reports the console shows and hands out (docs/architecture.md#console): the CLI's own `renewals
 * report …` commands, each built by the same builder with the same checks of its period, under the same
 * permission-table entry. The period travels as the CLI's option names (date, week, month, from, to,
 * asOf): never anything personal.
 */
export const REPORT_KINDS = ['daily', 'weekly', 'monthly', 'lapse-reasons', 'reinstatement', 'lapsed'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export function isReportKind(value: unknown): value is ReportKind {
  return typeof value === 'string' && (REPORT_KINDS as readonly string[]).includes(value);
}

/** The period fields; `expects` says what each must hold, in the CLI's own terms. */
export type PeriodField = 'date' | 'week' | 'month' | 'from' | 'to' | 'asOf';
export type FieldShape = 'date' | 'week' | 'month';
export const FIELD_SHAPES: Record<PeriodField, FieldShape> = { date: 'date', week: 'week', month: 'month', from: 'month', to: 'month', asOf: 'date' };

interface KindSpec {
  required: readonly PeriodField[];
  optional: readonly PeriodField[];
}

const SPECS: Record<ReportKind, KindSpec> = {
  daily: { required: ['date'], optional: [] },
  weekly: { required: ['week'], optional: [] },
  monthly: { required: ['month'], optional: ['asOf'] },
  'lapse-reasons': { required: ['month'], optional: [] },
  reinstatement: { required: ['from', 'to'], optional: ['asOf'] },
  lapsed: { required: [], optional: ['asOf'] },
};

export function fieldsOf(kind: ReportKind): readonly PeriodField[] {
  return [...SPECS[kind].required, ...SPECS[kind].optional];
}

export function isRequired(kind: ReportKind, field: PeriodField): boolean {
  return SPECS[kind].required.includes(field);
}

/** The permission-table entry of a kind: the CLI command's path. */
export function reportCommand(kind: ReportKind): string {
  return `report ${kind}`;
}

/**
 * Whether the person may have this report, as the CLI's sign-in decides (cli/sign-in.ts): the role, and
 * for the insurer's own figures no scope (a scoped person would see beyond it).
 */
export function mayReadReport(session: Pick<ConsoleSession, 'roles' | 'scopes'>, kind: ReportKind): boolean {
  const command = reportCommand(kind);
  if (!mayRun(session.roles, command)) return false;
  return !(permissionFor(command)?.scope === 'insurer' && session.scopes.length > 0);
}

export function readableReports(session: Pick<ConsoleSession, 'roles' | 'scopes'>): ReportKind[] {
  return REPORT_KINDS.filter((kind) => mayReadReport(session, kind));
}

/** A period as typed: the fields of the kind, each a trimmed string or absent. */
export type PeriodInput = Partial<Record<PeriodField, string>>;

/** A period checked: what was wrong names its field; `empty` when no field was given at all (the bare form). */
export type PeriodCheck =
  | { period: PeriodInput }
  | { empty: true }
  | { problem: { field: PeriodField; got: string; why: 'shape' | 'before_from' | 'too_long' | 'before_month' } };

/** Reads the kind's fields from a query string, checking them as the CLI's `report` commands do. */
export function checkPeriod(kind: ReportKind, query: Record<string, unknown>): PeriodCheck {
  const fields = fieldsOf(kind);
  const typed: PeriodInput = {};
  for (const field of fields) {
    const value = query[field];
    if (typeof value === 'string') typed[field] = value.trim();
  }
  if (SPECS[kind].required.length > 0 && fields.every((field) => query[field] === undefined)) return { empty: true };
  for (const field of SPECS[kind].required) {
    if (!fits(FIELD_SHAPES[field], typed[field])) return { problem: { field, got: typed[field] ?? '', why: 'shape' } };
  }
  for (const field of SPECS[kind].optional) {
    const value = typed[field];
    if (value === undefined || value === '') {
      delete typed[field];
      continue;
    }
    if (!fits(FIELD_SHAPES[field], value)) return { problem: { field, got: value, why: 'shape' } };
  }
  if (kind === 'reinstatement') {
    const { from, to } = typed as { from: string; to: string };
    if (to < from) return { problem: { field: 'to', got: to, why: 'before_from' } };
    if (monthsFromTo(from, to).length > MAX_COHORT_MONTHS) return { problem: { field: 'to', got: to, why: 'too_long' } };
  }
  const start = typed.month ?? typed.from;
  if (typed.asOf !== undefined && start !== undefined && typed.asOf < firstDayOf(start)) return { problem: { field: 'asOf', got: typed.asOf, why: 'before_month' } };
  return { period: typed };
}

function fits(shape: FieldShape, value: string | undefined): boolean {
  if (value === undefined) return false;
  return shape === 'date' ? isCivilDate(value) : shape === 'week' ? isIsoWeek(value) : isMonth(value);
}

/** The query string of a period, for the page's download links: the period fields only. */
export function periodQuery(period: PeriodInput): string {
  return new URLSearchParams(Object.entries(period).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
}

/** The report itself, from the builder the CLI's command calls, with the person's scope where the report takes one. */
export async function buildReport(db: Knex, kind: ReportKind, period: PeriodInput, session: Pick<ConsoleSession, 'scopes'>): Promise<TabularReport> {
  const scopes = session.scopes;
  const asOf: CivilDate | undefined = period.asOf;
  switch (kind) {
    case 'daily':
      return dailyReport(db, period.date!);
    case 'weekly':
      return weeklyReport(db, period.week!);
    case 'monthly':
      return monthlyReport(db, period.month!, { asOf });
    case 'lapse-reasons':
      return lapseReasonsReport(db, period.month!);
    case 'reinstatement':
      return reinstatementReport(db, { from: period.from!, to: period.to!, asOf, scopes });
    case 'lapsed':
      return lapsedPoliciesReport(db, { asOf, highValueOnly: false, limit: DEFAULT_LAPSED_LIMIT, scopes });
  }
}
