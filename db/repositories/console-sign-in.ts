import type { Knex } from 'knex';

/**
 * Console sign-in rows (migration 035, docs/architecture.md#console): failed password sign-ins by the
 * SHA-256 of their key, and OIDC flows by the SHA-256 of their cookie's value. The callers hash.
 */

/** Records one failure per key at `at`; the ids, in the keys' order. */
export async function insertSignInFailures(db: Knex, keyHashes: readonly string[], at: Date): Promise<number[]> {
  const rows = await db('console_sign_in_failures')
    .insert(keyHashes.map((keyHash) => ({ key_hash: keyHash, failed_at: at })))
    .returning<{ id: string }[]>('id');
  return rows.map((row) => Number(row.id));
}

/** The failures of one key since `since` (exclusive), counting only those up to `throughId` when given. */
export async function countSignInFailures(db: Knex, keyHash: string, since: Date, throughId?: number): Promise<number> {
  const query = db('console_sign_in_failures').where('key_hash', keyHash).andWhere('failed_at', '>', since);
  if (throughId !== undefined) query.andWhere('id', '<=', throughId);
  const row = await query.count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Whether one of the keys has at least `limit` failures since `since` (exclusive). */
export async function someKeyAtLimit(db: Knex, keyHashes: readonly string[], since: Date, limit: number): Promise<boolean> {
  const row = await db('console_sign_in_failures')
    .select('key_hash')
    .whereIn('key_hash', keyHashes)
    .andWhere('failed_at', '>', since)
    .groupBy('key_hash')
    .havingRaw('count(*) >= ?', [limit])
    .first<{ key_hash: string } | undefined>();
  return row !== undefined;
}

export async function deleteSignInFailures(db: Knex, keyHash: string): Promise<void> {
  await db('console_sign_in_failures').where('key_hash', keyHash).delete();
}

/** Deletes failures at or before `before`: they count for no window any more. */
export async function pruneSignInFailures(db: Knex, before: Date): Promise<number> {
  return db('console_sign_in_failures').where('failed_at', '<=', before).delete();
}

export async function insertOidcFlow(db: Knex, flowHash: string, expiresAt: Date): Promise<void> {
  await db('console_oidc_flows').insert({ flow_hash: flowHash, expires_at: expiresAt });
}

/** Takes a flow once: true when it was there and had not expired at `now`; the row is gone either way. */
export async function takeOidcFlow(db: Knex, flowHash: string, now: Date): Promise<boolean> {
  const rows = await db('console_oidc_flows').where('flow_hash', flowHash).delete().returning<{ expires_at: Date }[]>('expires_at');
  return rows.some((row) => row.expires_at.getTime() > now.getTime());
}

export async function pruneOidcFlows(db: Knex, before: Date): Promise<number> {
  return db('console_oidc_flows').where('expires_at', '<=', before).delete();
}
