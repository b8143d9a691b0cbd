import type { Knex } from 'knex';

/** Branch and product names by code, for the breakdowns of every report. */
export interface Names {
  branches: Map<string, string>;
  products: Map<string, string>;
}

export async function referenceNames(db: Knex): Promise<Names> {
  const branches = await db('branches').select<{ code: string; name: string }[]>('code', 'name');
  const products = await db('products').select<{ code: string; name: string }[]>('code', 'name');
  return { branches: new Map(branches.map((b) => [b.code, b.name])), products: new Map(products.map((p) => [p.code, p.name])) };
}
