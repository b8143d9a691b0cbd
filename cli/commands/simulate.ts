import type { Command } from '@commander-js/extra-typings';
import { printSimulation, printWhatIf } from '../../scripts/simulate/print';
import { simulate } from '../../scripts/simulate/simulate';
import { simulateWhatIf } from '../../scripts/simulate/what-if';
import { CliError } from '../errors';

export function registerSimulateCommands(program: Command): void {
  program
    .command('simulate')
    .description('run a whole month of renewals for a scenario directory on the time-skipping server (embedded defaults)')
    .addHelpText(
      'after',
      `
The scenario directory holds:
  policies.csv, agents.csv, products.csv (optional)   as \`renewals import\` reads them
  plans.json (optional)                                the scenario's own collection plans: a JSON list, each checked by the plan validator
  accounts.csv                                         the bank simulator's accounts
  events.csv (optional)                                date, policy_no, event, value — applied at 08:00 of the date:
      deposit <yuan> · pay_counter [yuan][@YYYY-MM-DD HH:MM paid at] · pay_online [wechatpay|alipay] · promise <YYYY-MM-DD> · refuse <reason 1-12>
      claim_open · claim_close · account_update <account no in accounts.csv> · apply_reinstatement
      letter_returned [reason: unknown_address (default), moved, refused, unclaimed, deceased, other]

What-if: --plan A --compare-plan B plays the scenario twice, each side on its own fresh database and
time-skipping server, and prints the collection rate (当月/次月/宽末, by case and premium), lapse rate,
contacts by channel, debits and tasks of each side with the difference B − A. With --out, each side's
files go to <folder>/A/ and <folder>/B/, the comparison to comparison.csv and comparison.json.`,
    )
    .argument('<dir>', 'scenario directory')
    .option('--month <YYYY-MM>', 'due month to run (default: the month of the earliest due date)')
    .option('--out <folder>', 'also write the report (XLSX, CSV), the audit export (CSV, JSON), premiums.csv and the emails (.eml)')
    .option('--force', "replace the files of an earlier run in the --out folder")
    .option('--json', 'print the result as JSON')
    .option('--plan <code>', 'collect every product under this plan (standard-60 or one of the scenario\'s plans.json)')
    .option('--compare-plan <code>', 'play the scenario again under this plan and compare the two (needs --plan)')
    .action(async (dir, options) => {
      if (options.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
        throw new CliError(`--month must be YYYY-MM, got "${options.month}"`, 2);
      }
      if (options.comparePlan !== undefined) {
        if (options.plan === undefined) throw new CliError('--compare-plan needs --plan: the plan to compare it with', 2);
        const comparison = await simulateWhatIf({
          dir,
          plan: options.plan,
          comparePlan: options.comparePlan,
          ...(options.month ? { month: options.month } : {}),
          ...(options.out ? { out: options.out } : {}),
          ...(options.force ? { force: true } : {}),
          progress: (line) => process.stderr.write(`${line}\n`),
        });
        if (options.json) process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
        else printWhatIf(comparison);
        return;
      }
      const result = await simulate({
        ...(options.plan !== undefined ? { plan: options.plan } : {}),
        dir,
        ...(options.month ? { month: options.month } : {}),
        ...(options.out ? { out: options.out } : {}),
        ...(options.force ? { force: true } : {}),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else printSimulation(result);
    });
}
