import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { OperatorError } from '../application/errors';
import { mayRun } from '../domain/permissions';
import { approvePolicyUnmask, AUDIT_VERIFY, latestUnmaskRequests, mayReadAudit, policyStory, requestPolicyUnmask, UNMASK_APPROVE, UNMASK_REQUEST, unmaskReasonOf, verifyChain } from './audit-page';
import { auditPage, storyPage, verifyPage, type AuditMessages } from './audit-pages';
import { wordsFor, type Language, type Words } from './i18n';
import { messagePage } from './pages';
import { policyRefOf, premiumInScope } from './policy-page';
import type { ConsoleSession } from './sessions';

/** The one-line confirmation the audit page shows once: `requested.<id>` or `approved.<id>`. */
export const AUDIT_NOTICE_COOKIE = 'renewals_audit_notice';

export interface AuditRouteDeps {
  db: Knex;
  languageOf: (request: FastifyRequest) => Language;
  page: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  cookieFlags: { httpOnly: boolean; sameSite: 'strict'; secure: boolean; path: string };
}

function numberOf(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function noticeText(value: string | undefined, words: Words): string | undefined {
  const flash = /^(requested|approved)\.(\d{1,15})$/.exec(value ?? '');
  if (!flash) return undefined;
  return flash[1] === 'requested' ? words.unmaskRequested(Number(flash[2])) : words.unmaskApproved(Number(flash[2]));
}

/**
 * `/audit` (docs/architecture.md#console), for the roles that may run `audit export` (compliance):
 * a policy's story by the same POST → opaque reference as the policy page, the chain check (`audit
 * verify`), and the four-eyes unmask requests through application/audit-unmask.ts, signed by the person.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  const { db, page, languageOf } = deps;
  const message = (request: FastifyRequest, reply: FastifyReply, status: number, text: string) => page(reply, status, messagePage(languageOf(request), request.consoleSession!.csrfToken, text));

  /** The session if the person may read the audit trail, or the answer already sent. */
  const gate = (request: FastifyRequest, reply: FastifyReply, command?: string): ConsoleSession | FastifyReply => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayReadAudit(session) || (command !== undefined && !mayRun(session.roles, command))) return message(request, reply, 403, wordsFor(languageOf(request)).forbidden);
    return session;
  };
  const front = async (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, status: number, shown: AuditMessages) =>
    page(reply, status, auditPage(languageOf(request), session, await latestUnmaskRequests(db), shown, mayRun(session.roles, AUDIT_VERIFY)));

  app.get('/audit', async (request, reply) => {
    const session = gate(request, reply);
    if (!('ref' in session)) return session;
    const notice = noticeText(request.cookies[AUDIT_NOTICE_COOKIE], wordsFor(languageOf(request)));
    if (request.cookies[AUDIT_NOTICE_COOKIE] !== undefined) reply.clearCookie(AUDIT_NOTICE_COOKIE, deps.cookieFlags);
    return front(request, reply, session, 200, notice ? { notice } : {});
  });

  app.post('/audit', async (request, reply) => {
    const session = gate(request, reply);
    if (!('ref' in session)) return session;
    const words = wordsFor(languageOf(request));
    const typed = (request.body as { policyNo?: unknown }).policyNo;
    const policyNo = typeof typed === 'string' ? typed.trim() : '';
    if (policyNo === '' || policyNo.length > 32) return front(request, reply, session, 400, { problem: words.policySearchMissing });
    const ref = await policyRefOf(db, session.scopes, policyNo);
    if (ref === undefined) return front(request, reply, session, 404, { problem: words.policyNotFound });
    return reply.redirect(`/audit/policies/${ref}`, 303);
  });

  app.get<{ Params: { ref: string } }>('/audit/policies/:ref', async (request, reply) => {
    const session = gate(request, reply);
    if (!('ref' in session)) return session;
    const id = numberOf(request.params.ref);
    const premium = id === undefined ? undefined : await premiumInScope(db, session.scopes, id);
    if (!premium) return message(request, reply, 404, wordsFor(languageOf(request)).notFound);
    return page(reply, 200, storyPage(languageOf(request), session, Number(premium.id), premium.policy_no, await policyStory(db, premium.policy_no)));
  });

  // A request for the policy's unmasked rows, as `audit unmask request --policy` records it.
  app.post<{ Params: { ref: string } }>('/audit/policies/:ref/unmask', async (request, reply) => {
    const session = gate(request, reply, UNMASK_REQUEST);
    if (!('ref' in session)) return session;
    const language = languageOf(request);
    const words = wordsFor(language);
    const id = numberOf(request.params.ref);
    const premium = id === undefined ? undefined : await premiumInScope(db, session.scopes, id);
    if (!premium) return message(request, reply, 404, words.notFound);
    const reason = unmaskReasonOf(request.body as { reason?: unknown });
    if (typeof reason !== 'string') return page(reply, 400, storyPage(language, session, Number(premium.id), premium.policy_no, await policyStory(db, premium.policy_no), { problem: words[reason.problem] }));
    const requested = await requestPolicyUnmask(db, premium.policy_no, reason, session.ref);
    reply.setCookie(AUDIT_NOTICE_COOKIE, `requested.${requested}`, { ...deps.cookieFlags, maxAge: 300 });
    return reply.redirect('/audit', 303);
  });

  // The second officer's approval, as `audit unmask approve`; the requester's own is refused (four-eyes).
  app.post<{ Params: { id: string } }>('/audit/unmask/:id/approve', async (request, reply) => {
    const session = gate(request, reply, UNMASK_APPROVE);
    if (!('ref' in session)) return session;
    const words = wordsFor(languageOf(request));
    const id = numberOf(request.params.id);
    if (id === undefined) return message(request, reply, 404, words.notFound);
    try {
      await approvePolicyUnmask(db, id, session.ref);
    } catch (error) {
      if (error instanceof OperatorError) return front(request, reply, session, 409, { problem: words.unmaskRefused(/four-eyes/.test(error.message) ? `${words.unmaskFourEyes} (${error.message})` : error.message) });
      throw error;
    }
    reply.setCookie(AUDIT_NOTICE_COOKIE, `approved.${id}`, { ...deps.cookieFlags, maxAge: 300 });
    return reply.redirect('/audit', 303);
  });

  app.get('/audit/verify', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayRun(session.roles, AUDIT_VERIFY)) return message(request, reply, 403, wordsFor(languageOf(request)).forbidden);
    return page(reply, 200, verifyPage(languageOf(request), session, await verifyChain(db)));
  });
}
