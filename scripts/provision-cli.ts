/**
 * npm run provision [-- --json]: makes sure the Temporal CLI dev server, the time-skipping test
 * server and the production-shaped Temporal server with its SQL tool are on this machine (cached
 * outside the checkout; built or downloaded the first time) and that PostgreSQL starts, then says
 * where each came from.
 */
import { parseArgs } from 'node:util';
import { cacheDir } from './provision/cache';
import { startPostgres } from './provision/postgres';
import { ensureTestServer } from './provision/test-server';
import { ensureTemporalCli } from './provision/temporal-cli';
import { ensureTemporalServer } from './provision/temporal-server';

const { values: args } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

async function main(): Promise<void> {
  const temporalCli = ensureTemporalCli();
  const testServer = ensureTestServer();
  const temporalServer = ensureTemporalServer();
  const postgres = await startPostgres();
  await postgres.stop();
  const report = {
    cache: cacheDir(),
    temporalCli: temporalCli.source,
    testServer: testServer.source,
    temporalServer: temporalServer.source,
    postgres: postgres.source,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    console.log(`cache           ${report.cache}`);
    console.log(`Temporal CLI    ${report.temporalCli}`);
    console.log(`test server     ${report.testServer}`);
    console.log(`Temporal server ${report.temporalServer} (PostgreSQL-backed; with temporal-sql-tool and its schema)`);
    console.log(`PostgreSQL      ${report.postgres} (started and stopped)`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`provision failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
