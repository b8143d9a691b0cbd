/**
 * npm run worker: the renewal worker as its own process, against the server and database the
 * environment names (the local stack prints them), with its health, readiness and metrics on HTTP
 * (WORKER_HTTP_HOST:WORKER_HTTP_PORT, loopback:9464 by default).
 *
 * Stopping: on SIGTERM or SIGINT the SDK stops polling, lets running activities finish for
 * WORKER_SHUTDOWN_GRACE_MS, then cancels those still running (their attempt fails and Temporal
 * retries it elsewhere: every activity is safe to retry); /readyz answers 503 meanwhile. Once the
 * worker has stopped, the policy administration relay (after its pass in progress), the endpoints,
 * SMTP, the Temporal connection and the database pool are closed, in that order. A second signal
 * kills the process at once.
 *
 * Starting: refusals first (no key, demo values), then the endpoints (alive, not ready), then the
 * data key is checked against the database's key ring, waiting for the database if it does not
 * answer yet; only then does the worker poll Temporal.
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { readAuditKeys } from '../config/audit-keys';
import { configuredKeys } from '../config/data-keys';
import { refuse } from '../config/demo-defaults';
import { describeSettings, readSettings, requireDatabaseUrl } from '../config/settings';
import { connect } from '../db/connection';
import { privilegedConnection } from '../db/database-roles';
import { openKeyRing } from '../db/key-ring';
import { describeKeyRing } from '../db/key-ring-description';
import { PiiCipher } from '../db/pii-cipher';
import { operationsFigures } from '../db/repositories/operations-figures';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { startPolicyAdminRelay, type RunningRelay } from '../application/policy-admin-relay';
import { createLogger, temporalLogger } from '../observability/logger';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { bankFor } from './bank-wiring';
import { checkKeyRingWhenDatabaseAnswers, WorkerRefused } from './key-ring-at-start';
import { policyAdminFor } from './policy-admin-wiring';
import { workerRefusals } from './production-refusals';
import { readinessBeforeWorker, workerReadiness } from './readiness';
import { createRenewalWorker } from './renewal-worker';
import { freeLoopbackAddress, readSdkMetrics } from './sdk-metrics';
import { installTemporalRuntime } from './temporal-runtime';
import { withDurableLetters } from './letter-wiring';
import { textChannelsFor } from './text-channel-wiring';
import { startWorkerEndpoints } from './worker-endpoints';
import { workerMetrics } from './worker-metrics';
import { noticePayLinks } from '../application/payment-links';
import { scheduledLetterBatches } from '../application/letter-batches';
import { readOnlinePaymentSettings } from '../config/online-payment';

async function main(): Promise<void> {
  const settings = readSettings();
  // Before anything else: outside the demo, no data key and no demo value (each refusal names its variable).
  const keys = configuredKeys(settings);
  refuse(workerRefusals(settings));
  // The audit chain's heads are signed with RENEWALS_AUDIT_KEY: required outside the demo too.
  readAuditKeys();
  const logger = createLogger('renewal-worker', { level: settings.logLevel });
  // JSON lines on stderr with personal data masked: SDK core's messages and every activity's log go
  // through it. Core's Prometheus exporter listens on loopback only; /metrics serves what it says.
  const sdkMetricsAddress = await freeLoopbackAddress();
  installTemporalRuntime(temporalLogger(logger), { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } });
  const db = connect(requireDatabaseUrl(settings));
  const cipher = PiiCipher.forKeys(keys);
  const email = new SmtpEmail(settings.email.smtpUrl, settings.email.mailFrom);
  const { bank, debitTiming, describe } = bankFor(settings);
  const providers = textChannelsFor(settings.messaging, settings.environment);
  const letters = withDurableLetters(providers.text, db, settings.letters);
  const messaging = { text: letters.text, standIns: providers.standIns, describe: `${providers.describe}; ${letters.describe}` };
  // The outbox's relay delivers to the policy administration system (the in-memory stand-in in a demo without one).
  const policyAdmin = policyAdminFor(settings);
  const standIns = [...messaging.standIns, ...(policyAdmin.standIn ? [policyAdmin.standIn] : [])];
  const taskQueue = settings.temporal.taskQueue ?? RENEWAL_TASK_QUEUE;
  const online = readOnlinePaymentSettings();
  // The daily letter batch writes to the print house's outbox: outside the demo only one that was named.
  const letterOutbox = settings.environment === 'demo' || !settings.demoDefaults.includes('LETTERS_OUTBOX_DIR') ? settings.letters.outboxDir : undefined;

  // Alive from here on; ready once the key ring is checked and the worker runs.
  const stopped = untilStopSignal();
  // Set once the key ring is checked; /readyz reads it.
  const running: { worker?: Worker; relay?: RunningRelay } = {};
  const ringChecked = checkKeyRingWhenDatabaseAnswers(async () => {
    // A superuser or the owner could rewrite the audit trail: refused outside the demo, said in it.
    const privileged = await privilegedConnection(db);
    if (privileged && settings.environment === 'production') throw new WorkerRefused(privileged);
    if (privileged) logger.warn(privileged);
    return openKeyRing(db, cipher);
  }, {
    retryMs: 5_000,
    stopped: stopped.signalled,
    onWait: (reason) => logger.warn({ reason }, 'waiting for the database before checking the data key'),
  });
  const endpoints = await startWorkerEndpoints({
    host: settings.worker.httpHost,
    port: settings.worker.httpPort,
    readiness: async () => (running.worker ? workerReadiness(running.worker, db) : readinessBeforeWorker(db)),
    metrics: workerMetrics({ figures: () => operationsFigures(db), sdkMetrics: () => readSdkMetrics(sdkMetricsAddress) }),
  });
  process.stdout.write(`health ${endpoints.url}/healthz, readiness ${endpoints.url}/readyz, metrics ${endpoints.url}/metrics\n`);
  const closeAll = async (connection?: NativeConnection) => {
    logger.info({ state: running.worker?.getState() ?? 'never started' }, 'worker stopped: closing the relay, the endpoints, SMTP, the Temporal connection and the database pool');
    await running.relay?.stop();
    await endpoints.close();
    email.close();
    await connection?.close();
    await db.destroy();
    process.stdout.write('renewal worker stopped\n');
  };
  // A wrong key is refused here, before a cycle reads or writes anything under it.
  const ring = await ringChecked.catch(async (error: unknown) => {
    await closeAll();
    throw error;
  });
  if (!ring) return closeAll();
  stopped.release(); // from here the SDK's own shutdown signals drain the worker

  const connection = await NativeConnection.connect({ address: settings.temporal.address });
  const worker = await createRenewalWorker(
    connection,
    {
      db,
      cipher,
      bank,
      email,
      text: messaging.text,
      serviceHotline: settings.serviceHotline,
      ...(debitTiming ? { debitTiming } : {}),
      // Reminders and grace notices carry the premium's payment link when online payment is on.
      ...(online ? { payLinkFor: noticePayLinks(db, () => online.baseUrl) } : {}),
      ...(letterOutbox ? { letterBatches: scheduledLetterBatches(db, { outboxDir: letterOutbox }) } : {}),
    },
    { namespace: settings.temporal.namespace, taskQueue, failureCipher: cipher, shutdownGraceTime: settings.worker.shutdownGraceMs },
  );
  running.worker = worker;
  // The outbox's relay runs beside the worker, stopped with it; its log lines carry counts only.
  running.relay = startPolicyAdminRelay(db, policyAdmin.port, {
    ...policyAdmin.relay,
    onPass: (counts) => logger.info(counts, 'policy administration changes relayed'),
    onError: (error) => logger.warn({ error: error instanceof Error ? error.name : 'error' }, 'policy administration relay pass failed: tried again on the next tick'),
  });
  for (const line of [...describeSettings(settings), describeKeyRing(ring, keys)]) process.stdout.write(`config: ${line}\n`);
  for (const line of standIns) process.stdout.write(`stand-in: ${line}\n`);
  process.stdout.write(`config: payment links in notices: ${online ? online.baseUrl : 'off (PAY_LINK_BASE_URL unset)'}\n`);
  process.stdout.write(`config: scheduled letter batches: ${letterOutbox ?? 'off (LETTERS_OUTBOX_DIR unset)'}\n`);
  // One line for people and for scripts that wait for the worker (the fault test does).
  process.stdout.write(`renewal worker polling "${taskQueue}" on ${settings.temporal.address}; bank: ${describe}; messages: ${messaging.describe}; policy administration: ${policyAdmin.describe}\n`);
  try {
    await worker.run(); // returns once a shutdown signal has drained the worker (SDK shutdownSignals)
  } finally {
    await closeAll(connection);
  }
}

/**
 * SIGTERM / SIGINT before the worker exists: the process stops cleanly. Released once the worker
 * runs, when the SDK's own handlers drain it.
 */
function untilStopSignal(): { signalled: Promise<void>; release(): void } {
  let fire!: () => void;
  const signalled = new Promise<void>((resolve) => (fire = resolve));
  const onSignal = () => fire();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return {
    signalled,
    release: () => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
    },
  };
}
// Everything is closed when main returns; the Temporal runtime's native threads would keep a
// process that never started a worker alive, so it ends here.
main().then(() => process.exit(0), (error: unknown) => {
  // One line per refusal, each naming what to set.
  for (const line of (error instanceof Error ? error.message : String(error)).split('\n')) process.stderr.write(`worker failed: ${line}\n`);
  process.exit(1);
});
