/**
 * npm run console: the operations console (docs/architecture.md#console) on CONSOLE_HOST (default
 * 127.0.0.1) and CONSOLE_PORT (default 8080). Outside RENEWALS_ENV=demo it refuses to start without
 * its own settings, naming each one (console/settings.ts). Ctrl-C stops it.
 */
import { buildConsole } from '../console/server';
import { readConsoleSettings } from '../console/settings';
import { connect } from '../db/connection';
import { deleteExpiredConsoleSessions } from '../db/repositories/console-sessions';
import { createLogger } from '../observability/logger';

async function main(): Promise<void> {
  const settings = readConsoleSettings(process.env);
  const logger = createLogger('console', { level: process.env.LOG_LEVEL });
  const db = connect(settings.databaseUrl);
  const app = await buildConsole({ db, settings, logger });
  await deleteExpiredConsoleSessions(db);
  const sweep = setInterval(() => void deleteExpiredConsoleSessions(db).catch((error: unknown) => logger.warn({ err: error }, 'expired sessions not swept')), 15 * 60_000);
  await app.listen({ host: settings.host, port: settings.port });
  process.stdout.write(`console: http://${settings.host}:${settings.port}/ (${settings.environment})\n`);
  const stop = async () => {
    clearInterval(sweep);
    await app.close();
    await db.destroy();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`console: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
