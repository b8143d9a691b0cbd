import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { buildConsole } from '../../console/server';
import { createLogger } from '../../observability/logger';
import { TEST_LIMITER_KEY, type ConsoleRig } from './console';

/**
 * The console as scripts/console.ts builds it, with a Temporal client so the task page's outcomes
 * reach the running cycles (docs/architecture.md#console); log lines kept as in test/support/console.ts.
 */
export async function consoleWithTemporal(db: Knex, client: Client): Promise<ConsoleRig> {
  const lines: string[] = [];
  const logger = createLogger('console', { destination: { write: (line: string) => void lines.push(line) } });
  const app = await buildConsole({
    db,
    logger,
    settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false },
    limiterKey: TEST_LIMITER_KEY,
    temporal: { client, updateTimeoutMs: 20_000 },
  });
  return { app, lines };
}
