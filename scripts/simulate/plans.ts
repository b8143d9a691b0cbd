/**
 * A scenario's own collection plans (plans.json) and the plan a simulation is played under
 * (`--plan`, docs/business-rules.md#what-if-two-plans-on-one-scenario). Plans are checked by the plan
 * validator before anything starts, and again against every product that can reach them once the
 * products are imported.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { OperatorError } from '../../application/errors';
import { choosePlan, STANDARD_60, validatePlan, type CollectionPlan } from '../../domain/collection-plan';

/** The segments a per-segment plan (`{plan}-{segment}`) can be chosen for, and none. */
const SEGMENTS_TO_CHECK = [null, 'A', 'B', 'C'] as const;

/** plans.json: a JSON list of collection plans, each checked by validatePlan; the first fault is named. */
export function readScenarioPlans(path: string): CollectionPlan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new OperatorError(`plans.json is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new OperatorError('plans.json must be a JSON list of collection plans');
  const seen = new Set<string>();
  return parsed.map((candidate: unknown, i) => {
    let plan: CollectionPlan;
    try {
      plan = validatePlan(candidate);
    } catch (error) {
      throw new OperatorError(`plans.json [${i}]: ${(error as Error).message}`);
    }
    const key = `${plan.code}@${plan.version}`;
    if (seen.has(key)) throw new OperatorError(`plans.json [${i}]: collection plan ${key} is listed twice`);
    seen.add(key);
    return plan;
  });
}

/** The plan codes a simulation can be played under: the built-in standard-60 and the scenario's own. */
export function knownPlanCodes(plans: readonly CollectionPlan[]): string[] {
  return [...new Set([STANDARD_60.code, ...plans.map((p) => p.code)])].sort();
}

/** `--plan CODE` must name a known plan; the error lists those there are. */
export function requireKnownPlan(option: string, code: string, plans: readonly CollectionPlan[]): void {
  const known = knownPlanCodes(plans);
  if (!known.includes(code)) throw new OperatorError(`${option} ${code}: no such collection plan (known: ${known.join(', ')}; a scenario adds its own in plans.json)`, true);
}

/**
 * Every plan a product can reach (its plan code, and `{code}-{segment}` for segments A, B and C) must
 * fit its grace days: otherwise each of its cycles would fail at open. Named: plan, field and product.
 */
export function checkPlansFitProducts(plans: readonly CollectionPlan[], products: readonly { code: string; graceDays: number; planCode: string }[]): void {
  for (const product of products) {
    for (const segment of SEGMENTS_TO_CHECK) {
      const plan = choosePlan(plans, product, segment);
      try {
        validatePlan(plan, product.graceDays);
      } catch (error) {
        const from = plans.includes(plan) ? 'plans.json' : 'built-in plan';
        throw new OperatorError(`${from}: ${(error as Error).message} (product ${product.code} has ${product.graceDays} grace days)`);
      }
    }
  }
}

/**
 * A copy of products.csv in `toDir` with every product's plan_code set to `planCode` (the column is
 * added when the file has none); other cells go back exactly as read. The original is not touched.
 */
export function productsUnderPlan(toDir: string, from: string, planCode: string): string {
  const bytes = readFileSync(from);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'gbk');
  }
  const records: string[][] = parse(text, { bom: true, relax_column_count: true });
  const [header, ...rows] = records;
  const to = join(toDir, 'products.csv');
  if (!header) {
    writeFileSync(to, text);
    return to;
  }
  let column = header.findIndex((name) => name.trim().toLowerCase() === 'plan_code');
  const outHeader = column === -1 ? [...header, 'plan_code'] : header;
  if (column === -1) column = header.length;
  const outRows = rows.map((cells) => {
    // A short row stays as it is: the import reports it on the same row as in the original.
    if (cells.length < header.length) return cells;
    const copy = [...cells];
    while (copy.length <= column) copy.push('');
    copy[column] = planCode;
    return copy;
  });
  writeFileSync(to, stringify([outHeader, ...outRows]));
  return to;
}
