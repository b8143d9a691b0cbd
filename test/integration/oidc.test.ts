import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcSignIn, UnlinkedOidcSubjectError } from '../../application/oidc-sign-in';
import { runOidcLogin, EXIT_NOT_SIGNED_IN } from '../../cli/commands/oidc-login';
import { CliError } from '../../cli/errors';
import { readOidcConfig, type OidcConfig } from '../../config/oidc';
import { OidcSignInError, type AuthorizationUrlOpener } from '../../integrations/oidc';
import { browse, CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, PUBLIC_CLIENT_ID, startOidcProvider, type BrowserTampering, type TestOidcProvider } from '../support/oidc-provider';

const LINKED_SUBJECT = 'a3f1c9e0-linked';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface User {
  id: number;
}

/** Stands in for the users table: one user linked to LINKED_SUBJECT at the test provider. */
function userStore(issuer: string) {
  const issued: number[] = [];
  return {
    issued,
    deps: {
      findUserBySubject: (i: string, s: string): Promise<User | undefined> => Promise.resolve(i === issuer && s === LINKED_SUBJECT ? { id: 7 } : undefined),
      issueToken: (userId: number) => {
        issued.push(userId);
        return Promise.resolve(`token-for-${userId}`);
      },
    },
  };
}

describe('OIDC sign-in against a local provider', () => {
  let provider: TestOidcProvider;
  let config: OidcConfig;

  beforeAll(async () => {
    provider = await startOidcProvider(LINKED_SUBJECT);
    config = { issuer: provider.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 };
  });
  afterAll(async () => {
    await provider.close();
  });

  /** An opener that drives the browser; `answered` is the status the redirect listener answered it with. */
  function driving(tampering: BrowserTampering = {}): AuthorizationUrlOpener & { answered: Promise<number> } {
    let answer: (status: number) => void = () => undefined;
    const answered = new Promise<number>((resolve) => (answer = resolve));
    const opener = async (url: URL) => answer(await browse(url, tampering));
    return Object.assign(opener, { answered });
  }

  it('signs a linked subject in as a public client with PKCE and issues its user a token', async () => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    let opened: URL | undefined;
    const browser = driving();
    const result = await oidcSignIn(store.deps, config, async (url) => {
      opened = url;
      await browser(url);
    });
    expect(result).toEqual({ user: { id: 7 }, token: 'token-for-7' });
    expect(store.issued).toEqual([7]);
    expect(await browser.answered).toBe(200);
    expect(opened?.origin).toBe(provider.issuer);
    expect(opened?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(opened?.searchParams.get('state')).toMatch(/.{20,}/);
    expect(opened?.searchParams.get('nonce')).toMatch(/.{20,}/);
    expect(opened?.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  });

  it('signs in as a confidential client with its secret, and refuses a wrong secret without printing it', async () => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    const confidential = { ...config, clientId: CONFIDENTIAL_CLIENT_ID, clientSecret: CONFIDENTIAL_CLIENT_SECRET };
    await expect(oidcSignIn(store.deps, confidential, driving())).resolves.toEqual({ user: { id: 7 }, token: 'token-for-7' });

    const wrongSecret = 'not-the-secret-4f2a9c';
    const refused = await oidcSignIn(store.deps, { ...confidential, clientSecret: wrongSecret }, driving()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OidcSignInError);
    expect((refused as Error).message).toMatch(/invalid_client/);
    expect((refused as Error).message).not.toContain(wrongSecret);
    expect(store.issued).toEqual([7]);
  });

  it.each<[string, BrowserTampering, RegExp]>([
    ['a callback with another state', { callback: (url) => url.searchParams.set('state', 'forged-state') }, /state/],
    ['an authorization request with another nonce', { authorization: (url) => url.searchParams.set('nonce', 'forged-nonce') }, /nonce/],
    ['a callback with a forged code', { callback: (url) => url.searchParams.set('code', 'forged-code') }, /invalid_grant/],
    ['an authorization request with another PKCE challenge', { authorization: (url) => url.searchParams.set('code_challenge', 'A'.repeat(43)) }, /invalid_grant/],
    ['a callback carrying an error', { callback: (url) => { url.searchParams.delete('code'); url.searchParams.set('error', 'access_denied'); } }, /access_denied/],
  ])('refuses %s and issues no token', async (_what, tampering, reason) => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    const browser = driving(tampering);
    const refused = await oidcSignIn(store.deps, config, browser).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OidcSignInError);
    expect((refused as Error).message).toMatch(reason);
    expect(await browser.answered).toBe(400);
    expect(store.issued).toEqual([]);
  });

  it('refuses a subject no user is linked to, naming it only on the error object', async () => {
    provider.account = 'b7d2e4f8-unlinked';
    const store = userStore(provider.issuer);
    const refused = await oidcSignIn(store.deps, config, driving()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnlinkedOidcSubjectError);
    expect((refused as UnlinkedOidcSubjectError).identity).toEqual({ issuer: provider.issuer, subject: 'b7d2e4f8-unlinked' });
    expect((refused as Error).message).toMatch(/administrator must link/);
    expect((refused as Error).message).not.toContain('b7d2e4f8-unlinked');
    expect(store.issued).toEqual([]);
  });

  it('listens on a fixed redirect port when one is set, and names the variable when it is taken', async () => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    const port = await freePort();
    let redirect: string | null | undefined;
    const browser = driving();
    await oidcSignIn(store.deps, { ...config, redirectPort: port }, async (url) => {
      redirect = url.searchParams.get('redirect_uri');
      await browser(url);
    });
    expect(redirect).toBe(`http://127.0.0.1:${port}/callback`);
    expect(store.issued).toEqual([7]);

    const taken = Number(new URL(provider.issuer).port);
    await expect(oidcSignIn(store.deps, { ...config, redirectPort: taken }, driving())).rejects.toThrow(/cannot bind 127\.0\.0\.1:\d+ \(RENEWALS_OIDC_REDIRECT_PORT\)/);
  });

  it('refuses an issuer path the provider does not serve, and an issuer where nothing answers', async () => {
    const store = userStore(provider.issuer);
    await expect(oidcSignIn(store.deps, { ...config, issuer: `${provider.issuer}/realms/other` }, driving())).rejects.toThrow(/OIDC discovery at RENEWALS_OIDC_ISSUER failed/);
    await expect(oidcSignIn(store.deps, { ...config, issuer: `http://127.0.0.1:${await freePort()}` }, driving())).rejects.toThrow(/OIDC discovery at RENEWALS_OIDC_ISSUER failed/);
    expect(store.issued).toEqual([]);
  });

  it('refuses a linked user the store says may not sign in', async () => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    await expect(oidcSignIn({ ...store.deps, isRefused: (user) => user.id === 7 }, config, driving())).rejects.toThrow(/may not sign in \(disabled\)/);
    expect(store.issued).toEqual([]);
  });

  it('times out when the browser never comes back', async () => {
    const store = userStore(provider.issuer);
    const refused = await oidcSignIn(store.deps, { ...config, timeoutMs: 300 }, () => undefined).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OidcSignInError);
    expect((refused as Error).message).toMatch(/RENEWALS_OIDC_TIMEOUT_SECONDS/);
  });

  it('the login command body saves the token and exits 4 for an unlinked subject', async () => {
    provider.account = LINKED_SUBJECT;
    const store = userStore(provider.issuer);
    const out = new PassThrough();
    const err = new PassThrough();
    const saved: string[] = [];
    const saveToken = (token: string) => {
      saved.push(token);
      return Promise.resolve('/home/someone/.config/renewals/token');
    };
    await expect(runOidcLogin(store.deps, { config, opener: driving(), saveToken, out, err })).resolves.toEqual({ id: 7 });
    expect(saved).toEqual(['token-for-7']);
    expect(String(out.read())).toMatch(/token saved to \/home\/someone/);

    provider.account = 'c9a0b1d2-unlinked';
    const refused = await runOidcLogin(store.deps, { config, opener: driving(), saveToken, out, err }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(EXIT_NOT_SIGNED_IN);
    expect(String(err.read())).toContain('subject: c9a0b1d2-unlinked');
    expect(saved).toEqual(['token-for-7']);
  });
});

