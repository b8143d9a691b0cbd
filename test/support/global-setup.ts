import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from '../../scripts/provision/postgres';
import { ensureTestServer } from '../../scripts/provision/test-server';
import { ensureTemporalCli } from '../../scripts/provision/temporal-cli';
import { ensureTemporalServer } from '../../scripts/provision/temporal-server';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let postgres: PostgresServer | undefined;

/**
 * Once per test run: make sure the three Temporal servers are provisioned (building or downloading them
 * the first time, with progress on stderr) and start PostgreSQL. Nothing here skips on failure: a
 * run that cannot get a server fails with the reason.
 */
export async function setup(project: TestProject): Promise<void> {
  ensureTemporalCli();
  ensureTestServer();
  // Only test/workflow/temporal-postgres.test.ts needs it: without it that file fails with the reason.
  try {
    ensureTemporalServer();
  } catch (error) {
    process.stderr.write(`[test] ${error instanceof Error ? error.message : String(error)}\n`);
  }
  postgres = await startPostgres();
  process.stderr.write(`[test] PostgreSQL: ${postgres.source}\n`);
  project.provide('postgresUrl', postgres.url);
}

export async function teardown(): Promise<void> {
  await postgres?.stop();
}
