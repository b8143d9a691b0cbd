/**
 * The chaos suite (issue 20, item 6): a month of premiums on the Temporal CLI dev server, the worker
 * as its own process (workers/main.ts), the bank simulator's gateway, Alibaba SMS and WeChat
 * simulators and the SMTP catcher, while the drill restarts PostgreSQL and Temporal, takes SMTP down,
 * makes the gateway answer HTTP 500 and exhausts the SMS balance. Afterwards: no premium lost or
 * debited twice (bank ledger against the database), every contact sent once or recorded with its
 * reason (provider outboxes against contact_attempts), every cycle's stage as the database has it,
 * the audit chain intact, and no personal data in the workflow histories or the worker's logs.
 *
 * A month in five minutes. The dev server does not skip time, so the month is laid out in space
 * rather than time: the premiums' due dates are spread around today, so that every stage of the plan
 * falls due today for one group (DRILL_PLAN = standard-60 with contacts and debits at 00:00, so a
 * step due today is due the moment its cycle opens): the D-30 email reminder, the D-15 and D-3 SMS,
 * the first debit (the latest bank business day up to today), the D+15 lapse-risk email and letter,
 * the D+55 final notice on every channel, and the lapse (D+61, then the reinstatement window and its
 * lapse SMS and letter). A cycle opened late catches up as in production: overdue reminders are
 * recorded suppressed (`stale`), one debit replaces the overdue attempts, and the latest notice owed
 * still goes before the lapse (the D+55 final notice of the lapse group, after its grace: noted for
 * the lead; at night it waits for 09:00 and holds the lapse back with it, which the drill checks).
 *
 * What each outage stands for, in wall time, and why it is faithful:
 *  - SMTP "hour" (every connection answered 421; at least SMTP_HOUR_MS = 45 s, and until every D-30
 *    email has met it and waits): an email activity tries 4 times in about 35 s
 *    (CONTACT_SEND_ATTEMPTS, retries 5 s doubling) and then answers `waiting`, the cycle going on. A
 *    real hour outlasts those tries the same way; every email falling due in it (the D-30 and D+15
 *    groups are opened inside it) meets it. The next try (15 min later by CONTACT_RETRY_DELAYS_MS)
 *    is brought forward by what operations do once the relay is back: `renewals providers reset
 *    smtp` (application/provider-circuits.ts), which wakes the cycles whose emails wait on it. An
 *    email whose last try met the PostgreSQL restart rather than SMTP waits those 15 min as
 *    `send_failed`, with no provider to reset: that wait alone the drill compresses, with the same
 *    contactUpdated signal the command sends (counted in the figures).
 *  - Gateway "day" (HTTP 500 on every request; at least BANK_DAY_MS = 30 s, and until every debit of
 *    the round has met it): the debit-day group opens inside it; each debit asks the bank about its
 *    key before sending, meets a 500, is marked unknown and retried (10 s doubling, no limit), as it
 *    would be through a day, and goes once the gateway answers again. The invariant only needs every
 *    debit of the round to meet the 500s and the round to end after them.
 *  - SMS balance: the Alibaba simulator refuses every send with isv.AMOUNT_NOT_ENOUGH from the start
 *    of the drill; the first refusal opens the circuit (operations task, audit, alert), every SMS
 *    then waits; some customers pay at the counter meanwhile (their waiting SMS is recorded expired,
 *    reason `paid`); then the balance is topped up and operations run `renewals providers reset
 *    alibaba-sms`, and every waiting SMS goes. SMS and WeChat go only from 09:00 to 21:00 Shanghai
 *    time (quiet hours, a regulation: domain/contact-rules.ts), which no drill may bend: run outside
 *    those hours, no SMS is due, the circuit cannot open, and the drill checks instead that nothing
 *    was sent and that the SMS steps are held for 09:00 (the figures say which it was). Within
 *    SMS_WINDOW_MARGIN_MS (6 min) before 21:00, or 5 min before 09:00, the drill first waits for the
 *    boundary to pass, so that no SMS step falls on either side of it.
 *  - PostgreSQL: a server of this file's own (embedded, persistent data directory, fixed port),
 *    stopped for PG_DOWN_MS once the gateway is back and the round's debits are going through
 *    (taken by the bank, answered, being recorded), then started again. Never the
 *    shared test server: when DATABASE_URL names one, this file still starts its own.
 *  - Temporal: the dev server keeps its state in a SQLite file (--db-filename); stopped for
 *    TEMPORAL_DOWN_MS and started again on the same file and port; the worker process and the
 *    cycles carry on.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentEvent, sendOperatorEvent } from '../../application/operator-events';
import { resetProvider } from '../../application/provider-circuits';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { connect, migrateLatest, type Db } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { recordReceipts } from '../../db/repositories/contact-receipts';
import { upsertPolicy, upsertProduct } from '../../db/repositories/policies';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { addDays, shanghaiDate, shanghaiInstant, type CivilDate } from '../../domain/civil-date';
import { STANDARD_60, type CollectionPlan } from '../../domain/collection-plan';
import type { PolicyRecord } from '../../db/repositories/policies';
import type { SimulatedAccount } from '../../integrations/bank/simulator/accounts';
import { startBankSimulator, type RunningBankSimulator } from '../../integrations/bank/simulator/http-server';
import { startMessagingSimulators, type MessagingSimulators } from '../../scripts/messaging-simulators';
import { createDatabase, freePort, startEmbeddedPostgres, type PostgresServer } from '../../scripts/provision/postgres';
import { reachableByOthers } from '../../scripts/provision/postgres-binaries';
import { seedReferenceData } from '../../scripts/seed';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { startDevServer } from '../../scripts/temporal-env';
import { contactUpdatedSignal, OPENING, statusQuery, type RenewalCycleStatus } from '../../workflows/messages';
import { samplePolicy } from '../support/fixtures';
import { decodedPayloads, failureTexts, personalDataIn } from '../support/personal-data-scan';
import { startWorkerProcess, stopWorkerProcess } from '../support/worker-process';

const TASK_QUEUE = 'chaos-drill';
const DATA_KEY = '66'.repeat(32);
const cipher = new PiiCipher(DATA_KEY);
const SMTP_HOUR_MS = 45_000;
const BANK_DAY_MS = 30_000;
const PG_DOWN_MS = 8_000;
const TEMPORAL_DOWN_MS = 5_000;
const SMS_WINDOW_MARGIN_MS = 6 * 60_000;
const COUNTER_PAYMENTS = 10;
/** The person the drill's counter payments are signed by (an opaque reference, as a signed-in cashier's). */
const CHAOS_CASHIER = 'user:9001';
/**
 * How long the drill waits for the steps an outage is meant to hit, or for the month to settle:
 * generous, for a machine busy with other work (the drill ends each wait as soon as it can).
 */
