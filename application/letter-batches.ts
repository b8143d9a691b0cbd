import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { isCivilDate, shanghaiDate } from '../domain/civil-date';
import { isPrintHouseCode, isReturnReason, RETURN_REASONS, type HandedOverBatch, type LetterBatchRun } from '../domain/letters';
import { appendAudit } from '../db/repositories/audit';
import { recordReceipts } from '../db/repositories/contact-receipts';
import { markContactPointInvalid } from '../db/repositories/contacts';
import {
  batchesOfDay,
  letterById,
  letterIdOf,
  letterName,
  letterPdf,
  lockLetters,
  lockPrintHouseBatches,
  lockWaitingLetters,
  printHousesWaiting,
  recordBatch,
  recordedBatches,
  recordLetterReturned,
  type LetterRow,
} from '../db/repositories/letters';
import { PRINT_HOUSE_PROVIDER } from '../integrations/letters/print-house-letters';
import { OperatorError } from './errors';

/** One file of a batch, as its manifest lists it. */
export interface ManifestFile {
  file: string;
  letterId: string;
  template: string;
  pages: number;
  sha256: string;
}

/** manifest.json of a batch folder (docs/architecture.md#letters). Nothing personal: IDs, counts, checksums. */
export interface BatchManifest {
  batchId: string;
  printHouse: string;
  date: string;
  count: number;
  totalPages: number;
  /** sha256 of the lines `<sha256>  <file>\n` of every PDF, in file order (what `sha256sum` prints). */
  sha256: string;
  files: ManifestFile[];
}

export interface BatchResult {
  /** None when no letter was waiting. */
  manifest?: BatchManifest;
  folder?: string;
  /** Folders a run that died before its commit had put in place, found whole and recorded now. */
  recovered?: BatchManifest[];
}

/** The batch's checksum: over the checksum list of its files, so a print house can check it with sha256sum. */
export function batchChecksum(files: readonly Pick<ManifestFile, 'file' | 'sha256'>[]): string {
  return createHash('sha256')
    .update(files.map((f) => `${f.sha256}  ${f.file}\n`).join(''))
    .digest('hex');
}

/**
 * `renewals letters batch`: the letters of a print house not yet handed over (dated on or before
 * `date`) go into one folder under the outbox, `<printHouse>-<YYYYMMDD>-<nn>`: a PDF per letter named by
 * its letter ID and manifest.json. The folder is written under a dot-name and renamed once complete, so
 * a pickup never sees half a batch. In the same transaction each letter is recorded handed over, its
 * contact attempt delivered (a receipt from the print house, as providers' receipts are recorded), and
 * the batch is audited. A second run takes only letters that came since. A folder that a run which died
 * before its commit left in place is recorded first, as it stands, when it matches its letters
 * (docs/architecture.md#letters): a retry never writes those letters a second time.
 */
export async function batchLetters(
  db: Knex,
  options: { outboxDir: string; printHouse: string; date?: string; actor: string; now?: Date },
): Promise<BatchResult> {
  const now = options.now ?? new Date();
  const date = options.date ?? shanghaiDate(now.getTime());
  if (!isCivilDate(date)) throw new OperatorError(`--date must be a date YYYY-MM-DD, got ${JSON.stringify(date)}`, true);
  if (!isPrintHouseCode(options.printHouse)) throw new OperatorError(`--print-house must be 1 to 16 letters, digits, - or _, got ${JSON.stringify(options.printHouse)}`, true);
  await mkdir(options.outboxDir, { recursive: true, mode: 0o750 });

  let written: { folder: string; batchId: string } | undefined;
  try {
    return await db.transaction(async (trx) => {
      await lockPrintHouseBatches(trx, options.printHouse);
      const recovered = await recoverUnrecordedFolders(trx, options, now);
      const found: BatchResult = recovered.length > 0 ? { recovered } : {};
      const letters = await lockWaitingLetters(trx, options.printHouse, date);
      if (letters.length === 0) return found;
      const batchId = `${options.printHouse}-${date.replaceAll('-', '')}-${String((await batchesOfDay(trx, options.printHouse, date)) + 1).padStart(2, '0')}`;
      const folder = join(options.outboxDir, batchId);
      if (existsSync(folder)) throw new OperatorError(`${folder} already exists but no batch ${batchId} is recorded: move it aside (it was never handed over) and run again`);
      const staging = join(options.outboxDir, `.${batchId}.partial`);
      await rm(staging, { recursive: true, force: true }); // a run that died before its rename
      await mkdir(staging, { mode: 0o750 });
      const files = await writeLetterFiles(trx, staging, letters);
      const manifest: BatchManifest = {
        batchId,
        printHouse: options.printHouse,
        date,
        count: files.length,
        totalPages: files.reduce((sum, f) => sum + f.pages, 0),
        sha256: batchChecksum(files),
        files,
      };
      await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o640 });
      await recordHandOver(trx, manifest, folder, letters, options.actor, now);
      // Last, before the commit: the folder appears whole.
      await rename(staging, folder);
      written = { folder, batchId };
      return { ...found, manifest, folder };
    });
  } catch (error) {
    // Not recorded: a folder put in place is taken back so the letters are not printed twice. A commit
    // whose outcome is unknown (the connection lost) may have recorded it: then the folder stays, and
    // when it did not, the next run finds it whole and records it (recoverUnrecordedFolders).
    if (written && !(await isRecorded(db, written.batchId))) await rm(written.folder, { recursive: true, force: true });
    throw error;
  }
}

