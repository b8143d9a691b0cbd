/**
 * Collection plans: versioned, validated data saying when to remind, debit, follow up and lapse.
 * Offsets are days relative to the due date D. The default `standard-60` is the plan of docs/business-rules.md#default-plan-standard-60;
 * products and segments may name others.
 */
import { PLAN_CHANNELS, type PlanChannel } from './channels';

export interface ContactStep {
  step: string;
  offsetDays: number;
  /** 'preferred' resolves to the policy's preferred channel (channels.ts: WeChat or email as chosen, else SMS). */
  channels: readonly PlanChannel[];
  template: string;
  /** Send on every channel with a verified contact point, not only the first that works. */
  allChannels?: boolean;
  /** Only for policies with cash value: the reduced paid-up offer has nothing to offer otherwise. */
  withCashValueOnly?: boolean;
}

export interface TaskStep {
  step: string;
  offsetDays: number;
  kind: 'call' | 'escalation';
  /** Who works it: the servicing agent (team lead when orphaned), or the team lead directly. */
  assignee: 'agent' | 'team_lead';
  /** Only for high-value policies (annualised premium at or above the threshold, or a listed segment). */
  highValueOnly?: boolean;
}

export interface CollectionPlan {
  code: string;
  version: number;
  /** Local times (Asia/Shanghai) at which reminders go out and debits are submitted. */
  contactTime: string;
  debitTime: string;
  reminders: readonly ContactStep[];
  /** Debit attempts, each moved to the next bank business day; the last is the final sweep. */
  debitOffsets: readonly number[];
  /** SMS the morning after a failed debit, with guidance for its reason. */
  failedDebitNotice: { channels: readonly PlanChannel[]; template: string };
  graceNotices: readonly ContactStep[];
  tasks: readonly TaskStep[];
  highValue: { annualisedPremiumFen: number; segments: readonly string[] };
  /** Messages after suspension; the lapse letter follows on the first working day (within 3, docs/business-rules.md#lapse-notices). */
  lapseNotices: readonly ContactStep[];
  /**
   * Days a customer keeps to pay after a late return or reversal is notified (default 15): the money
   * came back after we told them they had paid, so grace alone may already be over. [PRACTICE]
   */
  returnRemedyDays?: number;
}

export const DEFAULT_RETURN_REMEDY_DAYS = 15;