const GATE_MS = 300_000;

/** standard-60 with contacts and debits at 00:00: a step due today is due when its cycle opens. */
const DRILL_PLAN: CollectionPlan = { ...STANDARD_60, code: 'chaos-drill', contactTime: '00:00', debitTime: '00:00' };

type Fate = 'funded' | 'short' | 'class3' | 'closed';
interface Group {
  name: string;
  /** Days from today to the due date (the debit-day group: the latest bank business day up to today). */
  dueDate: CivilDate;
  size: number;
  preferred: 'email' | 'sms' | 'wechat';
  fate: (i: number) => Fate;
  /** Opened inside which outage. */
  phase: 'smtp' | 'bank' | 'sms';
}

interface Premium {
  group: string;
  policy: PolicyRecord;
  fate: Fate;
  workflowId: string;
}

let dir: string;
let pgPort: number;
let postgres: PostgresServer;
let databaseUrl: string;
let db: Db;
let temporalPort: number;
let env: TestWorkflowEnvironment;
let bank: RunningBankSimulator;
let smtp: SmtpCatcher;
let messaging: MessagingSimulators;
let worker: ChildProcess | undefined;
const workerOutput: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (i: number, n: number) => String(i).padStart(n, '0');

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, explain?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // the database or the server is restarting: ask again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `: ${JSON.stringify(await explain().catch(String))}` : ''}`);
    await sleep(500);
  }
}

function startTemporal(): Promise<{ env: TestWorkflowEnvironment }> {
  return startDevServer({ port: temporalPort, dbFilename: join(dir, 'temporal.db'), logLevel: 'never', cipher });
}

function accountFor(policy: PolicyRecord, fate: Fate): SimulatedAccount {
  const base = { bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, status: 'active' as const };
  switch (fate) {
    case 'short':
      return { ...base, balanceFen: policy.premiumFen - 1 };
    case 'class3':
      return { ...base, balanceFen: policy.premiumFen * 2, accountClass: 'III' };
    case 'closed':
      return { ...base, balanceFen: policy.premiumFen * 2, status: 'closed' };
    default:
      // Enough for the premium three times over: a second debit would go through and show in the ledger.
      return { ...base, balanceFen: policy.premiumFen * 3 };
  }
}

/** Shanghai minutes past midnight. */
function shanghaiMinutes(at: number): number {
  return Math.floor((at - shanghaiInstant(shanghaiDate(at))) / 60_000);
}

