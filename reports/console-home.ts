import type { Knex } from 'knex';
import type { CivilDate } from '../domain/civil-date';
import { firstDayOf, lastDayOf, type Month } from '../domain/months';
import type { Scope } from '../domain/roles';
import { policyScopeSql } from './scope-sql';

/** Cases and premium of one figure on the console's home page. */
export interface CasesAndPremium {
  cases: number;
  premiumFen: number;
}

/**
 * The month's premiums as the console's home page shows them (docs/architecture.md#console), counted
 * from premium_dues with due_date in the month (waived ones left out), for the policies in the
 * person's scope only:
 * - due: every premium of the month;
 * - paid: status `paid`;
 * - in grace: still `due` and its due date has passed (the grace period is running);
 * - lapsed: status `lapsed`.
 */
export interface MonthPremiums {
  month: Month;
  due: CasesAndPremium;
  paid: CasesAndPremium;
  inGrace: CasesAndPremium;
  lapsed: CasesAndPremium;
}

interface Row {
  due_cases: string;
  due_fen: string;
  paid_cases: string;
  paid_fen: string;
  grace_cases: string;
  grace_fen: string;
  lapsed_cases: string;
  lapsed_fen: string;
}

export async function monthPremiums(db: Knex, month: Month, today: CivilDate, scopes: readonly Scope[]): Promise<MonthPremiums> {
  // The scope matches on the premium's policy number: no join to policies for the whole insurer.
  const scope = policyScopeSql('d', scopes);
  const result = await db.raw<{ rows: Row[] }>(
    `SELECT count(*) AS due_cases, coalesce(sum(d.amount_fen), 0) AS due_fen,
            count(*) FILTER (WHERE d.status = 'paid') AS paid_cases,
            coalesce(sum(d.amount_fen) FILTER (WHERE d.status = 'paid'), 0) AS paid_fen,
            count(*) FILTER (WHERE d.status = 'due' AND d.due_date < CAST(:today AS date)) AS grace_cases,
            coalesce(sum(d.amount_fen) FILTER (WHERE d.status = 'due' AND d.due_date < CAST(:today AS date)), 0) AS grace_fen,
            count(*) FILTER (WHERE d.status = 'lapsed') AS lapsed_cases,
            coalesce(sum(d.amount_fen) FILTER (WHERE d.status = 'lapsed'), 0) AS lapsed_fen
       FROM premium_dues d
      WHERE d.due_date BETWEEN CAST(:first AS date) AND CAST(:last AS date)
        AND d.status <> 'waived'
        AND ${scope.sql}`,
    { first: firstDayOf(month), last: lastDayOf(month), today, ...scope.bindings },
  );
  const row = result.rows[0]!;
  const pair = (cases: string, fen: string): CasesAndPremium => ({ cases: Number(cases), premiumFen: Number(fen) });
  return {
    month,
    due: pair(row.due_cases, row.due_fen),
    paid: pair(row.paid_cases, row.paid_fen),
    inGrace: pair(row.grace_cases, row.grace_fen),
    lapsed: pair(row.lapsed_cases, row.lapsed_fen),
  };
}
