import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { checkPassword, IdentityError, userRef } from '../application/identity';
import { appendAudit } from '../db/repositories/audit';
import { findUserByLogin } from '../db/repositories/users';
import { shanghaiDate } from '../domain/civil-date';
import { monthOf } from '../domain/months';
import { monthPremiums } from '../reports/console-home';
import { isLanguage, wordsFor, type Language } from './i18n';
import { homePage, messagePage, signInPage } from './pages';
import { queuePage, taskPage } from './task-pages';
import { registerRunRoutes } from './run-routes';
import { CONSOLE_SCRIPT } from './console-script';
import { OperatorError } from '../application/operator-events';
import { loadTaskPage, mayCompleteTasks, mayListTasks, outcomeOfForm, recordOutcome, taskInScope, workQueue, type ConsoleTemporal } from './work-queue';
import { closeSession, openSession, randomToken, resumeSession, sameToken, type ConsoleSession, type SessionTimes } from './sessions';
import type { ConsoleSettings } from './settings';
import { DEFAULT_LIMITS, OIDC_FLOW_LIMITS, SignInLimiter, type LimiterOptions } from './sign-in-limiter';
import { registerReinstatementRoutes } from './reinstatement-routes';
import { DEFAULT_POLICY_RULES, type PolicyRules } from './policy-page';
import { registerPolicyRoutes } from './policy-routes';
import { registerAuditRoutes } from './audit-routes';
import { registerReportRoutes } from './report-routes';
import { registerOidcRoutes, takeSignInNotice } from './oidc-routes';
import { homeCharts, homeFigures, InsurerFiguresMemo } from './home-charts';
import { registerAdminRoutes } from './admin-routes';

/**
 * The operations console (docs/architecture.md#console): fastify serving server-rendered pages.
 * Cookies: the session (HttpOnly, SameSite=Strict, Secure outside the demo), the language, and a
 * pre-sign-in CSRF token for the forms shown before a session exists.
 */
export const SESSION_COOKIE = 'renewals_session';
export const LANGUAGE_COOKIE = 'renewals_language';
export const SIGN_IN_CSRF_COOKIE = 'renewals_csrf';
/** The one-line confirmation the work queue shows once after an outcome: `<task>.<outcome>`, nothing personal. */
export const NOTICE_COOKIE = 'renewals_notice';

// The one place the content security policy is set: scripts only from /console.js (docs/architecture.md#console).
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
// Beside this file under tsx; the compiled build (dist/console/) reads it from the source folder.
const STYLE_SHEET = readFileSync([join(__dirname, 'console.css'), join(__dirname, '..', '..', 'console', 'console.css')].find((path) => existsSync(path)) ?? join(__dirname, 'console.css'), 'utf8');
/** Answered without looking up a session. */
const STATIC_PATHS = new Set(['/console.css', '/console.js']);

export interface ConsoleOptions {
  db: Knex;
  settings: Pick<ConsoleSettings, 'environment' | 'idleMinutes' | 'absoluteHours' | 'secureCookies' | 'trustProxy' | 'collectionTargets' | 'oidc' | 'publicUrl'>;
  /** A pino logger (observability/logger.ts createLogger), so no line carries personal data. */
  logger: FastifyBaseLogger;
  limits?: LimiterOptions;
  /** Company-account flows one client address may begin in a window (default OIDC_FLOW_LIMITS). */
  flowLimits?: LimiterOptions;
  /** What the sign-in limiter keys its counts with: `DataKey.limiterKey` of the current data key. */
  limiterKey: Buffer;
  /** The Temporal client outcomes reach their cycles through; without one the task page says so. */
  temporal?: ConsoleTemporal;
  /** The clock of the reinstatement pages (today's quote): Date.now unless a test passes its Temporal server's. */
  now?: () => number;
  /** The policy page's counter line and Temporal UI link (RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN, TEMPORAL_UI_URL). */
  policyRules?: PolicyRules;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
}

interface Form {
  csrf?: unknown;
  login?: unknown;
  password?: unknown;
  language?: unknown;
  back?: unknown;
  outcome?: unknown;
  date?: unknown;
  reason?: unknown;
}

