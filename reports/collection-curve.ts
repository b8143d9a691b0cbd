import type { Knex } from 'knex';
import type { CivilDate } from '../domain/civil-date';
import { addMonths, daysOf, firstDayOf, type Month } from '../domain/months';
import { collectedBySql, endOfDay, suspensionsSql } from './monthly-figures';
import { whole } from './report';

/**
 * A month's collection curve (docs/architecture.md#console): for each day of the due month up to the
 * as-of day, the month's premiums collected by the end of that day, cumulative. "Collected" is the
 * monthly report's own definition (monthly-figures.ts `collectedBySql`), so the curve's point on a day
 * D is the 当月 figure `renewals report monthly --as-of D` prints, and its last point in a finished
 * month is that report's 当月 column.
 */
export interface CurvePoint {
  day: CivilDate;
  cases: number;
  premiumFen: number;
}

export interface CollectionCurve {
  month: Month;
  asOf: CivilDate;
  casesDue: number;
  premiumDueFen: number;
  points: CurvePoint[];
}

export async function collectionCurve(db: Knex, month: Month, asOf: CivilDate): Promise<CollectionCurve> {
  const days = daysOf(month).filter((day) => day <= asOf);
  const from = firstDayOf(month);
  const to = firstDayOf(addMonths(month, 1));
  const result = await db.raw<{ rows: { day: string | null; cases: string; premium: string | null }[] }>(
    `
    WITH lapse AS (${suspensionsSql('e.due_date >= :from AND e.due_date < :to')}),
    cohort AS MATERIALIZED (
      SELECT d.id, d.amount_fen, l.lapsed_at
      FROM premium_dues d
      LEFT JOIN lapse l ON l.policy_no = d.policy_no AND l.due_date = d.due_date
      WHERE d.due_date >= :from AND d.due_date < :to AND d.status <> 'waived'
    ),
    cuts AS (SELECT s.day, s.cut FROM jsonb_to_recordset(CAST(:days AS jsonb)) AS s(day text, cut timestamptz)),
    -- The cohort's payments met once (a hash join), then tried at each day's cut: a premium counts on
    -- a day when any of its payments is collected by that day's end.
    paid AS MATERIALIZED (
      SELECT k.id, k.amount_fen, k.lapsed_at, y.received_at, y.reversed_at
      FROM cohort k JOIN payments y ON y.premium_due_id = k.id
      WHERE y.received_at < CAST(:lastCut AS timestamptz)
    ),
    collected AS (
      SELECT DISTINCT c.day, y.id, y.amount_fen
      FROM cuts c JOIN paid y ON y.received_at < c.cut
      WHERE ${collectedBySql('y', 'c.cut', 'y.lapsed_at')}
    )
    SELECT NULL AS day, count(*) AS cases, sum(k.amount_fen) AS premium FROM cohort k
    UNION ALL
    SELECT c.day, count(x.id), sum(x.amount_fen)
    FROM cuts c LEFT JOIN collected x ON x.day = c.day
    GROUP BY c.day
    `,
    { from, to, lastCut: endOfDay(days.at(-1) ?? from), days: JSON.stringify(days.map((day) => ({ day, cut: endOfDay(day) }))) },
  );
  const total = result.rows.find((r) => r.day === null);
  const byDay = new Map(result.rows.filter((r) => r.day !== null).map((r) => [r.day!, r]));
  return {
    month,
    asOf,
    casesDue: whole(total?.cases),
    premiumDueFen: whole(total?.premium),
    points: days.map((day) => ({ day, cases: whole(byDay.get(day)?.cases), premiumFen: whole(byDay.get(day)?.premium) })),
  };
}