describe('OIDC configuration', () => {
  const base = { RENEWALS_ENV: 'production', RENEWALS_OIDC_ISSUER: 'https://login.example.com/realms/insurer', RENEWALS_OIDC_CLIENT_ID: 'renewals-cli' };

  it('is off without an issuer, and reads a full configuration', () => {
    expect(readOidcConfig({ RENEWALS_ENV: 'production' })).toBeUndefined();
    expect(readOidcConfig({ ...base, RENEWALS_OIDC_CLIENT_SECRET: 's3cret', RENEWALS_OIDC_REDIRECT_PORT: '8765', RENEWALS_OIDC_TIMEOUT_SECONDS: '60' })).toEqual({
      issuer: base.RENEWALS_OIDC_ISSUER,
      clientId: 'renewals-cli',
      clientSecret: 's3cret',
      redirectPort: 8765,
      timeoutMs: 60_000,
    });
    expect(readOidcConfig(base)).toEqual({ issuer: base.RENEWALS_OIDC_ISSUER, clientId: 'renewals-cli', redirectPort: 0, timeoutMs: 300_000 });
    expect(readOidcConfig({ ...base, RENEWALS_OIDC_ISSUER: 'http://localhost:8080/realms/x' })?.issuer).toBe('http://localhost:8080/realms/x');
    expect(readOidcConfig({ ...base, RENEWALS_ENV: 'demo', RENEWALS_OIDC_ISSUER: 'http://idp.internal' })?.issuer).toBe('http://idp.internal');
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['a client id without an issuer', { RENEWALS_OIDC_CLIENT_ID: 'x' }, /RENEWALS_OIDC_CLIENT_ID is set but RENEWALS_OIDC_ISSUER is not/],
    ['an issuer that is not a URL', { ...base, RENEWALS_OIDC_ISSUER: 'login.example.com' }, /RENEWALS_OIDC_ISSUER is not a URL/],
    ['a plain http issuer off localhost in production', { ...base, RENEWALS_OIDC_ISSUER: 'http://login.example.com' }, /RENEWALS_OIDC_ISSUER must be https:\/\//],
    ['an issuer with a query', { ...base, RENEWALS_OIDC_ISSUER: 'https://login.example.com/?a=1' }, /RENEWALS_OIDC_ISSUER must not carry a query/],
    ['a missing client id', { ...base, RENEWALS_OIDC_CLIENT_ID: '' }, /RENEWALS_OIDC_CLIENT_ID is not set/],
    ['a port out of range', { ...base, RENEWALS_OIDC_REDIRECT_PORT: '70000' }, /RENEWALS_OIDC_REDIRECT_PORT must be a TCP port/],
    ['a port that is not a number', { ...base, RENEWALS_OIDC_REDIRECT_PORT: 'eighty' }, /RENEWALS_OIDC_REDIRECT_PORT must be a TCP port/],
    ['a zero timeout', { ...base, RENEWALS_OIDC_TIMEOUT_SECONDS: '0' }, /RENEWALS_OIDC_TIMEOUT_SECONDS must be a whole number/],
  ])('refuses %s, naming the variable', (_what, env, message) => {
    expect(() => readOidcConfig(env)).toThrow(message);
  });

  it('never puts the client secret in an error', () => {
    const secret = 'very-secret-value-91';
    expect(() => readOidcConfig({ ...base, RENEWALS_OIDC_CLIENT_SECRET: secret, RENEWALS_OIDC_TIMEOUT_SECONDS: 'x' })).toThrow(/RENEWALS_OIDC_TIMEOUT_SECONDS/);
    try {
      readOidcConfig({ RENEWALS_OIDC_CLIENT_SECRET: secret });
    } catch (error) {
      expect((error as Error).message).toContain('RENEWALS_OIDC_CLIENT_SECRET');
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
