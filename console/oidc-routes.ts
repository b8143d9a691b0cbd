import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { oidcUserStore } from '../application/identity';
import { linkedUser, RefusedOidcUserError, UnlinkedOidcSubjectError } from '../application/oidc-sign-in';
import type { OidcConfig } from '../config/oidc';
import { insertOidcFlow, pruneOidcFlows, takeOidcFlow } from '../db/repositories/console-sign-in';
import { authorizationUrl, discoverProvider, exchangeCode, OidcSignInError, type FlowChecks, type OidcProvider } from '../integrations/oidc';
import { continuePage } from './oidc-pages';
import type { SignInLimiter } from './sign-in-limiter';
import { openSession, randomToken, sameToken, type SessionTimes } from './sessions';

/**
 * Sign-in with the company account in the browser (docs/architecture.md#console): an
 * authorization-code flow with PKCE, state and nonce through integrations/oidc.ts, the user found as
 * `renewals login --oidc` finds them (application/oidc-sign-in.ts `linkedUser`), then the session a
 * password sign-in opens. Registered only where OIDC is configured; otherwise both paths are 404.
 *
 * The flow cookie carries 32 random bytes (HttpOnly, SameSite=Lax so the provider's redirect brings
 * it back, Path=/sign-in/oidc, ten minutes); state, nonce and PKCE verifier are derived from them, and
 * `console_oidc_flows` keeps only their SHA-256, taken once by the callback. So any console process on
 * the database can finish a flow another began, and nothing stored or logged can finish one.
 */
export const OIDC_FLOW_COOKIE = 'renewals_oidc_flow';
/** Why the last company-account sign-in was refused, shown once on the sign-in page in the person's language. */
export const SIGN_IN_NOTICE_COOKIE = 'renewals_sign_in_notice';

const FLOW_PATH = '/sign-in/oidc';
const CALLBACK_PATH = '/sign-in/oidc/callback';
const FLOW_SECONDS = 600;

const NOTICES = ['oidcUnlinked', 'oidcDisabled', 'oidcStale', 'oidcRefused', 'oidcUnavailable', 'oidcBusy'] as const;
export type SignInNotice = (typeof NOTICES)[number];

interface CookieFlags {
  httpOnly: boolean;
  sameSite: 'strict';
  secure: boolean;
  path: string;
}

