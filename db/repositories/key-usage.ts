import type { Knex } from 'knex';
import { ENCRYPTED_TABLES, type EncryptedTable } from '../personal-data-columns';

/** How many values of one encrypted column are under one key id (`v1`: the format without ids). */
export interface KeyUsage {
  table: string;
  column: string;
  keyId: string;
  values: number;
}

const KEY_ID_OF = (column: string) => `CASE WHEN ${column} LIKE 'v1:%' THEN 'v1' WHEN ${column} LIKE 'v2:%' THEN split_part(${column}, ':', 2) ELSE 'unknown' END`;

/** Every encrypted column's values counted by key id (a full read of the personal-data tables). */
export async function keyUsage(db: Knex): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const { table, encrypted } of ENCRYPTED_TABLES) {
    for (const column of encrypted) {
      const { rows } = await db.raw<{ rows: { key_id: string; values: number }[] }>(
        `SELECT ${KEY_ID_OF(column)} AS key_id, count(*)::int AS values FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
      );
      for (const row of rows) usage.push({ table, column, keyId: row.key_id, values: row.values });
    }
  }
  return usage;
}

/** SQL (and its bindings) true for a row with any encrypted value not under `keyId`. */
export function notUnderKey(spec: EncryptedTable, keyId: string, alias = ''): { sql: string; bindings: string[] } {
  const prefix = alias ? `${alias}.` : '';
  return {
    sql: `NOT (${spec.encrypted.map((c) => `(${prefix}${c} IS NULL OR ${prefix}${c} LIKE ?)`).join(' AND ')})`,
    bindings: spec.encrypted.map(() => `v2:${keyId}:%`),
  };
}

/** Rows of each table with a value not under the current key: what a rotation still has to do. */
export async function rowsNotUnderKey(db: Knex, keyId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const spec of ENCRYPTED_TABLES) {
    const where = notUnderKey(spec, keyId);
    const { rows } = await db.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM ${spec.table} WHERE ${where.sql}`, where.bindings);
    counts[spec.table] = rows[0]!.n;
  }
  return counts;
}

/** One stored value in the v1 format, to find which configured key wrote them (none: undefined). */
export async function legacySample(db: Knex): Promise<string | undefined> {
  for (const { table, encrypted } of ENCRYPTED_TABLES) {
    for (const column of encrypted) {
      const row = await db(table).where(column, 'like', 'v1:%').first<Record<string, string> | undefined>(column);
      if (row) return row[column];
    }
  }
  return undefined;
}

/** Import fingerprints not computed under `keyId` (they can only miss: a re-import then compares by value). */
export async function staleFingerprints(db: Knex, keyId: string): Promise<number> {
  const row = await db('import_fingerprints').whereRaw('key_id IS DISTINCT FROM ?', [keyId]).count<{ n: string | number }[]>('* as n').first();
  return Number(row?.n ?? 0);
}
