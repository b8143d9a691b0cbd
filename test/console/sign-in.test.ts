import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableUser, userRef } from '../../application/identity';
import { SESSION_COOKIE } from '../../console/server';
import { readConsoleSettings } from '../../console/settings';
import { CONSOLE_PASSWORD, consolePerson, consoleRig, csrfOf, postSignIn, setCookie, signedIn, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The console's sign-in, sessions and headers against real PostgreSQL through app.inject()
 * (docs/architecture.md#console).
 */
let t: TestDatabase;
let rig: ConsoleRig;
let collectorId: number;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

beforeAll(async () => {
  t = await freshDatabase();
  rig = await consoleRig(t.db);
  collectorId = await consolePerson(t.db, 'collector-wang', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(t.db, 'lead-li', ['team_lead'], [{ kind: 'team', value: 'T1' }]);
  await consolePerson(t.db, 'agent-zhao', ['agent'], [{ kind: 'own', value: 'A001' }]);
});

afterAll(async () => {
  await rig?.app.close();
  await t?.drop();
});

describe('headers', () => {
  it('sends a content security policy with scripts from the console only, nosniff, no referrer, no framing and no caching', async () => {
    const response = await rig.app.inject({ method: 'GET', url: '/sign-in' });
    expect(response.statusCode).toBe(200);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // Only /console.js (the runs page's live figures), never inline or evaluated script.
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).not.toContain('<script');
    expect(response.body).toContain('<html lang="zh-CN">');
  });

  it('sends people who are not signed in to the sign-in page', async () => {
    const response = await rig.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
  });
});

describe('signing in', () => {
  it('opens a session: an HttpOnly SameSite=Strict cookie on Path=/, only its SHA-256 in the table, an audit row', async () => {
    const response = await postSignIn(rig.app, 'collector-wang', CONSOLE_PASSWORD);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const cookie = setCookie(response, SESSION_COOKIE)!;
    expect(cookie.header).toMatch(/; HttpOnly/);
    expect(cookie.header).toMatch(/; SameSite=Strict/);
    expect(cookie.header).toMatch(/; Path=\//);
    expect(cookie.header).not.toMatch(/; Secure/); // the demo is plain http on 127.0.0.1
    const rows = await t.db('console_sessions').where({ user_id: collectorId });
    expect(rows.map((row: { session_hash: string }) => row.session_hash)).toContain(sha256(cookie.value));
    expect(JSON.stringify(rows)).not.toContain(cookie.value);
    const audit = await t.db('audit_events').where({ kind: 'console_signed_in', actor: userRef(collectorId) });
    expect(audit.length).toBeGreaterThan(0);
    expect(audit[0].policy_no).toBeNull(); // the system partition
  });

  it('marks the cookie Secure outside the demo', async () => {
    const production = await consoleRig(t.db, { secureCookies: true, environment: 'production' });
    const response = await postSignIn(production.app, 'lead-li', CONSOLE_PASSWORD);
    expect(response.statusCode).toBe(303);
    expect(setCookie(response, SESSION_COOKIE)!.header).toMatch(/; Secure/);
    await production.app.close();
  });

  it('refuses a wrong password and an unknown login alike, with no session', async () => {
    for (const [login, password] of [['collector-wang', 'wrong password here'], ['nobody-here', CONSOLE_PASSWORD]] as const) {
      const response = await postSignIn(rig.app, login, password, '10.0.0.9');
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('登录失败');
      expect(setCookie(response, SESSION_COOKIE)).toBeUndefined();
    }
  });

  it('refuses a POST without the CSRF token, before and after sign-in', async () => {
    const before = await rig.app.inject({ method: 'POST', url: '/sign-in', ...form({ login: 'collector-wang', password: CONSOLE_PASSWORD }) });
    expect(before.statusCode).toBe(403);
    expect(setCookie(before, SESSION_COOKIE)).toBeUndefined();
    const session = await signedIn(rig.app, 'collector-wang');
    const signOut = await rig.app.inject({ method: 'POST', url: '/sign-out', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: 'forged' }) });
    expect(signOut.statusCode).toBe(403);
    const still = await rig.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session } });
    expect(still.statusCode).toBe(200);
  });
});

