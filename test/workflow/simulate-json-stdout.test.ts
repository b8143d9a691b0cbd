import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import type { SimulationResult } from '../../scripts/simulate/simulate';
import { envWithout } from '../support/run-child';

/**
 * `renewals simulate --json` as a script runs it, in a process of its own: the Temporal runtime,
 * the time-skipping server, the worker and PostgreSQL all start, and stdout must be one JSON
 * document and nothing else (SDK core's warnings once came first and broke `| jq`). Two policies of
 * the bundled demo keep it short. The shell is a fresh one: the command is the demo whatever it says.
 */
const demo = join(__dirname, '..', '..', 'scenarios', 'demo');
const firstLines = (file: string, count: number) => readFileSync(join(demo, file), 'utf8').split('\n').slice(0, count + 1).join('\n') + '\n';

describe('renewals simulate --json', () => {
  it('writes exactly one JSON document to stdout; progress and logs go to stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renewals-json-'));
    for (const file of ['agents.csv', 'products.csv']) copyFileSync(join(demo, file), join(dir, file));
    writeFileSync(join(dir, 'policies.csv'), firstLines('policies.csv', 2));
    writeFileSync(join(dir, 'accounts.csv'), firstLines('accounts.csv', 2));

    const { stdout, stderr } = await promisify(execFile)(join(__dirname, '..', '..', 'bin', 'renewals'), ['simulate', dir, '--json'], {
      // A fresh shell, as `npm run demo` meets it: no RENEWALS_ENV, no keys, no token.
      env: { ...envWithout('RENEWALS_ENV', 'RENEWALS_DATA_KEY', 'RENEWALS_AUDIT_KEY', 'RENEWALS_TOKEN'), DATABASE_URL: inject('postgresUrl') },
      maxBuffer: 64 * 1024 * 1024,
    });

    const result = JSON.parse(stdout) as SimulationResult;
    expect(result.premiums).toHaveLength(2);
    expect(stdout.trimStart().startsWith('{')).toBe(true);
    expect(stderr).toContain('starting the Temporal time-skipping server');
  });
});
