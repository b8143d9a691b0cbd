import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableUser, linkOidcIdentity, userRef } from '../../application/identity';
import { flowChecks, OIDC_FLOW_COOKIE, SIGN_IN_NOTICE_COOKIE } from '../../console/oidc-routes';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from '../../console/server';
import { readConsoleSettings } from '../../console/settings';
import { consolePerson, consoleRig, setCookie, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';
import { CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, followToCallback, PUBLIC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';

/**
 * The console's company-account sign-in (docs/architecture.md#console) through app.inject() against a
 * real identity provider (oidc-provider in the test process) and real PostgreSQL: the flow's cookie
 * and request, a linked user's session, and each refusal back on the sign-in page.
 */
const LINKED = 'a1b2c3-collector-oidc';
const DISABLED = 'd4e5f6-disabled-oidc';
const UNLINKED = '0f0f0f-nobody-oidc';
const PUBLIC_URL = 'http://127.0.0.1:8080';

let t: TestDatabase;
let provider: TestOidcProvider;
let rig: ConsoleRig;
let plain: ConsoleRig;
let linkedId: number;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  t = await freshDatabase();
  provider = await startOidcProvider(LINKED);
  linkedId = await consolePerson(t.db, 'collector-oidc', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(t.db, 'gone-oidc', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await linkOidcIdentity(t.db, 'test:setup', 'collector-oidc', { issuer: provider.issuer, subject: LINKED });
  await linkOidcIdentity(t.db, 'test:setup', 'gone-oidc', { issuer: provider.issuer, subject: DISABLED });
  await disableUser(t.db, 'test:setup', 'gone-oidc');
  rig = await consoleRig(t.db, { oidc: { issuer: provider.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 }, publicUrl: PUBLIC_URL });
  plain = await consoleRig(t.db);
});

afterAll(async () => {
  await rig?.app.close();
  await plain?.app.close();
  await provider?.close();
  await t?.drop();
});

/** GET /sign-in/oidc: where it sends the browser, and the flow cookie it sets. */
async function begin(app: FastifyInstance): Promise<{ authorization: URL; flow: string; header: string }> {
  const response = await app.inject({ method: 'GET', url: '/sign-in/oidc' });
  expect(response.statusCode).toBe(303);
  const cookie = setCookie(response, OIDC_FLOW_COOKIE)!;
  return { authorization: new URL(response.headers.location as string), flow: cookie.value, header: cookie.header };
}

/** The provider's redirect back to the console, delivered with the flow cookie (or `cookies` instead). */
async function callback(app: FastifyInstance, back: URL, cookies: Record<string, string>) {
  return app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, cookies });
}

/** A whole sign-in as `subject`; returns the callback's answer. */
async function signInAs(subject: string) {
  provider.account = subject;
  const { authorization, flow } = await begin(rig.app);
  return callback(rig.app, await followToCallback(authorization), { [OIDC_FLOW_COOKIE]: flow });
}

/** The sign-in page as the browser shows it next, with the notice the callback left. */
async function signInPageAfter(response: Awaited<ReturnType<typeof callback>>, language = 'zh-CN'): Promise<string> {
  const notice = setCookie(response, SIGN_IN_NOTICE_COOKIE)!;
  expect(notice.header).toMatch(/; HttpOnly/);
  const page = await rig.app.inject({ method: 'GET', url: '/sign-in', cookies: { [SIGN_IN_NOTICE_COOKIE]: notice.value, [LANGUAGE_COOKIE]: language } });
  expect(page.statusCode).toBe(200);
  expect(setCookie(page, SIGN_IN_NOTICE_COOKIE)?.value).toBe(''); // shown once
  return page.body;
}

describe('without OIDC configured', () => {
  it('the sign-in page has no company-account button and both paths answer 404', async () => {
    const page = await plain.app.inject({ method: 'GET', url: '/sign-in' });
    expect(page.body).not.toContain('/sign-in/oidc');
    expect(page.body).not.toContain('使用企业账号登录');
    expect((await plain.app.inject({ method: 'GET', url: '/sign-in/oidc' })).statusCode).toBe(404);
    expect((await plain.app.inject({ method: 'GET', url: '/sign-in/oidc/callback?code=x&state=y' })).statusCode).toBe(404);
  });
});