export const STANDARD_60: CollectionPlan = {
  code: 'standard-60',
  // 2: the reduced paid-up offer near grace end. Cycles opened on version 1 keep it (their history holds the plan).
  version: 2,
  contactTime: '09:00',
  debitTime: '10:00',
  reminders: [
    { step: 'reminder_d-30', offsetDays: -30, channels: ['preferred', 'email'], template: 'pre_due_reminder', allChannels: true },
    { step: 'reminder_d-15', offsetDays: -15, channels: ['sms'], template: 'pre_due_reminder' },
    { step: 'reminder_d-3', offsetDays: -3, channels: ['sms'], template: 'debit_tomorrow_keep_funds' },
  ],
  debitOffsets: [0, 3, 7, 14, 21, 30, 40, 50, 60],
  failedDebitNotice: { channels: ['sms'], template: 'debit_failed' },
  graceNotices: [
    { step: 'lapse_risk_d+15', offsetDays: 15, channels: ['email', 'letter'], template: 'lapse_risk_notice' },
    // Reduced paid-up (减额交清) offered as the alternative to suspension, explained in writing (docs/business-rules.md#reduced-paid-up).
    { step: 'reduced_paid_up_offer_d+50', offsetDays: 50, channels: ['email', 'letter'], template: 'reduced_paid_up_option', allChannels: true, withCashValueOnly: true },
    { step: 'final_notice_d+55', offsetDays: 55, channels: ['sms', 'wechat', 'email', 'letter'], template: 'final_notice', allChannels: true },
  ],
  tasks: [
    { step: 'call_d-15', offsetDays: -15, kind: 'call', assignee: 'agent', highValueOnly: true },
    { step: 'call_d+7', offsetDays: 7, kind: 'call', assignee: 'agent' },
    { step: 'call_d+30', offsetDays: 30, kind: 'call', assignee: 'agent' },
    { step: 'escalation_d+45', offsetDays: 45, kind: 'escalation', assignee: 'team_lead' },
  ],
  highValue: { annualisedPremiumFen: 1_000_000, segments: ['A'] },
  lapseNotices: [{ step: 'lapse_sms_d+61', offsetDays: 61, channels: ['sms'], template: 'lapse_notice' }],
  returnRemedyDays: DEFAULT_RETURN_REMEDY_DAYS,
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

class PlanError extends Error {
  constructor(plan: string, path: string, problem: string) {
    super(`collection plan ${plan}: ${path} ${problem}`);
    this.name = 'PlanError';
  }
}

/**
 * Checks a plan read from storage or written by an operator, naming the first bad field. With the
 * product's grace days it also checks that the plan fits that grace period (every debit and grace
 * notice inside it, lapse notices after it); without, only that the plan is well formed.
 */
export function validatePlan(candidate: unknown, productGraceDays?: number): CollectionPlan {
  const graceDays = productGraceDays ?? 365;
  const plan = candidate as CollectionPlan;
  const name = typeof plan?.code === 'string' ? `${plan.code}@${String(plan.version)}` : '(unnamed)';
  const fail = (path: string, problem: string): never => {
    throw new PlanError(name, path, problem);
  };
  if (typeof plan !== 'object' || plan === null) return fail('', 'must be an object');
  if (typeof plan.code !== 'string' || !/^[a-z0-9-]{1,32}$/.test(plan.code)) fail('code', 'must be 1–32 of a-z, 0-9, -');
  if (!Number.isInteger(plan.version) || plan.version < 1) fail('version', 'must be a whole number >= 1');
  if (typeof plan.contactTime !== 'string' || !TIME.test(plan.contactTime)) fail('contactTime', 'must be HH:MM');
  if (typeof plan.debitTime !== 'string' || !TIME.test(plan.debitTime)) fail('debitTime', 'must be HH:MM');

  const steps = new Set<string>();
  const checkStep = (path: string, s: ContactStep | TaskStep, min: number, max: number) => {
    if (typeof s?.step !== 'string' || !/^[a-z0-9_+\-]{1,48}$/.test(s.step)) fail(`${path}.step`, 'must be 1–48 of a-z, 0-9, _, +, -');
    if (steps.has(s.step)) fail(`${path}.step`, `repeats ${s.step}`);
    steps.add(s.step);
    if (!Number.isInteger(s.offsetDays) || s.offsetDays < min || s.offsetDays > max) {
      fail(`${path}.offsetDays`, `must be a whole number from ${min} to ${max}, got ${String(s.offsetDays)}`);
    }
  };
  const checkContacts = (field: string, list: readonly ContactStep[], min: number, max: number) => {
    if (!Array.isArray(list)) fail(field, 'must be a list');
    list.forEach((s, i) => {
      checkStep(`${field}[${i}]`, s, min, max);
      checkChannels(`${field}[${i}].channels`, s.channels);
      if (typeof s.template !== 'string' || s.template === '') fail(`${field}[${i}].template`, 'must be a template code');
      if (s.withCashValueOnly !== undefined && typeof s.withCashValueOnly !== 'boolean') fail(`${field}[${i}].withCashValueOnly`, 'must be true or false');
    });
  };
  const checkChannels = (path: string, channels: readonly PlanChannel[]) => {
    if (!Array.isArray(channels) || channels.length === 0) fail(path, 'must list at least one channel');
    channels.forEach((c, j) => PLAN_CHANNELS.includes(c) || fail(`${path}[${j}]`, `must be one of ${PLAN_CHANNELS.join(', ')}`));
  };

  checkContacts('reminders', plan.reminders, -90, -1);
  checkContacts('graceNotices', plan.graceNotices, 1, graceDays);
  checkContacts('lapseNotices', plan.lapseNotices, productGraceDays === undefined ? 1 : graceDays + 1, graceDays + 31);
  if (!Array.isArray(plan.tasks)) fail('tasks', 'must be a list');
  plan.tasks.forEach((t, i) => {
    checkStep(`tasks[${i}]`, t, -90, graceDays);
    if (t.kind !== 'call' && t.kind !== 'escalation') fail(`tasks[${i}].kind`, 'must be call or escalation');
    if (t.assignee !== 'agent' && t.assignee !== 'team_lead') fail(`tasks[${i}].assignee`, 'must be agent or team_lead');
  });

  const offsets = plan.debitOffsets;
  if (!Array.isArray(offsets) || offsets.length === 0) fail('debitOffsets', 'must list at least one attempt');
  offsets.forEach((o, i) => {
    if (!Number.isInteger(o) || o < 0 || o > graceDays) fail(`debitOffsets[${i}]`, `must be a whole number from 0 to ${graceDays}`);
    if (i > 0 && o <= offsets[i - 1]!) fail(`debitOffsets[${i}]`, 'must be later than the attempt before it');
  });
  checkChannels('failedDebitNotice.channels', plan.failedDebitNotice?.channels);
  if (!Number.isSafeInteger(plan.highValue?.annualisedPremiumFen) || plan.highValue.annualisedPremiumFen <= 0) {
    fail('highValue.annualisedPremiumFen', 'must be a positive whole number of fen');
  }
  if (!Array.isArray(plan.highValue.segments)) fail('highValue.segments', 'must be a list');
  const remedy = plan.returnRemedyDays;
  if (remedy !== undefined && (!Number.isInteger(remedy) || remedy < 0 || remedy > 60)) fail('returnRemedyDays', 'must be a whole number from 0 to 60');
  return plan;
}

/** Periods per year of each payment frequency, for the annualised premium of the high-value test. */
export const PERIODS_PER_YEAR = { annual: 1, semiannual: 2, quarterly: 4, monthly: 12 } as const;

export function isHighValue(
  plan: CollectionPlan,
  policy: { premiumFen: number; paymentFrequency: keyof typeof PERIODS_PER_YEAR; segment: string | null },
): boolean {
  const annualised = policy.premiumFen * PERIODS_PER_YEAR[policy.paymentFrequency];
  return annualised >= plan.highValue.annualisedPremiumFen || (policy.segment !== null && plan.highValue.segments.includes(policy.segment));
}

/** A product or policy names a plan that is not stored (imports refuse such codes: docs/business-rules.md#plan-choice-and-versions). */
export class UnknownPlanError extends Error {
  constructor(readonly planCode: string) {
    super(`collection plan ${planCode} is not stored`);
    this.name = 'UnknownPlanError';
  }
}

/**
 * The plan for a policy: a segment-specific plan first (`{planCode}-{segment}`), then the plan the
 * policy or its product names; the built-in standard-60 when that is `standard-60` and none is
 * stored. Any other code that is not stored throws UnknownPlanError: never standard-60 unseen.
 * The highest version of the chosen code wins.
 */
export function choosePlan(
  plans: readonly CollectionPlan[],
  product: { planCode: string },
  segment: string | null,
): CollectionPlan {
  const latest = (code: string) =>
    plans.filter((p) => p.code === code).reduce<CollectionPlan | undefined>((best, p) => (!best || p.version > best.version ? p : best), undefined);
  const chosen = (segment ? latest(`${product.planCode}-${segment.toLowerCase()}`) : undefined) ?? latest(product.planCode);
  if (chosen) return chosen;
  if (product.planCode === STANDARD_60.code) return STANDARD_60;
  throw new UnknownPlanError(product.planCode);
}

/**
 * The plan as one policy's cycle uses it: steps that cannot apply to this policy left out (offers
 * for a policy without cash value, high-value calls for one that is not). cycleSchedule gives the
 * same steps from either; the cycle keeps the shorter in its history.
 */
export function planForPolicy(
  plan: CollectionPlan,
  policy: { premiumFen: number; paymentFrequency: keyof typeof PERIODS_PER_YEAR; segment: string | null; cashValueFen: number },
): CollectionPlan {
  const highValue = isHighValue(plan, policy);
  return {
    ...plan,
    graceNotices: plan.graceNotices.filter((s) => !s.withCashValueOnly || policy.cashValueFen > 0),
    tasks: plan.tasks.filter((t) => highValue || !t.highValueOnly),
  };
}
