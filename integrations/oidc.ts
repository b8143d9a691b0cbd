/**
 * OIDC sign-in through the identity provider's browser flow (docs/architecture.md#oidc-sign-in):
 * discovery, authorization code with PKCE, state and nonce, the browser sent back to a one-shot
 * listener on 127.0.0.1 (RFC 8252 loopback redirect), the ID token validated by openid-client.
 * Only the issuer and the subject come out: no token, name or email is kept or logged. The console's
 * browser sign-in uses the same steps (discoverProvider, authorizationUrl, exchangeCode) with its own
 * redirect URI.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import type { OidcConfig } from '../config/oidc';

/** Who the identity provider says signed in: the pair a user is linked to. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
}

/** Shows the authorization URL to the person (the CLI prints it; a test drives it like a browser). */
export type AuthorizationUrlOpener = (url: URL) => void | Promise<void>;

/** A sign-in that did not end with a validated identity; the message carries no token or code. */
export class OidcSignInError extends Error {
  override readonly name = 'OidcSignInError';
}

const CALLBACK_PATH = '/callback';

/** What ties a callback to the authorization request it answers; kept by whoever began the sign-in. */
export interface FlowChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The provider's discovered configuration; the other steps take it. */
export type OidcProvider = client.Configuration;

/** The authorization-code request with PKCE S256, state and nonce, for the browser to open. */
export async function authorizationUrl(provider: OidcProvider, redirectUri: string, checks: FlowChecks): Promise<URL> {
  return client.buildAuthorizationUrl(provider, {
    redirect_uri: redirectUri,
    scope: 'openid',
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
    state: checks.state,
    nonce: checks.nonce,
  });
}

/** Exchanges the code the callback brought (the redirect URI with its query) and validates the ID token. */
export async function exchangeCode(provider: OidcProvider, callback: URL, checks: FlowChecks): Promise<OidcIdentity> {
  return exchange(provider, callback, { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true });
}

export async function signInWithOidc(config: OidcConfig, opener: AuthorizationUrlOpener): Promise<OidcIdentity> {
  const provider = await discoverProvider(config);
  const listener = await listen(config.redirectPort, config.timeoutMs);
  try {
    const checks: FlowChecks = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
    const url = await authorizationUrl(provider, listener.redirectUri, checks);
    // The opener may finish before or after the browser comes back; either way the callback decides.
    const opened = Promise.resolve(opener(url));
    const callback = await Promise.race([listener.callback, opened.then(() => listener.callback)]);
    try {
      const identity = await exchangeCode(provider, callback.url, checks);
      callback.reply(200, 'Signed in at the identity provider: return to the terminal.');
      return identity;
    } catch (error) {
      callback.reply(400, 'Sign-in refused: the terminal says why.');
      throw error;
    }
  } finally {
    listener.close();
  }
}

/** Discovery at the issuer: its endpoints and keys, for the client `config` names. */
export async function discoverProvider(config: OidcConfig): Promise<OidcProvider> {
  const authentication = config.clientSecret === undefined ? client.None() : client.ClientSecretBasic(config.clientSecret);
  // config/oidc.ts allows plain http only for a provider on localhost (or in the demo).
  const insecure = new URL(config.issuer).protocol === 'http:';
  try {
    return await client.discovery(new URL(config.issuer), config.clientId, undefined, authentication, insecure ? { execute: [client.allowInsecureRequests] } : undefined);
  } catch (error) {
    throw new OidcSignInError(`OIDC discovery at RENEWALS_OIDC_ISSUER failed: ${reason(error)}`);
  }
}

async function exchange(provider: client.Configuration, callback: URL, checks: client.AuthorizationCodeGrantChecks): Promise<OidcIdentity> {
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(provider, callback, checks);
  } catch (error) {
    throw new OidcSignInError(`OIDC sign-in refused: ${reason(error)}`);
  }
  const claims = tokens.claims();
  if (claims === undefined) throw new OidcSignInError('OIDC sign-in refused: the identity provider returned no ID token');
  return { issuer: claims.iss, subject: claims.sub };
}

/** The library's own words, its code and the provider's error code: about the protocol, never a value. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const code = 'code' in error && typeof error.code === 'string' ? ` (${error.code})` : '';
  let providerCode: string | undefined;
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) providerCode = error.error;
  if (error instanceof client.WWWAuthenticateChallengeError) providerCode = error.cause[0]?.parameters.error;
  return `${error.message}${detail}${providerCode === undefined ? code : ` (${providerCode})`}`;
}

interface Callback {
  /** The redirect URI with the query the browser brought back. */
  url: URL;
  /** Answers the browser, once the answer has been checked. */
  reply(status: number, text: string): void;
}

interface Listener {
  redirectUri: string;
  /** The first request to the callback path. */
  callback: Promise<Callback>;
  close(): void;
}

/** A one-shot HTTP listener on 127.0.0.1 that takes the browser's return from the provider. */
async function listen(port: number, timeoutMs: number): Promise<Listener> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new OidcSignInError(`OIDC redirect listener cannot bind 127.0.0.1:${port} (RENEWALS_OIDC_REDIRECT_PORT): ${error.message}`)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
  let timer: NodeJS.Timeout | undefined;
  let taken = false;
  const callback = new Promise<Callback>((resolve, reject) => {
    timer = setTimeout(() => reject(new OidcSignInError(`OIDC sign-in timed out: the browser did not come back within ${timeoutMs / 1000} s (RENEWALS_OIDC_TIMEOUT_SECONDS)`)), timeoutMs);
    server.on('request', (request, response) => {
      const received = new URL(request.url ?? '/', redirectUri);
      if (received.pathname !== CALLBACK_PATH || taken) {
        // Only the first return counts: a repeat or a stray request is not waited for.
        response.writeHead(received.pathname === CALLBACK_PATH ? 409 : 404, { connection: 'close' }).end();
        return;
      }
      taken = true;
      // Rebuilt on the redirect URI so the token request names it exactly as the authorization request did.
      resolve({
        url: new URL(`${redirectUri}${received.search}`),
        reply: (status, text) => void response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`${text}\n`),
      });
    });
  });
  callback.catch(() => undefined);
  return {
    redirectUri,
    callback,
    close: () => {
      clearTimeout(timer);
      // Idle connections close now; the answer in hand still reaches the browser (connection: close).
      server.close();
      server.closeIdleConnections();
    },
  };
}