describe('with OIDC configured', () => {
  it('the sign-in page offers the company account, in both languages', async () => {
    expect((await rig.app.inject({ method: 'GET', url: '/sign-in' })).body).toMatch(/<a class="company-account" id="company-account" href="\/sign-in\/oidc">使用企业账号登录<\/a>/);
    expect((await rig.app.inject({ method: 'GET', url: '/sign-in', cookies: { [LANGUAGE_COOKIE]: 'en' } })).body).toContain('Sign in with company account');
  });

  it('starts an authorization-code flow with PKCE S256, state and nonce derived from a Lax HttpOnly cookie kept only hashed', async () => {
    const { authorization, flow, header } = await begin(rig.app);
    expect(authorization.origin).toBe(provider.issuer);
    const params = authorization.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('scope')).toBe('openid');
    expect(params.get('client_id')).toBe(PUBLIC_CLIENT_ID);
    expect(params.get('redirect_uri')).toBe(`${PUBLIC_URL}/sign-in/oidc/callback`);
    expect(params.get('code_challenge_method')).toBe('S256');
    const checks = flowChecks(flow);
    expect(params.get('state')).toBe(checks.state);
    expect(params.get('nonce')).toBe(checks.nonce);
    expect(params.get('code_challenge')).toBe(createHash('sha256').update(checks.codeVerifier).digest('base64url'));
    expect(authorization.href).not.toContain(flow);
    expect(authorization.href).not.toContain(checks.codeVerifier);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\/sign-in\/oidc/);
    expect(header).toMatch(/; Max-Age=600/);
    const rows = await t.db('console_oidc_flows').select('flow_hash');
    expect(rows.map((row: { flow_hash: string }) => row.flow_hash)).toContain(sha256(flow));
    expect(JSON.stringify(rows)).not.toContain(flow);
  });

  it('signs the linked user in: the session a password opens, audited with the method, the flow taken once', async () => {
    const response = await signInAs(LINKED);
    expect(response.statusCode).toBe(200);
    // Onward by a page of the console's own (the session cookie is SameSite=Strict), not by a redirect.
    expect(response.body).toContain('<meta http-equiv="refresh" content="0;url=/">');
    const session = setCookie(response, SESSION_COOKIE)!;
    expect(session.header).toMatch(/; HttpOnly/);
    expect(session.header).toMatch(/; SameSite=Strict/);
    expect(setCookie(response, OIDC_FLOW_COOKIE)?.value).toBe('');
    const home = await rig.app.inject({ method: 'GET', url: '/', cookies: { [SESSION_COOKIE]: session.value } });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('collector-oidc');
    const audit = await t.db('audit_events').where({ kind: 'console_signed_in', actor: userRef(linkedId) }).select('detail', 'policy_no');
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({ user: userRef(linkedId), method: 'oidc' });
    expect(audit[0].policy_no).toBeNull();
  });

  it('signs in as a confidential client with its secret, which appears in no log line', async () => {
    const confidential = await consoleRig(t.db, { oidc: { issuer: provider.issuer, clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: CONFIDENTIAL_CLIENT_SECRET, redirectPort: 0, timeoutMs: 20_000 }, publicUrl: PUBLIC_URL });
    try {
      provider.account = LINKED;
      const { authorization, flow } = await begin(confidential.app);
      expect(authorization.searchParams.get('client_id')).toBe(CONFIDENTIAL_CLIENT_ID);
      const response = await callback(confidential.app, await followToCallback(authorization), { [OIDC_FLOW_COOKIE]: flow });
      expect(response.statusCode).toBe(200);
      expect(setCookie(response, SESSION_COOKIE)).toBeDefined();
      expect(confidential.lines.join('')).not.toContain(CONFIDENTIAL_CLIENT_SECRET);
    } finally {
      await confidential.app.close();
    }
  });

  it('refuses a second use of the same flow', async () => {
    provider.account = LINKED;
    const { authorization, flow } = await begin(rig.app);
    const back = await followToCallback(authorization);
    expect(setCookie(await callback(rig.app, back, { [OIDC_FLOW_COOKIE]: flow }), SESSION_COOKIE)).toBeDefined();
    const again = await callback(rig.app, back, { [OIDC_FLOW_COOKIE]: flow });
    expect(again.statusCode).toBe(400);
    expect(setCookie(again, SESSION_COOKIE)).toBeUndefined();
  });

  it('refuses a callback whose state does not match the flow cookie', async () => {
    provider.account = LINKED;
    const first = await begin(rig.app);
    const second = await begin(rig.app);
    // The provider's answer to the first flow, brought back with the second flow's cookie.
    const back = await followToCallback(first.authorization);
    const response = await callback(rig.app, back, { [OIDC_FLOW_COOKIE]: second.flow });
    expect(response.statusCode).toBe(400);
    expect(setCookie(response, SESSION_COOKIE)).toBeUndefined();
    expect(response.body).toContain('<meta http-equiv="refresh" content="0;url=/sign-in">');
    expect(await signInPageAfter(response)).toContain('登录请求已过期或不属于此浏览器');
    expect(rig.lines.join('')).toContain('state_mismatch');
  });

  it('refuses a callback without the flow cookie', async () => {
    provider.account = LINKED;
    const { authorization } = await begin(rig.app);
    const response = await callback(rig.app, await followToCallback(authorization), {});
    expect(response.statusCode).toBe(400);
    expect(setCookie(response, SESSION_COOKIE)).toBeUndefined();
    expect(await signInPageAfter(response, 'en')).toContain('the sign-in request has expired or belongs to another browser');
  });

  it('refuses a subject no user is linked to, and a disabled linked user, saying which', async () => {
    const unlinked = await signInAs(UNLINKED);
    expect(unlinked.statusCode).toBe(401);
    expect(setCookie(unlinked, SESSION_COOKIE)).toBeUndefined();
    expect(await signInPageAfter(unlinked)).toContain('此企业账号尚未关联控制台用户');
    const disabled = await signInAs(DISABLED);
    expect(disabled.statusCode).toBe(401);
    expect(setCookie(disabled, SESSION_COOKIE)).toBeUndefined();
    expect(await signInPageAfter(disabled, 'en')).toContain('the linked user is disabled');
  });

  it("refuses the provider's error answer", async () => {
    const { flow } = await begin(rig.app);
    const state = flowChecks(flow).state;
    const response = await rig.app.inject({ method: 'GET', url: `/sign-in/oidc/callback?error=access_denied&state=${state}`, cookies: { [OIDC_FLOW_COOKIE]: flow } });
    expect(response.statusCode).toBe(401);
    expect(await signInPageAfter(response)).toContain('身份提供方未完成登录');
    expect(rig.lines.join('')).toContain('access_denied');
  });

  it('keeps subjects, codes, states and flow cookies out of the logs and the audit rows', async () => {
    provider.account = LINKED;
    const { authorization, flow } = await begin(rig.app);
    const back = await followToCallback(authorization);
    await callback(rig.app, back, { [OIDC_FLOW_COOKIE]: flow });
    const logs = rig.lines.join('');
    const audit = JSON.stringify(await t.db('audit_events').select('kind', 'actor', 'detail'));
    for (const secret of [LINKED, DISABLED, UNLINKED, flow, flowChecks(flow).state, flowChecks(flow).codeVerifier, back.searchParams.get('code')!]) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});

