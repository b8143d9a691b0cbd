import type { Knex } from 'knex';
import type { LetterToStore } from '../../domain/letters';

/** A stored letter, without its bytes. */
export interface LetterRow {
  id: string;
  contact_attempt_id: string;
  policy_no: string;
  template: string;
  letter_date: string;
  print_house: string;
  pages: number;
  sha256: string;
  contact_point_id: string | null;
  batch_id: string | null;
  handed_over_at: Date | null;
  returned_at: Date | null;
  return_reason: string | null;
}

const COLUMNS = [
  'id',
  'contact_attempt_id',
  'policy_no',
  'template',
  'letter_date', // YYYY-MM-DD text (db/connection.ts)
  'print_house',
  'pages',
  'sha256',
  'contact_point_id',
  'batch_id',
  'handed_over_at',
  'returned_at',
  'return_reason',
] as const;

/** The public name of a letter: its file name and the argument of `renewals letters returned`. */
export function letterName(id: string | number): string {
  return `LTR${String(id).padStart(8, '0')}`;
}

/** The row ID a letter name (LTR00000012) or bare number names; undefined for anything else. */
export function letterIdOf(name: string): string | undefined {
  const match = /^(?:LTR)?(\d{1,18})$/i.exec(name.trim());
  return match ? String(Number(match[1])) : undefined;
}


/** The letter of a contact attempt, if one was stored (a retried activity finds it). */
export async function letterOfContact(db: Knex, contactAttemptId: string): Promise<LetterRow | undefined> {
  return db('letters').where({ contact_attempt_id: contactAttemptId }).first<LetterRow | undefined>(...COLUMNS);
}

/**
 * Stores a letter once per contact attempt: a second store of the same attempt (a retry, or a try
 * overlapping a timed-out one) writes nothing and gets the row the first one wrote.
 */
export async function storeLetter(db: Knex, letter: LetterToStore): Promise<LetterRow> {
  const [inserted] = await db('letters')
    .insert({
      contact_attempt_id: letter.contactAttemptId,
      policy_no: letter.policyNo,
      template: letter.template,
      letter_date: letter.letterDate,
      print_house: letter.printHouse,
      pages: letter.pages,
      sha256: letter.sha256,
      pdf: letter.pdf,
      contact_point_id: letter.contactPointId,
    })
    .onConflict('contact_attempt_id')
    .ignore()
    .returning<LetterRow[]>([...COLUMNS]);
  if (inserted) return inserted;
  const existing = await letterOfContact(db, letter.contactAttemptId);
  if (!existing) throw new Error(`letter of contact ${letter.contactAttemptId} neither stored nor found`);
  return existing;
}

export async function letterById(db: Knex, id: string): Promise<LetterRow | undefined> {
  return db('letters').where({ id }).first<LetterRow | undefined>(...COLUMNS);
}

/** Letters of a print house not yet in a batch, oldest first, locked for the batch's transaction. */
export async function lockWaitingLetters(db: Knex, printHouse: string, upToDate: string): Promise<LetterRow[]> {
  return db('letters')
    .where({ print_house: printHouse })
    .whereNull('batch_id')
    .where('letter_date', '<=', upToDate)
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .select<LetterRow[]>(...COLUMNS);
}

/**
 * Batches of one print house are made one at a time (a transaction-level lock, released at its end):
 * two runs at once would otherwise reckon the same batch ID.
 */
export async function lockPrintHouseBatches(trx: Knex.Transaction, printHouse: string): Promise<void> {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('renewals:letter-batch:' || ?))`, [printHouse]);
}

/** The print houses with letters not yet in a batch dated on or before the day (the scheduled run takes each). */
export async function printHousesWaiting(db: Knex, upToDate: string): Promise<string[]> {
  return db('letters').whereNull('batch_id').where('letter_date', '<=', upToDate).distinct('print_house').orderBy('print_house').pluck('print_house');
}

/** Which of these batch IDs are recorded. */
export async function recordedBatches(db: Knex, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set(await db('letter_batches').whereIn('id', ids).pluck('id'));
}

/** Letters by ID, locked for a batch's transaction (a folder left by a run that died is checked against them). */
export async function lockLetters(trx: Knex.Transaction, ids: readonly string[]): Promise<LetterRow[]> {
  if (ids.length === 0) return [];
  return trx('letters').whereIn('id', ids).orderBy('id').forUpdate().select<LetterRow[]>(...COLUMNS);
}

/** The PDF of a letter. */
export async function letterPdf(db: Knex, id: string): Promise<Buffer> {
  const row = await db('letters').where({ id }).first<{ pdf: Buffer } | undefined>('pdf');
  if (!row) throw new Error(`letter ${letterName(id)} is not on file`);
  return row.pdf;
}

export interface NewBatch {
  id: string;
  printHouse: string;
  batchDate: string;
  letters: number;
  pages: number;
  sha256: string;
  folder: string;
  createdBy: string;
}

/** Records a batch and marks its letters handed over (only letters still waiting: a race loses nothing). */
export async function recordBatch(trx: Knex.Transaction, batch: NewBatch, letterIds: readonly string[], at: Date): Promise<number> {
  await trx('letter_batches').insert({
    id: batch.id,
    print_house: batch.printHouse,
    batch_date: batch.batchDate,
    letters: batch.letters,
    pages: batch.pages,
    sha256: batch.sha256,
    folder: batch.folder,
    created_by: batch.createdBy,
  });
  return trx('letters').whereIn('id', letterIds).whereNull('batch_id').update({ batch_id: batch.id, handed_over_at: at });
}

/** How many batches a print house already has for a day (the next batch's sequence number). */
export async function batchesOfDay(db: Knex, printHouse: string, batchDate: string): Promise<number> {
  const [row] = await db('letter_batches').where({ print_house: printHouse, batch_date: batchDate }).count<{ count: string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/** Records a return once: false when the letter was already recorded returned. */
export async function recordLetterReturned(trx: Knex.Transaction, id: string, reason: string, at: Date): Promise<boolean> {
  const updated = await trx('letters').where({ id }).whereNull('returned_at').update({ returned_at: at, return_reason: reason });
  return updated > 0;
}

/** A policy's latest letter, if any. */
export async function latestLetterOf(db: Knex, policyNo: string): Promise<LetterRow | undefined> {
  return db('letters').where({ policy_no: policyNo }).orderBy('id', 'desc').first<LetterRow | undefined>(...COLUMNS);
}
