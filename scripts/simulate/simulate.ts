/**
 * The scenario simulator: a whole month of renewals on the time-skipping server, against embedded
 * (or DATABASE_URL) PostgreSQL, a real SMTP server, the bank simulator loaded from the scenario's
 * accounts.csv and the SMS/WeChat provider simulators. It imports the scenario, runs the monthly run
 * the way the schedule would (02:00 on the 1st of the month before the due month), applies the
 * scenario's events at 08:00 of their dates, and moves the clock a day at a time until every event is
 * applied and every premium is paid or lapsed (or the last grace period has run out).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { importFile, type ImportReport } from '../../clients/import-files';
import { startMonthlyRun } from '../../clients/monthly-runs';
import { connect, migrateLatest } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { monthPremiumOutcomes, type MonthPremiumOutcome } from '../../db/repositories/premium-outcomes-month';
import { addDays, shanghaiDate, shanghaiInstant, type CivilDate } from '../../domain/civil-date';
import { readAccountsCsv } from '../../integrations/bank/accounts-csv';
import { SimulatedBank } from '../../integrations/bank/simulator';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { createRenewalWorker, workflowsPath } from '../../workers/renewal-worker';
import { seedReferenceData } from '../seed';
import { createDatabase, dropDatabase, startPostgres } from '../provision/postgres';
import { startMessagingSimulators } from '../messaging-simulators';
import { startSmtpCatcher } from '../smtp-catcher';
import { startTimeSkippingServer } from '../temporal-env';
import { applyEvent, type AppliedEvent } from './apply-event';
import { parseEvents, type ScenarioEvent, type ScenarioRowError } from './events';
import { scenarioFiles } from './scenario-files';
import { shiftMonth, shiftScenarioYears, yearsToLieAhead } from './shift-dates';
import { premiumStages } from './stages';
import { writeSimulationOutputs, type OutputFiles } from './outputs';
import { monthKpis, type MonthKpis } from './kpis';

export interface SimulateOptions {
  dir: string;
  /** YYYY-MM; default: the month of the earliest due date in the scenario. */
  month?: string;
  /** Folder for the report, the audit export and the emails. */
  out?: string;
  progress?: (line: string) => void;
}

export interface SimulatedPremium {
  policyNo: string;
  dueDate: CivilDate;
  stage: string;
  paidOn: CivilDate | null;
  paidVia: string | null;
  debitAttempts: number;
  lastDebitReason: string | null;
  contacts: Record<string, number>;
  suppressed: Record<string, number>;
  tasks: number;
  lapsedOn: CivilDate | null;
}

export interface SimulationResult {
  scenario: string;
  month: string;
  /** Whole years the scenario's dates were moved forward to lie ahead of the server's clock. */
  shiftedYears: number;
  simulatedFrom: CivilDate;
  simulatedTo: CivilDate;
  wallSeconds: number;
  imports: Omit<ImportReport, 'rejected'>[];
  /** Every rejected row of every file: import, accounts and events. */
  inputErrors: ScenarioRowError[];
  events: AppliedEvent[];
  premiums: SimulatedPremium[];
  kpis: MonthKpis;
  audit: { rows: number; chainIntact: boolean };
  emailsDelivered: number;
  outputs?: OutputFiles;
}

