import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { shanghaiDate } from '../domain/civil-date';
import { classifyIsoReason } from '../domain/debit-reasons';
import { debitsAwaitingFile, recordIncomingFile, sentFile, type ExportableDebit } from '../db/repositories/bank-files';
import type { PiiCipher } from '../db/pii-cipher';
import {
  CAMT_054,
  checkAgainstBatch,
  Iso20022Error,
  PAIN_002,
  PAIN_008,
  readCamt054,
  readPain002,
  resolveTransactionStatuses,
  validateIso20022,
  writePain008,
  type CollectionBatch,
  type Creditor,
} from '../integrations/bank/iso20022';
import { applyBankOutcomes, type AppliedOutcome, type ReportedOutcome } from './bank-results';

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

export interface IngestResult {
  messageType: typeof PAIN_002 | typeof CAMT_054;
  messageId: string;
  /** The same file was ingested before: its outcomes are applied again, which changes nothing. */
  duplicate: boolean;
  applied: AppliedOutcome[];
  /** Transactions the report leaves open (accepted, pending): they wait for a later report. */
  stillOpen: number;
}

/**
 * Reads a bank file (pain.002 status report or camt.054 notification), checks it against the
 * schema and, for a status report, against the file it answers (count, sum, every transaction
 * ours and for the amount sent): a file that fails any check is rejected whole, nothing applied.
 * Then the outcomes go to the database and the cycles (applyBankOutcomes).
 */
export async function ingestBankFile(db: Knex, client: Client, xml: string, fileName?: string): Promise<IngestResult> {
  const messageType = xml.includes(`urn:iso:std:iso:20022:tech:xsd:${PAIN_002}`) ? PAIN_002 : xml.includes(`urn:iso:std:iso:20022:tech:xsd:${CAMT_054}`) ? CAMT_054 : undefined;
  if (!messageType) throw new Iso20022Error(`${fileName ?? 'the file'} is neither a ${PAIN_002} status report nor a ${CAMT_054} notification`, []);
  const problems = await validateIso20022(xml, messageType);
  if (problems.length > 0) throw new Iso20022Error(`${fileName ?? 'the file'} is not a valid ${messageType}`, withoutValues(problems));

  let outcomes: ReportedOutcome[];
  let stillOpen = 0;
  let totals: { messageId: string; originalMessageId?: string; nbOfTxs: number; ctrlSumFen: number };
  if (messageType === PAIN_002) {
    const report = readPain002(xml);
    const sent = await sentFile(db, report.originalMessageId);
    if (!sent) throw new Iso20022Error(`status report ${report.messageId} answers ${report.originalMessageId}, which we never sent`, []);
    checkAgainstBatch(report, sent);
    const at = new Date(report.createdAt);
    outcomes = [];
    for (const tx of resolveTransactionStatuses(report, sent.transactions.map((t) => t.endToEndId))) {
      if (tx.status === 'ACSC') outcomes.push({ idempotencyKey: tx.endToEndId, outcome: 'succeeded', bankRef: tx.bankRef ?? report.messageId, at });
      else if (tx.status === 'RJCT') outcomes.push({ idempotencyKey: tx.endToEndId, outcome: 'failed', rawCode: tx.reasonCode ?? 'NARR', ...(tx.bankRef ? { bankRef: tx.bankRef } : {}), at });
      else stillOpen += 1;
    }
    totals = { messageId: report.messageId, originalMessageId: report.originalMessageId, nbOfTxs: report.originalNbOfTxs, ctrlSumFen: report.originalCtrlSumFen };
  } else {
    const notification = readCamt054(xml);
    const at = new Date(notification.createdAt);
    outcomes = notification.entries.map((e): ReportedOutcome =>
      e.kind === 'returned'
        ? { idempotencyKey: e.endToEndId, outcome: 'returned', rawCode: e.reasonCode ?? 'NARR', bankRef: e.bankRef, at }
        : { idempotencyKey: e.endToEndId, outcome: 'succeeded', bankRef: e.bankRef, at },
    );
    totals = { messageId: notification.messageId, nbOfTxs: notification.entries.length, ctrlSumFen: notification.entries.reduce((s, e) => s + e.amountFen, 0) };
  }
  const recorded = await recordIncomingFile(db, { direction: 'in', messageType, sha256: sha256(xml), ...totals, ...(fileName ? { fileName } : {}) });
  const applied = await applyBankOutcomes(db, client, outcomes, classifyIsoReason, messageType);
  return { messageType, messageId: totals.messageId, duplicate: recorded.duplicate, applied, stillOpen };
}

/** The schema checker quotes element values (names, account numbers): keep the line and the rule only. */
function withoutValues(problems: readonly string[]): string[] {
  return problems.map((p) => p.replace(/'[^']*'/g, "'…'"));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
