import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { STANDARD_60 } from '../../domain/collection-plan';
import { checkPlansFitProducts, knownPlanCodes, productsUnderPlan, readScenarioPlans, requireKnownPlan } from '../../scripts/simulate/plans';

/** A scenario's own plans (plans.json) and the products played under one (docs/business-rules.md#what-if-two-plans-on-one-scenario). */
const demo = join(__dirname, '..', '..', 'scenarios', 'demo');
const scratch = mkdtempSync(join(tmpdir(), 'renewals-plans-'));
const plansFile = (plans: unknown, name = 'plans.json') => {
  const path = join(scratch, name);
  writeFileSync(path, typeof plans === 'string' ? plans : JSON.stringify(plans));
  return path;
};

describe("the demo scenario's plans.json", () => {
  it('holds lean-60, valid, fitting every product of the demo', () => {
    const plans = readScenarioPlans(join(demo, 'plans.json'));
    expect(plans.map((p) => `${p.code}@${p.version}`)).toEqual(['lean-60@1']);
    expect(plans[0]!.debitOffsets).toEqual([0, 7, 30, 60]);
    expect(plans[0]!.reminders.length).toBeLessThan(STANDARD_60.reminders.length);
    const products = parse<Record<string, string>>(readFileSync(join(demo, 'products.csv')), { bom: true, columns: true });
    expect(() => checkPlansFitProducts(plans, products.map((p) => ({ code: p.product_code!, graceDays: Number(p.grace_days), planCode: 'lean-60' })))).not.toThrow();
  });
});

describe('readScenarioPlans', () => {
  it('names the plan, its place in the list and the first bad field', () => {
    expect(() => readScenarioPlans(plansFile([{ ...STANDARD_60, code: 'x', version: 3, contactTime: '9:00' }]))).toThrow('plans.json [0]: collection plan x@3: contactTime must be HH:MM');
    expect(() => readScenarioPlans(plansFile([{ ...STANDARD_60, code: 'Bad Code' }]))).toThrow('plans.json [0]: collection plan Bad Code@2: code must be 1–32 of a-z, 0-9, -');
  });

  it('refuses a code and version listed twice, a file that is not a list, and one that is not JSON', () => {
    expect(() => readScenarioPlans(plansFile([{ ...STANDARD_60, code: 'a' }, { ...STANDARD_60, code: 'a' }]))).toThrow('plans.json [1]: collection plan a@2 is listed twice');
    expect(() => readScenarioPlans(plansFile({ plans: [] }))).toThrow('plans.json must be a JSON list of collection plans');
    expect(() => readScenarioPlans(plansFile('[{'))).toThrow(/^plans\.json is not JSON: /);
  });

  it('reads a file with a byte order mark', () => {
    expect(readScenarioPlans(plansFile(`\uFEFF${JSON.stringify([{ ...STANDARD_60, code: 'bom' }])}`))).toHaveLength(1);
  });
});

describe('the plan asked for', () => {
  it('is standard-60 or one of the scenario', () => {
    const plans = [{ ...STANDARD_60, code: 'lean-60' }];
    expect(knownPlanCodes(plans)).toEqual(['lean-60', 'standard-60']);
    expect(() => requireKnownPlan('--plan', 'standard-60', [])).not.toThrow();
    expect(() => requireKnownPlan('--plan', 'lean-60', plans)).not.toThrow();
    expect(() => requireKnownPlan('--compare-plan', 'gentle-60', plans)).toThrow('--compare-plan gentle-60: no such collection plan (known: lean-60, standard-60; a scenario adds its own in plans.json)');
  });

  it("must fit the grace days of every product that reaches it, its segment plans included", () => {
    const short = { ...STANDARD_60, code: 'short', version: 1, debitOffsets: [0, 30], graceNotices: [], tasks: STANDARD_60.tasks.filter((t) => t.offsetDays <= 30), lapseNotices: [{ step: 'lapse_sms_d+31', offsetDays: 31, channels: ['sms' as const], template: 'lapse_notice' }] };
    expect(() => checkPlansFitProducts([short], [{ code: 'HL01', graceDays: 30, planCode: 'short' }])).not.toThrow();
    expect(() => checkPlansFitProducts([short], [{ code: 'WL20', graceDays: 60, planCode: 'short' }])).toThrow(
      'plans.json: collection plan short@1: lapseNotices[0].offsetDays must be a whole number from 61 to 91, got 31 (product WL20 has 60 grace days)',
    );
    const segmentB = { ...STANDARD_60, code: 'short-b', version: 1 };
    expect(() => checkPlansFitProducts([short, segmentB], [{ code: 'HL01', graceDays: 30, planCode: 'short' }])).toThrow(/^plans\.json: collection plan short-b@1: .* \(product HL01 has 30 grace days\)$/);
    expect(() => checkPlansFitProducts([], [{ code: 'HL01', graceDays: 30, planCode: 'standard-60' }])).toThrow(/^built-in plan: collection plan standard-60@2: .*product HL01 has 30 grace days/);
  });
});

describe('productsUnderPlan', () => {
  it('sets every product’s plan_code and keeps the other cells; a short row stays as it is', () => {
    const from = join(scratch, 'products-in.csv');
    writeFileSync(from, '\uFEFFproduct_code,name,grace_days,reinstatement_years,plan_code\nWL20,"终身寿险, 20",60,2,standard-60\nCI10,重疾,60,2,\nXX\n');
    const out = mkdtempSync(join(tmpdir(), 'renewals-plans-out-'));
    const rows: string[][] = parse(readFileSync(productsUnderPlan(out, from, 'lean-60')), { bom: true, relax_column_count: true });
    expect(rows).toEqual([
      ['product_code', 'name', 'grace_days', 'reinstatement_years', 'plan_code'],
      ['WL20', '终身寿险, 20', '60', '2', 'lean-60'],
      ['CI10', '重疾', '60', '2', 'lean-60'],
      ['XX'],
    ]);
  });

  it('adds the plan_code column to a file without one', () => {
    const from = join(scratch, 'products-no-plan.csv');
    writeFileSync(from, 'product_code,name,grace_days,reinstatement_years\nWL20,终身寿险,60,2\n');
    const out = mkdtempSync(join(tmpdir(), 'renewals-plans-out-'));
    expect(readFileSync(productsUnderPlan(out, from, 'lean-60'), 'utf8')).toBe('product_code,name,grace_days,reinstatement_years,plan_code\nWL20,终身寿险,60,2,lean-60\n');
  });
});
