import { Command, CommanderError } from '@commander-js/extra-typings';
import { registerAuditCommands } from './commands/audit';
import { registerBankCommands } from './commands/bank';
import { registerContactCommands } from './commands/contacts';
import { registerDbCommands } from './commands/db';
import { registerImportCommands } from './commands/import';
import { registerKeyCommands } from './commands/keys';
import { registerRunCommands } from './commands/run';
import { registerScheduleCommands } from './commands/schedule';
import { registerReportCommands } from './commands/report';
import { registerPolicyCommands } from './commands/policy';
import { registerProviderCommands } from './commands/providers';
import { registerPolicyAdminCommands } from './commands/policy-admin';
import { registerLetterCommands } from './commands/letters';
import { registerOperatorCommands } from './commands/operator';
import { registerPaymentCommands, registerReceiptCommands, registerRefundCommands } from './commands/payments';
import { registerPaymentLinkCommands } from './commands/payment-links';
import { registerTaskCommands } from './commands/tasks';
import { registerSimulateCommands } from './commands/simulate';
import { registerReinstateCommands } from './commands/reinstate';
import { registerOrphanCommands } from './commands/orphans';
import { registerCalendarCommands } from './commands/calendar';
import { registerPeopleCommands } from './commands/people';
import { OperatorError } from '../application/errors';
import { debugRequested } from '../config/settings';
import { requireDataKeyOutsideDemo } from './context';
import { CliError, describeError } from './errors';
import { preflight } from './preflight';
import { commandPath, signIn } from './sign-in';

/** Commands that build a world of their own on simulators: always the demo (RENEWALS_ENV=demo), whatever the shell says. */
const DEMO_COMMANDS = new Set(['simulate']);

/**
 * The `renewals` command for operations, engineers and compliance. Each area registers its
 * commands from its own file under commands/.
 */
export function buildProgram(): Command {
  const program = new Command('renewals')
    .description('Renewal premium collection (续期收费) on Temporal')
    .showHelpAfterError()
    .exitOverride()
    // After the arguments are parsed (help and usage errors need no key), before the command runs.
    .hook('preAction', async (_program, command) => {
      // The demo's own world: everything it starts (its database's audit keys included) reads the demo's settings.
      if (DEMO_COMMANDS.has(command.name())) process.env.RENEWALS_ENV = 'demo';
      else requireDataKeyOutsideDemo();
      preflight(commandPath(command));
      // Who is acting, and may they (docs/architecture.md#people): exit 4 not signed in, 5 refused.
      await signIn(command);
    });
  registerDbCommands(program);
  registerKeyCommands(program);
  registerAuditCommands(program);
  registerBankCommands(program);
  registerContactCommands(program);
  registerImportCommands(program);
  registerRunCommands(program);
  registerScheduleCommands(program);
  registerReportCommands(program);
  registerPolicyCommands(program);
  registerOperatorCommands(program);
  registerPaymentCommands(program);
  registerReceiptCommands(program);
  registerRefundCommands(program);
  registerPaymentLinkCommands(program);
  registerTaskCommands(program);
  registerProviderCommands(program);
  registerPolicyAdminCommands(program);
  registerLetterCommands(program);
  registerReinstateCommands(program);
  registerSimulateCommands(program);
  registerOrphanCommands(program);
  registerCalendarCommands(program);
  registerPeopleCommands(program);
  return program;
}

/** Runs the CLI: errors are one line on stderr and a non-zero exit, never a stack trace. */
export async function runCli(argv: readonly string[], program = buildProgram()): Promise<number> {
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    process.stderr.write(`renewals: ${describeError(error)}\n`);
    if (debugRequested() && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    if (error instanceof CliError) return error.exitCode;
    return error instanceof OperatorError && error.usage ? 2 : 1;
  }
}
