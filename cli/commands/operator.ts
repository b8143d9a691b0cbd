import type { Command } from '@commander-js/extra-typings';
import {
  dueOption,
  holdEvent,
  OperatorError,
  paymentEvent,
  promiseEvent,
  refusalEvent,
  sendOperatorEvent,
  type OperatorEvent,
  type SentEvent,
} from '../../application/operator-events';
import { reportPayment } from '../../application/counter-payments';
import { shanghaiTime } from '../../application/policy-view';
import { HOLD_KINDS } from '../../domain/holds';
import { formatYuan } from '../../domain/money';
import { settings, updateOptions, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { actingUser } from '../session';

/** Runs a command's work, turning the operator errors of application/ into one-line CLI errors (2: a bad value). */
export async function asOperator<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OperatorError) throw new CliError(error.message, error.usage ? 2 : 1);
    throw error;
  }
}

interface EventOptions {
  due?: string;
  json?: boolean;
}

/** Values are checked (and the event built) before the database or Temporal is touched. */
async function sendEvent(policyNo: string, options: EventOptions, build: () => OperatorEvent): Promise<void> {
  const sent = await asOperator(async () => {
    const event = build();
    const due = dueOption(options.due);
    return withDatabase((db) => withTemporalClient((client) => sendOperatorEvent(db, client, policyNo, event, actingUser().ref, due, updateOptions())));
  });
  printSent(sent, options);
}

/**
 * `renewals pay`: a large counter payment waits for a second cashier (application/counter-payments.ts);
 * anything else reaches the cycle at once.
 */
async function reportPaymentAt(policyNo: string, options: EventOptions & { via: string; reference: string; amount?: string; paidAt?: string }): Promise<void> {
  const report = await asOperator(async () => {
    const payment = paymentEvent(options.via, options.reference, { ...(options.amount !== undefined ? { amount: options.amount } : {}), ...(options.paidAt !== undefined ? { paidAt: options.paidAt } : {}) });
    const due = dueOption(options.due);
    const rules = { due, confirmAboveFen: settings().counterConfirmAboveFen, update: updateOptions() };
    return withDatabase((db) => withTemporalClient((client) => reportPayment(db, client, policyNo, payment, actingUser().ref, rules)));
  });
  if (report.kind === 'sent') {
    printSent(report.sent, options);
    return;
  }
  if (report.kind === 'suspense') {
    if (!options.json) process.stdout.write(`the premium of ${report.policyNo} due ${report.dueDate} is already paid: the money is in suspense (entry #${report.entryId}), refund task #${report.taskId} for operations\n`);
    printRecord({ suspense: true, entry: report.entryId, task: report.taskId, policy: report.policyNo, due: report.dueDate }, options);
    return;
  }
  const p = report.payment;
  if (!options.json) {
    process.stdout.write(
      `counter payment #${p.id} recorded: ¥${formatYuan(p.amount_fen)} is above ¥${formatYuan(report.confirmAboveFen)}, so a second cashier confirms it (renewals payments confirm ${p.id}); until then the cycle is held (payment_review): no debit, no reminder, no lapse\n`,
    );
  }
  printRecord({ awaitingConfirmation: true, payment: p.id, policy: p.policy_no, due: p.due_date, reference: p.reference, amountFen: p.amount_fen, recordedBy: p.recorded_by }, options);
}

function printSent(sent: SentEvent, options: { json?: boolean }): void {
  if (options.json) {
    printRecord({ ...sent }, options);
    return;
  }
  const s = sent.status;
  process.stdout.write(`${sent.update} accepted by ${sent.workflowId}; the cycle's status:\n`);
  printRecord(
    {
      policy: sent.policyNo,
      due: sent.dueDate,
      stage: s.stage,
      next: s.nextAction,
      at: s.nextActionAt ? shanghaiTime(s.nextActionAt) : '',
      'debit attempts': s.debitAttempts,
      holds: s.holds.join(', '),
      'promise until': s.promiseUntil ?? '',
      'last contact': s.lastContact ? `${s.lastContact.step}: sent ${s.lastContact.sent.join(', ') || 'none'}` : '',
      'signed by': s.lastSigned ? `${s.lastSigned.by} (${s.lastSigned.update})` : '',
    },
    {},
  );
}

const DUE = ['--due <date>', 'the premium due on this date (default: the open premium), YYYY-MM-DD'] as const;
const JSON_OPTION = ['--json', "print the cycle's status as JSON"] as const;

/** Operator events sent to a policy's cycle: `renewals pay|promise|refuse|hold|release|account-updated`. */
export function registerOperatorCommands(program: Command): void {
  program
    .command('pay')
    .description('a payment received at the counter, online or by bank transfer: the cycle stops collecting')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--via <channel>', 'counter, online or transfer')
    .requiredOption('--reference <ref>', 'receipt number or bank reference (letters, digits, - and _)')
    .option('--amount <yuan>', 'the amount paid, e.g. 1234.50 (default: all that is still owed); a part leaves the rest owed, too much goes to suspense')
    .option('--paid-at <time>', 'when the customer paid, Shanghai time YYYY-MM-DD HH:MM (default: now); paid within grace, it counts even after the suspension')
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => reportPaymentAt(policyNo, options));

  program
    .command('promise')
    .description('the customer promised to pay by a date (no later than the last grace day): contacts pause until then')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--date <date>', 'the promised date, YYYY-MM-DD')
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => sendEvent(policyNo, options, () => promiseEvent(options.date)));

  program
    .command('refuse')
    .description('the customer refuses to pay: the non-payment reason is recorded')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--reason <code>', 'non-payment reason code 1–12 (docs/business-rules.md#non-payment-reasons)')
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => sendEvent(policyNo, options, () => refusalEvent(options.reason)));

  program
    .command('hold')
    .description('place a hold: collection actions pause (and lapse waits) until it is released')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--kind <kind>', HOLD_KINDS.join(', '))
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => sendEvent(policyNo, options, () => holdEvent('holdPlaced', options.kind)));

  program
    .command('release')
    .description('release a hold placed earlier')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--kind <kind>', HOLD_KINDS.join(', '))
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => sendEvent(policyNo, options, () => holdEvent('holdReleased', options.kind)));

  program
    .command('account-updated')
    .description('the debit account was fixed or replaced (servicing change recorded): debits resume')
    .argument('<policyNo>', 'the policy number')
    .option(...DUE)
    .option(...JSON_OPTION)
    .action((policyNo, options) => sendEvent(policyNo, options, () => ({ kind: 'accountUpdated' })));
}
