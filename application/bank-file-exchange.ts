import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { shanghaiDate } from '../domain/civil-date';
import { debitsAwaitingFile, type ExportableDebit } from '../db/repositories/bank-files';
import type { PiiCipher } from '../db/pii-cipher';
import { Iso20022Error, PAIN_008, validateIso20022, writePain008, type CollectionBatch, type Creditor } from '../integrations/bank/iso20022';

export interface PreparedCollectionFile {
  xml: string;
  messageId: string;
  collectionDate: string;
  nbOfTxs: number;
  ctrlSumFen: number;
  sha256: string;
  attemptIds: number[];
}

/**
 * The day's pain.008: every accepted debit not yet in a file, for the creditor's account. The file
 * is checked against the ISO schema before anyone can send it; nothing is recorded here (the caller
 * records it with recordOutgoingFile once the file is safely written).
 */
export async function prepareCollectionFile(
  db: Knex,
  cipher: PiiCipher,
  options: { collectionDate: string; creditor: Creditor; now: Date },
): Promise<PreparedCollectionFile | undefined> {
  const debits = await debitsAwaitingFile(db, options.collectionDate);
  if (debits.length === 0) return undefined;
  const messageId = `RNW${options.collectionDate.replaceAll('-', '')}T${options.now.getTime().toString(36).toUpperCase()}`;
  const batch: CollectionBatch = {
    messageId,
    createdAt: options.now.toISOString(),
    collectionDate: options.collectionDate,
    creditor: options.creditor,
    sequence: 'RCUR',
    instructions: debits.map((d) => instruction(d, cipher)),
  };
  const xml = writePain008(batch);
  const problems = await validateIso20022(xml, PAIN_008);
  if (problems.length > 0) throw new Iso20022Error(`the ${PAIN_008} written for ${options.collectionDate} is not valid`, withoutValues(problems));
  return {
    xml,
    messageId,
    collectionDate: options.collectionDate,
    nbOfTxs: debits.length,
    ctrlSumFen: debits.reduce((sum, d) => sum + d.amountFen, 0),
    sha256: sha256(xml),
    attemptIds: debits.map((d) => d.attemptId),
  };
}

function instruction(d: ExportableDebit, cipher: PiiCipher) {
  return {
    endToEndId: d.idempotencyKey,
    amountFen: d.amountFen,
    debtorName: cipher.decrypt(d.accountNameEnc, { table: 'mandates', id: d.mandateId }),
    debtorAccountNo: cipher.decrypt(d.accountEnc, { table: 'mandates', id: d.mandateId }),
    debtorBankCode: d.bankCode,
    mandateId: `MNDT${d.mandateId}`,
    mandateSignedOn: shanghaiDate(new Date(d.mandateSignedAt).getTime()),
    remittance: `续期保费 renewal premium ${d.policyNo} ${d.collectionDate}`,
  };
}

/** The schema checker quotes element values (names, account numbers): keep the line and the rule only. */
export function withoutValues(problems: readonly string[]): string[] {
  return problems.map((p) => p.replace(/'[^']*'/g, "'…'"));
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
