import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { monthlyRunWorkflowId } from '../workflows/monthly-run-messages';
import { auditRunAction, MonthlyRunError, monthlyRunCalendarWarning, pauseMonthlyRun, resumeMonthlyRun, startMonthlyRun } from '../application/monthly-runs';
import { isMonth, type Month } from '../domain/months';
import { mayRun } from '../domain/permissions';
import { wordsFor, type Language } from './i18n';
import { isLive, mayViewRuns, RUN_PAUSE, RUN_RESUME, RUN_START, RUN_STATUS, runFigures, runsOverview, SCHEDULE_SHOW } from './monthly-runs';
import { runPage, runsPage, type RunMessages } from './run-pages';
import type { ConsoleSession } from './sessions';
import type { ConsoleTemporal } from './work-queue';

/**
 * The monthly runs routes (docs/architecture.md#console), registered by console/server.ts: the page,
 * a run's page and its JSON progress, and start / pause / resume through application/monthly-runs.ts,
 * the functions `renewals run start|pause|resume` call. CSRF is checked for every POST by the server.
 */

/** What the server lends these routes. */
export interface RouteKit {
  db: Knex;
  temporal: ConsoleTemporal | undefined;
  languageOf(request: FastifyRequest): Language;
  page(reply: FastifyReply, status: number, body: string): FastifyReply;
  forbidden(request: FastifyRequest, reply: FastifyReply, session: ConsoleSession): FastifyReply;
  notFound(request: FastifyRequest, reply: FastifyReply, session: ConsoleSession): FastifyReply;
  message(request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, status: number, text: string): FastifyReply;
}

/** The one-line confirmation a run's page shows once after start, pause or resume: `<what>.<YYYY-MM>`. */
export const RUN_NOTICE_COOKIE = 'renewals_run_notice';
const NOTICES = ['started', 'there', 'pause', 'resume'] as const;
type Notice = (typeof NOTICES)[number];

interface MonthForm {
  month?: unknown;
}

