import type { Knex } from 'knex';
import type { PiiCipher } from '../db/pii-cipher';
import { registeredKeys } from '../db/repositories/data-keys';
import { keyUsage, staleFingerprints, type KeyUsage } from '../db/repositories/key-usage';

export interface KeyStatus {
  /** The id of RENEWALS_DATA_KEY as configured here. */
  configuredKeyId: string;
  /** The ids of RENEWALS_DATA_KEYS_PREVIOUS as configured here. */
  previousKeyIds: string[];
  /** The database's current key (none before the first start-up with this version). */
  databaseKeyId: string | null;
  keys: { keyId: string; state: string; registeredAt: string; retiredAt: string | null; values: number }[];
  /** Values by table, column and key id. */
  columns: KeyUsage[];
  /** Values under another key than the database's current one: what `keys rotate` still has to do. */
  toRotate: number;
  staleFingerprints: number;
}

/** Which key the personal data is under, read only: nothing is registered or changed. */
export async function keyStatus(db: Knex, cipher: PiiCipher): Promise<KeyStatus> {
  const registered = await registeredKeys(db);
  const columns = await keyUsage(db);
  const databaseKeyId = registered.find((k) => k.state === 'current')?.key_id ?? null;
  const valuesUnder = (keyId: string) => columns.filter((c) => c.keyId === keyId).reduce((sum, c) => sum + c.values, 0);
  const listed = new Set(registered.map((k) => k.key_id));
  const keys = [
    ...registered.map((k) => ({ keyId: k.key_id, state: k.state, registeredAt: k.registered_at.toISOString(), retiredAt: k.retired_at?.toISOString() ?? null, values: valuesUnder(k.key_id) })),
    // Values under a key the database never registered (written around the key ring): shown, never hidden.
    ...[...new Set(columns.map((c) => c.keyId))].filter((id) => !listed.has(id)).map((keyId) => ({ keyId, state: 'unregistered', registeredAt: '', retiredAt: null, values: valuesUnder(keyId) })),
  ];
  return {
    configuredKeyId: cipher.currentKeyId,
    previousKeyIds: cipher.keys.slice(1).map((k) => k.id),
    databaseKeyId,
    keys,
    columns,
    toRotate: columns.filter((c) => c.keyId !== (databaseKeyId ?? cipher.currentKeyId)).reduce((sum, c) => sum + c.values, 0),
    staleFingerprints: await staleFingerprints(db, databaseKeyId ?? cipher.currentKeyId),
  };
}