/** Where the language switch may return to: the console's own pages only, never a URL from outside. */
function languageBack(back: unknown): string {
  if (back === '/' || back === '/tasks') return back;
  if (typeof back === 'string' && /^\/tasks\/\d{1,15}$/.test(back)) return back;
  if (typeof back === 'string' && /^\/runs(\/\d{4}-\d{2})?$/.test(back)) return back;
  if (typeof back === 'string' && /^\/reinstatements(\/\d{1,15})?$/.test(back)) return back;
  if (typeof back === 'string' && /^\/policies(\/\d{1,15})?$/.test(back)) return back;
  if (typeof back === 'string' && /^\/audit(\/verify|\/policies\/\d{1,15})?$/.test(back)) return back;
  if (typeof back === 'string' && /^\/reports(\/[a-z-]{1,20}(\?[A-Za-z0-9=&-]{0,80})?)?$/.test(back)) return back;
  if (typeof back === 'string' && /^\/admin\/(users(\/\d{1,9})?|roles)$/.test(back)) return back;
  return '/sign-in';
}

/** A task number from the path, or undefined (answered as an unknown page). */
function taskNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

export async function buildConsole(options: ConsoleOptions): Promise<FastifyInstance> {
  const { db, settings } = options;
  const times: SessionTimes = { idleMs: settings.idleMinutes * 60_000, absoluteMs: settings.absoluteHours * 3_600_000 };
  const limiter = new SignInLimiter(db, options.limiterKey, options.limits ?? DEFAULT_LIMITS);
  const insurerFigures = new InsurerFiguresMemo();
  const app = Fastify({
    loggerInstance: options.logger,
    trustProxy: settings.trustProxy,
    bodyLimit: 16 * 1024,
    // fastify's own request lines carry the client address: the onResponse hook below writes its own,
    // and the error handler logs errors.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(cookie);
  await app.register(formbody);

  const cookieFlags = { httpOnly: true, sameSite: 'strict' as const, secure: settings.secureCookies, path: '/' };
  // OIDC configured (RENEWALS_OIDC_ISSUER): the sign-in page offers the company account.
  const companyAccount = settings.oidc !== undefined;
  const languageOf = (request: FastifyRequest): Language => {
    const value = request.cookies[LANGUAGE_COOKIE];
    return isLanguage(value) ? value : 'zh-CN';
  };
  const page = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    // No page is kept by the browser: after sign-out the back button asks the server again.
    reply.header('Cache-Control', 'no-store');
    if (!STATIC_PATHS.has(request.url)) request.consoleSession = await resumeSession(db, request.cookies[SESSION_COOKIE], times, Date.now());
  });

  /** The pre-sign-in CSRF token: a random value in its own cookie that the form must repeat. */
  const signInCsrf = (request: FastifyRequest, reply: FastifyReply): string => {
    const present = request.cookies[SIGN_IN_CSRF_COOKIE];
    if (present && /^[A-Za-z0-9_-]{43}$/.test(present)) return present;
    const token = randomToken();
    reply.setCookie(SIGN_IN_CSRF_COOKIE, token, cookieFlags);
    return token;
  };

  // Every POST carries the CSRF token of its session, or before sign-in the pre-sign-in one.
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const body = (request.body ?? {}) as Form;
    // Signing out of a session that has ended already has nothing to protect.
    if (request.url === '/sign-out' && !request.consoleSession) return reply.redirect('/sign-in', 303);
    const session = request.url === '/sign-in' ? undefined : request.consoleSession;
    const expected = session ? session.csrfToken : request.cookies[SIGN_IN_CSRF_COOKIE];
    if (!expected || !sameToken(body.csrf, expected)) {
      const language = languageOf(request);
      return page(reply, 403, messagePage(language, session?.csrfToken ?? signInCsrf(request, reply), wordsFor(language).csrfRefused));
    }
  });

  // Method, route, status and time only: no client address, header, cookie, query or body in any line.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'console request');
  });

  app.get('/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(STYLE_SHEET));
  app.get('/console.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(CONSOLE_SCRIPT));

  // No icon: an empty answer, so browsers stop asking and nothing is logged as missing.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('Cache-Control', 'public, max-age=86400').send());

  app.get('/sign-in', async (request, reply) => {
    if (request.consoleSession) return reply.redirect('/', 303);
    const notice = takeSignInNotice(request, reply, cookieFlags);
    return page(reply, 200, signInPage(languageOf(request), signInCsrf(request, reply), notice && wordsFor(languageOf(request))[notice], companyAccount));
  });

  app.post('/sign-in', async (request, reply) => {
    const language = languageOf(request);
    const words = wordsFor(language);
    const csrf = signInCsrf(request, reply);
    const body = request.body as Form;
    if (typeof body.login !== 'string' || typeof body.password !== 'string' || body.login === '' || body.password === '') return page(reply, 400, signInPage(language, csrf, words.signInMissing, companyAccount));
    const login = body.login.trim().toLowerCase();
    const keys = [`login:${login}`, `address:${request.ip}`];
    const at = limiter.now();
    if (await limiter.locked(keys, at)) return page(reply, 429, signInPage(language, csrf, words.signInLocked, companyAccount));
    try {
      const user = await checkPassword(db, login, body.password, settings.environment);
      await limiter.clear(keys[0]!);
      const sessionId = await openSession(db, user, times, Date.now());
      reply.setCookie(SESSION_COOKIE, sessionId, cookieFlags);
      return reply.redirect('/', 303);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      if (await limiter.fail(keys, at)) {
        const known = await findUserByLogin(db, login);
        await appendAudit(db, { kind: 'console_sign_in_locked', actor: known ? userRef(known.id) : 'console:unknown-login', detail: { ...(known ? { user: userRef(known.id) } : {}), minutes: Math.round((options.limits ?? DEFAULT_LIMITS).windowMs / 60_000) } });
      }
      return page(reply, 401, signInPage(language, csrf, words.signInRefused, companyAccount));
    }
  });

  app.post('/sign-out', async (request, reply) => {
    if (request.consoleSession) await closeSession(db, request.consoleSession);
    reply.clearCookie(SESSION_COOKIE, cookieFlags);
    return reply.redirect('/sign-in', 303);
  });

  app.post('/language', async (request, reply) => {
    const body = request.body as Form;
    if (isLanguage(body.language)) reply.setCookie(LANGUAGE_COOKIE, body.language, { ...cookieFlags, maxAge: 365 * 24 * 3600 });
    return reply.redirect(languageBack(body.back), 303);
  });

  app.get('/', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const today = shanghaiDate(Date.now());
    const premiums = await monthPremiums(db, monthOf(today), today, session.scopes);
    const charts = homeCharts(languageOf(request), session, await homeFigures(db, session, monthOf(today), today, insurerFigures, Date.now()), settings.collectionTargets);
    return page(reply, 200, homePage(languageOf(request), session, premiums, charts));
  });

  const notFound = (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession) => page(reply, 404, messagePage(languageOf(request), session.csrfToken, wordsFor(languageOf(request)).notFound));
  const forbidden = (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession) => page(reply, 403, messagePage(languageOf(request), session.csrfToken, wordsFor(languageOf(request)).forbidden));
  const message = (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, status: number, text: string) => page(reply, status, messagePage(languageOf(request), session.csrfToken, text));
  registerRunRoutes(app, { db, temporal: options.temporal, languageOf, page, forbidden, notFound, message }, cookieFlags);

  // The work queue: the person's open tasks as `renewals tasks list` shows them (permission `tasks list`, scope rule `list`).
  app.get('/tasks', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayListTasks(session)) return forbidden(request, reply, session);
    const language = languageOf(request);
    const words = wordsFor(language);
    const rows = await workQueue(db, session.scopes, shanghaiDate(Date.now()));
    let notice: string | undefined;
    const flash = /^(\d{1,15})\.([a-z_]{1,32})$/.exec(request.cookies[NOTICE_COOKIE] ?? '');
    if (flash) {
      notice = words.recorded(Number(flash[1]), words.outcomeNames[flash[2]!] ?? flash[2]!);
      reply.clearCookie(NOTICE_COOKIE, cookieFlags);
    }
    return page(reply, 200, queuePage(language, session, rows, notice));
  });

  // One task (scope rule `task`): outside the scope it answers as if it did not exist.
  app.get<{ Params: { id: string } }>('/tasks/:id', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayListTasks(session)) return forbidden(request, reply, session);
    const id = taskNumber(request.params.id);
    const task = id === undefined ? undefined : await taskInScope(db, session.scopes, id);
    if (!task) return notFound(request, reply, session);
    const details = await loadTaskPage(db, options.temporal, task, shanghaiDate(Date.now()));
    return page(reply, 200, taskPage(languageOf(request), session, details));
  });

  // An outcome, through completeTaskOf as `renewals tasks complete` sends it (permission `tasks complete`).
  app.post<{ Params: { id: string } }>('/tasks/:id/outcome', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayCompleteTasks(session)) return forbidden(request, reply, session);
    const id = taskNumber(request.params.id);
    const task = id === undefined ? undefined : await taskInScope(db, session.scopes, id);
    if (!task) return notFound(request, reply, session);
    const language = languageOf(request);
    const words = wordsFor(language);
    const again = async (status: number, problem: string) => page(reply, status, taskPage(language, session, await loadTaskPage(db, options.temporal, (await taskInScope(db, session.scopes, task.id)) ?? task, shanghaiDate(Date.now())), problem));
    if (task.status !== 'open') return again(409, words.taskClosed(words.taskStatuses[task.status] ?? task.status));
    const wanted = outcomeOfForm(task, request.body as Form, shanghaiDate(Date.now()));
    if ('problem' in wanted) return again(400, words[wanted.problem]);
    if (!options.temporal) return again(503, words.temporalMissing);
    try {
      await recordOutcome(db, options.temporal, task.id, wanted.outcome, wanted.details, session.ref);
    } catch (error) {
      // The cycle's (or the records') refusal, said on the page; the task stays as it was.
      if (error instanceof OperatorError) return again(error.usage ? 400 : 409, words.outcomeRefused(error.message));
      throw error;
    }
    reply.setCookie(NOTICE_COOKIE, `${task.id}.${wanted.outcome}`, { ...cookieFlags, maxAge: 300 });
    return reply.redirect('/tasks', 303);
  });

  registerReinstatementRoutes(app, { db, temporal: options.temporal, now: options.now ?? Date.now, languageOf, page, cookieFlags });
  registerPolicyRoutes(app, { db, temporal: options.temporal, rules: options.policyRules ?? DEFAULT_POLICY_RULES, languageOf, page, cookieFlags });
  registerAuditRoutes(app, { db, languageOf, page, cookieFlags });
  registerReportRoutes(app, { db, languageOf, page, forbidden, notFound });
  registerAdminRoutes(app, { db, languageOf, page, cookieFlags });
  if (settings.oidc) {
    const flowStarts = new SignInLimiter(db, options.limiterKey, options.flowLimits ?? OIDC_FLOW_LIMITS);
    registerOidcRoutes(app, { db, config: settings.oidc, publicUrl: settings.publicUrl, times, sessionCookie: SESSION_COOKIE, cookieFlags, flowStarts });
  }

  app.setErrorHandler(async (error, request, reply) => {
    // A client's mistake (e.g. a body too large) keeps its 4xx; anything else is ours and logged.
    const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
    const status = typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
    if (status === 500) request.log.error({ err: error, route: request.routeOptions.url ?? 'unknown' }, 'console request failed');
    const language = languageOf(request);
    const words = wordsFor(language);
    return page(reply, status, messagePage(language, request.consoleSession?.csrfToken ?? signInCsrf(request, reply), status === 500 ? words.failed : words.badRequest));
  });

  app.setNotFoundHandler(async (request, reply) => {
    const language = languageOf(request);
    return page(reply, 404, messagePage(language, request.consoleSession?.csrfToken ?? signInCsrf(request, reply), wordsFor(language).notFound));
  });

  return app;
}
