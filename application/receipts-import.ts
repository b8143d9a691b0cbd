import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { claimReceipt, markReceiptPaid, premiumsToMatch, putReceiptInSuspense, receiptByReference } from '../db/repositories/payment-receipts';
import { matchReceipt, readReceipt, RECEIPT_COLUMNS, RECEIPT_OPTIONAL_COLUMNS, type Receipt, type SuspenseReason } from '../domain/receipts';
import type { ReportedVia } from '../domain/payments';
import { CsvFile } from '../integrations/import/csv-rows';
import { OperatorError } from './errors';
import { sendOperatorEvent } from './operator-events';
import type { UpdateOptions } from './update-deadline';

/**
 * `renewals payments import` (docs/business-rules.md#receipts-import): each row of a bank statement or
 * a counter's receipt list is matched to the premium it pays and sent to its cycle as a payment,
 * signed by the importer; a row that fits no premium exactly is put aside (suspense) with an
 * operations task. A reference is taken once, ever: importing the file again pays nothing twice. A row
 * that cannot be read is named with its field and skipped; the rest goes on.
 */
export type ReceiptOutcome =
  | { rowNo: number; reference: string; policyNo: string; outcome: 'paid'; dueDate: string }
  | { rowNo: number; reference: string; policyNo: string; outcome: 'suspense'; reason: SuspenseReason; taskId?: number }
  | { rowNo: number; reference: string; policyNo: string; outcome: 'duplicate'; earlier: string }
  | { rowNo: number; outcome: 'rejected'; field: string; problem: string };

export interface ReceiptsImport {
  file: { encoding: string; sha256: string };
  dryRun: boolean;
  rows: ReceiptOutcome[];
  counts: { paid: number; suspense: number; duplicate: number; rejected: number };
}

export async function importReceipts(
  db: Knex,
  client: Client | undefined,
  path: string,
  options: { actor: string; via: ReportedVia; dryRun: boolean; now?: () => number; update?: UpdateOptions; onProgress?: (done: number) => void },
): Promise<ReceiptsImport> {
  if (!options.dryRun && !client) throw new OperatorError('a receipts import needs Temporal to reach the cycles (or --dry-run)');
  const now = options.now ?? Date.now;
  const file = new CsvFile(path, RECEIPT_COLUMNS, { optional: RECEIPT_OPTIONAL_COLUMNS });
  // The whole file is read (and its hash known) before anything is paid.
  const read: ({ rowNo: number; receipt: Receipt } | Extract<ReceiptOutcome, { outcome: 'rejected' }>)[] = [];
  const seen = new Map<string, number>();
  for await (const row of file.rows()) {
    if (row.problem) {
      read.push({ rowNo: row.rowNo, outcome: 'rejected', field: 'row', problem: row.problem });
      continue;
    }
    const parsed = readReceipt(row.values, now(), options.via);
    if ('field' in parsed) read.push({ rowNo: row.rowNo, outcome: 'rejected', field: parsed.field, problem: parsed.problem });
    else if (seen.has(parsed.receipt.reference)) read.push({ rowNo: row.rowNo, outcome: 'rejected', field: 'reference', problem: `reference ${parsed.receipt.reference} is given again (row ${seen.get(parsed.receipt.reference)})` });
    else {
      seen.set(parsed.receipt.reference, row.rowNo);
      read.push({ rowNo: row.rowNo, receipt: parsed.receipt });
    }
  }
  const sha256 = file.sha256;
  const rows: ReceiptOutcome[] = [];
  for (const item of read) {
    if (!('receipt' in item)) rows.push(item);
    else rows.push(await importOne(db, client, item.receipt, { ...options, rowNo: item.rowNo, fileSha256: sha256, at: new Date(now()) }));
    options.onProgress?.(rows.length);
  }
  const count = (outcome: ReceiptOutcome['outcome']) => rows.filter((r) => r.outcome === outcome).length;
  return {
    file: { encoding: file.encoding, sha256 },
    dryRun: options.dryRun,
    rows,
    counts: { paid: count('paid'), suspense: count('suspense'), duplicate: count('duplicate'), rejected: count('rejected') },
  };
}

async function importOne(
  db: Knex,
  client: Client | undefined,
  receipt: Receipt,
  options: { actor: string; dryRun: boolean; update?: UpdateOptions; rowNo: number; fileSha256: string; at: Date },
): Promise<ReceiptOutcome> {
  const base = { rowNo: options.rowNo, reference: receipt.reference, policyNo: receipt.policyNo };
  const earlier = await receiptByReference(db, receipt.reference);
  if (earlier && earlier.outcome !== 'pending') return { ...base, outcome: 'duplicate', earlier: `${earlier.outcome} on ${earlier.imported_at.toISOString().slice(0, 10)}` };
  const { known, due, suspended } = await premiumsToMatch(db, receipt.policyNo);
  const match = matchReceipt(receipt, known, due, suspended);
  const dueDate = (due ?? suspended)?.dueDate;
  if (options.dryRun) return match.kind === 'pay' ? { ...base, outcome: 'paid', dueDate: dueDate! } : { ...base, outcome: 'suspense', reason: match.reason };

  // Claimed first; a claim left pending by an import cut short is taken up again here.
  const row = earlier ?? (await claimReceipt(db, receipt, { fileSha256: options.fileSha256, rowNo: options.rowNo, importedBy: options.actor }));
  if (!row) return { ...base, outcome: 'duplicate', earlier: 'claimed by another import at the same time' };
  if (match.kind === 'suspense') {
    const { taskId } = await putReceiptInSuspense(db, row, match.reason, known, options.at);
    return { ...base, outcome: 'suspense', reason: match.reason, taskId };
  }
  try {
    const payment = { kind: 'paymentReceived' as const, via: receipt.via, reference: receipt.reference, amountFen: receipt.amountFen, paidAt: new Date(receipt.paidAt).toISOString() };
    await sendOperatorEvent(db, client!, receipt.policyNo, payment, options.actor, dueDate, options.update);
  } catch (error) {
    // The cycle would not take it (paid meanwhile, over): put aside with the cycle's reason in the task's audit row.
    if (!(error instanceof OperatorError)) throw error;
    const { taskId } = await putReceiptInSuspense(db, row, 'cycle_refused', true, options.at);
    return { ...base, outcome: 'suspense', reason: 'cycle_refused', taskId };
  }
  await markReceiptPaid(db, row, match.premiumDueId, dueDate!);
  return { ...base, outcome: 'paid', dueDate: dueDate! };
}
