import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { BankMessageRejection } from '../domain/bank-claims';
import { classifyIsoReason } from '../domain/debit-reasons';
import { recordIncomingFile, sentFile } from '../db/repositories/bank-files';
import { recordBankRejection } from '../db/repositories/bank-rejections';
import {
  CAMT_054,
  checkAgainstBatch,
  FILE_MAC_SUFFIX,
  fileMacMatches,
  Iso20022Error,
  PAIN_002,
  readCamt054,
  readPain002,
  resolveTransactionStatuses,
  validateIso20022,
  type DebitNotification,
} from '../integrations/bank/iso20022';
import { notificationProblems } from './bank-claim-checks';
import { sha256, withoutValues } from './bank-file-exchange';
import { applyBankOutcomes, type AppliedOutcome, type ReportedOutcome } from './bank-results';

/** A file as it came from the bank, with the text of the MAC sent alongside it (FILE.mac), if any. */
export interface IncomingBankFile {
  /** Exactly as received: the MAC is over these bytes. */
  bytes: Buffer;
  mac?: string;
  name?: string;
}

/** What a file from the bank is held against. */
export interface BankFileTrust {
  /** The key of the bank's file MACs (BANK_FILE_KEY; in a demo the simulator's). */
  macKey: string;
  /** Our collection account: a notification about any other is not ours to apply. */
  creditorAccountNo: string;
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

const WHY: Record<Exclude<BankMessageRejection, 'format'>, string> = {
  authentication: 'not authenticated as the bank’s',
  mismatch: 'not about debits we made as it says',
  replayed_file: 'its message id came before with other content',
};

/** A bank file refused whole, with why; nothing of it was applied. */
export class BankFileRejected extends Error {
  constructor(
    what: string,
    readonly reason: Exclude<BankMessageRejection, 'format'>,
    readonly problems: readonly string[],
  ) {
    super(`${what} rejected, ${WHY[reason]}: ${problems.join('; ')}`);
    this.name = 'BankFileRejected';
  }
}

/** A status report about a file we did not send, or not as we sent it: a mismatch, not a bad file. */
class FileOfOursError extends Iso20022Error {}

interface ReadFile {
  messageType: IngestResult['messageType'];
  outcomes: ReportedOutcome[];
  stillOpen: number;
  totals: { messageId: string; originalMessageId?: string; nbOfTxs: number; ctrlSumFen: number };
  /** A camt.054's content, to hold against the debits of the files we sent. */
  notification?: DebitNotification;
}

/**
 * Reads a bank file (pain.002 status report or camt.054 notification) and applies it, only once it
 * is the bank's and about our debits: its MAC must match (authentication), it must be a valid
 * message that agrees with itself (format), answer a file we sent or book debits of files we sent,
 * on our account, for the amounts sent (mismatch), and not reuse a message id we hold with other
 * content (replayed_file). A file that fails any check is refused whole, recorded on the audit
 * trail with why, and nothing of it is applied. Then the outcomes go to the database and the cycles
 * (applyBankOutcomes); the same file again is a harmless duplicate.
 */
export async function ingestBankFile(db: Knex, client: Client, file: IncomingBankFile, trust: BankFileTrust): Promise<IngestResult> {
  const what = file.name ?? 'the file';
  const digest = sha256(file.bytes);
  let source = 'bank-file';
  const refuse = async (reason: BankFileRejected['reason'], problems: readonly string[]): Promise<never> => {
    await recordBankRejection(db, { source, reason, problems, sha256: digest });
    throw new BankFileRejected(what, reason, problems);
  };
  if (!fileMacMatches(file.bytes, file.mac, trust.macKey)) {
    await refuse('authentication', [file.mac === undefined ? `no MAC came with it (${what}${FILE_MAC_SUFFIX})` : 'its MAC does not match: not from the bank, or changed since']);
  }
  const xml = file.bytes.toString('utf8');
  source = messageTypeOf(xml) ?? source;
  let read: ReadFile;
  try {
    read = await readBankFile(db, xml, what);
  } catch (error) {
    if (!(error instanceof Iso20022Error)) throw error;
    const answersNoFileOfOurs = error instanceof FileOfOursError;
    await recordBankRejection(db, { source, reason: answersNoFileOfOurs ? 'mismatch' : 'format', problems: [...error.problems], sha256: digest });
    throw error;
  }
  if (read.notification) {
    const problems = await notificationProblems(db, read.notification, trust.creditorAccountNo);
    if (problems.length > 0) await refuse('mismatch', problems);
  }
  const recorded = await recordIncomingFile(db, { direction: 'in', messageType: read.messageType, sha256: digest, ...read.totals, ...(file.name ? { fileName: file.name } : {}) });
  if (recorded.seen === 'other_content') await refuse('replayed_file', [`message id ${read.totals.messageId} was received before with other content`]);
  const applied = await applyBankOutcomes(db, client, read.outcomes, classifyIsoReason, read.messageType);
  return { messageType: read.messageType, messageId: read.totals.messageId, duplicate: recorded.seen === 'duplicate', applied, stillOpen: read.stillOpen };
}

function messageTypeOf(xml: string): ReadFile['messageType'] | undefined {
  if (xml.includes(`urn:iso:std:iso:20022:tech:xsd:${PAIN_002}`)) return PAIN_002;
  return xml.includes(`urn:iso:std:iso:20022:tech:xsd:${CAMT_054}`) ? CAMT_054 : undefined;
}

/** The file's kind, checked against its schema and read into outcomes; a pain.002 also against the file it answers. */
async function readBankFile(db: Knex, xml: string, what: string): Promise<ReadFile> {
  const messageType = messageTypeOf(xml);
  if (!messageType) throw new Iso20022Error(`${what} is neither a ${PAIN_002} status report nor a ${CAMT_054} notification`, []);
  const problems = await validateIso20022(xml, messageType);
  if (problems.length > 0) throw new Iso20022Error(`${what} is not a valid ${messageType}`, withoutValues(problems));

  if (messageType === PAIN_002) {
    const report = readPain002(xml);
    const sent = await sentFile(db, report.originalMessageId);
    if (!sent) throw new FileOfOursError(`${PAIN_002} rejected`, [`status report ${report.messageId} answers ${report.originalMessageId}, which we never sent`]);
    try {
      checkAgainstBatch(report, sent);
    } catch (error) {
      if (error instanceof Iso20022Error) throw new FileOfOursError(`${PAIN_002} does not answer ${sent.messageId}`, error.problems);
      throw error;
    }
    const at = new Date(report.createdAt);
    const outcomes: ReportedOutcome[] = [];
    let stillOpen = 0;
    for (const tx of resolveTransactionStatuses(report, sent.transactions.map((t) => t.endToEndId))) {
      if (tx.status === 'ACSC') outcomes.push({ idempotencyKey: tx.endToEndId, outcome: 'succeeded', bankRef: tx.bankRef ?? report.messageId, at });
      else if (tx.status === 'RJCT') outcomes.push({ idempotencyKey: tx.endToEndId, outcome: 'failed', rawCode: tx.reasonCode ?? 'NARR', ...(tx.bankRef ? { bankRef: tx.bankRef } : {}), at });
      else stillOpen += 1;
    }
    return {
      messageType,
      outcomes,
      stillOpen,
      totals: { messageId: report.messageId, originalMessageId: report.originalMessageId, nbOfTxs: report.originalNbOfTxs, ctrlSumFen: report.originalCtrlSumFen },
    };
  }
  const notification = readCamt054(xml);
  const at = new Date(notification.createdAt);
  return {
    messageType,
    outcomes: notification.entries.map((e): ReportedOutcome =>
      e.kind === 'returned'
        ? { idempotencyKey: e.endToEndId, outcome: 'returned', rawCode: e.reasonCode ?? 'NARR', bankRef: e.bankRef, at }
        : { idempotencyKey: e.endToEndId, outcome: 'succeeded', bankRef: e.bankRef, at },
    ),
    stillOpen: 0,
    notification,
    totals: { messageId: notification.messageId, nbOfTxs: notification.entries.length, ctrlSumFen: notification.entries.reduce((s, e) => s + e.amountFen, 0) },
  };
}