describe('company-account flows begun from one address', () => {
  it('are refused at the limit without a row written, while another address begins, until the window passes', async () => {
    let clock = Date.parse('2026-12-07T06:00:00Z');
    const limited = await consoleRig(t.db, { oidc: { issuer: provider.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 }, publicUrl: PUBLIC_URL }, { flowLimits: { maxFailures: 3, windowMs: 15 * 60_000, now: () => clock } });
    const from = (ip: string) => limited.app.inject({ method: 'GET', url: '/sign-in/oidc', remoteAddress: ip });
    const flows = async () => Number((await t.db('console_oidc_flows').count<{ count: string }[]>({ count: '*' }))[0]!.count);
    try {
      for (let i = 0; i < 3; i++) expect((await from('10.7.0.1')).statusCode).toBe(303);
      const before = await flows();
      const refused = await from('10.7.0.1');
      expect(refused.statusCode).toBe(429);
      expect(setCookie(refused, OIDC_FLOW_COOKIE)).toBeUndefined();
      expect(await flows()).toBe(before);
      const notice = setCookie(refused, SIGN_IN_NOTICE_COOKIE)!;
      const page = await limited.app.inject({ method: 'GET', url: '/sign-in', cookies: { [SIGN_IN_NOTICE_COOKIE]: notice.value } });
      expect(page.body).toContain('此地址发起的企业账号登录过多');
      expect(limited.lines.join('')).toContain('too_many_flows');

      expect((await from('10.7.0.2')).statusCode).toBe(303);
      clock += 15 * 60_000; // every flow begun has left the window
      expect((await from('10.7.0.1')).statusCode).toBe(303);
    } finally {
      await limited.app.close();
    }
  });
});