const TASK_QUEUE = 'renewals-simulation';
const SETTLED = new Set(['paid', 'lapsed', 'closed', 'waived']);

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const say = options.progress ?? (() => {});
  const wallStart = Date.now();
  quietWorkerLogs();
  const files = scenarioFiles(options.dir);
  const cleanups: (() => Promise<unknown>)[] = [];
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    }
  };
  return run(async () => {
    say('starting the Temporal time-skipping server');
    const { env } = await startTimeSkippingServer();
    cleanups.push(() => env.teardown());
    const today = shanghaiDate(await env.currentTimeMs());

    // Dates first: a month in the past moves the whole scenario forward by whole years.
    const shiftDir = mkdtempSync(join(tmpdir(), 'renewals-scenario-'));
    cleanups.push(() => Promise.resolve(rmSync(shiftDir, { recursive: true, force: true })));
    const requestedMonth = options.month ?? earliestDueMonth(files.policies);
    const shiftedYears = yearsToLieAhead(requestedMonth, today);
    const month = shiftMonth(requestedMonth, shiftedYears);
    let policiesFile = files.policies;
    let eventsFile = files.events;
    if (shiftedYears > 0) {
      say(`the scenario's month ${requestedMonth} has passed on the server's clock (${today}): dates moved forward ${shiftedYears} year(s) to ${month}`);
      const shifted = shiftScenarioYears(shiftDir, shiftedYears, { policies: files.policies, ...(files.events ? { events: files.events } : {}) });
      policiesFile = shifted.policies;
      eventsFile = shifted.events;
    }

    say('starting PostgreSQL');
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const dbName = `renewals_sim_${randomBytes(4).toString('hex')}`;
    const db = connect(await createDatabase(postgres.url, dbName));
    cleanups.push(async () => {
      await db.destroy();
      await dropDatabase(postgres.url, dbName);
    });
    await migrateLatest(db);
    const cipher = PiiCipher.fromEnv();

    // Reference data, then the scenario's files in dependency order.
    const inputErrors: ScenarioRowError[] = [];
    const imports: Omit<ImportReport, 'rejected'>[] = [];
    if (!files.products) await seedReferenceData(db);
    for (const [kind, path] of [
      ...(files.products ? ([['products', files.products]] as const) : []),
      ['agents', files.agents],
      ['policies', policiesFile],
    ] as const) {
      say(`importing ${kind}`);
      const { rejected, ...report } = await importFile(db, cipher, kind, path);
      imports.push(report);
      inputErrors.push(...rejected.map((r) => ({ file: `${kind}.csv`, row: r.row, column: r.column, reason: r.reason })));
    }
    const accounts = await readAccountsCsv(files.accounts);
    inputErrors.push(...accounts.errors.map((e) => ({ file: 'accounts.csv', row: e.row, column: e.column, reason: e.message })));
    const parsedEvents = eventsFile ? parseEvents(readFileSync(eventsFile), 'events.csv') : { events: [], errors: [] };
    inputErrors.push(...parsedEvents.errors);

    const outDir = options.out ? resolve(options.out) : undefined;
    if (outDir) mkdirSync(outDir, { recursive: true });
    const smtp = await startSmtpCatcher(outDir ? { dir: join(outDir, 'emails') } : {});
    cleanups.push(() => smtp.close());
    const messaging = await startMessagingSimulators((receipts) => recordReceipts(db, receipts));
    cleanups.push(() => messaging.close());
    const email = new SmtpEmail(smtp.url, 'Renewals 续期服务 <renewals@insurer.example>');
    cleanups.push(() => Promise.resolve(email.close()));
    const bank = new SimulatedBank(accounts.accounts);

    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: new DefaultLogger('WARN') });
    const worker = await createRenewalWorker(
      env.nativeConnection,
      { db, cipher, bank, email, text: messaging.text, client: env.client },
      { taskQueue: TASK_QUEUE, workflowBundle },
    );

    const simulatedFrom = shanghaiDate(await env.currentTimeMs());
    const { events, premiums } = await worker.runUntil(async () => {
      // The schedule's moment for this month: 02:00 on the 1st of the month before.
      await advanceTo(env, shanghaiInstant(`${shiftMonth(month, 0, -1)}-01`, '02:00'));
      say(`monthly run ${month} (simulated ${shanghaiDate(await env.currentTimeMs())})`);
      const runHandle = await startMonthlyRun(env.client, month, { taskQueue: TASK_QUEUE, cycleTaskQueue: TASK_QUEUE });
      const runResult = await runHandle.result();
      say(`  cycles started: ${JSON.stringify(runResult)}`);
      return playMonth(env, month, parsedEvents.events, { db, cipher, bank, client: env.client, accounts: new Map(accounts.accounts.map((a) => [a.accountNo, a])) }, say);
    });
    const simulatedTo = shanghaiDate(await env.currentTimeMs());

    const kpis = await monthKpis(db, month, simulatedTo);
    const audit = await verifyAuditChain(db);
    const result: SimulationResult = {
      scenario: files.dir,
      month,
      shiftedYears,
      simulatedFrom,
      simulatedTo,
      wallSeconds: 0,
      imports,
      inputErrors,
      events,
      premiums,
      kpis,
      audit: { rows: audit.rows, chainIntact: audit.firstBreak === undefined },
      emailsDelivered: smtp.messages.length,
    };
    if (outDir) result.outputs = await writeSimulationOutputs(db, month, simulatedTo, outDir, result);
    result.wallSeconds = Math.round((Date.now() - wallStart) / 100) / 10;
    return result;
  });
}

