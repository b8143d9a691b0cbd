import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { OperatorError } from '../application/errors';
import { shanghaiDate } from '../domain/civil-date';
import { mayRun } from '../domain/permissions';
import { wordsFor, type Language, type Words } from './i18n';
import { messagePage } from './pages';
import {
  actionOfForm,
  isPolicyAction,
  loadPolicyPage,
  mayShowPolicies,
  mayTakeAction,
  POLICY_HISTORY,
  policyRefOf,
  premiumInScope,
  takeAction,
  type ActionForm,
  type PolicyRules,
} from './policy-page';
import { policyPage, policySearchPage } from './policy-pages';
import type { ConsoleTemporal } from './work-queue';

/** The one-line confirmation the policy page shows once after an action: `<ref>.<notice>`, codes and numbers only. */
export const POLICY_NOTICE_COOKIE = 'renewals_policy_notice';

export interface PolicyRouteDeps {
  db: Knex;
  temporal: ConsoleTemporal | undefined;
  rules: PolicyRules;
  languageOf: (request: FastifyRequest) => Language;
  page: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  cookieFlags: { httpOnly: boolean; sameSite: 'strict'; secure: boolean; path: string };
}

/** A premium number from the path, or undefined (answered as an unknown page). */
function refNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The notice cookie's text in the person's words, or undefined when it is not for this page. */
function noticeText(value: string | undefined, ref: number, words: Words): string | undefined {
  const flash = /^(\d{1,15})\.([a-z_]{1,16})(?:\.([a-z_0-9]{1,32}))?$/.exec(value ?? '');
  if (!flash || Number(flash[1]) !== ref) return undefined;
  const [, , what, detail] = flash;
  if (what === 'awaiting' && detail && /^\d+$/.test(detail)) return words.awaitingSecondCashier(Number(detail));
  if (what === 'hold' && detail) return words.holdPlacedNotice(words.holdKinds[detail] ?? detail);
  if (what === 'release' && detail) return words.holdReleasedNotice(words.holdKinds[detail] ?? detail);
  return words.actionNotices[what!];
}

/**
 * `/policies` (docs/architecture.md#console): the search (POST, so the policy number never sits in
 * a URL), the policy page by its premium's number, and its actions. Permission `policy show` (403
 * without it); a policy outside the scope answers as one that does not exist (404).
 */
export function registerPolicyRoutes(app: FastifyInstance, deps: PolicyRouteDeps): void {
  const { db, page, languageOf } = deps;
  const message = (request: FastifyRequest, reply: FastifyReply, status: number, text: string) => page(reply, status, messagePage(languageOf(request), request.consoleSession!.csrfToken, text));

  app.get('/policies', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const language = languageOf(request);
    if (!mayShowPolicies(session)) return message(request, reply, 403, wordsFor(language).forbidden);
    return page(reply, 200, policySearchPage(language, session));
  });

  app.post('/policies', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const language = languageOf(request);
    const words = wordsFor(language);
    if (!mayShowPolicies(session)) return message(request, reply, 403, words.forbidden);
    const typed = (request.body as { policyNo?: unknown }).policyNo;
    const policyNo = typeof typed === 'string' ? typed.trim() : '';
    if (policyNo === '' || policyNo.length > 32) return page(reply, 400, policySearchPage(language, session, words.policySearchMissing));
    const ref = await policyRefOf(db, session.scopes, policyNo);
    if (ref === undefined) return page(reply, 404, policySearchPage(language, session, words.policyNotFound));
    return reply.redirect(`/policies/${ref}`, 303);
  });

  /**
   * The signed-in person allowed `policy show` and the premium the path names in their scope, or
   * undefined with the answer sent: sign-in, 403, or 404 as if it did not exist.
   */
  const policyOf = async (request: FastifyRequest<{ Params: { ref: string } }>, reply: FastifyReply) => {
    const session = request.consoleSession;
    if (!session) return void reply.redirect('/sign-in', 303);
    const language = languageOf(request);
    const words = wordsFor(language);
    if (!mayShowPolicies(session)) return void message(request, reply, 403, words.forbidden);
    const ref = refNumber(request.params.ref);
    const premium = ref === undefined ? undefined : await premiumInScope(db, session.scopes, ref);
    if (!premium) return void message(request, reply, 404, words.notFound);
    return { session, language, words, premium };
  };

  app.get<{ Params: { ref: string } }>('/policies/:ref', async (request, reply) => {
    const found = await policyOf(request, reply);
    if (!found) return reply;
    const { session, language, words, premium } = found;
    const notice = noticeText(request.cookies[POLICY_NOTICE_COOKIE], Number(premium.id), words);
    if (request.cookies[POLICY_NOTICE_COOKIE] !== undefined) reply.clearCookie(POLICY_NOTICE_COOKIE, deps.cookieFlags);
    const loaded = await loadPolicyPage(db, deps.temporal, deps.rules, premium, mayRun(session.roles, POLICY_HISTORY));
    return page(reply, 200, policyPage(language, session, loaded, deps.rules, notice ? { notice } : {}));
  });

  // One action, through the function the CLI's command calls, signed by the person (permission of that command).
  app.post<{ Params: { ref: string } }>('/policies/:ref/actions', async (request, reply) => {
    const found = await policyOf(request, reply);
    if (!found) return reply;
    const { session, language, words, premium } = found;
    const form = request.body as ActionForm;
    const again = async (status: number, problem: string) =>
      page(reply, status, policyPage(language, session, await loadPolicyPage(db, deps.temporal, deps.rules, premium, mayRun(session.roles, POLICY_HISTORY)), deps.rules, { problem }));
    if (!isPolicyAction(form.action)) return again(400, words.actionUnknown);
    if (!mayTakeAction(session, form.action)) return message(request, reply, 403, words.forbidden);
    const wanted = actionOfForm(form.action, form, shanghaiDate(Date.now()));
    if ('problem' in wanted) return again(400, words[wanted.problem]);
    if (!deps.temporal) return again(503, words.temporalMissing);
    let notice: string;
    try {
      notice = await takeAction(db, deps.temporal, deps.rules, premium, wanted, session.ref);
    } catch (error) {
      // The cycle's refusal (or the four-eyes line's), said on the page after a lead in the person's words.
      if (error instanceof OperatorError) return again(error.usage ? 400 : 409, words.actionRefused(error.message));
      throw error;
    }
    reply.setCookie(POLICY_NOTICE_COOKIE, `${premium.id}.${notice}`, { ...deps.cookieFlags, maxAge: 300 });
    return reply.redirect(`/policies/${premium.id}`, 303);
  });
}
