import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_CLI_VERSION } from '../../scripts/provision/temporal-cli';
import { TEMPORAL_SERVER_TOOLCHAIN, TEMPORAL_SERVER_VERSION } from '../../scripts/provision/temporal-server';
import { SEARCH_ATTRIBUTES } from '../../workflows/messages';

/**
 * The production-shaped Temporal runs three ways from one configuration (docs/architecture.md, "The
 * production-shaped Temporal"): the provisioning script, docker compose's image, and its start
 * script. No Docker engine runs here, so these keep the container's side in step with the side
 * the tests run.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const config = read('config/temporal-server/config.yaml');
const dockerfile = read('config/temporal-server/Dockerfile');
const start = read('config/temporal-server/start.sh');
const provision = read('scripts/provision/temporal-server.ts');

/** The temporal service's environment block in docker-compose.yml. */
function composeTemporalEnvironment(): string[] {
  const compose = read('docker-compose.yml');
  const service = compose.slice(compose.indexOf('\n  temporal:\n'), compose.indexOf('\n  temporal-ui:\n'));
  const block = service.slice(service.indexOf('    environment:\n'), service.indexOf('    ports:\n'));
  return [...block.matchAll(/^ {6}([A-Z_]+):/gm)].map((m) => m[1]!);
}

describe('the production-shaped Temporal configuration', () => {
  it('is a template the server renders', () => {
    expect(config.split('\n')[0]).toBe('# enable-template');
    expect(config).toMatch(/numHistoryShards: \{\{ default "4" \(env "NUM_HISTORY_SHARDS"\) \}\}/);
    expect(config.match(/pluginName: postgres12/g)).toHaveLength(2);
  });

  it('builds the same release, toolchain and CLI in the image as npm run provision does', () => {
    expect(dockerfile).toContain(`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`);
    expect(dockerfile).toContain(`go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`);
    expect(dockerfile).toContain(`GOTOOLCHAIN=${TEMPORAL_SERVER_TOOLCHAIN}`);
    expect(dockerfile).toContain(`github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`);
    expect(dockerfile).toContain(`go.temporal.io/server@${TEMPORAL_SERVER_VERSION}/schema/postgresql`);
  });

  it('reads every variable compose and the provisioning script set', () => {
    const used = new Set([...`${config}\n${start}`.matchAll(/env "([A-Z_]+)"|\$\{?([A-Z_]+)/g)].map((m) => m[1] ?? m[2]));
    const fromProvision = [...provision.matchAll(/^ {4}([A-Z_]+): /gm)].map((m) => m[1]!);
    expect(fromProvision.length).toBeGreaterThan(8);
    for (const name of [...composeTemporalEnvironment(), ...fromProvision]) expect(used.has(name), name).toBe(true);
  });

  it('registers every search attribute the cycles use, in the container too', () => {
    const loop = /for name in ([A-Za-z ]+); do/.exec(start)?.[1]?.split(' ');
    expect(loop).toEqual(SEARCH_ATTRIBUTES.map((key) => key.name));
  });
});
