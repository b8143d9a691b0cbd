/**
 * The simulated bank as a local service, for the demo, the stack and anyone trying the gateway
 * by hand:
 *
 *   tsx scripts/bank-simulator.ts --accounts accounts.csv --port 0
 *
 * prints its base URL as the first line on stdout (gateway: POST <url>/gateway; admin: <url>/sim/…),
 * then serves until SIGINT/SIGTERM. Bad rows of accounts.csv are listed on stderr and left out.
 */
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { readAccountsCsv } from '../integrations/bank/accounts-csv';
import { SIMULATOR_DEFAULTS, startBankSimulator } from '../integrations/bank/simulator/http-server';

function wholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

const program = new Command('bank-simulator')
  .description('Simulated bank: GZELINK-style collection gateway (POST /gateway) and admin endpoints (/sim/...)')
  .option('--accounts <file>', 'accounts.csv to open (bank_code, account_no, account_name, balance, status, daily_limit[, account_class, mandate])')
  .option('--port <port>', 'port to listen on (0: any free port)', wholeNumber('--port'), 0)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--merchant-id <id>', 'MERCHANT_ID the gateway accepts (also the creditor named by mandates)', SIMULATOR_DEFAULTS.merchantId)
  .option('--user <name>', 'USER_NAME the gateway accepts', SIMULATOR_DEFAULTS.userName)
  .option('--password <password>', 'USER_PASS the gateway accepts', SIMULATOR_DEFAULTS.userPass)
  .option('--signing-key <key>', "shared key for SIGNED_MSG (HMAC-SHA256 stand-in for RSA); omitted: the simulator's own, which RENEWALS_ENV=demo uses too")
  .option('--processing-delay <ms>', 'time a batch stays "processing" (2000) before it is debited', wholeNumber('--processing-delay'), SIMULATOR_DEFAULTS.processingDelayMs)
  .option('--callback-url <url>', 'where results and returns are posted when they happen')
  .option('--latency <ms>', 'delay before every gateway request is handled', wholeNumber('--latency'), 0)
  .option('--strict', 'exit with an error when accounts.csv has bad rows, instead of leaving them out')
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse();
  const options = program.opts();
  const csv = options.accounts ? await readAccountsCsv(options.accounts) : { accounts: [], errors: [] };
  for (const error of csv.errors) process.stderr.write(`${options.accounts}: row ${error.row}, column ${error.column}: ${error.message}\n`);
  if (options.strict && csv.errors.length > 0) {
    process.stderr.write(`bank-simulator: ${csv.errors.length} bad row(s) in ${options.accounts}; nothing started\n`);
    process.exitCode = 1;
    return;
  }
  const simulator = await startBankSimulator({
    port: options.port,
    host: options.host,
    accounts: csv.accounts,
    merchantId: options.merchantId,
    userName: options.user,
    userPass: options.password,
    processingDelayMs: options.processingDelay,
    faults: { latencyMs: options.latency },
    ...(options.signingKey !== undefined ? { signingKey: options.signingKey } : {}),
    ...(options.callbackUrl !== undefined ? { callbackUrl: options.callbackUrl } : {}),
  });
  process.stdout.write(`${simulator.url}\n`);
  process.stderr.write(`bank-simulator: ${csv.accounts.length} account(s); gateway POST ${simulator.gatewayUrl}; admin ${simulator.url}/sim/health\n`);
  const stop = () => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bank-simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
