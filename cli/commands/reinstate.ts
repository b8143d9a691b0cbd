import type { Command } from '@commander-js/extra-typings';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/connection';
import {
  applyForReinstatement,
  chooseReducedPaidUp,
  debitReinstatement,
  decideReinstatement,
  decisionFrom,
  payReinstatement,
  reinstatementView,
  withdrawReinstatement,
  type ApplicationAnswer,
} from '../../application/reinstatements';
import { formatYuan, yuanToFen } from '../../domain/money';
import { updateOptions, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

const JSON_OPTION = ['--json', 'print the answer as JSON'] as const;

function withBoth<T>(work: (db: Db, client: Client) => Promise<T>): Promise<T> {
  return asOperator(() => withDatabase((db) => withTemporalClient((client) => work(db, client))));
}

/** Who signed the application's steps, as opaque references (docs/architecture.md#people). */
function signers(signed: ApplicationAnswer['status']['signedBy']): string {
  return Object.entries(signed ?? {})
    .map(([step, by]) => `${step} ${by}`)
    .join(', ');
}

function printApplication(answer: ApplicationAnswer, options: { json?: boolean }): void {
  if (options.json) return printRecord({ ...answer }, options);
  const s = answer.status;
  printRecord(
    {
      policy: answer.policyNo,
      application: answer.workflowId,
      status: s.status,
      received: s.receivedDate,
      'decide by': s.decisionDueDate,
      declaration: s.declaration,
      'approved by': s.approvedBy ?? '',
      'signed by': signers(s.signedBy),
      'pay by': s.payBy ?? '',
      'last debit': s.lastDebit ? `${s.lastDebit.collectionDate} ${s.lastDebit.status}${s.lastDebit.reason ? ` (${s.lastDebit.reason})` : ''}` : '',
      effective: s.effectiveDate ?? '',
      next: s.nextAction,
    },
    {},
  );
}

/** `renewals reinstate …` for the reinstatement (复效) of a suspended policy, and `reduced-paid-up`. */
export function registerReinstateCommands(program: Command): void {
  const reinstate = program.command('reinstate').description('reinstatement (复效) of a suspended policy within its window: apply, decide, pay, status');

  reinstate
    .command('apply')
    .description('an application received now (with its signed health and risk declaration): starts underwriting')
    .argument('<policyNo>', 'the policy number')
    .option('--pay <method>', 'how the back premiums will be paid: debit (from the mandate on approval) or counter', 'counter')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => {
      const applied = await withBoth((db, client) => applyForReinstatement(db, client, policyNo, options.pay, actingUser().ref, updateOptions()));
      if (options.json) return printRecord({ ...applied }, options);
      process.stdout.write(`application received for ${policyNo} (lapsed premium due ${applied.lapsedDueDate}): ${applied.workflowId}\n`);
      printRecord({ received: applied.receivedDate, 'decide by': applied.decisionDueDate, payment: applied.paymentMethod }, {});
    });

  reinstate
    .command('decide')
    .description("the underwriter's decision: approve, decline with a reason code, or request more evidence")
    .argument('<policyNo>', 'the policy number')
    .option('--approve', 'approve the application')
    .option('--decline <reason>', 'RISK_INCREASED_HEALTH, RISK_INCREASED_OCCUPATION, RISK_INCREASED_OTHER or EVIDENCE_NOT_PROVIDED')
    .option('--request-evidence <kinds>', 'comma-separated: medical_exam, medical_records, supplementary_declaration, occupation_details')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => {
      const decision = await asOperator(() => Promise.resolve(decisionFrom(options)));
      printApplication(await withBoth((db, client) => decideReinstatement(db, client, policyNo, decision, actingUser().ref, updateOptions())), options);
    });

  reinstate
    .command('pay')
    .description("back premiums and interest received: exactly today's quote (see status)")
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--amount <yuan>', 'the amount received, in yuan (e.g. 6069.86)')
    .requiredOption('--reference <ref>', 'receipt number or bank reference (letters, digits, - and _)')
    .option('--via <channel>', 'counter, online or transfer', 'counter')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => {
      let amountFen: number;
      try {
        amountFen = yuanToFen(options.amount);
      } catch {
        throw new CliError(`--amount must be yuan with at most 2 decimals, got "${options.amount}"`, 2);
      }
      printApplication(await withBoth((db, client) => payReinstatement(db, client, policyNo, { via: options.via, reference: options.reference, amountFen }, actingUser().ref, updateOptions())), options);
    });

  reinstate
    .command('debit')
    .description("debit today's quote from the policy's mandate (again, after a failed debit)")
    .argument('<policyNo>', 'the policy number')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => printApplication(await withBoth((db, client) => debitReinstatement(db, client, policyNo, actingUser().ref, updateOptions())), options));

  reinstate
    .command('withdraw')
    .description('the policyholder withdraws the application (before the back premiums are paid)')
    .argument('<policyNo>', 'the policy number')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => printApplication(await withBoth((db, client) => withdrawReinstatement(db, client, policyNo, actingUser().ref, updateOptions())), options));

  reinstate
    .command('status')
    .description('the window (days left to apply) and the latest application, live while it runs, with the amount due')
    .argument('<policyNo>', 'the policy number')
    .option('--on <date>', 'quote the back premiums for payment on this day, YYYY-MM-DD (default: today)')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => {
      const view = await withBoth((db, client) => reinstatementView(db, client, policyNo, options.on));
      if (options.json) return printRecord({ ...view }, options);
      const s = view.suspension;
      const a = view.application;
      printRecord(
        {
          policy: view.policyNo,
          status: view.policyStatus,
          'lapsed premium': s?.lapsedDueDate ?? '',
          suspended: s?.suspensionDate ?? '',
          'apply by': s?.lastDayToApply ?? '',
          'days left': s ? s.daysLeftToApply : '',
          window: s?.outcome ?? '',
          'high value': s ? (s.highValue ? 'yes' : 'no') : '',
          application: a ? `${a.workflowId} ${a.status}` : 'none',
          'decide by': a?.decisionDueDate ?? '',
          'approved by': a?.approvedBy ?? '',
          'pay by': a?.payBy ?? '',
          [`due on ${options.on ?? 'today'}`]: a?.quote ? `${formatYuan(a.quote.totalFen)} (premiums ${formatYuan(a.quote.premiumsFen)} + interest ${formatYuan(a.quote.interestFen)})` : '',
          declined: a?.declineReason ?? '',
          reinstated: a?.effectiveDate ? `${a.effectiveDate} (suicide exclusion to ${a.suicideExclusionEnds ?? ''})` : '',
          next: a?.live?.nextAction ?? '',
        },
        {},
      );
    });

  program
    .command('reduced-paid-up')
    .description('the policyholder chose (or declined) reduced paid-up (减额交清) in the reinstatement window')
    .argument('<policyNo>', 'the policy number')
    .requiredOption('--choice <choice>', 'accepted or declined')
    .option(...JSON_OPTION)
    .action(async (policyNo, options) => {
      const chosen = await withBoth((db, client) => chooseReducedPaidUp(db, client, policyNo, options.choice, actingUser().ref, updateOptions()));
      if (options.json) return printRecord({ ...chosen }, options);
      process.stdout.write(`reduced paid-up ${chosen.choice} for ${policyNo}: net single premium ${formatYuan(chosen.netSinglePremiumFen)} yuan\n`);
    });
}