describe('sessions', () => {
  const home = (session: string) => rig.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session } });

  it('signing out deletes the row, writes an audit row and the cookie no longer works', async () => {
    const session = await signedIn(rig.app, 'agent-zhao');
    const page = await home(session);
    const response = await rig.app.inject({ method: 'POST', url: '/sign-out', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body) }) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
    expect(await t.db('console_sessions').where({ session_hash: sha256(session) })).toHaveLength(0);
    expect((await home(session)).statusCode).toBe(303);
    const audit = await t.db('audit_events').where({ kind: 'console_signed_out' });
    expect(audit.map((row: { actor: string }) => row.actor)).toContain(userRef((await t.db('users').where({ login: 'agent-zhao' }).first()).id));
  });

  it('ends a session idle for longer than the idle limit (30 minutes)', async () => {
    const session = await signedIn(rig.app, 'collector-wang');
    expect((await home(session)).statusCode).toBe(200);
    await t.db('console_sessions').where({ session_hash: sha256(session) }).update({ last_seen_at: t.db.raw(`now() - interval '29 minutes'`) });
    expect((await home(session)).statusCode).toBe(200); // and the visit stamps it again
    await t.db('console_sessions').where({ session_hash: sha256(session) }).update({ last_seen_at: t.db.raw(`now() - interval '31 minutes'`) });
    const response = await home(session);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
    expect(await t.db('console_sessions').where({ session_hash: sha256(session) })).toHaveLength(0);
  });

  it('signing out of a session that has ended already just returns to the sign-in page', async () => {
    const session = await signedIn(rig.app, 'collector-wang');
    const page = await home(session);
    await t.db('console_sessions').where({ session_hash: sha256(session) }).update({ last_seen_at: t.db.raw(`now() - interval '2 hours'`) });
    const response = await rig.app.inject({ method: 'POST', url: '/sign-out', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body) }) });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
  });

  it('ends a busy session 8 hours after sign-in', async () => {
    const session = await signedIn(rig.app, 'collector-wang');
    await t.db('console_sessions').where({ session_hash: sha256(session) }).update({ created_at: t.db.raw(`now() - interval '7 hours 59 minutes'`) });
    expect((await home(session)).statusCode).toBe(200);
    await t.db('console_sessions').where({ session_hash: sha256(session) }).update({ created_at: t.db.raw(`now() - interval '8 hours 1 minute'`) });
    expect((await home(session)).statusCode).toBe(303);
    expect(await t.db('console_sessions').where({ session_hash: sha256(session) })).toHaveLength(0);
  });

  it('cuts a disabled user off at once', async () => {
    await consolePerson(t.db, 'collector-gone', ['collector'], [{ kind: 'branch', value: '3201' }]);
    const session = await signedIn(rig.app, 'collector-gone');
    expect((await home(session)).statusCode).toBe(200);
    await disableUser(t.db, 'test:admin', 'collector-gone');
    const response = await home(session);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
    expect(await t.db('console_sessions').where({ session_hash: sha256(session) })).toHaveLength(0);
    expect((await postSignIn(rig.app, 'collector-gone', CONSOLE_PASSWORD)).statusCode).toBe(401);
  });
});

describe('rate-limited sign-in', () => {
  it('after 5 failures of one login in 15 minutes answers 429, even to the right password, and audits the lockout', async () => {
    const limited = await consoleRig(t.db);
    const lead = (await t.db('users').where({ login: 'lead-li' }).first()).id as number;
    for (let i = 0; i < 5; i++) expect((await postSignIn(limited.app, 'lead-li', `wrong password ${i}`, `10.1.0.${i}`)).statusCode).toBe(401);
    const refused = await postSignIn(limited.app, 'lead-li', CONSOLE_PASSWORD, '10.1.0.99');
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('登录失败次数过多，请 15 分钟后再试。');
    expect(setCookie(refused, SESSION_COOKIE)).toBeUndefined();
    const lockouts = await t.db('audit_events').where({ kind: 'console_sign_in_locked', actor: userRef(lead) });
    expect(lockouts).toHaveLength(1);
    // Another login from a fresh address is not held up by it.
    expect((await postSignIn(limited.app, 'collector-wang', CONSOLE_PASSWORD, '10.1.0.100')).statusCode).toBe(303);
    await limited.app.close();
  });

  it('after 5 failures from one client address refuses every login from it', async () => {
    const limited = await consoleRig(t.db);
    for (let i = 0; i < 5; i++) expect((await postSignIn(limited.app, `guess-${i}`, 'any password at all', '10.2.0.1')).statusCode).toBe(401);
    expect((await postSignIn(limited.app, 'collector-wang', CONSOLE_PASSWORD, '10.2.0.1')).statusCode).toBe(429);
    expect((await postSignIn(limited.app, 'collector-wang', CONSOLE_PASSWORD, '10.2.0.2')).statusCode).toBe(303);
    await limited.app.close();
  });
});

describe('secrets', () => {
  it('no password in any audit row or any log line', async () => {
    const audit = JSON.stringify(await t.db('audit_events').select('kind', 'actor', 'detail'));
    expect(audit).toContain('console_');
    const logs = rig.lines.join('');
    expect(logs).toContain('console request');
    for (const secret of [CONSOLE_PASSWORD, 'wrong password here', 'any password at all']) {
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    // Nor a session cookie, a client address or a login in the request lines.
    expect(logs).not.toContain('10.0.0.9');
    expect(logs).not.toContain('collector-wang');
    expect(logs).not.toContain(SESSION_COOKIE);
  });
});

describe('settings', () => {
  it('outside the demo refuses to start without its own settings, naming each', () => {
    expect(() => readConsoleSettings({})).toThrow('DATABASE_URL, CONSOLE_HOST, CONSOLE_PORT, CONSOLE_TRUST_PROXY');
    const demo = readConsoleSettings({ RENEWALS_ENV: 'demo', DATABASE_URL: 'postgres://x/y' });
    expect(demo).toMatchObject({ host: '127.0.0.1', port: 8080, idleMinutes: 30, secureCookies: false });
    const production = readConsoleSettings({ DATABASE_URL: 'postgres://x/y', CONSOLE_HOST: '0.0.0.0', CONSOLE_PORT: '8443', CONSOLE_TRUST_PROXY: 'true' });
    expect(production).toMatchObject({ environment: 'production', secureCookies: true, trustProxy: true, port: 8443 });
    expect(() => readConsoleSettings({ RENEWALS_ENV: 'demo', DATABASE_URL: 'postgres://x/y', CONSOLE_IDLE_MINUTES: 'soon' })).toThrow('CONSOLE_IDLE_MINUTES');
  });
});