/**
 * Worker lifecycle lines and retried activities (a provider simulator dropping a connection, retried
 * by Temporal as it should be) would bury the simulation's own progress: only errors are shown.
 */
function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // A runtime is already installed in this process (tests install their own): keep it.
  }
}

/** Day by day: the day's events at 08:00, until all are applied and every premium is settled. */
async function playMonth(
  env: TestWorkflowEnvironment,
  month: string,
  events: ScenarioEvent[],
  world: Omit<Parameters<typeof applyEvent>[0], 'dueDates'>,
  say: (line: string) => void,
): Promise<{ events: AppliedEvent[]; premiums: SimulatedPremium[] }> {
  const outcomesNow = () => monthPremiumOutcomes(world.db, month);
  const initial = await outcomesNow();
  const dueDates = new Map(initial.map((p) => [p.policyNo, p.dueDate]));
  const graceEnds = await lastGraceDays(world.db, month);
  const horizon = [addDays(graceEnds, 3), ...events.map((e) => e.date)].sort().at(-1)!;
  const applied: AppliedEvent[] = [];
  let pending = [...events];
  let day = shanghaiDate(await env.currentTimeMs());
  let outcomes = initial;
  for (;;) {
    await advanceTo(env, shanghaiInstant(day, '08:00'));
    for (const event of pending.filter((e) => e.date <= day)) {
      applied.push(await applyEvent({ ...world, dueDates }, event));
    }
    pending = pending.filter((e) => e.date > day);
    outcomes = await outcomesNow();
    const open = outcomes.filter((o) => !SETTLED.has(o.status)).length;
    if (day.endsWith('-01') || day.endsWith('-15')) {
      say(`  ${day}: ${outcomes.filter((o) => o.status === 'paid').length} paid, ${outcomes.filter((o) => o.status === 'lapsed').length} lapsed, ${open} open, ${pending.length} events to come`);
    }
    if ((pending.length === 0 && open === 0) || day >= horizon) break;
    day = addDays(day, 1);
  }
  // Let the last day's work (contacts, letters) finish before reading the outcome.
  await advanceTo(env, shanghaiInstant(addDays(day, 1), '00:00'));
  outcomes = await outcomesNow();
  const stages = await premiumStages(world.client, outcomes);
  return { events: applied, premiums: outcomes.map((o) => premiumRow(o, stages.get(o.policyNo) ?? '-')) };
}

function premiumRow(o: MonthPremiumOutcome, stage: string): SimulatedPremium {
  return {
    policyNo: o.policyNo,
    dueDate: o.dueDate,
    stage,
    paidOn: o.paidAt ? shanghaiDate(o.paidAt.getTime()) : null,
    paidVia: o.paidVia,
    debitAttempts: o.debitAttempts,
    lastDebitReason: o.lastDebitReason,
    contacts: o.contacts,
    suppressed: o.suppressed,
    tasks: o.tasks,
    lapsedOn: o.lapsedAt ? shanghaiDate(o.lapsedAt.getTime()) : null,
  };
}

async function advanceTo(env: TestWorkflowEnvironment, instant: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now);
}

async function lastGraceDays(db: ReturnType<typeof connect>, month: string): Promise<CivilDate> {
  const row = await db('premium_dues as d')
    .join('policies as p', 'p.policy_no', 'd.policy_no')
    .join('products as r', 'r.code', 'p.product_code')
    .whereRaw(`to_char(d.due_date, 'YYYY-MM') = ?`, [month])
    .first<{ last: string | null }>(db.raw(`to_char(max(d.due_date + r.grace_days), 'YYYY-MM-DD') as last`));
  return row?.last ?? `${month}-28`;
}

/** The month of the earliest next_due_date in policies.csv (bad rows are the import's business). */
function earliestDueMonth(policiesFile: string): string {
  const bytes = readFileSync(policiesFile);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'gbk');
  }
  const rows = parse<Record<string, string>>(text, { bom: true, columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), relax_column_count: true, skip_empty_lines: true });
  const dates = rows.map((r) => r.next_due_date?.trim() ?? '').filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  if (dates.length === 0) throw new Error('policies.csv has no valid next_due_date: pass --month YYYY-MM');
  return dates[0]!.slice(0, 7);
}
