/**
 * The fault test of invariant 1 (never debit a premium twice). A month's batch of premiums is
 * debited through the simulated bank's collection gateway by a worker running as its own process
 * (workers/main.ts, the production entry point), while the test
 *   - kills that process with SIGKILL several times and starts it again,
 *   - makes the gateway time out (after booking the debit, and before) and answer "unknown".
 * Afterwards the bank's ledger must hold exactly one successful debit for every paid premium and
 * none for the others, and every premium's state (database and workflow) must agree with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { PiiCipher } from '../../db/pii-cipher';
import { upsertPolicy, upsertProduct } from '../../db/repositories/policies';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { shanghaiDate } from '../../domain/civil-date';
import { STANDARD_60, type CollectionPlan } from '../../domain/collection-plan';
import type { SimulatedAccount } from '../../integrations/bank/simulator/accounts';
import { startBankSimulator, type RunningBankSimulator } from '../../integrations/bank/simulator/http-server';
import { seedReferenceData } from '../../scripts/seed';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { startDevServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy } from '../support/fixtures';

const PREMIUMS = 520;
const KILLS = 6;
const TASK_QUEUE = 'fault-drill';
const DATA_KEY = '55'.repeat(32);
const cipher = new PiiCipher(DATA_KEY);

/** standard-60 with debits at 00:00, so the first debit of a premium due today is due at once. */
const DRILL_PLAN: CollectionPlan = { ...STANDARD_60, code: 'fault-drill', debitTime: '00:00' };

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let bank: RunningBankSimulator;
let smtp: SmtpCatcher;
let worker: ChildProcess | undefined;
/** Everything the worker processes wrote: scanned for personal data at the end. */
const workerOutput: string[] = [];

