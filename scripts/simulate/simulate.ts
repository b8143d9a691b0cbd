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
import type { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import type { Knex } from 'knex';
import { OperatorError } from '../../application/errors';
import { importFile, type ImportReport } from '../../application/import-files';
import { startMonthlyRun } from '../../application/monthly-runs';
import { connect, migrateLatest } from '../../db/connection';
import { configuredKeys } from '../../config/data-keys';
import { readDemoSettings } from '../../config/settings';
import { letterRefusals, withDurableLetters } from '../../workers/letter-wiring';
import { describeKeyRing } from '../../db/key-ring-description';
import { openKeyRing } from '../../db/key-ring';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { shanghaiDate, shanghaiInstant, type CivilDate } from '../../domain/civil-date';
import { readAccountsCsv } from '../../integrations/bank/accounts-csv';
import { SimulatedBank } from '../../integrations/bank/simulator';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { bundleRenewalWorkflows, createRenewalWorker } from '../../workers/renewal-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';
import { seedReferenceData } from '../seed';
import { createApplicationLogin, createDatabase, dropDatabase, startPostgres } from '../provision/postgres';
import { startMessagingSimulators } from '../messaging-simulators';
import { noticePayLinks } from '../../application/payment-links';
import { startOnlinePaymentStack } from '../payment-simulators';
import { paymentMix, type PaymentMix } from './payment-mix';
import { startSmtpCatcher } from '../smtp-catcher';
import { startTimeSkippingServer } from '../temporal-env';
import type { AppliedEvent } from './apply-event';
import { parseEvents, type ScenarioRowError } from './events';
import { earliestDueMonth, scenarioFiles } from './scenario-files';
import { advanceTo, playMonth } from './play-month';
import { shiftMonth, shiftScenarioYears, yearsToLieAhead } from './shift-dates';
import { checkPlansFitProducts, productsUnderPlan, readScenarioPlans, requireKnownPlan } from './plans';
import { saveCollectionPlans, productPlanCodes } from '../../db/repositories/collection-plans';
import { refuseExistingSimulationOutputs, simulationOutputFiles, writeSimulationOutputs, type OutputFiles } from './outputs';
import { monthKpis, type MonthKpis } from './kpis';

export interface SimulateOptions {
  dir: string;
  /** YYYY-MM; default: the month of the earliest due date in the scenario. */
  month?: string;
  /** Folder for the report, the audit export and the emails. */
  out?: string;
  /** Replace the files of an earlier run in `out`. */
  force?: boolean;
  /** The plan every product is collected under (built-in standard-60 or one of the scenario's plans.json); default: products.csv's. */
  plan?: string;
  progress?: (line: string) => void;
  /**
   * Called once every premium has settled, while the server and the worker still run: a benchmark
   * reads the cycles' histories here (bench/month-drive.ts).
   */
  onSettled?: (settled: { client: Client; db: Knex; month: string }) => Promise<void>;
  /**
   * Cycles the worker keeps in memory (default: the worker's 2,000). A month larger than the cache
   * replays a cycle's history at each of its timers; a benchmark of a large month sizes it to the month.
   */
  maxCachedWorkflows?: number;
}

export interface SimulatedPremium {
  policyNo: string;
  dueDate: CivilDate;
  stage: string;
  paidOn: CivilDate | null;
  paidVia: string | null;
  debitAttempts: number;
  /** Attempts the bank paid and did not return. */
  debitsSucceeded: number;
  lastDebitReason: string | null;
  contacts: Record<string, number>;
  suppressed: Record<string, number>;
  tasks: number;
  lapsedOn: CivilDate | null;
  reinstatedOn: CivilDate | null;
}

export interface SimulationResult {
  scenario: string;
  month: string;
  /** The plan given with --plan (every product collected under it), or null: each product's own. */
  plan: string | null;
  /** The scenario's own plans (plans.json), as code@version. */
  scenarioPlans: string[];
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
  /** How the month's premiums were paid: ways, part payments, suspensions undone, suspense. */
  payments: PaymentMix;
  outputs?: OutputFiles;
}

const TASK_QUEUE = 'renewals-simulation';

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const say = options.progress ?? (() => {});
  const wallStart = Date.now();
  quietWorkerLogs();
  const files = scenarioFiles(options.dir);
  // The scenario's plans and the plan asked for are checked before any server starts.
  const scenarioPlans = files.plans ? readScenarioPlans(files.plans) : [];
  if (options.plan !== undefined) requireKnownPlan('--plan', options.plan, scenarioPlans);
  const cleanups: (() => Promise<unknown>)[] = [];
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    }
  };
  return run(async () => {
    const settings = readDemoSettings();
    // Letters are rendered as the worker renders them: a font it cannot read would fail every letter
    // and retry its step for days of simulated time, so it is refused first, as the worker refuses it.
    const fontRefusals = letterRefusals(settings, 'demo');
    if (fontRefusals.length > 0) throw new OperatorError(fontRefusals.join('; '));
    const keys = configuredKeys(settings);
    const cipher = PiiCipher.forKeys(keys);
    say('starting the Temporal time-skipping server');
    const { env } = await startTimeSkippingServer({ cipher });
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

    // The files are named for the month: known now, checked before anything is played.
    const outDir = options.out ? resolve(options.out) : undefined;
    const outputFiles = outDir ? simulationOutputFiles(outDir, month) : undefined;
    if (outputFiles) refuseExistingSimulationOutputs(outputFiles, options.force);

    say('starting PostgreSQL');
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const dbName = `renewals_sim_${randomBytes(4).toString('hex')}`;
    const migrationUrl = await createDatabase(postgres.url, dbName);
    cleanups.push(() => dropDatabase(postgres.url, dbName));
    // Migrated as the server's superuser; the scenario runs as the application's login, as a worker would.
    const migrator = connect(migrationUrl, { max: 1 });
    await migrateLatest(migrator).finally(() => migrator.destroy());
    const db = connect(await createApplicationLogin(migrationUrl));
    cleanups.push(() => db.destroy());
    say(describeKeyRing(await openKeyRing(db, cipher), keys));

    // The scenario's plans first (products name them), then reference data and the files in dependency order.
    await saveCollectionPlans(db, scenarioPlans);
    const inputErrors: ScenarioRowError[] = [];
    const imports: Omit<ImportReport, 'rejected'>[] = [];
    if (!files.products) await seedReferenceData(db, options.plan);
    const productsFile = files.products && options.plan !== undefined ? productsUnderPlan(shiftDir, files.products, options.plan) : files.products;
    if (options.plan !== undefined) say(`every product collected under plan ${options.plan}`);
    for (const [kind, path] of [
      ...(productsFile ? ([['products', productsFile]] as const) : []),
      ['agents', files.agents],
      ['policies', policiesFile],
    ] as const) {
      say(`importing ${kind}`);
      const { rejected, ...report } = await importFile(db, cipher, kind, path);
      imports.push(report);
      inputErrors.push(...rejected.map((r) => ({ file: `${kind}.csv`, row: r.row, key: r.key, column: r.column, reason: r.reason })));
    }
    if (options.plan !== undefined || scenarioPlans.length > 0) checkPlansFitProducts(scenarioPlans, await productPlanCodes(db));
    const accounts = await readAccountsCsv(files.accounts);
    inputErrors.push(...accounts.errors.map((e) => ({ file: 'accounts.csv', row: e.row, column: e.column, reason: e.message })));
    const parsedEvents = eventsFile ? parseEvents(readFileSync(eventsFile), 'events.csv') : { events: [], errors: [] };
    inputErrors.push(...parsedEvents.errors);

    if (outDir) {
      mkdirSync(outDir, { recursive: true });
      // This run's emails only (an earlier run's are there only with --force): the SMTP server numbers them from 1 again.
      rmSync(join(outDir, 'emails'), { recursive: true, force: true });
    }
    const smtp = await startSmtpCatcher(outDir ? { dir: join(outDir, 'emails') } : {});
    cleanups.push(() => smtp.close());
    const messaging = await startMessagingSimulators((receipts) => recordReceipts(db, receipts));
    cleanups.push(() => messaging.close());
    const email = new SmtpEmail(smtp.url, settings.email.mailFrom);
    cleanups.push(() => Promise.resolve(email.close()));
    const bank = new SimulatedBank(accounts.accounts);
    // Payment links and the WeChat Pay and Alipay simulators, for customers who pay online (pay_online).
    const online = await startOnlinePaymentStack(db, env.client, 0);
    cleanups.push(() => online.close());

    const workflowBundle = await bundleRenewalWorkflows(new DefaultLogger('WARN'));
    const worker = await createRenewalWorker(
      env.nativeConnection,
      // Letters are rendered and stored as in production (docs/architecture.md#letters).
      {
        db,
        cipher,
        bank,
        email,
        text: withDurableLetters(messaging.text, db, settings.letters).text,
        client: env.client,
        serviceHotline: settings.serviceHotline,
        // Reminders and grace notices carry the premium's payment link (docs/architecture.md#online-payment).
        payLinkFor: noticePayLinks(db, () => online.urls.links),
      },
      { taskQueue: TASK_QUEUE, workflowBundle, failureCipher: cipher, ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }) },
    );

    const simulatedFrom = shanghaiDate(await env.currentTimeMs());
    const { events, premiums } = await worker.runUntil(async () => {
      // The schedule's moment for this month: 02:00 on the 1st of the month before.
      await advanceTo(env, shanghaiInstant(`${shiftMonth(month, 0, -1)}-01`, '02:00'));
      say(`monthly run ${month} (simulated ${shanghaiDate(await env.currentTimeMs())})`);
      const runHandle = await startMonthlyRun(env.client, month, { taskQueue: TASK_QUEUE, cycleTaskQueue: TASK_QUEUE });
      const runResult = await runHandle.result();
      say(`  cycles started: ${JSON.stringify(runResult)}`);
      // A returned letter's batch goes beside the other outputs (or to the demo outbox without --out).
      const lettersOutbox = outDir ? join(outDir, 'letters-outbox') : settings.letters.outboxDir;
      return playMonth(env, month, parsedEvents.events, {
          db,
          cipher,
          bank,
          client: env.client,
          accounts: new Map(accounts.accounts.map((a) => [a.accountNo, a])),
          lettersOutbox,
          online: { linkBase: online.urls.links, providers: online.providers, pay: online.pay },
        }, say);
    });
    if (options.onSettled) await options.onSettled({ client: env.client, db, month });
    const simulatedTo = shanghaiDate(await env.currentTimeMs());

    const kpis = await monthKpis(db, month, simulatedTo);
    const audit = await verifyAuditChain(db);
    const result: SimulationResult = {
      scenario: files.dir,
      month,
      plan: options.plan ?? null,
      scenarioPlans: scenarioPlans.map((p) => `${p.code}@${p.version}`),
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
      payments: await paymentMix(db, month),
    };
    if (outputFiles) result.outputs = await writeSimulationOutputs(db, month, simulatedTo, outputFiles, result, options.force);
    result.wallSeconds = Math.round((Date.now() - wallStart) / 100) / 10;
    return result;
  });
}

/**
 * Worker lifecycle lines and retried activities (a provider simulator dropping a connection, retried
 * by Temporal as it should be) would bury the simulation's own progress: only errors are shown, on
 * stderr, SDK core's included (stdout is the result's, with --json).
 */
function quietWorkerLogs(): void {
  try {
    installTemporalRuntime(new DefaultLogger('ERROR'), { coreLevel: 'ERROR' });
  } catch {
    // A runtime is already installed in this process (tests install their own): keep it.
  }
}