export function registerRunRoutes(app: FastifyInstance, kit: RouteKit, cookieFlags: { httpOnly: boolean; sameSite: 'strict'; secure: boolean; path: string }): void {
  const { db } = kit;

  /** The session and Temporal a runs route needs, or the answer already sent. */
  const gate = (request: FastifyRequest, reply: FastifyReply, command: string): { session: ConsoleSession; temporal: ConsoleTemporal } | FastifyReply => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    if (!mayRun(session.roles, command)) return kit.forbidden(request, reply, session);
    if (!kit.temporal) return kit.message(request, reply, session, 503, wordsFor(kit.languageOf(request)).runsTemporalMissing);
    return { session, temporal: kit.temporal };
  };

  const noticeOf = (request: FastifyRequest, reply: FastifyReply, month: Month, language: Language): string | undefined => {
    const flash = /^([a-z]{1,8})\.(\d{4}-\d{2})$/.exec(request.cookies[RUN_NOTICE_COOKIE] ?? '');
    if (!flash || flash[2] !== month || !(NOTICES as readonly string[]).includes(flash[1]!)) return undefined;
    reply.clearCookie(RUN_NOTICE_COOKIE, cookieFlags);
    const words = wordsFor(language);
    const text: Record<Notice, string> = { started: words.runStarted(month), there: words.runAlreadyThere(month), pause: words.pauseAsked, resume: words.resumeAsked };
    return text[flash[1] as Notice];
  };

  const done = (reply: FastifyReply, month: Month, notice: Notice) => {
    reply.setCookie(RUN_NOTICE_COOKIE, `${notice}.${month}`, { ...cookieFlags, maxAge: 300 });
    return reply.redirect(`/runs/${month}`, 303);
  };

  const overviewPage = async (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, temporal: ConsoleTemporal, status: number, m: RunMessages = {}) => {
    const showSchedule = mayRun(session.roles, SCHEDULE_SHOW);
    const overview = await runsOverview(db, temporal, Date.now(), showSchedule, (error) => request.log.warn({ err: error }, 'monthly schedule not described'));
    return kit.page(reply, status, runsPage(kit.languageOf(request), session, overview, showSchedule, m));
  };

  const monthPage = async (request: FastifyRequest, reply: FastifyReply, session: ConsoleSession, temporal: ConsoleTemporal, month: Month, status: number, m: RunMessages = {}) => {
    const figures = await runFigures(db, temporal, month);
    // Said where the CLI says it (`run start`): before a month starts and while it runs.
    const warning = figures.state === 'not_started' || isLive(figures.state) ? await monthlyRunCalendarWarning(db, month) : undefined;
    return kit.page(reply, status, runPage(kit.languageOf(request), session, figures, { ...m, ...(warning ? { calendarWarning: warning } : {}) }));
  };

  // The runs and the schedule: permission `run status` (the schedule's section `schedule show` too).
  app.get('/runs', async (request, reply) => {
    const gated = gate(request, reply, RUN_STATUS);
    if (!('session' in gated)) return gated;
    return overviewPage(request, reply, gated.session, gated.temporal, 200);
  });

  // The month field of the runs page for those who may not start one: opens the month's page.
  app.get<{ Querystring: { month?: unknown } }>('/runs/open', async (request, reply) => {
    const gated = gate(request, reply, RUN_STATUS);
    if (!('session' in gated)) return gated;
    const typed = typeof request.query.month === 'string' ? request.query.month.trim() : '';
    if (isMonth(typed)) return reply.redirect(`/runs/${typed}`, 303);
    return overviewPage(request, reply, gated.session, gated.temporal, 400, { problem: wordsFor(kit.languageOf(request)).monthInvalid(typed), monthTyped: typed });
  });

  app.get<{ Params: { month: string } }>('/runs/:month', async (request, reply) => {
    const gated = gate(request, reply, RUN_STATUS);
    if (!('session' in gated)) return gated;
    const { month } = request.params;
    if (!isMonth(month)) return kit.notFound(request, reply, gated.session);
    const notice = noticeOf(request, reply, month, kit.languageOf(request));
    return monthPage(request, reply, gated.session, gated.temporal, month, 200, notice ? { notice } : {});
  });

  // The figures alone, for /console.js: JSON, answered only to a signed-in person allowed `run status`.
  app.get<{ Params: { month: string } }>('/runs/:month/progress', async (request, reply) => {
    const session = request.consoleSession;
    const refuse = (status: number, error: string) => reply.code(status).type('application/json; charset=utf-8').send({ error });
    if (!session) return refuse(401, 'signed out');
    if (!mayViewRuns(session)) return refuse(403, 'forbidden');
    if (!kit.temporal) return refuse(503, 'no temporal');
    const { month } = request.params;
    if (!isMonth(month)) return refuse(404, 'no such month');
    const figures = await runFigures(db, kit.temporal, month);
    const words = wordsFor(kit.languageOf(request));
    return reply.type('application/json; charset=utf-8').send({ ...figures, stateName: words.runStates[figures.state] ?? figures.state });
  });

  // Start: `renewals run start --month` (operations lead); a run already there is returned, not started twice.
  app.post('/runs', async (request, reply) => {
    const gated = gate(request, reply, RUN_START);
    if (!('session' in gated)) return gated;
    const { session, temporal } = gated;
    const body = request.body as MonthForm;
    const typed = typeof body.month === 'string' ? body.month.trim() : '';
    if (!isMonth(typed)) return overviewPage(request, reply, session, temporal, 400, { problem: wordsFor(kit.languageOf(request)).monthInvalid(typed), monthTyped: typed });
    const run = await startMonthlyRun(temporal.client, typed, temporal.runOptions ?? {});
    await auditRunAction(db, 'started', { month: typed, workflowId: run.workflowId, startedNow: run.started }, session.ref);
    return done(reply, typed, run.started ? 'started' : 'there');
  });

  for (const [action, command, act] of [
    ['pause', RUN_PAUSE, pauseMonthlyRun],
    ['resume', RUN_RESUME, resumeMonthlyRun],
  ] as const) {
    app.post<{ Params: { month: string } }>(`/runs/:month/${action}`, async (request, reply) => {
      const gated = gate(request, reply, command);
      if (!('session' in gated)) return gated;
      const { session, temporal } = gated;
      const { month } = request.params;
      if (!isMonth(month)) return kit.notFound(request, reply, session);
      try {
        await act(temporal.client, month);
      } catch (error) {
        if (!(error instanceof MonthlyRunError)) throw error;
        const words = wordsFor(kit.languageOf(request));
        if (error.reason === 'not_found') return monthPage(request, reply, session, temporal, month, 404, { problem: words.runNotStarted });
        const figures = await runFigures(db, temporal, month);
        return kit.page(reply, 409, runPage(kit.languageOf(request), session, figures, { problem: words.runNotRunning(words.runStates[figures.state] ?? figures.state) }));
      }
      await auditRunAction(db, action === 'pause' ? 'paused' : 'resumed', { month, workflowId: monthlyRunWorkflowId(month) }, session.ref);
      return done(reply, month, action);
    });
  }
}
