import { randomBytes } from 'node:crypto';
import { expect, vi } from 'vitest';
import { addUser, createToken } from '../../application/identity';
import { runCli } from '../../cli/program';
import { connect } from '../../db/connection';
import { ROLES } from '../../domain/roles';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

let operatorByDefault = true;
const operators = new Map<string, { tokenId: number; token: string }>();

/**
 * Tests that are about signing in (or not) turn the default operator off: their runs then carry only
 * the RENEWALS_TOKEN they set themselves.
 */
export function signInOperatorByDefault(on: boolean): void {
  operatorByDefault = on;
}

/**
 * Tests of what a command does, rather than who may run it, run as a real signed-in user holding every
 * role (made through application/identity.ts, audited on the system partition), one per database;
 * the CLI authenticates its token as it would any other (docs/architecture.md#people). Nothing when
 * the test set RENEWALS_TOKEN itself or the database has no users table yet (before `db migrate`).
 */
async function defaultOperatorToken(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!operatorByDefault || process.env.RENEWALS_TOKEN !== undefined || !url) return undefined;
  let db: ReturnType<typeof connect> | undefined;
  try {
    db = connect(url, { max: 1 });
    const known = operators.get(url);
    if (known && (await db('api_tokens').where({ id: known.tokenId }).whereNull('revoked_at').first())) return known.token;
    const login = `test-operator-${randomBytes(3).toString('hex')}`;
    const userId = await addUser(db, 'test:setup', { login, displayName: 'Test operator', roles: [...ROLES], scopes: [] });
    const { token, id } = await createToken(db, 'test:setup', userId, 'test', null);
    operators.set(url, { tokenId: id, token });
    return token;
  } catch {
    // No people tables yet (before `db migrate`), or a shell the test made unable to connect: the
    // command runs unsigned and says what it says without a person.
    return undefined;
  } finally {
    await db?.destroy();
  }
}

/** Runs the renewals CLI in this process, capturing what it writes to stdout and stderr (as UTF-8). */
export async function runCliCaptured(args: readonly string[]): Promise<CliRun> {
  const token = await defaultOperatorToken();
  if (token) process.env.RENEWALS_TOKEN = token;
  try {
    return await captured(args);
  } finally {
    if (token) delete process.env.RENEWALS_TOKEN;
  }
}

async function captured(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += Buffer.from(chunk).toString('utf8')), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += Buffer.from(chunk).toString('utf8')), true));
  try {
    return { code: await runCli(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/**
 * A test file's CLI runner that keeps every byte printed (for its no-personal-data check), and a
 * `--json` variant that expects success and parses the answer.
 */
export function recordingCli(printed: string[]) {
  const cli = async (...args: string[]): Promise<CliRun> => {
    const run = await runCliCaptured(args);
    printed.push(run.out, run.err);
    return run;
  };
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const result = await cli(...args, '--json');
    expect(result, result.err).toMatchObject({ code: 0, err: '' });
    return JSON.parse(result.out) as T;
  };
  return { cli, json };
}
