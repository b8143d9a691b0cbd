import type { Knex } from 'knex';

/** A key the database has seen (migration 012): its public id, check value and state. */
export interface RegisteredKey {
  key_id: string;
  check_value: string;
  state: 'current' | 'retiring' | 'retired';
  registered_at: Date;
  retired_at: Date | null;
}

/** The id under which values without a key id (the v1 format) are registered. */
export const LEGACY_KEY_ID = 'v1';

/** One process at a time reads and changes the ring (two workers starting on a fresh database register one key). */
export async function lockKeyRing(trx: Knex.Transaction): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, ?)', [0x4b455953, 1]);
}

export async function registeredKeys(db: Knex): Promise<RegisteredKey[]> {
  return db('data_keys').orderBy(['registered_at', 'key_id']).select<RegisteredKey[]>('key_id', 'check_value', 'state', 'registered_at', 'retired_at');
}

export async function registerKey(trx: Knex.Transaction, keyId: string, checkValue: string, state: RegisteredKey['state']): Promise<void> {
  await trx('data_keys').insert({ key_id: keyId, check_value: checkValue, state });
}

/** Keys rows may still be under: while there are any, a rotation is under way. */
export async function retiringKeys(db: Knex): Promise<string[]> {
  return db('data_keys').where({ state: 'retiring' }).orderBy('key_id').pluck<string[]>('key_id');
}

/** The current key becomes retiring, so the new one can be current: a rotation begins. */
export async function makeCurrent(trx: Knex.Transaction, keyId: string, checkValue: string): Promise<void> {
  await trx('data_keys').where({ state: 'current' }).update({ state: 'retiring' });
  await trx('data_keys').insert({ key_id: keyId, check_value: checkValue, state: 'current' }).onConflict('key_id').merge({ state: 'current', retired_at: null });
}

/** Retiring keys no row is under any more. */
export async function retireKeys(trx: Knex.Transaction, keyIds: readonly string[]): Promise<void> {
  if (keyIds.length === 0) return;
  await trx('data_keys').whereIn('key_id', keyIds).where({ state: 'retiring' }).update({ state: 'retired', retired_at: trx.fn.now() });
}
