import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envWithout } from '../support/run-child';

/**
 * `npm run stack` in a fresh shell (no RENEWALS_ENV, keys, token or database): it must come up on its
 * own, with its demo users, and say where everything listens; then stop on Ctrl-C. It once refused to
 * start there, reading the shell's RENEWALS_ENV for the audit key while its settings said demo.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('npm run stack', () => {
  it('starts in a fresh shell with its demo users, serves the console and the payment page, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'renewals-stack-'));
    const [temporal, ui, postgres, smtp, console_, paylinks] = await Promise.all(Array.from({ length: 6 }, freePort));
    const args = ['--no-sample', '--temporal-port', temporal, '--ui-port', ui, '--postgres-port', postgres, '--smtp-port', smtp, '--console-port', console_, '--paylinks-port', paylinks].map(String);
    const env = { ...envWithout('RENEWALS_ENV', 'RENEWALS_DATA_KEY', 'RENEWALS_AUDIT_KEY', 'RENEWALS_TOKEN', 'DATABASE_URL', 'DATABASE_MIGRATION_URL', 'TEMPORAL_ADDRESS'), RENEWALS_STACK_DIR: dir };
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect.poll(() => out.includes('Local stack is up') || err.includes('stack failed'), { timeout: 240_000, interval: 500 }).toBe(true);
      expect(err).not.toContain('stack failed');
      expect(out).toContain('demo-collector         password demo-collector-password');
      expect(out).toContain(`Console        http://127.0.0.1:${console_}/`);
      expect(out).toContain(`Payment links  http://127.0.0.1:${paylinks}/p/<token>`);
      // The daily letter batch's Schedule, installed by the stack as `renewals schedule letters` does.
      expect(out).toContain('(Schedule renewals-daily-letter-batch batches them daily at 17:00 Asia/Shanghai; next ');
      expect((await fetch(`http://127.0.0.1:${console_}/sign-in`)).status).toBe(200);
      // An unknown link reads as no link at all.
      expect((await fetch(`http://127.0.0.1:${paylinks}/p/${'A'.repeat(43)}`)).status).toBe(404);
    } finally {
      child.kill('SIGINT');
      await ended;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
