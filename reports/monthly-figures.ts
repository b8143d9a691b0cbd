import type { Knex } from 'knex';
import { shanghaiDate, shanghaiInstant, addDays, type CivilDate } from '../domain/civil-date';
import { CUTOFFS, collectionCutoffs, measuredThrough, type Cutoff } from '../domain/kpis';
import { daysOf, firstDayOf, addMonths, type Month } from '../domain/months';
import { whole } from './report';

/**
 * What the monthly report counts (all from PostgreSQL, never from workflow state):
 *
 * - Cohort (denominator): premium_dues with due_date in the month, status not 'waived'. A case is
 *   one premium; its premium is premium_dues.amount_fen. 'closed' cycles stay in (counted unpaid).
 * - Collected by a cut-off C (numerator): the premium has a payment received before C that was not
 *   reversed before C (payments.reversed_at) and was received before the policy lapsed (a payment
 *   after suspension is a reinstatement, counted separately). C is the end of the cut-off's last day
 *   in Asia/Shanghai: 当月 = end of the due month, 次月 = end of the next month, 宽末 = end of the
 *   month holding due date + the product's grace days (per premium). With --as-of, every C is
 *   capped at the end of the as-of day and the cell is marked not final.
 * - Lapsed: a policy_suspended audit event for the premium (policy_no, due_date) occurred before
 *   the end of the as-of day (the cycle writes it with premium_dues.status 'lapsed'; the event keeps
 *   the moment, and a later reinstatement does not erase the lapse).
 * - Reinstated: lapsed, then a payment received after the suspension and not reversed by the as-of day.
 * - Dimensions are the policy's current branch, channel, product and servicing agent (team from the
 *   agent); orphan = no agent, or the agent has departed.
 */
export interface Figures {
  cases: number;
  premiumFen: number;
  collected: Record<Cutoff, { cases: number; premiumFen: number }>;
  lapsed: { cases: number; premiumFen: number };
  reinstatedCases: number;
  /** True when every premium's 宽末 cut-off has passed by the as-of date. */
  graceEndFinal: boolean;
}

