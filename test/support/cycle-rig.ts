import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { addDays, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { STANDARD_60 } from '../../domain/collection-plan';
import { debitSchedule, type DebitStep, type PolicySnapshot } from '../../domain/cycle-schedule';
import { DefaultLogger } from '@temporalio/worker';
import { statusQuery } from '../../workflows/messages';
import { PiiCipher } from '../../db/pii-cipher';
import type { DebitTiming } from '../../activities/debit-activities';
import type { BatchLetters } from '../../activities/letter-batch-activities';
import type { BankPort } from '../../integrations/bank/port';
import { SimulatedBank } from '../../integrations/bank/simulator';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { RecordingTextChannels, type TextMessagePort } from '../../integrations/messaging/text-channels';
import { startSmtpCatcher, type SmtpCatcher } from '../../scripts/smtp-catcher';
import { bundleRenewalWorkflows, createRenewalWorker } from '../../workers/renewal-worker';

const quietBundler = new DefaultLogger('WARN');
import { freshDatabase, type TestDatabase } from './database';
import { samplePolicy, seedPolicy } from './fixtures';
import type { PolicyRecord } from '../../db/repositories/policies';

/** Everything a renewal-cycle test needs around a Temporal server: real PostgreSQL, real SMTP, a bank. */
export interface CycleRig {
  database: TestDatabase;
  smtp: SmtpCatcher;
  bank: SimulatedBank;
  cipher: PiiCipher;
  email: SmtpEmail;
  text: RecordingTextChannels;
  /** Runs `fn` with a fresh worker polling the rig's task queue (a worker runs once). */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startCycleRig(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  options: { bank?: BankPort; debitTiming?: DebitTiming; text?: TextMessagePort; payLinkFor?: (premiumDueId: number) => Promise<string | undefined>; letterBatches?: BatchLetters } = {},
): Promise<CycleRig> {
  const database = await freshDatabase();
  const smtp = await startSmtpCatcher();
  const bank = new SimulatedBank();
  const cipher = new PiiCipher('22'.repeat(32));
  const email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
  const workflowBundle = await bundleRenewalWorkflows(quietBundler);
  const text = new RecordingTextChannels();
  const deps = {
    db: database.db,
    cipher,
    bank: options.bank ?? bank,
    email,
    text: options.text ?? text,
    ...(options.debitTiming ? { debitTiming: options.debitTiming } : {}),
    ...(options.payLinkFor ? { payLinkFor: options.payLinkFor } : {}),
    ...(options.letterBatches ? { letterBatches: options.letterBatches } : {}),
  };
  return {
    database,
    smtp,
    bank,
    cipher,
    email,
    text,
    withWorker: async (fn) => {
      const worker = await createRenewalWorker(env.nativeConnection, deps, { taskQueue, workflowBundle });
      return worker.runUntil(fn);
    },
    close: async () => {
      email.close();
      await smtp.close();
      await database.drop();
    },
  };
}

/** A policy in the database with a funded account at the simulated bank. */
export async function seedFundedPolicy(rig: CycleRig, overrides: Partial<PolicyRecord>, balanceFen = 5_000_000): Promise<PolicyRecord> {
  const policy = samplePolicy(overrides);
  await seedPolicy(rig.database.db, rig.cipher, policy);
  rig.bank.openAccount({
    bankCode: policy.bankCode,
    accountNo: policy.accountNo,
    accountName: policy.accountName,
    balanceFen,
    status: 'active',
  });
  return policy;
}

/**
 * A due date N days after the server's clock (earlier tests in a file move it forward) and the
 * dates standard-60 will debit it on. `onBusinessDay` moves it on to a bank business day, for tests
 * that expect the first debit on the due date itself (a weekend due date is debited in grace).
 */
export async function dueIn(env: TestWorkflowEnvironment, days: number, options: { onBusinessDay?: boolean } = {}): Promise<{ dueDate: string; debits: DebitStep[] }> {
  const calendar = cnMainlandCalendar();
  let dueDate = addDays(shanghaiDate(await env.currentTimeMs()), days);
  while (options.onBusinessDay && !calendar.isBusinessDay(dueDate)) dueDate = addDays(dueDate, 1);
  const policy: PolicySnapshot = { dueDate, graceDays: 60, premiumFen: 1, paymentFrequency: 'annual', segment: null, preferredChannel: 'sms', hasMandate: true, aplElected: false, cashValueFen: 0 };
  return { dueDate, debits: debitSchedule(STANDARD_60, policy, calendar) };
}

/**
 * Advances the server's clock to a Shanghai wall-clock time (no-op when it is already past it). Before a
 * signal or update, pick a time no timer of the cycle falls on (a pending file debit is looked at on the
 * hour, so half past): the time-skipping server refuses a workflow task that cancels a timer due at that
 * very instant, and with its clock stopped never hands the task out again.
 */
export async function sleepUntil(env: TestWorkflowEnvironment, date: string, time: string): Promise<void> {
  const wait = shanghaiInstant(date, time) - (await env.currentTimeMs());
  if (wait > 0) await env.sleep(wait);
}

/** A policy's debit attempts, in order. */
export async function attemptsOf(rig: CycleRig, policyNo: string) {
  return rig.database.db('debit_attempts as a').join('premium_dues as d', 'd.id', 'a.premium_due_id').where('d.policy_no', policyNo).orderBy('a.attempt_no').select('a.*');
}

/**
 * Waits for a cycle to finish without handle.result(): that unlocks time skipping, and the idle
 * server then leaps years ahead, past the business calendar the later tests need.
 */
export async function untilClosed(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await handle.describe()).status.name !== 'RUNNING') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} still running`);
}

/** The cycle is between workflow tasks, nothing in flight: only then may a test terminate it (see operator-cli.test.ts). */
export async function untilIdle(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 400; i++) {
    await handle.query(statusQuery);
    const { raw } = await handle.describe();
    if (!raw.pendingWorkflowTask && !raw.pendingActivities?.length) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not settle`);
}
