/**
 * npm run paylinks: the payment-link server (docs/architecture.md#online-payment) on PAY_LINK_HOST
 * (default 127.0.0.1) and PAY_LINK_PORT (default 8090): the hosted page, orders, the providers'
 * notifications, and every PAY_ORDER_CHECK_MINUTES the lost-notification sweep. Ctrl-C stops it.
 */
import { Client, Connection } from '@temporalio/client';
import { buildPaymentLinkServer } from '../application/payment-links-server';
import { checkOpenOrders } from '../application/payment-links-sweep';
import { configuredKeys } from '../config/data-keys';
import { readOnlinePaymentSettings } from '../config/online-payment';
import { readSettings, requireDatabaseUrl } from '../config/settings';
import { connect } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { configuredPaymentProviders } from '../integrations/payments/configured-providers';
import { createLogger } from '../observability/logger';
import { renewalsDataConverter } from '../workers/data-converter';
import { stopOnSignal } from './stop-on-signal';

async function main(): Promise<void> {
  const online = readOnlinePaymentSettings(process.env);
  if (!online) throw new Error('PAY_LINK_BASE_URL is not set: online payment is off (README "Online payment")');
  const providers = configuredPaymentProviders(online);
  const shared = readSettings(process.env);
  const logger = createLogger('paylinks', { level: process.env.LOG_LEVEL });
  const db = connect(requireDatabaseUrl(shared));
  const connection = Connection.lazy({ address: shared.temporal.address });
  const client = new Client({ connection, namespace: shared.temporal.namespace, dataConverter: renewalsDataConverter(PiiCipher.forKeys(configuredKeys(shared))) });
  const update = { updateTimeoutMs: shared.temporal.updateTimeoutMs };
  // The cashiers are https (wx.tenpay.com, openapi.alipay.com); the demo's simulators are local http.
  const payOrigins = ['https:', ...Object.values(online.simulatorUrls).map((url) => new URL(url).origin)];
  const app = await buildPaymentLinkServer({
    db,
    client,
    providers,
    payOrigins,
    trustProxy: online.trustProxy,
    update,
    // The error's name only: a provider's or the cycle's message may name the policy.
    onError: (what, error) => logger.warn({ error: error instanceof Error ? error.name : 'unknown' }, what),
  });
  const sweep = setInterval(() => {
    checkOpenOrders(db, client, providers, { olderThanMinutes: online.checkAfterMinutes, ...update })
      .then((result) => result.asked > 0 && logger.info(result, 'open orders checked'))
      .catch((error: unknown) => logger.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'open orders not checked'));
  }, online.checkAfterMinutes * 60_000);
  await app.listen({ host: online.host, port: online.port });
  process.stdout.write(`paylinks: http://${online.host}:${online.port}/ for ${online.baseUrl} (${Object.keys(providers).join(', ')}; ${online.environment})\n`);
  stopOnSignal(
    () => clearInterval(sweep),
    () => app.close(),
    () => connection.close(),
    () => db.destroy(),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`paylinks: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
