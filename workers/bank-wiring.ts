import type { DebitTiming } from '../activities/debit-activities';
import { plainHttpRefusal, refuse } from '../config/demo-defaults';
import type { BankSettings, Environment, Settings } from '../config/settings';
import { DEFAULT_RESULT_FILE, FileBatchBank } from '../integrations/bank/file-bank';
import { GatewayBank } from '../integrations/bank/gateway/gateway-bank';
import type { BankPort } from '../integrations/bank/port';
import { SIMULATOR_DEFAULTS } from '../integrations/bank/simulator/http-server';
import { gatewaySigningKey } from './bank-keys';

/**
 * The bank a worker debits through, as configured (config/settings.ts):
 *   BANK_GATEWAY_URL    the asynchronous collection gateway (the simulator's, or a real one), with
 *                       BANK_MERCHANT_ID / BANK_USER / BANK_PASSWORD / BANK_SIGNING_KEY / BANK_TIMEOUT_MS;
 *                       without BANK_SIGNING_KEY it refuses to start (a demo uses the simulator's);
 *   BANK_MODE=files     ISO 20022 files: debits wait in the day's pain.008 (renewals bank export)
 *                       and are settled by the bank's reports (renewals bank ingest), expected
 *                       BANK_RESULT_FILE_DAYS business days after collection by BANK_RESULT_FILE_AT.
 */
export function bankFor(all: Pick<Settings, 'environment' | 'bank'>): { bank: BankPort; debitTiming?: DebitTiming; describe: string } {
  const settings = all.bank;
  refuse(bankRefusals(settings, all.environment));
  if (settings.mode === 'files') {
    const resultFile = { businessDaysAfter: settings.resultFileDays ?? DEFAULT_RESULT_FILE.businessDaysAfter, at: settings.resultFileAt ?? DEFAULT_RESULT_FILE.at };
    return { bank: new FileBatchBank(resultFile), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 }, describe: 'ISO 20022 files (pain.008 out, pain.002 / camt.054 in)' };
  }
  if (settings.mode === 'unset') throw new Error('no bank configured: set BANK_GATEWAY_URL (the stack prints the simulator\'s) or BANK_MODE=files');
  const bank = new GatewayBank({
    url: settings.url,
    merchantId: settings.merchantId ?? SIMULATOR_DEFAULTS.merchantId,
    userName: settings.userName ?? SIMULATOR_DEFAULTS.userName,
    userPass: settings.userPass ?? SIMULATOR_DEFAULTS.userPass,
    signingKey: gatewaySigningKey(all),
    ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
  });
  return { bank, describe: `collection gateway ${settings.url}${settings.signingKey ? '' : " (the simulator's signing key: a demo)"}` };
}

/**
 * Outside RENEWALS_ENV=demo the gateway is reached over https and with the insurer's own
 * credentials: the simulator's (SIMULATOR_DEFAULTS, used when BANK_MERCHANT_ID / BANK_USER /
 * BANK_PASSWORD are unset) are refused, one line per variable to set.
 */
export function bankRefusals(settings: BankSettings, environment: Environment): string[] {
  if (environment === 'demo' || settings.mode !== 'gateway') return [];
  const refusals: string[] = [];
  const http = plainHttpRefusal(environment, 'BANK_GATEWAY_URL', settings.url);
  if (http) refusals.push(http);
  const credentials = [
    ['BANK_MERCHANT_ID', settings.merchantId],
    ['BANK_USER', settings.userName],
    ['BANK_PASSWORD', settings.userPass],
  ] as const;
  for (const [name, value] of credentials) {
    if (!value) refusals.push(`${name} is not set: outside RENEWALS_ENV=demo the bank simulator's credentials are refused`);
  }
  if (settings.userPass === SIMULATOR_DEFAULTS.userPass) refusals.push("BANK_PASSWORD is the bank simulator's: outside RENEWALS_ENV=demo set the gateway's own");
  if (!settings.signingKey) refusals.push("BANK_SIGNING_KEY is not set: the gateway's answers and callbacks cannot be verified (only RENEWALS_ENV=demo falls back on the simulated bank's key)");
  return refusals;
}
