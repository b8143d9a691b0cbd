import type { Knex } from 'knex';
import { ENCRYPTED_TABLES } from '../db/personal-data-columns';
import type { PiiCipher } from '../db/pii-cipher';
import { dropStaleFingerprints, retireDrainedKeys, rotateBatch, type SkippedRow } from '../db/repositories/key-rotation';
import { rowsNotUnderKey } from '../db/repositories/key-usage';

export const DEFAULT_ROTATION_BATCH = 500;

export interface RotationOptions {
  batchSize?: number;
  /** After each batch: rows done (rotated or skipped) of those found at the start. */
  onProgress?: (done: number, total: number) => void;
  /** Asked before each batch: true stops after the batch in hand (what a kill does, without the kill). */
  shouldStop?: () => boolean;
}

export interface RotationReport {
  currentKeyId: string;
  /** Rows not under the current key when the rotation started, by table. */
  found: Record<string, number>;
  rotated: Record<string, number>;
  skipped: SkippedRow[];
  fingerprintsDropped: number;
  /** Keys no row is under any more, retired by this run. */
  retired: string[];
  /** Rows still not under the current key (skipped, or written meanwhile by a process started before the rotation). */
  remaining: number;
  stopped: boolean;
}

/**
 * Moves every encrypted column to the current key, table by table in batches of committed work
 * (docs/architecture.md#keys): a run that is killed loses at most its batch in hand, and the next run
 * finds only the rows still to do. When none is left, stale import fingerprints are dropped and the
 * retiring keys retired; until then they stay needed for decryption.
 */
export async function rotateDataKeys(db: Knex, cipher: PiiCipher, options: RotationOptions = {}): Promise<RotationReport> {
  const batchSize = options.batchSize ?? DEFAULT_ROTATION_BATCH;
  const keyId = cipher.currentKeyId;
  const found = await rowsNotUnderKey(db, keyId);
  const total = Object.values(found).reduce((a, b) => a + b, 0);
  const rotated: Record<string, number> = {};
  const skipped: SkippedRow[] = [];
  let done = 0;
  let stopped = false;
  options.onProgress?.(0, total);
  tables: for (const spec of ENCRYPTED_TABLES) {
    let after: string | undefined;
    rotated[spec.table] = 0;
    for (;;) {
      if (options.shouldStop?.()) {
        stopped = true;
        break tables;
      }
      const batch = await rotateBatch(db, cipher, spec, after, batchSize);
      rotated[spec.table] = (rotated[spec.table] ?? 0) + batch.rotated;
      skipped.push(...batch.skipped);
      done += batch.rotated + batch.skipped.length;
      options.onProgress?.(Math.min(done, total), total);
      if (batch.finished || batch.last === undefined) break;
      after = batch.last;
    }
  }
  if (stopped) {
    const remaining = Object.values(await rowsNotUnderKey(db, keyId)).reduce((a, b) => a + b, 0);
    return { currentKeyId: keyId, found, rotated, skipped, fingerprintsDropped: 0, retired: [], remaining, stopped };
  }
  const retirement = await retireDrainedKeys(db, keyId);
  const fingerprintsDropped = 'retired' in retirement ? await dropStaleFingerprints(db, keyId) : 0;
  return {
    currentKeyId: keyId,
    found,
    rotated,
    skipped,
    fingerprintsDropped,
    retired: 'retired' in retirement ? retirement.retired : [],
    remaining: 'remaining' in retirement ? retirement.remaining : 0,
    stopped,
  };
}
