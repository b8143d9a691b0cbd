import type { ConnectionPlugin } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PiiCipher } from '../db/pii-cipher';
import { renewalsDataConverter } from '../workers/data-converter';
import { SEARCH_ATTRIBUTES } from '../workflows/messages';
import { ensureTestServer } from './provision/test-server';
import { ensureTemporalCli } from './provision/temporal-cli';
import { startTemporalServer, type RunningTemporalServer, type TemporalServerOptions } from './provision/temporal-server';

/**
 * The client's keepalive pings no more often than the Java test server allows. The client pings every
 * 30 s by default; grpc-java accepts one ping in 5 minutes while no data flows, and closes the
 * connection on the third. A long call with no data meanwhile (a time-skipping sleep over a day
 * in which 10,000 cycles wake) lost its connection that way, and with it the simulation.
 */
const SPARING_KEEPALIVE: ConnectionPlugin = {
  name: 'renewals-sparing-keepalive',
  configureConnection: (options) => ({ ...options, channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 10 * 60_000 } }),
};

/**
 * The Java time-skipping test server: months of timers pass in seconds. Its client reads failures
 * sealed under `cipher`'s key (the development key when none is given, as the workers' default).
 */
export async function startTimeSkippingServer(options: { cipher?: PiiCipher } = {}): Promise<{ env: TestWorkflowEnvironment; source: string }> {
  const { executable, source } = ensureTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable },
    client: { dataConverter: renewalsDataConverter(options.cipher) },
    plugins: [SPARING_KEEPALIVE],
  });
  // The test server rejects upserts of unregistered keys, like a real server: register them first.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      SEARCH_ATTRIBUTES.map((key) => {
        if (key.type !== 'KEYWORD') throw new Error(`register ${key.name}: add its type ${String(key.type)} here`);
        return [key.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD];
      }),
    ),
  });
  return { env, source };
}

/** The Temporal CLI dev server with this project's search attributes registered; its client as above. */
export async function startDevServer(
  options: { port?: number; uiPort?: number; dbFilename?: string; logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'never'; cipher?: PiiCipher } = {},
): Promise<{ env: TestWorkflowEnvironment; source: string }> {
  const { executable, source } = ensureTemporalCli();
  const env = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter: renewalsDataConverter(options.cipher) },
    server: {
      executable,
      searchAttributes: SEARCH_ATTRIBUTES,
      port: options.port,
      ui: options.uiPort !== undefined,
      uiPort: options.uiPort,
      dbFilename: options.dbFilename,
      ...(options.logLevel ? { log: { format: 'pretty', level: options.logLevel } } : {}),
    },
  });
  return { env, source };
}

/**
 * The production-shaped server (scripts/provision/temporal-server.ts): PostgreSQL persistence and
 * visibility on `postgresUrl`'s server, schema set up by its SQL tool, `default` namespace and search
 * attributes registered. `env.teardown()` closes the connections; `server.stop()` ends the server.
 */
export async function startPostgresTemporal(
  options: TemporalServerOptions & { cipher?: PiiCipher },
): Promise<{ env: TestWorkflowEnvironment; server: RunningTemporalServer; source: string }> {
  const server = await startTemporalServer(options);
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address, client: { dataConverter: renewalsDataConverter(options.cipher) } });
    return { env, server, source: server.source };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