async function isRecorded(db: Knex, batchId: string): Promise<boolean> {
  try {
    return (await recordedBatches(db, [batchId])).has(batchId);
  } catch {
    return true; // unknown: keep the folder
  }
}

/** The batch recorded: its row, its letters handed over, their contacts delivered, one audit row. */
async function recordHandOver(trx: Knex.Transaction, manifest: BatchManifest, folder: string, letters: readonly LetterRow[], actor: string, now: Date, recovered = false): Promise<void> {
  const { batchId, printHouse, date } = manifest;
  const taken = await recordBatch(trx, { id: batchId, printHouse, batchDate: date, letters: manifest.count, pages: manifest.totalPages, sha256: manifest.sha256, folder, createdBy: actor }, letters.map((l) => l.id), now);
  if (taken !== letters.length) throw new Error(`batch ${batchId}: ${letters.length - taken} letter(s) were taken by another batch meanwhile; run again`);
  await recordReceipts(trx, letters.map((l) => ({ provider: PRINT_HOUSE_PROVIDER, contactId: l.contact_attempt_id, providerMessageId: letterName(l.id), delivered: true, code: 'HANDED_OVER', at: now })));
  await appendAudit(trx, {
    kind: 'letter_batch_handed_over',
    actor,
    occurredAt: now,
    detail: { batchId, printHouse, date, letters: manifest.count, pages: manifest.totalPages, sha256: manifest.sha256, ...(recovered ? { recovered: true } : {}) },
  });
}

/**
 * Folders of this print house in the outbox with no batch recorded: a run renamed its folder into place
 * and died before its commit. The pickup may already have taken such a folder, so writing its letters
 * into a new batch could print them twice. Each one is recorded as it stands when its manifest names
 * letters of this house still waiting whose stored checksums match the files; otherwise the run stops,
 * naming the folder, for a person to look at.
 */
async function recoverUnrecordedFolders(trx: Knex.Transaction, options: { outboxDir: string; printHouse: string; actor: string }, now: Date): Promise<BatchManifest[]> {
  const pattern = new RegExp(`^${options.printHouse}-\\d{8}-\\d{2}$`);
  const names = (await readdir(options.outboxDir)).filter((name) => pattern.test(name)).sort();
  const recorded = await recordedBatches(trx, names);
  const recovered: BatchManifest[] = [];
  for (const name of names.filter((n) => !recorded.has(n))) {
    const folder = join(options.outboxDir, name);
    const found = await unrecordedBatch(trx, folder, name, options.printHouse);
    if ('refused' in found) throw new OperatorError(`${folder} is in the outbox but no batch ${name} is recorded, and it cannot be recorded as it stands (${found.refused}): look at it, move it aside and run again`);
    await recordHandOver(trx, found.manifest, folder, found.letters, options.actor, now, true);
    recovered.push(found.manifest);
  }
  return recovered;
}

async function unrecordedBatch(trx: Knex.Transaction, folder: string, name: string, printHouse: string): Promise<{ manifest: BatchManifest; letters: LetterRow[] } | { refused: string }> {
  let manifest: BatchManifest;
  try {
    manifest = JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as BatchManifest;
  } catch {
    return { refused: 'no readable manifest.json' };
  }
  if (manifest.batchId !== name || manifest.printHouse !== printHouse || !isCivilDate(manifest.date) || !Array.isArray(manifest.files) || manifest.files.length === 0) {
    return { refused: 'its manifest names another batch or no letters' };
  }
  const ids = manifest.files.map((f) => letterIdOf(String(f.letterId)));
  if (ids.some((id) => id === undefined) || new Set(ids).size !== ids.length) return { refused: 'its manifest names a letter twice or no letter ID' };
  const letters = await lockLetters(trx, ids as string[]);
  const byId = new Map(letters.map((l) => [String(l.id), l])); // int8 arrives as a number (db/connection.ts)
  for (const [i, file] of manifest.files.entries()) {
    const letter = byId.get(ids[i]!);
    if (!letter || letter.print_house !== printHouse) return { refused: `${file.letterId} is not a letter of print house ${printHouse}` };
    if (letter.batch_id !== null) return { refused: `${file.letterId} is already in batch ${letter.batch_id}` };
    if (file.file !== `${letterName(letter.id)}.pdf` || file.sha256 !== letter.sha256) return { refused: `${file.file} is not the stored letter ${file.letterId}` };
    const bytes = await readFile(join(folder, file.file)).catch(() => undefined);
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== letter.sha256) return { refused: `${file.file} is missing or differs from the stored letter` };
  }
  if (manifest.sha256 !== batchChecksum(manifest.files) || manifest.count !== letters.length || manifest.totalPages !== letters.reduce((sum, l) => sum + l.pages, 0)) {
    return { refused: 'its manifest\'s count, pages or checksum do not add up' };
  }
  return { manifest, letters: manifest.files.map((_, i) => byId.get(ids[i]!)!) };
}

