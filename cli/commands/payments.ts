import type { Command } from '@commander-js/extra-typings';
import { awaitingCounterPayments, confirmCounterPayment, rejectCounterPayment } from '../../application/counter-payments';
import { importReceipts } from '../../application/receipts-import';
import { receiptsInSuspense } from '../../db/repositories/payment-receipts';
import { openSuspenseEntries } from '../../db/repositories/suspense-ledger';
import { isReportedVia, REPORTED_VIAS } from '../../domain/payments';
import { formatYuan } from '../../domain/money';
import { updateOptions, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

/**
 * `renewals payments pending|confirm|reject`: the second cashier's side of a large counter payment
 * (docs/business-rules.md#four-eyes).
 */
export function registerPaymentCommands(program: Command): void {
  const payments = program.command('payments').description('counter payments above the line: a second cashier confirms or rejects them');
  payments
    .command('pending')
    .description('counter payments waiting for a second cashier, oldest first')
    .option('--json', 'print them as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => awaitingCounterPayments(db));
      printRows(
        rows,
        [
          { header: 'id', value: (r) => r.id },
          { header: 'policy', value: (r) => r.policy_no },
          { header: 'due', value: (r) => r.due_date },
          { header: 'reference', value: (r) => r.reference },
          { header: 'amount (yuan)', value: (r) => formatYuan(r.amount_fen) },
          { header: 'recorded by', value: (r) => r.recorded_by },
          { header: 'recorded at', value: (r) => r.recorded_at.toISOString() },
        ],
        options,
      );
    });
  payments
    .command('confirm')
    .description("confirm another cashier's counter payment (never your own): the cycle takes the payment")
    .argument('<id>', 'the counter payment number (payments pending)')
    .option('--json', 'print the result as JSON')
    .action(async (id, options) => {
      const { payment, sent } = await asOperator(() => withDatabase((db) => withTemporalClient((client) => confirmCounterPayment(db, client, paymentId(id), actingUser().ref, updateOptions()))));
      printRecord(
        { payment: payment.id, status: payment.status, policy: payment.policy_no, due: payment.due_date, recordedBy: payment.recorded_by, confirmedBy: payment.decided_by, stage: sent.status.stage },
        options,
      );
    });
  payments
    .command('reject')
    .description("reject another cashier's counter payment (never your own): nothing reaches the cycle")
    .argument('<id>', 'the counter payment number (payments pending)')
    .requiredOption('--reason <text>', 'why (recorded, masked, in the audit trail)')
    .option('--json', 'print the result as JSON')
    .action(async (id, options) => {
      const { payment, holdReleased } = await asOperator(() =>
        withDatabase((db) => withTemporalClient((client) => rejectCounterPayment(db, client, paymentId(id), options.reason, actingUser().ref, updateOptions()))),
      );
      printRecord(
        { payment: payment.id, status: payment.status, policy: payment.policy_no, due: payment.due_date, recordedBy: payment.recorded_by, rejectedBy: payment.decided_by, holdReleased },
        options,
      );
    });
}

/**
 * `renewals payments import|suspense`: receipts from a bank statement or a counter's list, matched to
 * their premiums (docs/business-rules.md#receipts-import).
 */
export function registerReceiptCommands(program: Command): void {
  const payments = program.commands.find((c) => c.name() === 'payments')!;
  payments
    .command('import')
    .description("pay premiums from a receipts CSV (policy_no, amount, paid_at, reference[, via]; UTF-8 or GBK): each row goes to its policy's premium due (a part leaves the rest owed, too much goes to the suspense ledger), the unmatched to suspense with a task")
    .argument('<file>', 'the CSV file')
    .option('--via <via>', `how the rows were paid when the file has no via column: ${REPORTED_VIAS.join(', ')}`, 'transfer')
    .option('--dry-run', 'read and match every row, pay nothing and write nothing')
    .option('--json', 'print the outcome of every row as JSON')
    .action(async (file, options) => {
      if (!isReportedVia(options.via)) throw new CliError(`--via must be one of ${REPORTED_VIAS.join(', ')}, got "${options.via}"`, 2);
      const via = options.via;
      const actor = actingUser().ref;
      const dryRun = options.dryRun === true;
      const run = (client?: Parameters<typeof importReceipts>[1]) =>
        withDatabase((db) =>
          importReceipts(db, client, file, { actor, via, dryRun, update: updateOptions(), onProgress: (n) => n % 100 === 0 && process.stderr.write(`${n} rows\n`) }),
        );
      const result = await asOperator(() => (dryRun ? run(undefined) : withTemporalClient((client) => run(client))));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const { paid, suspense, duplicate, rejected } = result.counts;
      process.stdout.write(`${dryRun ? 'dry run: would pay' : 'paid'} ${paid}, ${dryRun ? 'would put' : 'put'} ${suspense} in suspense, ${duplicate} imported before, ${rejected} rejected (${result.file.encoding})\n`);
      for (const row of result.rows) {
        if (row.outcome === 'rejected') process.stdout.write(`  row ${row.rowNo}, ${row.field}: ${row.problem}\n`);
        else if (row.outcome === 'suspense') process.stdout.write(`  row ${row.rowNo} ${row.reference} (${row.policyNo}): suspense, ${row.reason}${row.taskId ? `, task #${row.taskId}` : ''}\n`);
        else if (row.outcome === 'duplicate') process.stdout.write(`  row ${row.rowNo} ${row.reference}: imported before (${row.earlier})\n`);
      }
    });
  payments
    .command('suspense')
    .description('receipts put aside by an import: no premium due, an unknown policy, or refused by the cycle')
    .option('--json', 'print them as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => receiptsInSuspense(db));
      printRows(
        rows,
        [
          { header: 'receipt', value: (r) => r.id },
          { header: 'reference', value: (r) => r.reference },
          { header: 'policy', value: (r) => r.policy_no },
          { header: 'amount (yuan)', value: (r) => formatYuan(r.amount_fen) },
          { header: 'paid at', value: (r) => r.paid_at.toISOString() },
          { header: 'reason', value: (r) => r.suspense_reason },
          { header: 'task', value: (r) => (r.task_id ? `#${r.task_id} ${r.task_status ?? ''}` : '') },
        ],
        options,
      );
    });
}

/** `renewals payments refunds`: the suspense ledger's open entries, money owed back (docs/business-rules.md#payment-amounts). */
export function registerRefundCommands(program: Command): void {
  const payments = program.commands.find((c) => c.name() === 'payments')!;
  payments
    .command('refunds')
    .description('money in the suspense ledger waiting for its refund: paid beyond what was owed, for a premium already paid, or after a suspension')
    .option('--json', 'print them as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => openSuspenseEntries(db));
      printRows(
        rows,
        [
          { header: 'entry', value: (r) => r.id },
          { header: 'policy', value: (r) => r.policy_no },
          { header: 'amount (yuan)', value: (r) => formatYuan(r.amount_fen) },
          { header: 'paid at', value: (r) => r.paid_at.toISOString() },
          { header: 'via', value: (r) => r.via },
          { header: 'reference', value: (r) => r.reference },
          { header: 'reason', value: (r) => r.reason },
          { header: 'refund task', value: (r) => (r.task_id ? `#${r.task_id}` : '') },
        ],
        options,
      );
    });
}

function paymentId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`<id> must be a counter payment number, got "${text}"`, 2);
  return Number(text);
}
