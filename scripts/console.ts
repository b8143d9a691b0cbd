/**
 * npm run console: the operations console (docs/architecture.md#console) on CONSOLE_HOST (default
 * 127.0.0.1) and CONSOLE_PORT (default 8080). Outside RENEWALS_ENV=demo it refuses to start without
 * its own settings, naming each one (console/settings.ts). Ctrl-C stops it.
 */
import { Client, Connection } from '@temporalio/client';
import { configuredKeys } from '../config/data-keys';
import { readSettings } from '../config/settings';
import { buildConsole } from '../console/server';
import { readConsoleSettings } from '../console/settings';
import { connect } from '../db/connection';
import { deleteExpiredConsoleSessions } from '../db/repositories/console-sessions';
import { PiiCipher } from '../db/pii-cipher';
import { createLogger } from '../observability/logger';
import { renewalsDataConverter } from '../workers/data-converter';
import { stopOnSignal } from './stop-on-signal';

async function main(): Promise<void> {
  const settings = readConsoleSettings(process.env);
  const logger = createLogger('console', { level: process.env.LOG_LEVEL });
  const db = connect(settings.databaseUrl);
  // The task page's outcomes reach their cycles through Temporal (TEMPORAL_ADDRESS); connected on first
  // use, so the console starts while Temporal is down. The data key opens the failures workers seal.
  const shared = readSettings(process.env);
  const connection = Connection.lazy({ address: shared.temporal.address });
  const cipher = PiiCipher.forKeys(configuredKeys(shared));
  const client = new Client({ connection, namespace: shared.temporal.namespace, dataConverter: renewalsDataConverter(cipher) });
  const app = await buildConsole({
    db,
    settings,
    logger,
    // Every console process on the database derives the same key from the same data key.
    limiterKey: cipher.current.limiterKey,
    temporal: { client, updateTimeoutMs: shared.temporal.updateTimeoutMs, runOptions: runQueues(shared.temporal.taskQueue) },
    // The policy page applies the counter line as `renewals pay` does and links the Temporal UI.
    policyRules: { counterConfirmAboveFen: shared.counterConfirmAboveFen, temporalUiUrl: shared.temporal.uiUrl },
  });
  await deleteExpiredConsoleSessions(db);
  const sweep = setInterval(() => void deleteExpiredConsoleSessions(db).catch((error: unknown) => logger.warn({ err: error }, 'expired sessions not swept')), 15 * 60_000);
  await app.listen({ host: settings.host, port: settings.port });
  process.stdout.write(`console: http://${settings.host}:${settings.port}/ (${settings.environment})\n`);
  stopOnSignal(
    () => clearInterval(sweep),
    () => app.close(),
    () => connection.close(),
    () => db.destroy(),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** The runs page starts months on the workers' queue (TASK_QUEUE), as `renewals run start` does. */
function runQueues(taskQueue: string | undefined): { taskQueue?: string; cycleTaskQueue?: string } {
  return taskQueue ? { taskQueue, cycleTaskQueue: taskQueue } : {};
}
