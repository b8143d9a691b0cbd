import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { cacheDir, step } from './cache';
import { hasCommand, run, tail } from './run';

/** Newest CLI tag whose go.mod has no replace directive, so `go install` can build it. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export interface Provisioned {
  executable: EphemeralServerExecutable;
  /** Human-readable origin, printed by tests and the stack so a run says which server it used. */
  source: string;
}

function cachedCliPath(): string {
  return join(cacheDir('temporal-cli', TEMPORAL_CLI_VERSION), 'temporal');
}

function works(path: string): boolean {
  return run(path, ['--version'], { timeoutMs: 20_000 }).ok;
}

/**
 * The Temporal CLI (dev server with Web UI): TEMPORAL_CLI_PATH, else a cached build, else
 * `go install` into the cache, else the SDK's own download (needs internet).
 */
export function ensureTemporalCli(): Provisioned {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not exist`);
    step(`Temporal CLI: using TEMPORAL_CLI_PATH=${fromEnv}`);
    return { executable: { type: 'existing-path', path: fromEnv }, source: `TEMPORAL_CLI_PATH ${fromEnv}` };
  }
  const cached = cachedCliPath();
  if (existsSync(cached) && works(cached)) {
    step(`Temporal CLI: cached build ${cached}`);
    return { executable: { type: 'existing-path', path: cached }, source: `cached ${cached}` };
  }
  if (hasCommand('go')) {
    step(`Temporal CLI: building ${TEMPORAL_CLI_VERSION} with go install (first time only, a few minutes)...`);
    const started = Date.now();
    const gobin = cacheDir('temporal-cli', TEMPORAL_CLI_VERSION);
    const result = run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'auto', GOFLAGS: '-trimpath' },
    });
    if (result.ok && works(cached)) {
      step(`Temporal CLI: built ${cached} in ${Math.round((Date.now() - started) / 1000)} s`);
      return { executable: { type: 'existing-path', path: cached }, source: `built ${cached}` };
    }
    step(`Temporal CLI: go install failed:\n${tail(result.output)}`);
  } else {
    step('Temporal CLI: no `go` on PATH');
  }
  step('Temporal CLI: falling back to the SDK download (needs internet access)');
  return {
    executable: { type: 'cached-download', downloadDir: cacheDir('sdk-download') },
    source: 'SDK download',
  };
}
