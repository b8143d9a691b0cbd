/**
 * What-if (docs/business-rules.md#what-if-two-plans-on-one-scenario): the same scenario played under two
 * collection plans, compared figure by figure. Pure: the simulator plays each side and hands over its
 * counts and exact rates; this totals them, works out the differences (B − A) and words the rows.
 */
import { CONTACT_CHANNELS } from './channels';
import { CUTOFFS, formatPercent, type Cutoff, type Fraction } from './kpis';

/** The rates of one side, exact (numerator, denominator) as the monthly report counts them. */
export interface WhatIfRates {
  cutoffs: Readonly<Record<Cutoff, { byCase: Fraction; byPremium: Fraction }>>;
  lapse: Fraction;
}

/** What one premium cost and brought on one side. */
export interface WhatIfPremium {
  /** Contacts that went out, per channel. */
  contacts: Readonly<Record<string, number>>;
  debitAttempts: number;
  debitsSucceeded: number;
  tasks: number;
}

/** One side of the comparison: a plan and what the month came to under it. */
export interface WhatIfSide {
  plan: string;
  premiums: number;
  paid: number;
  lapsed: number;
  open: number;
  rates: WhatIfRates;
  /** Contacts per channel, every channel of the vocabulary present (0 when none went out). */
  contacts: Record<string, number>;
  contactsTotal: number;
  debits: { attempted: number; succeeded: number };
  tasks: number;
}

/** One line of the comparison: the figure, each side's value as shown and the difference B − A. */
export interface ComparisonRow {
  figure: string;
  a: string;
  b: string;
  delta: string;
}

/** Totals one side: contacts per channel (known channels first, in their order), debits and tasks. */
export function whatIfSide(
  plan: string,
  month: { premiums: number; paid: number; lapsed: number; open: number; rates: WhatIfRates },
  premiums: readonly WhatIfPremium[],
): WhatIfSide {
  const contacts: Record<string, number> = Object.fromEntries(CONTACT_CHANNELS.map((c) => [c, 0]));
  let attempted = 0;
  let succeeded = 0;
  let tasks = 0;
  for (const p of premiums) {
    for (const [channel, n] of Object.entries(p.contacts)) contacts[channel] = (contacts[channel] ?? 0) + n;
    attempted += p.debitAttempts;
    succeeded += p.debitsSucceeded;
    tasks += p.tasks;
  }
  const contactsTotal = Object.values(contacts).reduce((sum, n) => sum + n, 0);
  return {
    plan,
    premiums: month.premiums,
    paid: month.paid,
    lapsed: month.lapsed,
    open: month.open,
    rates: month.rates,
    contacts,
    contactsTotal,
    debits: { attempted, succeeded },
    tasks,
  };
}

const CUTOFF_NAMES: Readonly<Record<Cutoff, string>> = { due_month: '当月', next_month: '次月', grace_end_month: '宽末' };

/** Rates are shown to one decimal, as the simulation prints them; differences in percentage points. */
const PLACES = 1;

/**
 * b − a in percentage points, rounded half away from zero to `places` decimals, signed ('+2.5 pp',
 * '-1.0 pp', '0.0 pp'); '—' when either side had nothing due. Exact: cross-multiplied in BigInt.
 */
export function rateDelta(a: Fraction, b: Fraction, places = PLACES): string {
  if (a.denominator === 0 || b.denominator === 0) return '—';
  const numerator = BigInt(b.numerator) * BigInt(a.denominator) - BigInt(a.numerator) * BigInt(b.denominator);
  const denominator = BigInt(a.denominator) * BigInt(b.denominator);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const scale = 10n ** BigInt(places);
  // Half up on the magnitude: floor((2·n·100·scale + d) / (2·d)).
  const scaled = (2n * magnitude * 100n * scale + denominator) / (2n * denominator);
  const whole = scaled / scale;
  const text = places === 0 ? whole.toString() : `${whole}.${(scaled % scale).toString().padStart(places, '0')}`;
  const sign = scaled === 0n ? '' : negative ? '-' : '+';
  return `${sign}${text} pp`;
}