export const DIMENSIONS = ['payment_number', 'branch', 'channel', 'agent', 'orphan', 'product'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface GroupFigures {
  dimension: Dimension | 'total';
  /** The group's value(s): e.g. { branch: '3201' }, { team: 'T01', agent: 'A001' }, { orphan: 'true' }. */
  key: Record<string, string>;
  figures: Figures;
}

/**
 * The month's cut-offs seen from the as-of date. 当月 and 次月 are one date for the whole cohort;
 * 宽末 is listed for every (due date, grace days) the month can have (the SQL recomputes it per row).
 */
export interface CutoffPlan {
  month: Month;
  asOf: CivilDate;
  /** Last days counted for 当月 and 次月 (capped at the as-of day). */
  dueMonth: { through: CivilDate; final: boolean };
  nextMonth: { through: CivilDate; final: boolean };
  /** 宽末 per due date and grace days. */
  graceEnd: { dueDate: CivilDate; graceDays: number; through: CivilDate; final: boolean }[];
}

export function planCutoffs(month: Month, asOf: CivilDate, graceDays: readonly number[]): CutoffPlan {
  const first = firstDayOf(month);
  return {
    month,
    asOf,
    dueMonth: measuredThrough(collectionCutoffs(first, 0).due_month, asOf),
    nextMonth: measuredThrough(collectionCutoffs(first, 0).next_month, asOf),
    graceEnd: daysOf(month).flatMap((dueDate) =>
      graceDays.map((g) => ({ dueDate, graceDays: g, ...measuredThrough(collectionCutoffs(dueDate, g).grace_end_month, asOf) })),
    ),
  };
}

/** The first instant after a Shanghai civil day, as an ISO timestamp for a timestamptz parameter. */
export function endOfDay(date: CivilDate): string {
  return new Date(shanghaiInstant(addDays(date, 1))).toISOString();
}

export function todayInShanghai(): CivilDate {
  return shanghaiDate(Date.now());
}

/**
 * 宽末 in SQL: the last day of the month holding due date + grace days, exactly as
 * collectionCutoffs() in domain/kpis.ts defines it (test/db/reports.test.ts checks the two agree
 * day by day). Computed per row rather than joined from a list made in TypeScript: with a join the
 * planner misjudges the row counts and walks the month one day at a time through an index.
 * Timestamps without time zone, so the session's TimeZone cannot shift a day.
 */
export function graceEndMonthSql(dueDate: string, graceDays: string): string {
  return `CAST(date_trunc('month', CAST(${dueDate} + ${graceDays} AS timestamp)) + interval '1 month' - interval '1 day' AS date)`;
}

/**
 * "Collected by a cut-off", the one definition every report shares (docs/business-rules.md#collection-rate):
 * payment `p` was received before `cut`, not reversed before it, and received before the premium's
 * lapse `lapsedAt` (a payment after suspension is a reinstatement). All three are SQL expressions.
 */
export function collectedBySql(p: string, cut: string, lapsedAt: string): string {
  return `(${p}.received_at < ${cut} AND (${p}.reversed_at IS NULL OR ${p}.reversed_at >= ${cut}) AND (${lapsedAt} IS NULL OR ${p}.received_at < ${lapsedAt}))`;
}

/**
 * The lapses of premiums, one row per (policy_no, due_date) with the moment of suspension (the first
 * `policy_suspended` event: a retried activity can write a second) and its non-payment reason.
 * `where` filters the events (alias e). A suspension undone by a payment made within grace
 * (`suspension_undone`, docs/business-rules.md#payment-amounts) was never a lapse.
 */
export function suspensionsSql(where: string): string {
  return `
      SELECT e.policy_no, e.due_date, min(e.occurred_at) AS lapsed_at,
             (array_agg(e.detail->'nonPaymentReason' ORDER BY e.seq) FILTER (WHERE e.detail->'nonPaymentReason' IS NOT NULL))[1] AS reason
      FROM audit_events e
      WHERE e.kind = 'policy_suspended' AND ${where}
        AND NOT EXISTS (SELECT 1 FROM audit_events u WHERE u.kind = 'suspension_undone' AND u.policy_no = e.policy_no AND u.due_date = e.due_date)
      GROUP BY e.policy_no, e.due_date`;
}

/** The collection and lapse figures of a month's cohort, for the total and every dimension, in one query (grouping sets). */
export async function monthlyFigures(db: Knex, plan: CutoffPlan): Promise<GroupFigures[]> {
  const from = firstDayOf(plan.month);
  const to = firstDayOf(addMonths(plan.month, 1));
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH lapse AS (${suspensionsSql('e.due_date >= :from AND e.due_date < :to AND e.occurred_at < CAST(:asOfCut AS timestamptz)')}),
    cohort AS MATERIALIZED (
      SELECT d.id, d.amount_fen, least(d.installment_no, 4) AS payment_number,
             p.branch_code, p.channel::text AS channel, p.product_code,
             coalesce(a.team_code, '') AS team_code, coalesce(p.agent_code, '') AS agent_code,
             (p.agent_code IS NULL OR a.status = 'departed') AS orphan,
             g.grace_end_month <= CAST(:asOf AS date) AS grace_final,
             CAST(least(g.grace_end_month, CAST(:asOf AS date)) + 1 AS timestamp) AT TIME ZONE 'UTC' - interval '8 hours' AS grace_cut,
             l.lapsed_at
      FROM premium_dues d
      JOIN policies p ON p.policy_no = d.policy_no
      JOIN products r ON r.code = p.product_code
      CROSS JOIN LATERAL (SELECT ${graceEndMonthSql('d.due_date', 'r.grace_days')} AS grace_end_month) g
      LEFT JOIN agents a ON a.code = p.agent_code
      LEFT JOIN lapse l ON l.policy_no = d.policy_no AND l.due_date = d.due_date
      WHERE d.due_date >= :from AND d.due_date < :to AND d.status <> 'waived'
    ),
    -- Payments met through a hash join with the month's premiums (sequential reads): at a million
    -- premiums this beat one index probe per premium, which reads the payments index at random.
    paid AS (
      SELECT k.id,
        bool_or(${collectedBySql('y', 'CAST(:dueMonthCut AS timestamptz)', 'k.lapsed_at')}) AS by_due_month,
        bool_or(${collectedBySql('y', 'CAST(:nextMonthCut AS timestamptz)', 'k.lapsed_at')}) AS by_next_month,
        bool_or(${collectedBySql('y', 'k.grace_cut', 'k.lapsed_at')}) AS by_grace_end_month,
        bool_or(k.lapsed_at IS NOT NULL AND y.received_at >= k.lapsed_at AND y.received_at < CAST(:asOfCut AS timestamptz)
                AND (y.reversed_at IS NULL OR y.reversed_at >= CAST(:asOfCut AS timestamptz))) AS reinstated
      FROM cohort k JOIN payments y ON y.premium_due_id = k.id
      GROUP BY k.id
    )
    SELECT
      CASE WHEN grouping(k.payment_number) = 0 THEN 'payment_number'
           WHEN grouping(k.branch_code) = 0 THEN 'branch'
           WHEN grouping(k.channel) = 0 THEN 'channel'
           WHEN grouping(k.team_code) = 0 THEN 'agent'
           WHEN grouping(k.orphan) = 0 THEN 'orphan'
           WHEN grouping(k.product_code) = 0 THEN 'product'
           ELSE 'total' END AS dimension,
      k.payment_number, k.branch_code, k.channel, k.team_code, k.agent_code, k.orphan, k.product_code,
      count(*) AS cases,
      sum(k.amount_fen) AS premium,
      count(*) FILTER (WHERE x.by_due_month) AS due_month_cases,
      sum(k.amount_fen) FILTER (WHERE x.by_due_month) AS due_month_premium,
      count(*) FILTER (WHERE x.by_next_month) AS next_month_cases,
      sum(k.amount_fen) FILTER (WHERE x.by_next_month) AS next_month_premium,
      count(*) FILTER (WHERE x.by_grace_end_month) AS grace_end_month_cases,
      sum(k.amount_fen) FILTER (WHERE x.by_grace_end_month) AS grace_end_month_premium,
      count(*) FILTER (WHERE k.lapsed_at IS NOT NULL) AS lapsed_cases,
      sum(k.amount_fen) FILTER (WHERE k.lapsed_at IS NOT NULL) AS lapsed_premium,
      count(*) FILTER (WHERE x.reinstated) AS reinstated_cases,
      bool_and(k.grace_final) AS grace_final
    FROM cohort k LEFT JOIN paid x ON x.id = k.id
    GROUP BY GROUPING SETS ((), (k.payment_number), (k.branch_code), (k.channel), (k.team_code, k.agent_code), (k.orphan), (k.product_code))
    `,
    {
      from,
      to,
      asOf: plan.asOf,
      dueMonthCut: endOfDay(plan.dueMonth.through),
      nextMonthCut: endOfDay(plan.nextMonth.through),
      asOfCut: endOfDay(plan.asOf),
    },
  );
  // An empty month still has its total row: the () grouping set yields one row of zeros.
  return result.rows.map(readGroup);
}

function readGroup(row: Record<string, unknown>): GroupFigures {
  const dimension = row.dimension as GroupFigures['dimension'];
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');
  const key: Record<string, string> = {
    total: {},
    payment_number: { payment_number: text(row.payment_number) },
    branch: { branch: text(row.branch_code) },
    channel: { channel: text(row.channel) },
    agent: { team: text(row.team_code), agent: text(row.agent_code) },
    orphan: { orphan: text(row.orphan) },
    product: { product: text(row.product_code) },
  }[dimension];
  const collected = Object.fromEntries(
    CUTOFFS.map((c) => [c, { cases: whole(row[`${c}_cases`]), premiumFen: whole(row[`${c}_premium`]) }]),
  ) as Figures['collected'];
  return {
    dimension,
    key,
    figures: {
      cases: whole(row.cases),
      premiumFen: whole(row.premium),
      collected,
      lapsed: { cases: whole(row.lapsed_cases), premiumFen: whole(row.lapsed_premium) },
      reinstatedCases: whole(row.reinstated_cases),
      // bool_and over no rows is null: an empty month has nothing left to wait for.
      graceEndFinal: row.grace_final !== false,
    },
  };
}

/** Debit success by attempt number and bank for the month's premiums, as it stood at the end of the as-of day. */
export interface DebitFigures {
  attemptNo: number | null;
  bankCode: string | null;
  attempts: number;
  succeeded: number;
  failed: number;
  returned: number;
  pending: number;
  collectedFen: number;
}

/**
 * Attempts of the cohort's premiums with a collection date up to the as-of day. At the as-of day an
 * attempt had succeeded (answered success, not yet returned), failed, been returned, or was still
 * pending (no answer yet, or an unknown one). An attempt withdrawn before its file was sent never
 * reached the bank, so it is not an attempt here. null attempt/bank in a row means "all".
 */
export async function debitFigures(db: Knex, plan: CutoffPlan): Promise<DebitFigures[]> {
  const result = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    WITH attempt AS (
      SELECT a.attempt_no, a.bank_code, a.amount_fen,
        (a.status IN ('succeeded', 'returned') AND a.resolved_at < CAST(:asOfCut AS timestamptz)
          AND (a.returned_at IS NULL OR a.returned_at >= CAST(:asOfCut AS timestamptz))) AS succeeded,
        (a.status = 'failed' AND a.resolved_at < CAST(:asOfCut AS timestamptz)) AS failed,
        (a.status = 'returned' AND a.returned_at < CAST(:asOfCut AS timestamptz)) AS returned
      FROM debit_attempts a
      JOIN premium_dues d ON d.id = a.premium_due_id
      WHERE d.due_date >= :from AND d.due_date < :to AND d.status <> 'waived' AND a.collection_date <= :asOf
        AND a.status <> 'withdrawn'
    )
    SELECT attempt_no, bank_code,
      count(*) AS attempts,
      count(*) FILTER (WHERE succeeded) AS succeeded,
      count(*) FILTER (WHERE failed) AS failed,
      count(*) FILTER (WHERE returned) AS returned,
      count(*) FILTER (WHERE NOT (succeeded OR failed OR returned)) AS pending,
      sum(amount_fen) FILTER (WHERE succeeded) AS collected
    FROM attempt
    GROUP BY GROUPING SETS ((attempt_no, bank_code), (attempt_no), (bank_code), ())
    ORDER BY attempt_no NULLS LAST, bank_code NULLS LAST
    `,
    {
      from: firstDayOf(plan.month),
      to: firstDayOf(addMonths(plan.month, 1)),
      asOf: plan.asOf,
      asOfCut: endOfDay(plan.asOf),
    },
  );
  return result.rows.map((r) => ({
    attemptNo: r.attempt_no === null ? null : whole(r.attempt_no),
    bankCode: (r.bank_code as string | null) ?? null,
    attempts: whole(r.attempts),
    succeeded: whole(r.succeeded),
    failed: whole(r.failed),
    returned: whole(r.returned),
    pending: whole(r.pending),
    collectedFen: whole(r.collected),
  }));
}

/** Grace days of every product: the 宽末 cut-offs the month can need. */
export async function productGraceDays(db: Knex): Promise<number[]> {
  const rows = await db('products').distinct('grace_days').orderBy('grace_days').select<{ grace_days: number }[]>();
  return rows.map((r) => r.grace_days);
}

