/**
 * A real OIDC provider (oidc-provider) in the test process, on 127.0.0.1, with two loopback clients
 * (public with PKCE, and confidential) and an interaction that signs in `account` without a form; and
 * a small cookie-keeping browser that follows the provider's redirects back to the redirect listener.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';

export const PUBLIC_CLIENT_ID = 'renewals-cli';
export const CONFIDENTIAL_CLIENT_ID = 'renewals-cli-confidential';
export const CONFIDENTIAL_CLIENT_SECRET = randomBytes(24).toString('hex');

export interface TestOidcProvider {
  issuer: string;
  /** The subject the next interaction signs in. */
  account: string;
  close(): Promise<void>;
}

export async function startOidcProvider(account: string): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const handle: TestOidcProvider = { issuer, account, close: () => Promise.resolve() };
  const loopback = { application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code'], response_types: ['code'] } satisfies Partial<ClientMetadata>;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: PUBLIC_CLIENT_ID, token_endpoint_auth_method: 'none', ...loopback },
      { client_id: CONFIDENTIAL_CLIENT_ID, client_secret: CONFIDENTIAL_CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic', ...loopback },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  const callback = provider.callback();
  server.on('request', (request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      finishInteraction(provider, request, response, handle.account).catch((error: unknown) => response.writeHead(500).end(String(error)));
      return;
    }
    void callback(request, response);
  });
  handle.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return handle;
}

/** Signs `account` in at the login prompt and grants the openid scope at the consent prompt, with no form. */
async function finishInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse, account: string): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(request, response, { login: { accountId: account } }, { mergeWithLastSubmission: false });
    return;
  }
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (typeof accountId !== 'string' || typeof clientId !== 'string') throw new Error(`interaction ${details.prompt.name} without a session or client`);
  const grant = details.grantId === undefined ? new provider.Grant({ accountId, clientId }) : await provider.Grant.find(details.grantId);
  if (grant === undefined) throw new Error('the interaction names a grant the provider does not have');
  grant.addOIDCScope('openid');
  await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

export interface BrowserTampering {
  /** Rewrites the authorization request before the provider sees it. */
  authorization?: (url: URL) => void;
  /** Rewrites the provider's redirect before it reaches the redirect listener. */
  callback?: (url: URL) => void;
}

/**
 * Plays the person's browser: opens the authorization URL, keeps the provider's cookies, follows
 * its redirects, and delivers the final redirect to the loopback listener. Returns that status.
 */
export async function browse(start: URL, tampering: BrowserTampering = {}): Promise<number> {
  const cookies = new Map<string, string>();
  const url = new URL(start);
  tampering.authorization?.(url);
  let next = url;
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) throw new Error(`browser stopped at ${next.pathname} with HTTP ${response.status}`);
    const target = new URL(location, next);
    if (target.origin !== start.origin) {
      tampering.callback?.(target);
      const delivered = await fetch(target);
      await delivered.arrayBuffer();
      return delivered.status;
    }
    next = target;
  }
  throw new Error('browser followed too many redirects');
}
