import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../application/identity';
import { tokenFilePath } from '../../cli/token-file';
import { freshDatabase, type TestDatabase } from '../support/database';
import { envWithout } from '../support/run-child';

/**
 * `renewals login` typed at a real terminal: the bin runs in a pseudo-terminal made by util-linux's
 * `script` (in every Debian), the password is typed only once the prompt is shown, and what the
 * terminal shows back is checked: the prompt, never the password (cli/password-input.ts).
 */
const PASSWORD = 'typed-at-the-terminal-9';
let t: TestDatabase;
let config: string;

beforeAll(async () => {
  t = await freshDatabase();
  config = await mkdtemp(join(tmpdir(), 'renewals-tty-'));
  await addUser(t.db, 'test:setup', { login: 'wang.wu', displayName: 'Test Wang', password: PASSWORD, roles: ['collector'], scopes: [] });
});

afterAll(async () => {
  await rm(config, { recursive: true, force: true });
  await t?.drop();
});

/** Runs `renewals login wang.wu` on a terminal; `keys` are typed after the prompt appears. */
function loginAtTerminal(keys: string): Promise<{ code: number | null; screen: string }> {
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(resolve('bin/renewals'))} login wang.wu`;
  const env = { ...envWithout('RENEWALS_TOKEN'), DATABASE_URL: t.url, XDG_CONFIG_HOME: config, SHELL: '/bin/sh' };
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((done, fail) => {
    let screen = '';
    let typed = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const seen = (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      if (!typed && screen.includes('password: ')) {
        typed = true;
        // A moment for the raw mode to be set after the prompt is written.
        setTimeout(() => child.stdin.write(keys), 200);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, screen });
    });
  });
}

describe('a password typed at the terminal', () => {
  it('is not shown, a mistyped last key is erased with backspace, and the token is kept 0600', async () => {
    const { code, screen } = await loginAtTerminal(`${PASSWORD}x\u007f\r`);
    expect(screen, screen).toContain('password: ');
    expect(screen).not.toContain(PASSWORD);
    expect(screen).not.toContain(PASSWORD.slice(0, 6));
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/login\s+wang\.wu/);
    const file = tokenFilePath({ ...process.env, XDG_CONFIG_HOME: config });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('a wrong password is refused without showing it; Ctrl-C cancels', async () => {
    const wrong = await loginAtTerminal('not-the-password-at-all\r');
    expect(wrong.code, wrong.screen).toBe(4);
    expect(wrong.screen).not.toContain('not-the-password');
    const cancelled = await loginAtTerminal('half-typ\u0003');
    expect(cancelled.code, cancelled.screen).toBe(130);
    expect(cancelled.screen).toContain('cancelled');
    expect(cancelled.screen).not.toContain('half-typ');
  });
});
