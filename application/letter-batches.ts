import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { isCivilDate, shanghaiDate } from '../domain/civil-date';
import { isPrintHouseCode, isReturnReason, RETURN_REASONS } from '../domain/letters';
import { appendAudit } from '../db/repositories/audit';
import { recordReceipts } from '../db/repositories/contact-receipts';
import { markContactPointInvalid } from '../db/repositories/contacts';
import {
  batchesOfDay,
  letterById,
  letterIdOf,
  letterName,
  letterPdf,
  lockWaitingLetters,
  recordBatch,
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
 * the batch is audited. A second run takes only letters that came since.
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

  let written: string | undefined;
  try {
    return await db.transaction(async (trx) => {
      const letters = await lockWaitingLetters(trx, options.printHouse, date);
      if (letters.length === 0) return {};
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

      const taken = await recordBatch(trx, { id: batchId, printHouse: options.printHouse, batchDate: date, letters: manifest.count, pages: manifest.totalPages, sha256: manifest.sha256, folder, createdBy: options.actor }, letters.map((l) => l.id), now);
      if (taken !== letters.length) throw new Error(`batch ${batchId}: ${letters.length - taken} letter(s) were taken by another batch meanwhile; run again`);
      await recordReceipts(trx, letters.map((l) => ({ provider: PRINT_HOUSE_PROVIDER, contactId: l.contact_attempt_id, providerMessageId: letterName(l.id), delivered: true, code: 'HANDED_OVER', at: now })));
      await appendAudit(trx, {
        kind: 'letter_batch_handed_over',
        actor: options.actor,
        occurredAt: now,
        detail: { batchId, printHouse: options.printHouse, date, letters: manifest.count, pages: manifest.totalPages, sha256: manifest.sha256 },
      });
      // Last, before the commit: the folder appears whole.
      await rename(staging, folder);
      written = folder;
      return { manifest, folder };
    });
  } catch (error) {
    // Not recorded: a folder put in place is taken back so the letters are not printed twice.
    if (written) await rm(written, { recursive: true, force: true });
    throw error;
  }
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
