import type { Command } from '@commander-js/extra-typings';
import { awaitingCounterPayments, confirmCounterPayment, rejectCounterPayment } from '../../application/counter-payments';
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

function paymentId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new CliError(`<id> must be a counter payment number, got "${text}"`, 2);
  return Number(text);
}