/** SMS and WeChat may go now and for the whole drill; undefined: too close to 09:00 or 21:00 to say. */
function smsWindow(at: number): boolean | undefined {
  const minutes = shanghaiMinutes(at);
  const margin = SMS_WINDOW_MARGIN_MS / 60_000;
  if (minutes >= 9 * 60 && minutes < 21 * 60 - margin) return true;
  if (minutes >= 21 * 60 || minutes < 9 * 60 - 5) return false;
  return undefined;
}

/** The contact ID an email carries: its Message-ID's local part. */
function messageIdOf(raw: Buffer): string | undefined {
  return /^Message-ID:\s*<([^@>]+)@/im.exec(raw.toString('utf8'))?.[1];
}

beforeAll(async () => {
  const temp = userInfo().uid === 0 && !reachableByOthers(tmpdir()) ? '/var/tmp' : tmpdir();
  dir = mkdtempSync(join(temp, 'renewals-chaos-'));
  if (userInfo().uid === 0) chmodSync(dir, 0o755);
  pgPort = await freePort();
  temporalPort = await freePort();
  postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort });
  databaseUrl = await createDatabase(postgres.url, 'renewals_chaos');
  db = connect(databaseUrl);
  await migrateLatest(db);
  env = (await startTemporal()).env;
  smtp = await startSmtpCatcher();
  bank = await startBankSimulator({ processingDelayMs: 2_000 });
  messaging = await startMessagingSimulators((receipts) => recordReceipts(db, receipts));
}, 180_000);