export interface OidcRouteDeps {
  db: Knex;
  config: OidcConfig;
  /** CONSOLE_PUBLIC_URL; absent only in the demo, where the request's host stands in. */
  publicUrl?: string;
  times: SessionTimes;
  sessionCookie: string;
  cookieFlags: CookieFlags;
  /**
   * Flows begun per client address (`oidc-flow:<ip>`): each writes a row before anyone has signed in,
   * so a flood from one address is refused (429) at the limit rather than filling the table.
   */
  flowStarts: SignInLimiter;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** State, nonce and PKCE verifier of a flow, each a one-way function of the cookie's value. */
export function flowChecks(flowId: string): FlowChecks {
  const derive = (label: string) => createHash('sha256').update(`${label}\0${flowId}`, 'utf8').digest('base64url');
  return { state: derive('state'), nonce: derive('nonce'), codeVerifier: derive('pkce-verifier') };
}

/** The notice the refused sign-in left, cleared as it is read. */
export function takeSignInNotice(request: FastifyRequest, reply: FastifyReply, cookieFlags: CookieFlags): SignInNotice | undefined {
  const value = request.cookies[SIGN_IN_NOTICE_COOKIE];
  if (value === undefined) return undefined;
  reply.clearCookie(SIGN_IN_NOTICE_COOKIE, cookieFlags);
  return (NOTICES as readonly string[]).includes(value) ? (value as SignInNotice) : undefined;
}

export function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): void {
  const { db, config, times, cookieFlags } = deps;
  const flowCookie = { httpOnly: true, sameSite: 'lax' as const, secure: cookieFlags.secure, path: FLOW_PATH };
  let discovered: Promise<OidcProvider> | undefined;
  // Discovery once per process; a failure is not kept, so the next sign-in tries again.
  const provider = (): Promise<OidcProvider> => {
    discovered ??= discoverProvider(config).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const redirectUri = (request: FastifyRequest) => `${deps.publicUrl ?? `${request.protocol}://${request.host}`}${CALLBACK_PATH}`;

  /** Back to the sign-in page with the reason; the log names the kind of refusal only. */
  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, notice: SignInNotice, reason: string, detail?: string) => {
    request.log.warn({ reason, ...(detail === undefined ? {} : { detail }) }, 'console OIDC sign-in refused');
    reply.setCookie(SIGN_IN_NOTICE_COOKIE, notice, { ...cookieFlags, maxAge: 300 });
    return reply.code(status).type('text/html; charset=utf-8').send(continuePage('/sign-in'));
  };

  app.get(FLOW_PATH, async (request, reply) => {
    if (request.consoleSession) return reply.redirect('/', 303);
    const address = [`oidc-flow:${request.ip}`];
    const at = deps.flowStarts.now();
    if (await deps.flowStarts.locked(address, at)) return refuse(request, reply, 429, 'oidcBusy', 'too_many_flows');
    // Counted as a failure would be: a flow begun is one more row an address has made us keep.
    await deps.flowStarts.fail(address, at);
    let found: OidcProvider;
    try {
      found = await provider();
    } catch (error) {
      if (!(error instanceof OidcSignInError)) throw error;
      request.log.warn({ reason: 'discovery_failed', detail: error.message }, 'console OIDC sign-in unavailable');
      reply.setCookie(SIGN_IN_NOTICE_COOKIE, 'oidcUnavailable', { ...cookieFlags, maxAge: 300 });
      return reply.redirect('/sign-in', 303);
    }
    const flowId = randomToken();
    const now = Date.now();
    await pruneOidcFlows(db, new Date(now));
    await insertOidcFlow(db, sha256Hex(flowId), new Date(now + FLOW_SECONDS * 1000));
    reply.setCookie(OIDC_FLOW_COOKIE, flowId, { ...flowCookie, maxAge: FLOW_SECONDS });
    return reply.redirect((await authorizationUrl(found, redirectUri(request), flowChecks(flowId))).href, 303);
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    const flowId = request.cookies[OIDC_FLOW_COOKIE];
    reply.clearCookie(OIDC_FLOW_COOKIE, flowCookie);
    if (flowId === undefined || !/^[A-Za-z0-9_-]{43}$/.test(flowId)) return refuse(request, reply, 400, 'oidcStale', 'no_flow_cookie');
    if (!(await takeOidcFlow(db, sha256Hex(flowId), new Date()))) return refuse(request, reply, 400, 'oidcStale', 'flow_unknown_or_expired');
    const checks = flowChecks(flowId);
    const query = request.query as Record<string, unknown>;
    if (!sameToken(query.state, checks.state)) return refuse(request, reply, 400, 'oidcStale', 'state_mismatch');
    if (query.error !== undefined) {
      // The provider's error code (e.g. access_denied), a protocol word; anything else is not repeated.
      const code = typeof query.error === 'string' && /^[a-z_]{1,40}$/.test(query.error) ? query.error : 'unreadable';
      return refuse(request, reply, 401, 'oidcRefused', 'provider_error', code);
    }
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let user;
    try {
      const identity = await exchangeCode(await provider(), new URL(`${redirectUri(request)}${search}`), checks);
      user = await linkedUser(oidcUserStore(db), identity);
    } catch (error) {
      if (error instanceof UnlinkedOidcSubjectError) return refuse(request, reply, 401, 'oidcUnlinked', 'unlinked_subject');
      if (error instanceof RefusedOidcUserError) return refuse(request, reply, 401, 'oidcDisabled', 'user_disabled');
      if (error instanceof OidcSignInError) return refuse(request, reply, 401, 'oidcRefused', 'exchange_failed', error.message);
      throw error;
    }
    const sessionId = await openSession(db, user, times, Date.now(), 'oidc');
    reply.setCookie(deps.sessionCookie, sessionId, cookieFlags);
    return reply.code(200).type('text/html; charset=utf-8').send(continuePage('/'));
  });
}
