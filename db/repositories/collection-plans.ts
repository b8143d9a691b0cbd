import type { Knex } from 'knex';
import type { CollectionPlan } from '../../domain/collection-plan';

/**
 * Stores collection plans (already validated) as new versions; a code and version stored before is
 * refused by the primary key. Plans are read back by loadCollectionPlans (db/repositories/cycles.ts).
 */
export async function saveCollectionPlans(db: Knex, plans: readonly CollectionPlan[]): Promise<void> {
  if (plans.length === 0) return;
  await db('collection_plans').insert(plans.map((p) => ({ code: p.code, version: p.version, definition: JSON.stringify(p) })));
}

/** Every product's grace days and plan code, to check the plans it can reach fit it. */
export async function productPlanCodes(db: Knex): Promise<{ code: string; graceDays: number; planCode: string }[]> {
  return db('products').orderBy('code').select<{ code: string; graceDays: number; planCode: string }[]>('code', 'grace_days as graceDays', 'plan_code as planCode');
}
