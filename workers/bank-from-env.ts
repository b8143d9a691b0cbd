import type { DebitTiming } from '../activities/debit-activities';
import { FileBatchBank } from '../integrations/bank/file-bank';
import { GatewayBank } from '../integrations/bank/gateway/gateway-bank';
import type { BankPort } from '../integrations/bank/port';
import { SIMULATOR_DEFAULTS } from '../integrations/bank/simulator/http-server';

/**
 * The bank a worker debits through, from the environment:
 *   BANK_GATEWAY_URL    the asynchronous collection gateway (the simulator's, or a real one), with
 *                       BANK_MERCHANT_ID / BANK_USER / BANK_PASSWORD / BANK_SIGNING_KEY / BANK_TIMEOUT_MS;
 *   BANK_MODE=files     ISO 20022 files: debits wait in the day's pain.008 (renewals bank export)
 *                       and are settled by the bank's reports (renewals bank ingest).
 */
export function bankFromEnv(env: NodeJS.ProcessEnv = process.env): { bank: BankPort; debitTiming?: DebitTiming; describe: string } {
  if (env.BANK_MODE === 'files') {
    return { bank: new FileBatchBank(), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 }, describe: 'ISO 20022 files (pain.008 out, pain.002 / camt.054 in)' };
  }
  const url = env.BANK_GATEWAY_URL;
  if (!url) throw new Error('no bank configured: set BANK_GATEWAY_URL (the stack prints the simulator\'s) or BANK_MODE=files');
  const timeoutMs = env.BANK_TIMEOUT_MS === undefined ? undefined : Number(env.BANK_TIMEOUT_MS);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) throw new Error(`BANK_TIMEOUT_MS must be a positive whole number of ms, got ${env.BANK_TIMEOUT_MS}`);
  const bank = new GatewayBank({
    url,
    merchantId: env.BANK_MERCHANT_ID ?? SIMULATOR_DEFAULTS.merchantId,
    userName: env.BANK_USER ?? SIMULATOR_DEFAULTS.userName,
    userPass: env.BANK_PASSWORD ?? SIMULATOR_DEFAULTS.userPass,
    ...(env.BANK_SIGNING_KEY ? { signingKey: env.BANK_SIGNING_KEY } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return { bank, describe: `collection gateway ${url}` };
}
