import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where provisioned servers live: outside the checkout, so a fresh clone reuses what an earlier
 * clone on the same machine already built or downloaded.
 */
export function cacheDir(...sub: string[]): string {
  const base =
    process.env.RENEWALS_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'renewals');
  const dir = join(base, ...sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** One line per provisioning step, on stderr so JSON output on stdout stays clean. */
export function step(message: string): void {
  process.stderr.write(`[provision] ${message}\n`);
}