afterAll(async () => {
  if (worker) await stopWorkerProcess(worker, 'SIGKILL');
  await messaging?.close();
  await bank?.close();
  await smtp?.close();
  await env?.teardown();
  await db?.destroy();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('chaos: a month of premiums through restarts and outages', () => {
  it('loses no premium, debits none twice, sends every contact once or says why, and keeps stages, audit and privacy', { timeout: 1_200_000 }, async () => {
    const started = Date.now();
    // Too close to a quiet-hours boundary, some SMS would go and some not: let the boundary pass.
    while (smsWindow(Date.now()) === undefined) await sleep(10_000);
    const smsOpen = smsWindow(Date.now())!;

    const calendar = cnMainlandCalendar();
    const today = shanghaiDate(Date.now());
    let debitDay = today;
    while (!calendar.isBusinessDay(debitDay)) debitDay = calendar.previousBusinessDay(debitDay);
    const mixed = (i: number): Fate => (['funded', 'funded', 'funded', 'funded', 'funded', 'funded', 'funded', 'short', 'class3', 'closed'] as const)[i % 10]!;
    const groups: Group[] = [
      { name: 'D-30 email reminder', dueDate: addDays(today, 30), size: 60, preferred: 'email', fate: () => 'funded', phase: 'smtp' },
      { name: 'D+15 lapse-risk email', dueDate: addDays(today, -15), size: 30, preferred: 'email', fate: () => 'short', phase: 'smtp' },
      { name: 'lapse at D+61', dueDate: addDays(today, -61), size: 20, preferred: 'sms', fate: () => 'short', phase: 'smtp' },
      { name: 'debit day', dueDate: debitDay, size: 80, preferred: 'email', fate: mixed, phase: 'bank' },
      { name: 'D-15 SMS reminder', dueDate: addDays(today, 15), size: 50, preferred: 'sms', fate: () => 'funded', phase: 'sms' },
      { name: 'D-3 SMS reminder', dueDate: addDays(today, 3), size: 40, preferred: 'sms', fate: () => 'funded', phase: 'sms' },
      { name: 'D+55 final notice', dueDate: addDays(today, -55), size: 20, preferred: 'wechat', fate: () => 'short', phase: 'sms' },
    ];

    await seedReferenceData(db);
    await db('collection_plans').insert({ code: DRILL_PLAN.code, version: DRILL_PLAN.version, definition: JSON.stringify(DRILL_PLAN) });
    await upsertProduct(db, { code: 'CHAOS', name: 'Chaos drill product', graceDays: 60, reinstatementYears: 2, planCode: DRILL_PLAN.code });
    const premiums: Premium[] = [];
    let n = 0;
    for (const group of groups) {
      for (let i = 0; i < group.size; i++, n++) {
        const policy = samplePolicy({
          policyNo: `P-CHAOS-${pad(n, 4)}`,
          productCode: 'CHAOS',
          holderIdNo: `3201031985${pad(n, 8)}`,
          holderMobile: `137${pad(n, 8)}`,
          holderEmail: `chaos${n}@example.cn`,
          holderWechatOpenId: `oRnw5t0Xy8Qe2LkJm9Pa${pad(n, 8)}`,
          preferredChannel: group.preferred,
          accountNo: `62220300${pad(n, 11)}`,
          premiumFen: 250_000 + (n % 7) * 50_000,
          nextDueDate: group.dueDate,
        });
        await upsertPolicy(db, cipher, policy);
        const fate = group.fate(i);
        bank.core.openAccount(accountFor(policy, fate));
        premiums.push({ group: group.name, policy, fate, workflowId: `renewal-${policy.policyNo}-${group.dueDate}` });
      }
    }

    worker = await startWorkerProcess(
      {
        DATABASE_URL: databaseUrl,
        TEMPORAL_ADDRESS: env.address,
        TASK_QUEUE,
        BANK_GATEWAY_URL: bank.gatewayUrl,
        BANK_TIMEOUT_MS: '1500',
        SMTP_URL: smtp.url,
        ...messaging.env,
        RENEWALS_DATA_KEY: DATA_KEY,
        WORKER_HTTP_PORT: '0',
      },
      workerOutput,
    );
    const workerExited: string[] = [];
    worker.once('exit', (code, signal) => workerExited.push(`worker exited (${code ?? signal})`));
    const open = async (phase: Group['phase']) => {
      const batch = premiums.filter((p) => groups.find((g) => g.name === p.group)!.phase === phase);
      for (let i = 0; i < batch.length; i += 30) {
        await Promise.all(batch.slice(i, i + 30).map((p) => startRenewalCycle(env.client, { policyNo: p.policy.policyNo, dueDate: p.policy.nextDueDate }, TASK_QUEUE)));
      }
    };
    const count = async (query: (q: Db) => Promise<{ n: number | string }[]>) => Number((await query(db))[0]!.n);
    const restarts = { postgres: 0, temporal: 0, smtpResets: 0, smsResets: 0 };
    const outages = { smtpMs: 0, bankMs: 0, postgresMs: 0, temporalMs: 0, smsMs: 0 };

    // What happened when, in seconds from the start of the drill: printed with the figures.
    const timeline: Record<string, number> = {};
    const mark = (event: string) => void (timeline[event] = Math.round((Date.now() - started) / 100) / 10);

    // The SMTP hour and the exhausted SMS balance begin; the email and SMS groups and the lapse open
    // inside them. The hour ends on its own clock, whatever the drill is doing meanwhile.
    const smtpDown = Date.now();
    smtp.setDown(true);
    mark('smtp down');
    // The hour is over once every D-30 email has met it and waits (and not before SMTP_HOUR_MS).
    const waitsFor = async (workflowId: string, step: string) =>
      ((await env.client.workflow.getHandle(workflowId).query(statusQuery)).contactsWaiting ?? []).some((w) => w.step === step);
    const reminderEmails = premiums.filter((p) => p.group === 'D-30 email reminder').map((p) => p.workflowId);
    const smtpBack = sleep(SMTP_HOUR_MS)
      .then(() =>
        until(
          'every D-30 email to meet the SMTP outage and wait',
          GATE_MS,
          async () => (await Promise.all(reminderEmails.map((id) => waitsFor(id, 'reminder_d-30')))).every(Boolean),
          () => db('contact_attempts').whereIn('workflow_id', reminderEmails).whereNot({ status: 'pending' }).select('status', 'suppressed_rule'),
        ),
      )
      .then(() => {
        smtp.setDown(false);
        outages.smtpMs = Date.now() - smtpDown;
        mark('smtp back');
        return smtp.refusedConnections();
      });
    const smsDown = Date.now();
    messaging.alibaba.failAccount('isv.AMOUNT_NOT_ENOUGH');
    mark('sms balance exhausted');
    await open('smtp');
    await open('sms');
    mark('email, SMS and lapse groups opened');

    // The gateway's day of HTTP 500s: the debit round opens inside it. Every debit asks the bank
    // about its key before sending: each meets a 500 and is marked unknown, and is retried.
    const bankDown = Date.now();
    bank.faults.update({ outage: true, outageStatus: 500 });
    mark('gateway 500');
    await open('bank');
    mark('debit group opened');
    const debitRound = premiums.filter((p) => p.group === 'debit day').map((p) => p.workflowId);
    const attempted = () => count((q) => q('debit_attempts').whereIn('workflow_id', debitRound).countDistinct('premium_due_id as n'));
    // The day is over once every debit of the round has met it (and not before BANK_DAY_MS).
    await until('every debit of the round to meet the gateway outage', GATE_MS, async () => Date.now() - bankDown >= BANK_DAY_MS && (await attempted()) === debitRound.length);
    const debitsUnknown = await count((q) => q('debit_attempts').where({ status: 'unknown' }).count('* as n'));
    bank.faults.update({ outage: false });
    outages.bankMs = Date.now() - bankDown;
    mark('gateway back');

    // PostgreSQL stops under the worker while the round's debits go through (taken by the bank,
    // answered, being recorded), and starts again on the same data and port.
    await until('the debit round to be under way at the bank', GATE_MS, () => Promise.resolve(bank.core.ledger.length >= 5));
    const pgDown = Date.now();
    const inFlightAtPgStop = await count((q) => q('debit_attempts').whereIn('status', ['submitted', 'accepted']).count('* as n'));
    await postgres.stop();
    mark('postgres down');
    await sleep(PG_DOWN_MS);
    postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: pgPort });
    outages.postgresMs = Date.now() - pgDown;
    restarts.postgres += 1;
    mark('postgres back');

    // Some customers pay at the counter while their SMS waits for the balance.
    const counterPaid = premiums.filter((p) => p.group === 'D-15 SMS reminder').slice(0, COUNTER_PAYMENTS);
    if (smsOpen) {
      await until('the SMS circuit to open and the SMS to wait', GATE_MS, async () => {
        const waiting = await db('contact_attempts')
          .where({ status: 'pending', channel: 'sms' })
          .whereLike('provider_code', 'alibaba-sms:%')
          .whereIn('workflow_id', counterPaid.map((p) => p.workflowId))
          .pluck('workflow_id');
        return waiting.length === COUNTER_PAYMENTS;
      });
    }
    for (const p of counterPaid) {
      await sendOperatorEvent(db, env.client, p.policy.policyNo, paymentEvent('counter', `RCPT-${p.policy.policyNo}`), CHAOS_CASHIER, p.policy.nextDueDate);
    }
    mark('counter payments made');
    const smtpRefused = await smtpBack;

    // The balance is topped up; operations close the circuit (and wake the SMS that wait).
    if (smsOpen) {
      await until('the SMS groups to wait for the balance', GATE_MS, async () => {
        const statuses = await Promise.all(
          premiums.filter((p) => p.group === 'D-15 SMS reminder' || p.group === 'D-3 SMS reminder').slice(COUNTER_PAYMENTS).map((p) => env.client.workflow.getHandle(p.workflowId).query(statusQuery)),
        );
        return statuses.every((s) => (s.contactsWaiting?.length ?? 0) > 0);
      });
    }
    messaging.alibaba.recoverAccount();
    outages.smsMs = Date.now() - smsDown;
    await resetProvider(db, env.client, 'alibaba-sms', 'chaos-drill', 'balance topped up');
    restarts.smsResets += 1;
    mark('sms balance topped up, circuit reset');

    // Temporal stops and starts again on its file and port; the worker carries on.
    const temporalDown = Date.now();
    await env.teardown();
    await sleep(TEMPORAL_DOWN_MS);
    env = (await startTemporal()).env;
    outages.temporalMs = Date.now() - temporalDown;
    restarts.temporal += 1;
    mark('temporal back');

    // Operations see contacts still waiting on SMTP or SMS and send them (the command wakes their
    // cycles). A contact whose last try met the PostgreSQL outage instead of a provider waits
    // CONTACT_RETRY_DELAYS_MS[0] (15 min) as `send_failed`: that wait is the one thing the drill
    // compresses, with the same contactUpdated signal the command sends.
    const emailsWaited = await count((q) => q('audit_events').where({ kind: 'contact_waiting' }).whereRaw(`detail->>'provider' = 'smtp'`).count('* as n'));
    const stillWaiting = async () => {
      const statuses = await Promise.all(premiums.map(async (p) => ({ p, status: await env.client.workflow.getHandle(p.workflowId).query(statusQuery) })));
      // A lapsed cycle whose window stage is still opening (its first activity may be in retry after the
      // PostgreSQL outage) has its lapse notices ahead of it: not done yet.
      return statuses
        .filter(({ status }) => (status.contactsWaiting?.length ?? 0) > 0 || status.nextAction === OPENING)
        .map(({ p, status }) => ({ p, waits: status.contactsWaiting ?? [] }));
    };
    let retriesBroughtForward = 0;
    for (let round = 0; round < 6; round++) {
      await resetProvider(db, env.client, 'smtp', 'chaos-drill', 'relay back');
      restarts.smtpResets += 1;
      if (round > 0) {
        await resetProvider(db, env.client, 'alibaba-sms', 'chaos-drill', 'balance topped up');
        restarts.smsResets += 1;
      }
      await sleep(5_000);
      const waiting = await stillWaiting();
      if (waiting.length === 0) break;
      for (const { p, waits } of waiting) {
        if (!waits.some((w) => w.reason === 'send_failed')) continue;
        await env.client.workflow.getHandle(p.workflowId).signal(contactUpdatedSignal);
        retriesBroughtForward += 1;
      }
    }
    mark('operators reset the providers');

    // Settle: nothing in flight, nothing pending, every counter payment recorded, and the database
    // still for a few seconds. An activity running when Temporal stopped (the recording of a counter
    // payment reported just before) is tried again only after its start-to-close timeout (1 min), long
    // after the database has gone still: the payments are waited for by name.
    const counterDueIds = await db('premium_dues').whereIn('policy_no', counterPaid.map((p) => p.policy.policyNo)).pluck('id');
    const fingerprint = async () =>
      JSON.stringify(await db('audit_events').max('seq as seq').first()) + (await count((q) => q('contact_attempts').count('* as n')));
    let last = '';
    const settled = until('the month to settle', GATE_MS, async () => {
      const inFlight = await count((q) => q('debit_attempts').whereIn('status', ['prepared', 'submitted', 'accepted', 'unknown']).count('* as n'));
      const pending = await count((q) => q('contact_attempts').where({ status: 'pending' }).count('* as n'));
      const counterRecorded = await count((q) => q('payments').whereIn('premium_due_id', counterDueIds).where({ via: 'counter' }).count('* as n'));
      const now = await fingerprint();
      const still = now === last && inFlight === 0 && pending === 0 && counterRecorded === COUNTER_PAYMENTS;
      last = now;
      if (!still) await sleep(2_500);
      return still;
    });
    const unsettled = await settled.then(
      () => undefined,
      async () => ({
        inFlight: await db('debit_attempts').whereIn('status', ['prepared', 'submitted', 'accepted', 'unknown']).select('workflow_id', 'status', 'raw_code'),
        pending: await db('contact_attempts').where({ status: 'pending' }).select('workflow_id', 'step', 'channel', 'provider_code'),
      }),
    );
    mark('settled');
    expect(workerExited).toEqual([]);

    // ---- Money: the bank's ledger against the database, premium by premium.
    const dues = await db('premium_dues').whereIn('policy_no', premiums.map((p) => p.policy.policyNo)).select('id', 'policy_no', 'status', 'paid_via', 'workflow_id');
    const dueOf = new Map(dues.map((d) => [d.policy_no as string, d as { id: number; status: string; paid_via: string | null; workflow_id: string | null }]));
    const debited = new Map<string, number>();
    for (const entry of bank.core.ledger) if (entry.outcome === 'debited') debited.set(entry.accountNo, (debited.get(entry.accountNo) ?? 0) + 1);
    const succeeded = new Map<number, number>();
    for (const row of await db('debit_attempts').where({ status: 'succeeded' }).select('premium_due_id')) succeeded.set(Number(row.premium_due_id), (succeeded.get(Number(row.premium_due_id)) ?? 0) + 1);
    const disagreements: string[] = [];
    let duplicates = 0;
    let lost = 0;
    let debits = 0;
    for (const p of premiums) {
      const due = dueOf.get(p.policy.policyNo);
      if (!due || due.workflow_id !== p.workflowId) {
        lost += 1;
        disagreements.push(`${p.policy.policyNo}: premium ${due ? `linked to ${due.workflow_id}` : 'missing'}`);
        continue;
      }
      const ledger = debited.get(p.policy.accountNo) ?? 0;
      debits += ledger;
      if (ledger > 1) duplicates += 1;
      const byDebit = due.status === 'paid' && due.paid_via === 'debit';
      if (ledger !== (byDebit ? 1 : 0) || (succeeded.get(due.id) ?? 0) !== ledger) disagreements.push(`${p.policy.policyNo}: ledger ${ledger}, premium ${due.status} via ${due.paid_via}, succeeded ${succeeded.get(due.id) ?? 0}`);
      // Funded accounts on a debit date are paid; a short, Class III or closed account never is.
      const expectPaid = p.fate === 'funded' && p.group === 'debit day';
      if (byDebit !== expectPaid) disagreements.push(`${p.policy.policyNo} (${p.group}, ${p.fate}): ${due.status} via ${due.paid_via}`);
    }
    const payments = await db('payments').whereIn('premium_due_id', dues.map((d) => d.id as number)).select('premium_due_id', 'via');
    const paymentsByDebit = payments.filter((x) => x.via === 'debit').length;
    const paymentsAtCounter = payments.filter((x) => x.via === 'counter').length;
    // Each counter payment reported is a payment row of its premium, whatever else the cycle met.
    const countered = new Set(payments.filter((x) => x.via === 'counter').map((x) => Number(x.premium_due_id)));
    for (const p of counterPaid) {
      const due = dueOf.get(p.policy.policyNo);
      if (due && !countered.has(Number(due.id))) disagreements.push(`${p.policy.policyNo}: reported paid at the counter, no counter payment (premium ${due.status} via ${due.paid_via})`);
    }

    // ---- Stages: each cycle's query against the database (premium status and the last stage recorded).
    const stageOfDb = (status: string) => ({ paid: ['PAID'], lapsed: ['LAPSED'], due: ['PRE_DUE', 'DEBITING', 'IN_GRACE'], closed: ['CLOSED'], waived: ['CLOSED'] })[status] ?? [];
    const stages = new Map<string, number>();
    const statuses = new Map<string, RenewalCycleStatus>();
    for (let i = 0; i < premiums.length; i += 30) {
      await Promise.all(
        premiums.slice(i, i + 30).map(async (p) => {
          const status = await env.client.workflow.getHandle(p.workflowId).query(statusQuery);
          statuses.set(p.workflowId, status);
        }),
      );
    }
    const lastStages = new Map<string, string>();
    for (const row of await db('audit_events').where({ kind: 'stage_changed' }).orderBy('seq').select('workflow_id', 'detail')) lastStages.set(row.workflow_id as string, (row.detail as { stage: string }).stage);
    for (const p of premiums) {
      const status = statuses.get(p.workflowId)!;
      stages.set(status.stage, (stages.get(status.stage) ?? 0) + 1);
      const due = dueOf.get(p.policy.policyNo)!;
      if (!stageOfDb(due.status).includes(status.stage)) disagreements.push(`${p.policy.policyNo}: workflow ${status.stage}, premium ${due.status}`);
      if (lastStages.get(p.workflowId) !== status.stage) disagreements.push(`${p.policy.policyNo}: workflow ${status.stage}, last recorded ${lastStages.get(p.workflowId)}`);
      if ((status.contactsWaiting?.length ?? 0) > 0) disagreements.push(`${p.policy.policyNo}: still waits ${JSON.stringify(status.contactsWaiting)}`);
      // Opened after grace, the cycle still owes the D+55 final notice, which goes before the lapse
      // (on SMS and WeChat too, so at night it waits for 09:00 and the lapse with it).
      if (p.group === 'lapse at D+61') {
        const expected = smsOpen ? 'LAPSED' : 'IN_GRACE (wait: quiet hours: final_notice_d+55)';
        const actual = status.stage === 'LAPSED' ? 'LAPSED' : `${status.stage} (${status.nextAction.replace(" at the window's opening", '')})`;
        if (actual !== expected) disagreements.push(`${p.policy.policyNo}: ${actual}, expected ${expected}`);
      }
    }

    // ---- Contacts: every attempt row against what the providers received.
    const attempts = await db('contact_attempts').whereIn('policy_no', premiums.map((p) => p.policy.policyNo)).select('id', 'policy_no', 'step', 'channel', 'status', 'suppressed_rule', 'provider_code', 'provider_message_id');
    const outbox = { sms: new Map<string, number>(), wechat: new Map<string, number>(), email: new Map<string, number>() };
    const tally = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
    for (const m of messaging.alibaba.messages) tally(outbox.sms, m.contactId);
    for (const m of messaging.wechat.messages) tally(outbox.wechat, m.contactId);
    for (const m of smtp.messages) tally(outbox.email, messageIdOf(m.raw) ?? '');
    const contacts = { sent: 0, failed: 0, suppressed: 0, expired: 0, letters: 0, emailResends: 0 };
    const bySentRow = new Set<string>();
    for (const a of attempts) {
      const where = `${a.policy_no} ${a.step} ${a.channel} (${a.status})`;
      const delivered = a.channel === 'letter' ? undefined : outbox[a.channel as 'sms' | 'wechat' | 'email'].get(a.id) ?? 0;
      if (a.status === 'sent' || a.status === 'delivered') {
        contacts.sent += 1;
        bySentRow.add(a.id);
        if (a.channel === 'letter') contacts.letters += 1;
        // An email whose sending was not recorded before a restart is sent again under the same
        // Message-ID (SMTP cannot be asked what it has: docs/architecture.md, never send twice).
        else if (a.channel === 'email' && delivered !== undefined && delivered > 1) contacts.emailResends += delivered - 1;
        else if (delivered !== 1) disagreements.push(`${where}: ${delivered} at the provider`);
      } else {
        if (delivered) disagreements.push(`${where}: yet ${delivered} at the provider`);
        if (a.status === 'failed') {
          contacts.failed += 1;
          if (!a.provider_code) disagreements.push(`${where}: failed without the provider's code`);
        } else if (a.status === 'suppressed' && a.suppressed_rule === 'expired') contacts.expired += 1;
        else if (a.status === 'suppressed' && a.suppressed_rule) contacts.suppressed += 1;
        else disagreements.push(`${where}: no reason`);
      }
    }
    for (const [channel, map] of Object.entries(outbox)) for (const id of map.keys()) if (!bySentRow.has(id)) disagreements.push(`${channel} message ${id} matches no contact recorded as sent`);
    const expiries = await db('audit_events').where({ kind: 'contact_expired' }).select('detail');
    const expiryReasons = new Map<string, number>();
    for (const e of expiries) tally(expiryReasons, (e.detail as { reason: string }).reason);
    expect([...expiryReasons.keys()].every((r) => ['paid', 'grace_ended', 'expired', 'superseded'].includes(r))).toBe(true);

    // The circuit opened once, with its operations task, and operations closed it.
    const smsCircuitOpened = await count((q) => q('audit_events').where({ kind: 'provider_circuit_opened' }).count('* as n'));
    const outageTasks = await db('tasks').where({ kind: 'provider_outage' }).select('status');
    const smsSent = attempts.filter((a) => a.channel === 'sms' && (a.status === 'sent' || a.status === 'delivered')).length;
    const wechatSent = attempts.filter((a) => a.channel === 'wechat' && (a.status === 'sent' || a.status === 'delivered')).length;
    // ---- The audit chain, and personal data.
    const chain = await verifyAuditChain(db);
    expect(chain.firstBreak).toBeUndefined();

    const secrets = premiums.flatMap((p) => [p.policy.holderMobile, p.policy.holderIdNo, p.policy.accountNo, p.policy.holderEmail, p.policy.holderWechatOpenId, p.policy.holderName].filter((v): v is string => !!v));
    const historyFindings: string[] = [];
    for (let i = 0; i < premiums.length; i += 20) {
      await Promise.all(
        premiums.slice(i, i + 20).map(async (p) => {
          const json: unknown = JSON.parse(historyToJSON(await env.client.workflow.getHandle(p.workflowId).fetchHistory()));
          const texts = [...decodedPayloads(json), ...failureTexts(json)];
          for (const text of texts) for (const what of personalDataIn(text)) historyFindings.push(`${p.workflowId}: ${what}`);
          const whole = JSON.stringify(json);
          for (const secret of secrets) if (whole.includes(secret)) historyFindings.push(`${p.workflowId}: a customer's value`);
        }),
      );
    }
    const logs = workerOutput.join('\n');
    const leaked = secrets.filter((s) => logs.includes(s));

    const figures = {
      premiums: premiums.length,
      smsWindow: smsOpen ? 'open (09:00-21:00 Shanghai)' : 'closed (quiet hours)',
      restarts: { postgres: restarts.postgres, temporal: restarts.temporal, worker: 0 },
      operatorResets: { smtp: restarts.smtpResets, sms: restarts.smsResets },
      outagesWallMs: outages,
      smtpRefusedConnections: smtpRefused,
      emailsThatWaited: emailsWaited,
      sendFailedRetriesBroughtForward: retriesBroughtForward,
      debitsInFlightAtPostgresStop: inFlightAtPgStop,
      debitsUnknownAtGatewayOutageEnd: debitsUnknown,
      contacts: { ...contacts, smsSent, wechatSent, expiredBy: Object.fromEntries(expiryReasons) },
      debits,
      paymentsByDebit,
      paidAtCounter: paymentsAtCounter,
      duplicates,
      lost,
      stages: Object.fromEntries(stages),
      auditRows: chain.rows,
      timeline,
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
    process.stderr.write(`[chaos] ${JSON.stringify(figures)}\n`);
    writeFileSync(join(tmpdir(), 'renewals-chaos-figures.json'), `${JSON.stringify(figures, null, 2)}\n`);

    expect(unsettled).toBeUndefined();
    // SMS and WeChat: what the hour of the drill allowed.
    if (smsOpen) {
      expect(smsCircuitOpened).toBe(1);
      expect(outageTasks.map((t) => t.status)).toEqual(['done']);
      expect(expiryReasons.get('paid')).toBe(COUNTER_PAYMENTS);
      expect(smsSent).toBeGreaterThanOrEqual(80); // the D-15 and D-3 groups but those who paid, the final notices, the lapse SMS
      expect(wechatSent).toBeGreaterThan(0);
    } else {
      // Quiet hours: nothing was due on SMS or WeChat, and those steps are held for 09:00.
      expect(smsSent + wechatSent + messaging.alibaba.messages.length).toBe(0);
      expect(smsCircuitOpened).toBe(0);
      const held = premiums.filter((p) => p.group === 'D-3 SMS reminder').map((p) => statuses.get(p.workflowId)!.nextAction);
      expect(held.every((a) => a.includes('quiet hours'))).toBe(true);
    }

    expect(disagreements).toEqual([]);
    expect(paymentsByDebit).toBe(debits);
    expect(paymentsAtCounter).toBe(COUNTER_PAYMENTS);
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(smtpRefused).toBeGreaterThan(0);
    expect(emailsWaited).toBeGreaterThan(0);
    expect(debitsUnknown).toBeGreaterThanOrEqual(10);
    expect(inFlightAtPgStop).toBeGreaterThan(0);
    expect(historyFindings).toEqual([]);
    expect(logs.length).toBeGreaterThan(1000);
    expect(leaked).toEqual([]);
  });
});
