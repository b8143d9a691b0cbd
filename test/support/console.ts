import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Knex } from 'knex';
import { addUser } from '../../application/identity';
import { DataKey } from '../../db/data-key';
import { buildConsole, LANGUAGE_COOKIE, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, type ConsoleOptions } from '../../console/server';
import type { ConsoleSettings } from '../../console/settings';
import type { Role, Scope } from '../../domain/roles';
import { createLogger } from '../../observability/logger';

/**
 * The console built as scripts/console.ts builds it, on a test database, with every log line kept
 * in `lines` so a test can read what it would have written (docs/architecture.md#console).
 */
export interface ConsoleRig {
  app: FastifyInstance;
  lines: string[];
}

export const CONSOLE_PASSWORD = 'correct horse battery staple';

/** The sign-in limiter's key of the test consoles: every console on a test database shares it, as processes on one database do. */
export const TEST_LIMITER_KEY = new DataKey('5a'.repeat(32)).limiterKey;

/** `options`: what scripts/console.ts would pass besides the settings (limits, OIDC, a Temporal client). */
export async function consoleRig(db: Knex, settings: Partial<ConsoleSettings> = {}, options: Partial<Omit<ConsoleOptions, 'db' | 'settings' | 'logger'>> = {}): Promise<ConsoleRig> {
  const lines: string[] = [];
  const logger = createLogger('console', { destination: { write: (line: string) => void lines.push(line) } });
  const app = await buildConsole({
    db,
    logger,
    settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false, ...settings },
    limiterKey: TEST_LIMITER_KEY,
    ...options,
  });
  return { app, lines };
}

/** A user with a password, made through application/identity.ts like any other. */
export async function consolePerson(db: Knex, login: string, roles: Role[], scopes: Scope[] = []): Promise<number> {
  return addUser(db, 'test:setup', { login, displayName: `Test ${login}`, password: CONSOLE_PASSWORD, roles, scopes });
}

/** The value of a cookie the response sets, and its attributes as written. */
export function setCookie(response: LightMyRequestResponse, name: string): { value: string; header: string } | undefined {
  const headers = response.headers['set-cookie'];
  const all = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  const header = all.find((line) => line.startsWith(`${name}=`));
  return header === undefined ? undefined : { value: header.slice(name.length + 1).split(';')[0]!, header };
}

/** The CSRF token the page's forms carry. */
export function csrfOf(body: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(body);
  if (!match) throw new Error('the page has no CSRF field');
  return match[1]!;
}

/** The pre-sign-in CSRF cookie and token, as a browser gets them from the sign-in page. */
export async function signInForm(app: FastifyInstance, remoteAddress = '127.0.0.1'): Promise<{ csrf: string; cookies: Record<string, string> }> {
  const page = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress });
  const csrf = setCookie(page, SIGN_IN_CSRF_COOKIE)!.value;
  return { csrf, cookies: { [SIGN_IN_CSRF_COOKIE]: csrf } };
}

export async function postSignIn(app: FastifyInstance, login: string, password: string, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  const form = await signInForm(app, remoteAddress);
  return app.inject({ method: 'POST', url: '/sign-in', remoteAddress, cookies: form.cookies, payload: new URLSearchParams({ csrf: form.csrf, login, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

/** Signs in and returns the session cookie's value. */
export async function signedIn(app: FastifyInstance, login: string): Promise<string> {
  const response = await postSignIn(app, login, CONSOLE_PASSWORD);
  const session = setCookie(response, SESSION_COOKIE);
  if (response.statusCode !== 303 || !session) throw new Error(`sign-in as ${login} answered ${response.statusCode}`);
  return session.value;
}

/** A page as a signed-in person sees it (in `language` when given), with the session it used. */
export async function getAs(app: FastifyInstance, login: string, url: string, language?: string): Promise<{ session: string; response: LightMyRequestResponse }> {
  const session = await signedIn(app, login);
  const response = await app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) } });
  return { session, response };
}
