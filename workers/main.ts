/**
 * npm run worker: the renewal worker as its own process, against the server and database the
 * environment names (the local stack prints them). Stops cleanly on SIGINT / SIGTERM.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { configuredKeys } from '../config/data-keys';
import { refuse } from '../config/demo-defaults';
import { describeSettings, readSettings, requireDatabaseUrl } from '../config/settings';
import { connect } from '../db/connection';
import { describeKeyRing } from '../db/key-ring-description';
import { openKeyRing } from '../db/key-ring';
import { PiiCipher } from '../db/pii-cipher';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { SimulatedPolicyAdmin } from '../integrations/policy-admin/simulator';
import { createLogger, temporalLogger } from '../observability/logger';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { bankFor } from './bank-wiring';
import { workerRefusals } from './production-refusals';
import { createRenewalWorker } from './renewal-worker';
import { textChannelsFor } from './text-channel-wiring';

async function main(): Promise<void> {
  const settings = readSettings();
  // Before anything else: outside the demo, no data key and no demo value (each refusal names its variable).
  const keys = configuredKeys(settings);
  refuse(workerRefusals(settings));
  // JSON lines with personal data masked: the SDK's own messages and every activity's log go through it.
  Runtime.install({ logger: temporalLogger(createLogger('renewal-worker', { level: settings.logLevel })) });
  const db = connect(requireDatabaseUrl(settings));
  const cipher = PiiCipher.forKeys(keys);
  // A wrong key is refused here, before a cycle reads or writes anything under it.
  const ring = await openKeyRing(db, cipher).catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  const email = new SmtpEmail(settings.email.smtpUrl, settings.email.mailFrom);
  const { bank, debitTiming, describe } = bankFor(settings.bank, settings.environment);
  const messaging = textChannelsFor(settings.messaging, settings.environment);
  // No policy administration system is connected yet: its changes are kept in this process.
  const policyAdmin = new SimulatedPolicyAdmin();
  const standIns = [...messaging.standIns, 'policy administration changes (reduced paid-up) are kept in memory: no policy administration system is connected'];
  const connection = await NativeConnection.connect({ address: settings.temporal.address });
  const taskQueue = settings.temporal.taskQueue ?? RENEWAL_TASK_QUEUE;
  const worker = await createRenewalWorker(
    connection,
    {
      db,
      cipher,
      bank,
      email,
      text: messaging.text,
      policyAdmin,
      serviceHotline: settings.serviceHotline,
      ...(debitTiming ? { debitTiming } : {}),
    },
    { namespace: settings.temporal.namespace, taskQueue },
  );
  for (const line of [...describeSettings(settings), describeKeyRing(ring, keys)]) process.stdout.write(`config: ${line}\n`);
  for (const line of standIns) process.stdout.write(`stand-in: ${line}\n`);
  // One line for people and for scripts that wait for the worker (the fault test does).
  process.stdout.write(`renewal worker polling "${taskQueue}" on ${settings.temporal.address}; bank: ${describe}; messages: ${messaging.describe}\n`);
  try {
    await worker.run(); // the SDK shuts down gracefully on SIGINT / SIGTERM
  } finally {
    email.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  // One line per refusal, each naming what to set.
  for (const line of (error instanceof Error ? error.message : String(error)).split('\n')) process.stderr.write(`worker failed: ${line}\n`);
  process.exit(1);
});
