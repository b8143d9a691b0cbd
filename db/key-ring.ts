import type { Knex } from 'knex';
import type { DataKey } from './data-key';
import type { PiiCipher } from './pii-cipher';
import { LEGACY_KEY_ID, lockKeyRing, makeCurrent, registerKey, registeredKeys, type RegisteredKey } from './repositories/data-keys';
import { keyUsage, legacySample } from './repositories/key-usage';

/** The configured keys do not fit the database: said at start-up, before anything is read or written. */
export class KeyRingRefused extends Error {
  override readonly name = 'KeyRingRefused';
}

export interface KeyRingState {
  currentKeyId: string;
  /** Keys rows may still be under: a rotation is under way (blind-index lookups would miss those rows). */
  retiring: string[];
  /** What this start-up changed: the database's first key registered, or a rotation begun with a new current key. */
  change?: 'registered' | 'rotation_started';
}

/**
 * The start-up check of the key ring against the database (data_keys, migration 012). The first time,
 * the current key is registered, after checking that every value already stored is under a configured
 * key (values in the v1 format: that a configured key opens them). Afterwards:
 * - RENEWALS_DATA_KEY must be the registered current key (the check value must match), or a new key
 *   with the registered current one among RENEWALS_DATA_KEYS_PREVIOUS: that begins a rotation;
 * - every key rows may still be under must be configured, or those rows could not be read.
 * A wrong key is refused here, before it writes anything under itself.
 */
export async function openKeyRing(db: Knex, cipher: PiiCipher): Promise<KeyRingState> {
  try {
    return await db.transaction(async (trx) => {
      await lockKeyRing(trx);
      const registered = await registeredKeys(trx);
      const current = registered.find((k) => k.state === 'current');
      let change: KeyRingState['change'];
      if (!current) {
        await registerFirstKey(trx, cipher);
        change = 'registered';
      } else if (current.key_id !== cipher.current.id) {
        await beginRotation(trx, cipher, registered, current);
        change = 'rotation_started';
      } else if (current.check_value !== cipher.current.checkValue) {
        throw new KeyRingRefused(`RENEWALS_DATA_KEY does not match the check value stored for key ${current.key_id}: it is not the key this database was written with`);
      }
      const retiring = (await registeredKeys(trx)).filter((k) => k.state === 'retiring');
      for (const key of retiring) {
        if (!configured(cipher, key)) {
          throw new KeyRingRefused(
            `rows may still be under key ${key.key_id} (a key rotation is under way): put that key in RENEWALS_DATA_KEYS_PREVIOUS until \`renewals keys rotate\` has finished`,
          );
        }
      }
      return { currentKeyId: cipher.current.id, retiring: retiring.map((k) => k.key_id), ...(change ? { change } : {}) };
    });
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') throw new KeyRingRefused('the database has no key ring yet (migration 012): run `renewals db migrate` first');
    throw error;
  }
}

/** The configured key a registered one stands for (v1: the key with its check value), if configured. */
function configured(cipher: PiiCipher, key: RegisteredKey): DataKey | undefined {
  const found = key.key_id === LEGACY_KEY_ID ? cipher.keys.find((k) => k.checkValue === key.check_value) : cipher.key(key.key_id);
  return found?.checkValue === key.check_value ? found : undefined;
}

async function registerFirstKey(trx: Knex.Transaction, cipher: PiiCipher): Promise<void> {
  const others: [string, string][] = [];
  for (const keyId of new Set((await keyUsage(trx)).map((u) => u.keyId))) {
    if (keyId === cipher.current.id) continue;
    if (keyId === LEGACY_KEY_ID) {
      const sample = await legacySample(trx);
      const key = sample === undefined ? undefined : cipher.legacyKeyOf(sample);
      if (!key) throw new KeyRingRefused('personal data in the v1 format does not decrypt under RENEWALS_DATA_KEY or any key in RENEWALS_DATA_KEYS_PREVIOUS: set the key it was written with');
      others.push([LEGACY_KEY_ID, key.checkValue]);
      continue;
    }
    const key = cipher.key(keyId);
    if (!key) throw new KeyRingRefused(`personal data is under key ${keyId}, which is neither RENEWALS_DATA_KEY nor in RENEWALS_DATA_KEYS_PREVIOUS: set the key it was written with`);
    others.push([keyId, key.checkValue]);
  }
  await registerKey(trx, cipher.current.id, cipher.current.checkValue, 'current');
  for (const [keyId, check] of others) await registerKey(trx, keyId, check, 'retiring');
}

async function beginRotation(trx: Knex.Transaction, cipher: PiiCipher, registered: RegisteredKey[], current: RegisteredKey): Promise<void> {
  const mine = registered.find((k) => k.key_id === cipher.current.id);
  if (mine) {
    throw new KeyRingRefused(
      `RENEWALS_DATA_KEY is key ${mine.key_id}, which this database has ${mine.state === 'retired' ? 'retired' : 'replaced'}; its current key is ${current.key_id}: set RENEWALS_DATA_KEY to that key`,
    );
  }
  if (!configured(cipher, current)) {
    throw new KeyRingRefused(
      `RENEWALS_DATA_KEY (key ${cipher.current.id}) is not the key this database is written under (key ${current.key_id}): set that key; to rotate to a new key, put the current one in RENEWALS_DATA_KEYS_PREVIOUS`,
    );
  }
  await makeCurrent(trx, cipher.current.id, cipher.current.checkValue);
}
