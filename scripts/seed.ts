import type { Db } from '../db/connection';
import type { PiiCipher } from '../db/pii-cipher';
import { upsertBranch, upsertPolicy, upsertProduct } from '../db/repositories/policies';
import type { SamplePolicy } from './sample-portfolio';

/** The branch and product the sample portfolio and the tests' policies belong to (the product under `planCode`). Safe to run twice. */
export async function seedReferenceData(db: Db, planCode = 'standard-60'): Promise<void> {
  await upsertBranch(db, '3201', '南京分公司 Nanjing branch');
  await upsertProduct(db, { code: 'WL20', name: '终身寿险（20年交）Whole life, 20-pay', graceDays: 60, reinstatementYears: 2, planCode });
}

/** Writes the sample portfolio and the reference data it needs. Safe to run twice. */
export async function seedSamplePortfolio(db: Db, cipher: PiiCipher, portfolio: SamplePolicy[]): Promise<void> {
  await seedReferenceData(db);
  for (const { policy } of portfolio) await upsertPolicy(db, cipher, policy);
}
