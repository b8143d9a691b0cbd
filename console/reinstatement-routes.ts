import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { OperatorError } from '../application/errors';
import { shanghaiDate } from '../domain/civil-date';
import { wordsFor, type Language } from './i18n';
import { messagePage } from './pages';
import { applicationPage, reinstatementQueuePage } from './reinstatement-pages';
import { applicationInScope, applicationLine, awaitsUnderwriter, decisionOfForm, mayDecideReinstatements, recordDecision, reinstatementQueue, type DecisionForm } from './reinstatement-queue';
import type { ConsoleTemporal } from './work-queue';

/** The one-line confirmation the reinstatement queue shows once after a decision: `<application>.<decision>`. */
export const REINSTATEMENT_NOTICE_COOKIE = 'renewals_reinstatement_notice';

export interface ReinstatementRouteDeps {
  db: Knex;
  temporal: ConsoleTemporal | undefined;
  /** The console's clock: today's quote and the window are for this instant (a test passes its server's). */
  now: () => number;
  languageOf: (request: FastifyRequest) => Language;
  page: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  cookieFlags: { httpOnly: boolean; sameSite: 'strict'; secure: boolean; path: string };
}

/** An application number from the path, or undefined (answered as an unknown page). */
function applicationNumber(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * `/reinstatements` (docs/architecture.md#console): the underwriter's queue, one application, its
 * decision. Permission `reinstate decide` (403 without it); an application outside the scope is a 404.
 */
export function registerReinstatementRoutes(app: FastifyInstance, deps: ReinstatementRouteDeps): void {
  const { db, page, languageOf } = deps;
  const today = () => shanghaiDate(deps.now());
  const message = (request: FastifyRequest, reply: FastifyReply, status: number, text: string) => page(reply, status, messagePage(languageOf(request), request.consoleSession!.csrfToken, text));

  app.get('/reinstatements', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const language = languageOf(request);
    const words = wordsFor(language);
    if (!mayDecideReinstatements(session)) return message(request, reply, 403, words.forbidden);
    const lines = await reinstatementQueue(db, deps.temporal, session.scopes, today());
    let notice: string | undefined;
    const flash = /^(\d{1,15})\.([a-z_]{1,32})$/.exec(request.cookies[REINSTATEMENT_NOTICE_COOKIE] ?? '');
    if (flash) {
      notice = words.decided(Number(flash[1]), words.decisionNames[flash[2]!] ?? flash[2]!);
      reply.clearCookie(REINSTATEMENT_NOTICE_COOKIE, deps.cookieFlags);
    }
    return page(reply, 200, reinstatementQueuePage(language, session, lines, notice));
  });

  app.get<{ Params: { id: string } }>('/reinstatements/:id', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const words = wordsFor(languageOf(request));
    if (!mayDecideReinstatements(session)) return message(request, reply, 403, words.forbidden);
    const id = applicationNumber(request.params.id);
    const row = id === undefined ? undefined : await applicationInScope(db, session.scopes, id, today());
    if (!row) return message(request, reply, 404, words.notFound);
    return page(reply, 200, applicationPage(languageOf(request), session, await applicationLine(db, deps.temporal, row, today())));
  });

  // A decision, through decideReinstatement as `renewals reinstate decide` sends it, signed by the person.
  app.post<{ Params: { id: string } }>('/reinstatements/:id/decision', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const language = languageOf(request);
    const words = wordsFor(language);
    if (!mayDecideReinstatements(session)) return message(request, reply, 403, words.forbidden);
    const id = applicationNumber(request.params.id);
    const row = id === undefined ? undefined : await applicationInScope(db, session.scopes, id, today());
    if (!row) return message(request, reply, 404, words.notFound);
    const again = async (status: number, problem: string) => page(reply, status, applicationPage(language, session, await applicationLine(db, deps.temporal, row, today()), problem));
    const line = await applicationLine(db, deps.temporal, row, today());
    if (!awaitsUnderwriter(line)) return again(409, words.applicationClosed(words.applicationStatuses[line.status] ?? line.status));
    let wanted: ReturnType<typeof decisionOfForm>;
    try {
      wanted = decisionOfForm(request.body as DecisionForm);
    } catch (error) {
      // decisionFrom's refusal of a code outside the domain's lists, naming it.
      if (error instanceof OperatorError) return again(400, words.decisionRefused(error.message));
      throw error;
    }
    if ('problem' in wanted) return again(400, words[wanted.problem]);
    if (!deps.temporal) return again(503, words.temporalMissing);
    try {
      await recordDecision(db, deps.temporal, row, wanted.decision, session.ref);
    } catch (error) {
      // The workflow's refusal (four-eyes, no declaration yet, deemed consent), said on the page.
      if (error instanceof OperatorError) return again(error.usage ? 400 : 409, words.decisionRefused(/four-eyes/.test(error.message) ? `${words.fourEyes} (${error.message})` : error.message));
      throw error;
    }
    reply.setCookie(REINSTATEMENT_NOTICE_COOKIE, `${row.id}.${wanted.kind}`, { ...deps.cookieFlags, maxAge: 300 });
    return reply.redirect('/reinstatements', 303);
  });
}
