import type { Knex } from 'knex';
import { monthPremiumOutcomes } from '../../db/repositories/premium-outcomes-month';
import { monthlyReport } from '../../reports/monthly';
import type { CivilDate } from '../../domain/civil-date';
import { CUTOFFS, formatPercent, type Cutoff, type Fraction } from '../../domain/kpis';
import { formatYuan } from '../../domain/money';
import type { WhatIfRates } from '../../domain/what-if';

/** The headline of a simulated month, as it stands at the end of the simulation. */
export interface MonthKpis {
  asOf: CivilDate;
  premiums: number;
  dueYuan: string;
  paid: number;
  lapsed: number;
  open: number;
  /** The month's collection rate (宽末: collected by the end of the month grace ends), by case and by premium. */
  collectionRateByCase: string;
  collectionRateByPremium: string;
  /** The three cut-offs of the monthly report's total row (当月 / 次月 / 宽末). */
  cutoffs: Record<Cutoff, { byCase: string; byPremium: string }>;
  lapseRate: string;
  /** The same rates exact, for comparisons (domain/what-if.ts). */
  rates: WhatIfRates;
}

const percent = (rate: Fraction) => formatPercent(rate, 1);

/**
 * Rates from the monthly report (the same figures the report file holds); counts of where each
 * premium stands from the premiums themselves (paid = paid and not reversed).
 */
export async function monthKpis(db: Knex, month: string, asOf: CivilDate): Promise<MonthKpis> {
  const { summary } = await monthlyReport(db, month, { asOf });
  const outcomes = await monthPremiumOutcomes(db, month);
  const paid = outcomes.filter((o) => o.status === 'paid').length;
  const lapsed = outcomes.filter((o) => o.status === 'lapsed').length;
  return {
    asOf,
    premiums: summary.casesDue,
    dueYuan: formatYuan(summary.premiumDueFen),
    paid,
    lapsed,
    open: outcomes.length - paid - lapsed,
    collectionRateByCase: percent(summary.collectionRate.byCase),
    collectionRateByPremium: percent(summary.collectionRate.byPremium),
    cutoffs: Object.fromEntries(CUTOFFS.map((c) => [c, { byCase: percent(summary.cutoffs[c].byCase), byPremium: percent(summary.cutoffs[c].byPremium) }])) as MonthKpis['cutoffs'],
    lapseRate: percent(summary.lapseRate.byCase),
    rates: {
      cutoffs: Object.fromEntries(CUTOFFS.map((c) => [c, { byCase: summary.cutoffs[c].byCase, byPremium: summary.cutoffs[c].byPremium }])) as WhatIfRates['cutoffs'],
      lapse: summary.lapseRate.byCase,
    },
  };
}

