import type { Knex } from 'knex';
import { monthPremiumOutcomes } from '../../db/repositories/premium-outcomes-month';
import type { CivilDate } from '../../domain/civil-date';
import { formatPercent, fraction } from '../../domain/kpis';
import { formatYuan } from '../../domain/money';

/** The headline of a simulated month, as it stands at the end of the simulation. */
export interface MonthKpis {
  asOf: CivilDate;
  premiums: number;
  dueYuan: string;
  paid: number;
  paidYuan: string;
  lapsed: number;
  open: number;
  collectionRateByCase: string;
  collectionRateByPremium: string;
  lapseRate: string;
}

/**
 * Collected = paid and not reversed (premium_dues.status 'paid'), by case and by amount, over every
 * premium due in the month; the full 3 × payment-number grid is in the monthly report.
 */
export async function monthKpis(db: Knex, month: string, asOf: CivilDate): Promise<MonthKpis> {
  const outcomes = await monthPremiumOutcomes(db, month);
  const paid = outcomes.filter((o) => o.status === 'paid');
  const lapsed = outcomes.filter((o) => o.status === 'lapsed');
  const sum = (rows: typeof outcomes) => rows.reduce((total, o) => total + o.premiumFen, 0);
  return {
    asOf,
    premiums: outcomes.length,
    dueYuan: formatYuan(sum(outcomes)),
    paid: paid.length,
    paidYuan: formatYuan(sum(paid)),
    lapsed: lapsed.length,
    open: outcomes.length - paid.length - lapsed.length,
    collectionRateByCase: formatPercent(fraction(paid.length, outcomes.length), 1),
    collectionRateByPremium: formatPercent(fraction(sum(paid), sum(outcomes)), 1),
    lapseRate: formatPercent(fraction(lapsed.length, outcomes.length), 1),
  };
}