/** Each tenth account's fate: seven funded, one short of money, one Class III over its daily limit, one closed. */
function accountFor(i: number, policy: ReturnType<typeof samplePolicy>): SimulatedAccount {
  const base = { bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, status: 'active' as const };
  switch (i % 10) {
    case 7:
      return { ...base, balanceFen: policy.premiumFen - 1 };
    case 8:
      return { ...base, balanceFen: policy.premiumFen * 2, accountClass: 'III' };
    case 9:
      return { ...base, balanceFen: policy.premiumFen * 2, status: 'closed' };
    default:
      return { ...base, balanceFen: policy.premiumFen + 10_000 };
  }
}

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE,
      BANK_GATEWAY_URL: bank.gatewayUrl,
      BANK_TIMEOUT_MS: '1500',
      SMTP_URL: smtp.url,
      SMS_PROVIDER: 'record', // messaging is not what this drill is about
      RENEWALS_DATA_KEY: DATA_KEY,
      WORKER_HTTP_PORT: '0', // any free port: another worker may hold 9464 on this machine
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => workerOutput.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      workerOutput.push(line);
      if (line.startsWith('renewal worker polling')) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited before it was ready (${code ?? signal})`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // Killed workers leave the server complaining about cancelled contexts: keep its log quiet.
  const server = await startDevServer({ logLevel: 'never', cipher });
  env = server.env;
  database = await freshDatabase();
  smtp = await startSmtpCatcher();
  bank = await startBankSimulator({ processingDelayMs: 300, faults: { hangMs: 2_500 } });
}, 180_000);

afterAll(async () => {
  if (worker) await kill(worker);
  await bank?.close();
  await smtp?.close();
  await database?.drop();
  await env?.teardown();
});

describe('fault test: a month of debits through kills, timeouts and unknown answers', () => {
  it(`${PREMIUMS} premiums, the worker SIGKILLed ${KILLS} times: one debit per paid premium, none for the others`, { timeout: 900_000 }, async () => {
    const db = database.db;
    // The latest bank business day up to today: its first debit is due now.
    const calendar = cnMainlandCalendar();
    let dueDate = shanghaiDate(Date.now());
    while (!calendar.isBusinessDay(dueDate)) dueDate = calendar.previousBusinessDay(dueDate);

    await seedReferenceData(db);
    await db('collection_plans').insert({ code: DRILL_PLAN.code, version: DRILL_PLAN.version, definition: JSON.stringify(DRILL_PLAN) });
    await upsertProduct(db, { code: 'DRILL', name: 'Fault drill product', graceDays: 60, reinstatementYears: 2, planCode: DRILL_PLAN.code });
    const policies = Array.from({ length: PREMIUMS }, (_, i) =>
      samplePolicy({
        policyNo: `P-FAULT-${String(i).padStart(4, '0')}`,
        productCode: 'DRILL',
        holderIdNo: `3201021980${String(i).padStart(8, '0')}`,
        holderMobile: `139${String(i).padStart(8, '0')}`,
        holderEmail: `holder${i}@example.cn`,
        accountNo: `62220200${String(i).padStart(11, '0')}`,
        premiumFen: 250_000 + (i % 7) * 50_000, // 2,500–5,500 yuan: above a Class III account's 2,000 a day
        nextDueDate: dueDate,
      }),
    );
    for (const [i, policy] of policies.entries()) {
      await upsertPolicy(db, cipher, policy);
      bank.core.openAccount(accountFor(i, policy));
    }

    const inFlight = async () =>
      Number((await db('debit_attempts').whereIn('status', ['prepared', 'submitted', 'accepted', 'unknown']).count<{ n: number }[]>('* as n'))[0]!.n);
    const attempted = async () => Number((await db('debit_attempts').countDistinct<{ n: number }[]>('premium_due_id as n'))[0]!.n);

    // The batch goes out in waves; each wave meets fresh gateway faults, and once its debits are
    // under way the worker is SIGKILLed mid-flight; a new worker process picks the cycles up.
    const injected = { timeoutsBooked: 0, timeoutsLost: 0, unknownAnswers: 0, kills: 0 };
    const current = () => bank.faults.update({});
    const wave = Math.ceil(PREMIUMS / KILLS);
    worker = await startWorker();
    for (let round = 0; round < KILLS; round++) {
      const booked = round % 2 === 0;
      const armed = current();
      bank.faults.update({ timeouts: { count: 4, booked }, unknownAnswers: armed.unknownAnswers + 6 });
      const cycles = policies.slice(round * wave, (round + 1) * wave);
      for (let i = 0; i < cycles.length; i += 30) {
        await Promise.all(cycles.slice(i, i + 30).map((p) => startRenewalCycle(env.client, { policyNo: p.policyNo, dueDate }, TASK_QUEUE)));
      }
      // Kill while this wave's debits are going through: a third of them attempted, or 30 s.
      const target = round * wave + Math.ceil(cycles.length / 3);
      const until = Date.now() + 30_000;
      while ((await attempted()) < target && Date.now() < until) await sleep(200);
      await kill(worker);
      injected.kills += 1;
      const left = current();
      if (booked) injected.timeoutsBooked += 4 - left.timeouts.count;
      else injected.timeoutsLost += 4 - left.timeouts.count;
      injected.unknownAnswers += armed.unknownAnswers + 6 - left.unknownAnswers;
      worker = await startWorker();
    }

    // Let the batch settle: every premium attempted once, nothing left in flight.
    const deadline = Date.now() + 600_000;
    while ((await attempted()) < PREMIUMS || (await inFlight()) > 0) {
      if (Date.now() > deadline) throw new Error(`batch did not settle: ${await attempted()} attempted, ${await inFlight()} in flight`);
      await sleep(1_000);
    }

    // The ledger against the database and the workflows.
    const ledger = bank.core.ledger;
    const debitedByAccount = new Map<string, number>();
    for (const entry of ledger) if (entry.outcome === 'debited') debitedByAccount.set(entry.accountNo, (debitedByAccount.get(entry.accountNo) ?? 0) + 1);
    const dues = await db('premium_dues').whereIn('policy_no', policies.map((p) => p.policyNo)).select('policy_no', 'status', 'id');
    const statusOf = new Map(dues.map((d) => [d.policy_no as string, d.status as string]));
    let paid = 0;
    let duplicates = 0;
    const disagreements: string[] = [];
    for (const [i, policy] of policies.entries()) {
      const debits = debitedByAccount.get(policy.accountNo) ?? 0;
      if (debits > 1) duplicates += 1;
      const shouldPay = i % 10 < 7;
      const isPaid = statusOf.get(policy.policyNo) === 'paid';
      if (isPaid) paid += 1;
      if (debits !== (shouldPay ? 1 : 0) || isPaid !== shouldPay) disagreements.push(`${policy.policyNo}: ledger ${debits}, premium ${statusOf.get(policy.policyNo)}`);
    }
    const payments = await db('payments').whereIn('premium_due_id', dues.map((d) => d.id as number)).select('premium_due_id');
    const stages = new Map<string, number>();
    for (const policy of policies) {
      const status = await env.client.workflow.getHandle(`renewal-${policy.policyNo}-${dueDate}`).query(statusQuery);
      stages.set(status.stage, (stages.get(status.stage) ?? 0) + 1);
      if ((status.stage === 'PAID') !== (statusOf.get(policy.policyNo) === 'paid')) disagreements.push(`${policy.policyNo}: workflow ${status.stage}`);
    }

    const figures = { premiums: PREMIUMS, paid, ...injected, ledgerEntries: ledger.length, duplicates, stages: Object.fromEntries(stages) };
    process.stderr.write(`[fault test] ${JSON.stringify(figures)}\n`);
    expect(injected.kills).toBeGreaterThanOrEqual(5);
    expect(injected.timeoutsBooked + injected.timeoutsLost).toBeGreaterThan(0);
    expect(injected.unknownAnswers).toBeGreaterThan(0);
    expect(disagreements).toEqual([]);
    expect(duplicates).toBe(0);
    expect(paid).toBe(policies.filter((_, i) => i % 10 < 7).length);
    expect(payments).toHaveLength(paid);

    // The workers' logs of this run (kills, retries, bank faults and all) hold no personal data.
    const logs = workerOutput.join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    const leaked = policies.flatMap((p) => [p.holderMobile, p.holderIdNo, p.accountNo, p.holderEmail].filter((v): v is string => !!v && logs.includes(v)));
    expect(leaked).toEqual([]);
  });
});
