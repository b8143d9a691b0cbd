/**
 * npm run worker: the renewal worker as its own process, against the server and database the
 * environment names (the local stack prints them). Stops cleanly on SIGINT / SIGTERM.
 */
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { connect } from '../db/connection';
import { PiiCipher } from '../db/pii-cipher';
import { SimulatedBank } from '../integrations/bank/simulator';
import { SmtpEmail } from '../integrations/messaging/smtp-email';
import { RecordingTextChannels } from '../integrations/messaging/text-channels';
import { readConfig } from './config';
import { createRenewalWorker } from './renewal-worker';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('INFO') });
  const config = readConfig();
  const db = connect(config.databaseUrl);
  const email = new SmtpEmail(config.smtpUrl, config.mailFrom);
  // Until the bank integration lands, debits go to the in-process simulator, which holds no
  // accounts here: every debit is answered AC01 (account invalid) and recorded as such.
  const bank = new SimulatedBank();
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await createRenewalWorker(connection, { db, cipher: PiiCipher.fromEnv(), bank, email, text: new RecordingTextChannels() }, {
    namespace: config.temporalNamespace,
  });
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