describe('an identity provider out of reach', () => {
  it('sends the person back to the sign-in page saying so, and tries discovery again next time', async () => {
    const closed = await startOidcProvider(LINKED);
    await closed.close();
    const away = await consoleRig(t.db, { oidc: { issuer: closed.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 }, publicUrl: PUBLIC_URL });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await away.app.inject({ method: 'GET', url: '/sign-in/oidc' });
        expect(response.statusCode).toBe(303);
        expect(response.headers.location).toBe('/sign-in');
        expect(setCookie(response, OIDC_FLOW_COOKIE)).toBeUndefined();
        const notice = setCookie(response, SIGN_IN_NOTICE_COOKIE)!;
        const page = await away.app.inject({ method: 'GET', url: '/sign-in', cookies: { [SIGN_IN_NOTICE_COOKIE]: notice.value } });
        expect(page.body).toContain('暂时无法连接企业账号登录服务');
      }
      expect(away.lines.join('').match(/discovery_failed/g)).toHaveLength(2);
    } finally {
      await away.app.close();
    }
  });
});

describe('settings', () => {
  const production = { RENEWALS_ENV: 'production', DATABASE_URL: 'postgres://x', CONSOLE_HOST: '0.0.0.0', CONSOLE_PORT: '8080', CONSOLE_TRUST_PROXY: 'true', RENEWALS_OIDC_ISSUER: 'https://login.example.com/realms/insurer', RENEWALS_OIDC_CLIENT_ID: 'renewals-console' };

  it('reads the CLI OIDC settings, and outside the demo wants CONSOLE_PUBLIC_URL, an https origin', () => {
    expect(() => readConsoleSettings(production)).toThrow(/CONSOLE_PUBLIC_URL/);
    expect(() => readConsoleSettings({ ...production, CONSOLE_PUBLIC_URL: 'http://console.example.com' })).toThrow(/CONSOLE_PUBLIC_URL must be https/);
    expect(() => readConsoleSettings({ ...production, CONSOLE_PUBLIC_URL: 'https://console.example.com/renewals' })).toThrow(/CONSOLE_PUBLIC_URL must be an origin only/);
    expect(() => readConsoleSettings({ ...production, CONSOLE_PUBLIC_URL: 'console.example.com' })).toThrow(/CONSOLE_PUBLIC_URL="console.example.com" is not a URL/);
    const settings = readConsoleSettings({ ...production, CONSOLE_PUBLIC_URL: 'https://console.example.com/' });
    expect(settings.publicUrl).toBe('https://console.example.com');
    expect(settings.oidc).toMatchObject({ issuer: production.RENEWALS_OIDC_ISSUER, clientId: 'renewals-console' });
    expect(readConsoleSettings({ ...production, RENEWALS_OIDC_ISSUER: '', RENEWALS_OIDC_CLIENT_ID: '' }).oidc).toBeUndefined();
  });
});
