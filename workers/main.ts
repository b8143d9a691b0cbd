/**
 * npm run worker: the renewal worker as its own process, against the server and database the
 * environment names (the local stack prints them). Stops cleanly on SIGINT / SIGTERM.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createLogger, temporalLogger } from '../observability/logger';
import { connect } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { bankFromEnv } from './bank-from-env';
import { textChannelsFromEnv } from './text-channels-from-env';
import { readConfig } from './config';
import { RENEWAL_TASK_QUEUE } from '../workflows/messages';
import { createRenewalWorker } from './renewal-worker';

async function main(): Promise<void> {
  // JSON lines with personal data masked: the SDK's own messages and every activity's log go through it.
  Runtime.install({ logger: temporalLogger(createLogger('renewal-worker', { level: process.env.LOG_LEVEL ?? 'info' })) });
  const config = readConfig();
  const db = connect(config.databaseUrl);
  const email = new SmtpEmail(config.smtpUrl, config.mailFrom);
  const { bank, debitTiming, describe } = bankFromEnv();
  const messaging = textChannelsFromEnv();
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const taskQueue = process.env.TASK_QUEUE ?? RENEWAL_TASK_QUEUE;
  const worker = await createRenewalWorker(
    connection,
    { db, cipher: PiiCipher.fromEnv(), bank, email, text: messaging.text, ...(debitTiming ? { debitTiming } : {}) },
    { namespace: config.temporalNamespace, taskQueue },
  );
  // One line for people and for scripts that wait for the worker (the fault test does).
  process.stdout.write(`renewal worker polling "${taskQueue}" on ${config.temporalAddress}; bank: ${describe}; messages: ${messaging.describe}\n`);
  try {
    await worker.run(); // the SDK shuts down gracefully on SIGINT / SIGTERM
  } finally {
    email.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