/** b − a as a signed count: '+3', '-2', '0'. */
export function countDelta(a: number, b: number): string {
  const d = b - a;
  return d > 0 ? `+${d}` : String(d);
}

/** The figures of the two sides, row by row, in the order operations read them. */
export function compareSides(a: WhatIfSide, b: WhatIfSide): ComparisonRow[] {
  const rate = (figure: string, pick: (s: WhatIfSide) => Fraction): ComparisonRow => ({
    figure,
    a: formatPercent(pick(a), PLACES),
    b: formatPercent(pick(b), PLACES),
    delta: rateDelta(pick(a), pick(b)),
  });
  const count = (figure: string, pick: (s: WhatIfSide) => number): ComparisonRow => ({
    figure,
    a: String(pick(a)),
    b: String(pick(b)),
    delta: countDelta(pick(a), pick(b)),
  });
  const channels = [...CONTACT_CHANNELS, ...[...new Set([...Object.keys(a.contacts), ...Object.keys(b.contacts)])].filter((c) => !(CONTACT_CHANNELS as readonly string[]).includes(c)).sort()];
  return [
    count('premiums due', (s) => s.premiums),
    ...CUTOFFS.flatMap((c) => [
      rate(`collection rate ${CUTOFF_NAMES[c]} by case`, (s) => s.rates.cutoffs[c].byCase),
      rate(`collection rate ${CUTOFF_NAMES[c]} by premium`, (s) => s.rates.cutoffs[c].byPremium),
    ]),
    rate('lapse rate by case', (s) => s.rates.lapse),
    count('paid', (s) => s.paid),
    count('lapsed', (s) => s.lapsed),
    count('still open', (s) => s.open),
    count('contacts', (s) => s.contactsTotal),
    ...channels.map((c) => count(`  contacts ${c}`, (s) => s.contacts[c] ?? 0)),
    count('debits attempted', (s) => s.debits.attempted),
    count('debits succeeded', (s) => s.debits.succeeded),
    count('tasks', (s) => s.tasks),
  ];
}

/** Where a premium ended up on one side, as the simulation reports it. */
export interface PremiumOutcome {
  policyNo: string;
  stage: string;
  paidOn: string | null;
  paidVia: string | null;
  lapsedOn: string | null;
}

/** A premium that ended differently under the two plans: each side's outcome in words. */
export interface OutcomeDifference {
  policyNo: string;
  a: string;
  b: string;
}

/** 'paid 2027-01-14 (debit)', 'lapsed 2027-03-15', or the stage when neither. */
export function describeOutcome(p: PremiumOutcome): string {
  if (p.paidOn !== null) return `paid ${p.paidOn}${p.paidVia ? ` (${p.paidVia})` : ''}`;
  if (p.lapsedOn !== null) return `lapsed ${p.lapsedOn}${p.stage !== 'LAPSED' ? ` (${p.stage})` : ''}`;
  return p.stage;
}

/** The premiums whose outcome differs between the sides, by policy number; one side only counts as a difference. */
export function outcomeDifferences(a: readonly PremiumOutcome[], b: readonly PremiumOutcome[]): OutcomeDifference[] {
  const bByPolicy = new Map(b.map((p) => [p.policyNo, p]));
  const aPolicies = new Set(a.map((p) => p.policyNo));
  const differences: OutcomeDifference[] = [];
  for (const p of a) {
    const other = bByPolicy.get(p.policyNo);
    const [left, right] = [describeOutcome(p), other ? describeOutcome(other) : 'not in the month'];
    if (left !== right) differences.push({ policyNo: p.policyNo, a: left, b: right });
  }
  for (const p of b) if (!aPolicies.has(p.policyNo)) differences.push({ policyNo: p.policyNo, a: 'not in the month', b: describeOutcome(p) });
  return differences.sort((x, y) => x.policyNo.localeCompare(y.policyNo));
}
