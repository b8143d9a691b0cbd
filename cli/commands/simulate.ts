import type { Command } from '@commander-js/extra-typings';
import { printSimulation } from '../../scripts/simulate/print';
import { simulate } from '../../scripts/simulate/simulate';
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
  accounts.csv                                         the bank simulator's accounts
  events.csv (optional)                                date, policy_no, event, value — applied at 08:00 of the date:
      deposit <yuan> · pay_counter [receipt no] · promise <YYYY-MM-DD> · refuse <reason 1-12>
      claim_open · claim_close · account_update <account no in accounts.csv> · apply_reinstatement`,
    )
    .argument('<dir>', 'scenario directory')
    .option('--month <YYYY-MM>', 'due month to run (default: the month of the earliest due date)')
    .option('--out <folder>', 'also write the report (XLSX, CSV), the audit export (CSV, JSON), premiums.csv and the emails (.eml)')
    .option('--force', "replace the files of an earlier run in the --out folder")
    .option('--json', 'print the result as JSON')
    .action(async (dir, options) => {
      if (options.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
        throw new CliError(`--month must be YYYY-MM, got "${options.month}"`, 2);
      }
      const result = await simulate({
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
