import type { FastifyInstance } from 'fastify';
import { collectionCurve } from '../reports/collection-curve';
import type { MonthlyReport } from '../reports/monthly';
import { MAX_COHORT_MONTHS } from '../reports/reinstatement';
import { renderReport } from '../reports/report-output';
import { collectionCurveChart, reportChart } from './report-charts';
import { wordsFor, type Language } from './i18n';
import { buildReport, checkPeriod, fieldsOf, isReportKind, mayReadReport, readableReports, type PeriodCheck, type PeriodInput, type ReportKind } from './report-kinds';
import { reportPage, reportsPage, type PeriodProblem } from './report-pages';
import type { RouteKit } from './run-routes';

/**
 * The reports routes (docs/architecture.md#console), registered by console/server.ts: `GET /reports`
 * (the reports the person may have), `GET /reports/<kind>?<period>` (on screen) and
 * `GET /reports/<kind>.xlsx|.csv?<period>` (the file `renewals report <kind> --format xlsx|csv` writes,
 * from the same renderer). Permission and scope as the CLI's report commands; only periods in the URL.
 */

type ReportKit = Pick<RouteKit, 'db' | 'languageOf' | 'page' | 'forbidden' | 'notFound'>;

const FILE_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;
type FileFormat = keyof typeof FILE_TYPES;

/** `<kind>`, `<kind>.xlsx` or `<kind>.csv` from the path. */
function named(name: string): { kind: ReportKind; format?: FileFormat } | undefined {
  const match = /^([a-z-]{1,20})(?:\.(xlsx|csv))?$/.exec(name);
  if (!match || !isReportKind(match[1])) return undefined;
  return { kind: match[1], ...(match[2] ? { format: match[2] as FileFormat } : {}) };
}

/** The file's name: the kind and its period, letters, digits and - only. */
function fileName(kind: ReportKind, period: PeriodInput, format: FileFormat): string {
  const parts = [kind, ...Object.values(period).filter((v): v is string => v !== undefined)];
  return `${parts.join('_').replace(/[^A-Za-z0-9_-]/g, '')}.${format}`;
}

function problemText(language: Language, check: Extract<PeriodCheck, { problem: unknown }>): PeriodProblem {
  const words = wordsFor(language);
  const { field, got, why } = check.problem;
  return { field, text: words.reportFieldInvalid(field, words.reportFields[field] ?? field, got, why, MAX_COHORT_MONTHS) };
}

export function registerReportRoutes(app: FastifyInstance, kit: ReportKit): void {
  const { db } = kit;

  app.get('/reports', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const kinds = readableReports(session);
    if (kinds.length === 0) return kit.forbidden(request, reply, session);
    return kit.page(reply, 200, reportsPage(kit.languageOf(request), session, kinds));
  });

  app.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>('/reports/:name', async (request, reply) => {
    const session = request.consoleSession;
    if (!session) return reply.redirect('/sign-in', 303);
    const wanted = named(request.params.name);
    if (!wanted) return kit.notFound(request, reply, session);
    const { kind, format } = wanted;
    if (!mayReadReport(session, kind)) return kit.forbidden(request, reply, session);
    const language = kit.languageOf(request);
    const check = checkPeriod(kind, request.query);
    const typed = Object.fromEntries(Object.entries(request.query).filter((e): e is [string, string] => typeof e[1] === 'string')) as PeriodInput;
    if ('problem' in check) return kit.page(reply, 400, reportPage(language, session, { kind, typed, problem: problemText(language, check) }));
    if ('empty' in check) {
      if (format) return kit.page(reply, 400, reportPage(language, session, { kind, typed, problem: problemText(language, { problem: { field: fieldsOf(kind)[0]!, got: '', why: 'shape' } }) }));
      return kit.page(reply, 200, reportPage(language, session, { kind, typed: {} }));
    }
    const report = await buildReport(db, kind, check.period, session);
    if (format) {
      const file = await renderReport(report, format);
      return reply
        .type(FILE_TYPES[format])
        .header('Content-Disposition', `attachment; filename="${fileName(kind, check.period, format)}"`)
        .send(file);
    }
    // The monthly report's chart: its month's collection curve to the report's own as-of day.
    const summary = kind === 'monthly' ? (report as MonthlyReport).summary : undefined;
    const charts = summary ? collectionCurveChart(language, await collectionCurve(db, summary.month, summary.asOf)) : reportChart(language, kind, report);
    return kit.page(reply, 200, reportPage(language, session, { kind, typed: check.period, report, charts }));
  });
}