async function writeLetterFiles(trx: Knex.Transaction, folder: string, letters: readonly LetterRow[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const letter of letters) {
    const pdf = await letterPdf(trx, letter.id);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    if (sha256 !== letter.sha256) throw new Error(`letter ${letterName(letter.id)}: its stored PDF does not match its checksum; nothing was handed over`);
    const file = `${letterName(letter.id)}.pdf`;
    // A letter carries a postal address: owner and group (the pickup's account) only.
    await writeFile(join(folder, file), pdf, { mode: 0o640 });
    files.push({ file, letterId: letterName(letter.id), template: letter.template, pages: letter.pages, sha256 });
  }
  return files;
}

/** Who the daily scheduled run is in the audit trail. */
export const LETTER_BATCH_ACTOR = 'letter-batch-schedule';

function handedOver(manifest: BatchManifest): HandedOverBatch {
  return { batchId: manifest.batchId, printHouse: manifest.printHouse, count: manifest.count, totalPages: manifest.totalPages, sha256: manifest.sha256 };
}

/**
 * The daily run of the `dailyLetterBatch` workflow, handed to its activity as a port by the worker:
 * a batch for each print house with letters waiting up to `date` (or for the one named), each as
 * `renewals letters batch` makes it. A retried run finds the letters already handed over and writes
 * nothing for them again.
 */
export function scheduledLetterBatches(db: Knex, options: { outboxDir: string; actor?: string }): (request: { date: string; printHouse?: string }) => Promise<LetterBatchRun> {
  return async ({ date, printHouse }) => {
    const houses = printHouse ? [printHouse] : await printHousesWaiting(db, date);
    const batches: HandedOverBatch[] = [];
    for (const house of houses) {
      const result = await batchLetters(db, { outboxDir: options.outboxDir, printHouse: house, date, actor: options.actor ?? LETTER_BATCH_ACTOR });
      for (const manifest of [...(result.recovered ?? []), ...(result.manifest ? [result.manifest] : [])]) batches.push(handedOver(manifest));
    }
    return { date, batches };
  };
}

export interface ReturnedLetter {
  letterId: string;
  policyNo: string;
  reason: string;
  /** False when the letter was already recorded returned (nothing changed). */
  recorded: boolean;
  /** The postal contact point flagged invalid (none when the letter went to no address on file). */
  pointInvalidated: boolean;
  lostContact: string[];
}

/**
 * `renewals letters returned`: the post brought a letter back. Recorded once (audited), its contact
 * attempt failed (a receipt from the print house), and the postal address it went to flagged invalid
 * with the markContactPointInvalid writer, so no letter goes there until a new address is verified
 * (the contact step suppresses it, rule returned_address).
 */
export async function recordReturnedLetter(db: Knex, name: string, reason: string, actor: string, at = new Date()): Promise<ReturnedLetter> {
  const id = letterIdOf(name);
  if (!id) throw new OperatorError(`<letterId> must be a letter ID such as LTR00000012, got ${JSON.stringify(name)}`, true);
  if (!isReturnReason(reason)) throw new OperatorError(`--reason must be one of ${RETURN_REASONS.join(', ')}, got ${JSON.stringify(reason)}`, true);
  const letter = await letterById(db, id);
  if (!letter) throw new OperatorError(`letter ${letterName(id)} is not on file`);
  if (!letter.handed_over_at) throw new OperatorError(`letter ${letterName(id)} was never handed to a print house (renewals letters batch first): it cannot have come back`);
  return db.transaction(async (trx) => {
    const recorded = await recordLetterReturned(trx, id, reason, at);
    const result: ReturnedLetter = { letterId: letterName(id), policyNo: letter.policy_no, reason, recorded, pointInvalidated: false, lostContact: [] };
    if (!recorded) return result;
    if (letter.contact_point_id) {
      const lost = await markContactPointInvalid(trx, Number(letter.contact_point_id), { letterReturned: `${letterName(id)}:${reason}` });
      result.pointInvalidated = true;
      result.lostContact = lost.lostContact;
    }
    await recordReceipts(trx, [{ provider: PRINT_HOUSE_PROVIDER, contactId: letter.contact_attempt_id, providerMessageId: letterName(id), delivered: false, code: `RETURNED:${reason}`, at }]);
    await appendAudit(trx, {
      kind: 'letter_returned',
      actor,
      policyNo: letter.policy_no,
      occurredAt: at,
      detail: { letterId: letterName(id), reason, contactPointId: letter.contact_point_id === null ? null : Number(letter.contact_point_id), pointInvalidated: result.pointInvalidated, lostContact: result.lostContact },
    });
    return result;
  });
}
