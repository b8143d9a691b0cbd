/**
 * A real OIDC provider (oidc-provider) in the test process, on 127.0.0.1, with two loopback clients
 * (public with PKCE, and confidential) and an interaction that signs in `account` without a form, or
 * with `loginForm` a page where a real browser types the subject; and a small cookie-keeping browser
 * that follows the provider's redirects back to the redirect listener. Both clients also accept the
 * console's callback on a loopback host (any port, RFC 8252), so the console can use either.
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

export async function startOidcProvider(account: string, options: { loginForm?: boolean } = {}): Promise<TestOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const handle: TestOidcProvider = { issuer, account, close: () => Promise.resolve() };
  const loopback = {
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback', 'http://127.0.0.1/sign-in/oidc/callback', 'http://localhost/sign-in/oidc/callback'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  } satisfies Partial<ClientMetadata>;
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
      const answer = options.loginForm ? formInteraction(provider, request, response) : finishInteraction(provider, request, response, handle.account);
      answer.catch((error: unknown) => response.writeHead(500).end(String(error)));
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

/** The login prompt as a page: a form for the subject, posted back to the interaction; consent as without a form. */
async function formInteraction(provider: Provider, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (details.prompt.name !== 'login') return finishInteraction(provider, request, response, '');
  if (request.method !== 'POST') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/interaction/${details.uid}"><label for="subject">Subject</label> <input id="subject" name="subject" autofocus> <button type="submit">Sign in</button></form>
</main></body></html>`);
    return;
  }
  let body = '';
  for await (const chunk of request) body += String(chunk);
  const subject = new URLSearchParams(body).get('subject') ?? '';
  await provider.interactionFinished(request, response, { login: { accountId: subject } }, { mergeWithLastSubmission: false });
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
  const target = await followToCallback(start, tampering.authorization);
  tampering.callback?.(target);
  const delivered = await fetch(target);
  await delivered.arrayBuffer();
  return delivered.status;
}

/** Follows the provider's redirects from the authorization URL to the first one leaving it: the callback, not yet delivered. */
export async function followToCallback(start: URL, authorization?: (url: URL) => void): Promise<URL> {
  const cookies = new Map<string, string>();
  const url = new URL(start);
  authorization?.(url);
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
    if (target.origin !== start.origin) return target;
    next = target;
  }
  throw new Error('browser followed too many redirects');
}
