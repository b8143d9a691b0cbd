import type { Knex } from 'knex';
import type { EncryptedTable } from '../personal-data-columns';
import { PersonalDataUnreadable, type PiiCipher } from '../pii-cipher';
import { lockKeyRing, retireKeys } from './data-keys';
import { unnestOf } from './import';
import { notUnderKey, rowsNotUnderKey } from './key-usage';

/** A row a rotation left where it was, named by table and key, with why (never its data). */
export interface SkippedRow {
  table: string;
  id: string;
  why: string;
}

export interface RotatedBatch {
  rotated: number;
  skipped: SkippedRow[];
  /** The key of the last row read: the next batch starts after it. */
  last?: string;
  /** Fewer rows than asked for: the table has no more to rotate. */
  finished: boolean;
}

interface Rewritten {
  key: string;
  values: (string | null)[];
  index: string | null;
  old: (string | null)[];
}

/**
 * One batch of a table's rows not yet under the current key, in key order after `after`: each value
 * decrypted with the key ring and encrypted again under the current key, the blind index computed
 * again under the current key's index key, and written in one transaction. A row changed meanwhile
 * (compare-and-set on its old ciphertexts) is left for the next pass; `updated_at` is not touched
 * (the representation changes, not the data). A row that cannot be read, or whose new index
 * duplicates another row's, is skipped and named.
 */
export async function rotateBatch(db: Knex, cipher: PiiCipher, spec: EncryptedTable, after: string | undefined, limit: number): Promise<RotatedBatch> {
  const where = notUnderKey(spec, cipher.currentKeyId);
  const query = db(spec.table)
    .whereRaw(where.sql, where.bindings)
    .orderBy(spec.key)
    .limit(limit)
    .select<Record<string, unknown>[]>([spec.key, ...spec.encrypted, ...(spec.plain ?? [])]);
  if (after !== undefined) query.whereRaw(`${spec.key} > ?::${spec.keyType}`, [after]);
  const rows = await query;

  const skipped: SkippedRow[] = [];
  const rewritten: Rewritten[] = [];
  for (const row of rows) {
    const key = String(row[spec.key]);
    try {
      const clear: Record<string, string | null> = {};
      for (const column of spec.encrypted) {
        const sealed = row[column] as string | null;
        clear[column] = sealed === null ? null : cipher.decrypt(sealed, { table: spec.table, id: key });
      }
      const input = spec.index?.input(clear, row) ?? null;
      rewritten.push({
        key,
        values: spec.encrypted.map((column) => (clear[column] === null ? null : cipher.encrypt(clear[column]!))),
        index: input === null ? null : cipher.hash(input),
        old: spec.encrypted.map((column) => row[column] as string | null),
      });
    } catch (error) {
      if (!(error instanceof PersonalDataUnreadable)) throw error;
      skipped.push({ table: spec.table, id: key, why: error.message });
    }
  }

  let rotated = 0;
  try {
    rotated = await db.transaction((trx) => writeRows(trx, spec, rewritten));
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    // Two rows hold the same value (a duplicate written under two keys): the others go in, those are named.
    for (const one of rewritten) {
      try {
        rotated += await db.transaction((trx) => writeRows(trx, spec, [one]));
      } catch (inner) {
        if ((inner as { code?: string }).code !== '23505') throw inner;
        skipped.push({ table: spec.table, id: one.key, why: `${spec.table} ${one.key} holds the same ${spec.index!.column.replace(/_hash$/, '')} as another row: merge the two, then rotate again` });
      }
    }
  }
  const last = rows.at(-1);
  return { rotated, skipped, ...(last ? { last: String(last[spec.key]) } : {}), finished: rows.length < limit };
}

async function writeRows(trx: Knex.Transaction, spec: EncryptedTable, rows: readonly Rewritten[]): Promise<number> {
  if (rows.length === 0) return 0;
  const index = spec.index ? [spec.index.column] : [];
  const source = unnestOf(
    ['text', ...spec.encrypted.map(() => 'text'), ...index.map(() => 'text'), ...spec.encrypted.map(() => 'text')],
    rows.map((r) => [r.key, ...r.values, ...(spec.index ? [r.index] : []), ...r.old]),
  );
  const names = ['k', ...spec.encrypted.map((_, i) => `new${i}`), ...index.map(() => 'idx'), ...spec.encrypted.map((_, i) => `old${i}`)];
  const set = [...spec.encrypted.map((c, i) => `${c} = v.new${i}`), ...index.map((c) => `${c} = v.idx`)].join(', ');
  const unchanged = spec.encrypted.map((c, i) => `t.${c} IS NOT DISTINCT FROM v.old${i}`).join(' AND ');
  const result = await trx.raw<{ rowCount: number }>(
    `UPDATE ${spec.table} AS t SET ${set} FROM (SELECT * FROM ${source.sql}) AS v(${names.join(', ')}) WHERE t.${spec.key} = v.k::${spec.keyType} AND ${unchanged}`,
    source.bindings,
  );
  return result.rowCount;
}

/** Fingerprints computed under another key can only miss: dropped, a re-import compares those rows by value once. */
export async function dropStaleFingerprints(db: Knex, keyId: string): Promise<number> {
  return db('import_fingerprints').whereRaw('key_id IS DISTINCT FROM ?', [keyId]).delete();
}

/**
 * Once no row is under any key but the current one, the retiring keys are retired (counted again
 * under the ring's lock, so a start-up cannot begin another rotation in between): their ids, or
 * how many rows are still to do.
 */
export async function retireDrainedKeys(db: Knex, keyId: string): Promise<{ retired: string[] } | { remaining: number }> {
  return db.transaction(async (trx) => {
    await lockKeyRing(trx);
    const remaining = Object.values(await rowsNotUnderKey(trx, keyId)).reduce((a, b) => a + b, 0);
    if (remaining > 0) return { remaining };
    const retiring = await trx('data_keys').where({ state: 'retiring' }).pluck<string[]>('key_id');
    await retireKeys(trx, retiring);
    return { retired: retiring };
  });
}
