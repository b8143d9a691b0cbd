import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../clients/renewal-cycles';
import { addYears, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import type { PolicyRecord } from '../../db/repositories/policies';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { runCliCaptured } from '../support/cli';
import { seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The reinstatement window and the `reinstatement` workflow on the time-skipping server with real
 * PostgreSQL, driven through the CLI as operations and underwriters would. Dates are fixed so every
 * figure can be worked out by hand; they move forward by whole multiples of 4 years when the server's
 * clock has passed them, which keeps weekdays aside but every day count (leap years included) the same.
 */
const taskQueue = 'reinstatement';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let shiftYears = 0;
const printed: string[] = [];

/** A fixed date of the scenario, moved by the file's shift. */
const d = (date: string) => addYears(date, shiftYears);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('RENEWALS_UPDATE_TIMEOUT_MS', '20000');
  const today = shanghaiDate(await env.currentTimeMs());
  while (addYears('2026-11-25', shiftYears) < today) shiftYears += 4;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

async function cli(...args: string[]) {
  const run = await runCliCaptured(args);
  printed.push(run.out, run.err);
  return run;
}

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const result = await cli(...args, '--json');
  expect(result, result.err).toMatchObject({ code: 0, err: '' });
  return JSON.parse(result.out) as T;
}

/** Polls PostgreSQL in real time (the server's clock does not move while nothing waits on it). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const db = () => rig.database.db;
const auditKinds = async (policyNo: string) => (await db()('audit_events').where({ policy_no: policyNo }).orderBy('seq').select('kind')).map((r: { kind: string }) => r.kind);
const contactsOf = async (policyNo: string, step: string) => db()('contact_attempts').where({ policy_no: policyNo, step }).orderBy('channel').select('channel', 'status', 'template_code'); // in the channel enum's order: sms, wechat, email, letter

async function lapsedPolicy(overrides: Partial<PolicyRecord>): Promise<PolicyRecord> {
  // No money in the account: every debit of the cycle fails and the policy lapses at D+61.
  const policy = await seedFundedPolicy(rig, { issueDate: '2020-01-10', preferredChannel: 'sms', ...overrides }, 0);
  await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate: policy.nextDueDate }, taskQueue);
  return policy;
}

async function declarationTask(policyNo: string): Promise<number> {
  const tasks = await json<{ id: number; step: string; kind: string; assignee_role: string }[]>('tasks', 'list', '--policy', policyNo);
  const task = tasks.find((t) => t.step === 'reinstatement_declaration');
  expect(task).toMatchObject({ kind: 'declaration', assignee_role: 'operations' });
  return task!.id;
}

describe('the reinstatement window and the reinstatement workflow', () => {
  it('reinstated at the counter with hand-computed arrears and interest; the next premium lapses and opens a fresh window', async () => {
    await rig.withWorker(async () => {
      const policy = await lapsedPolicy({ policyNo: 'P-RI-0001', holderIdNo: '110101198001010011', accountNo: '6222020000000010011', paymentFrequency: 'quarterly', premiumFen: 300_000, nextDueDate: d('2027-01-10'), installmentNo: 5 });
      const cycleId = `renewal-P-RI-0001-${d('2027-01-10')}`;

      // Suspended at 00:00 of D+61 = 12 March; the +30 reminder on 11 April at 10:00.
      await sleepUntil(env, d('2027-04-11'), '12:00');
      const status = await env.client.workflow.getHandle(cycleId).query(statusQuery);
      // 3 000 yuan a quarter is 12 000 a year: high value, so an agent call comes with each reminder.
      expect(status).toMatchObject({ stage: 'LAPSED', reinstatement: { suspensionDate: d('2027-03-12'), lastDayToApply: d('2029-03-11'), highValue: true } });
      expect(await db()('tasks').where({ policy_no: policy.policyNo, step: 'reinstatement_call_30d' }).select('kind', 'assignee_role')).toEqual([{ kind: 'call', assignee_role: 'operations' }]);
      expect(await contactsOf(policy.policyNo, 'reinstatement_reminder_30d')).toEqual([
        { channel: 'sms', status: 'sent', template_code: 'reinstatement_reminder' },
        { channel: 'email', status: 'sent', template_code: 'reinstatement_reminder' },
      ]);

      await sleepUntil(env, d('2027-05-10'), '10:00');
      const applied = await json('reinstate', 'apply', policy.policyNo, '--pay', 'counter');
      expect(applied).toMatchObject({ workflowId: `reinstatement-P-RI-0001-${d('2027-01-10')}-1`, receivedDate: d('2027-05-10'), decisionDueDate: d('2027-06-09') });
      expect((await cli('reinstate', 'apply', policy.policyNo)).err).toBe(
        `renewals: the reinstatement window of ${policy.policyNo} refused: an application is already open: reinstatement-P-RI-0001-${d('2027-01-10')}-1\n`,
      );
      expect((await cli('reinstate', 'decide', policy.policyNo, '--approve')).err).toMatch(/refused: the health and risk declaration is not captured yet/);
      expect((await cli('tasks', 'complete', String(await declarationTask(policy.policyNo)), '--outcome', 'done')).code).toBe(0);

      await sleepUntil(env, d('2027-05-12'), '11:00');
      const approved = await json<{ status: Record<string, unknown> }>('reinstate', 'decide', policy.policyNo, '--approve');
      expect(approved.status).toMatchObject({ status: 'approved', approvedBy: 'underwriter', payBy: d('2027-06-11') });
      const underwriting = await eventually(() => db()('tasks').where({ policy_no: policy.policyNo, step: 'reinstatement_underwriting' }).first(), (t) => t?.status === 'done', 'the underwriting task closed');
      expect(underwriting).toMatchObject({ kind: 'underwriting', assignee_role: 'underwriter', status: 'done', outcome_code: 'approved' });

      // Paid on 20 May. Quarterly premiums due before it: 10 Jan and 10 Apr (10 Jul is the next).
      //   10 Jan → 20 May: 21 + 28 + 31 + 30 + 20 = 130 days; 300 000 × 5 % × 130 / 365 = 5 342.47 → 5 342 fen
      //   10 Apr → 20 May:            20 + 20 =  40 days; 300 000 × 5 % ×  40 / 365 = 1 643.84 → 1 644 fen
      //   premiums 600 000 + interest 6 986 = 606 986 fen (6 069.86 yuan)
      await sleepUntil(env, d('2027-05-20'), '10:00');
      const view = await json<{ application: { quote: { totalFen: number; lines: { interestFen: number; days: number }[] } } }>('reinstate', 'status', policy.policyNo, '--on', d('2027-05-20'));
      expect(view.application.quote.lines.map((l) => [l.days, l.interestFen])).toEqual([[130, 5342], [40, 1644]]);
      expect(view.application.quote.totalFen).toBe(606_986);
      expect((await cli('reinstate', 'pay', policy.policyNo, '--amount', '6000.00', '--reference', 'R-0001')).err).toMatch(
        /refused: amountFen must be today's quote, 606986 fen \(back premiums 600000 \+ interest 6986\), got 600000/,
      );
      const paid = await json<{ status: Record<string, unknown> }>('reinstate', 'pay', policy.policyNo, '--amount', '6069.86', '--reference', 'R-0001');
      expect(paid.status).toMatchObject({ status: 'approved' });

      const application = await eventually(() => db()('reinstatement_applications').where({ policy_no: policy.policyNo }).first(), (a) => a?.status === 'reinstated', 'the reinstatement');
      expect(application).toMatchObject({
        paid_fen: 606_986,
        paid_via: 'counter',
        payment_reference: 'R-0001',
        effective_date: d('2027-05-20'),
        suicide_exclusion_ends: d('2029-05-19'),
        next_due_date: d('2027-07-10'),
        approved_by: 'underwriter',
      });
      expect(await db()('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'in_force', next_due_date: d('2027-07-10'), next_installment_no: 7 });
      expect(await db()('premium_dues').where({ policy_no: policy.policyNo }).orderBy('due_date').select('due_date', 'status', 'installment_no', 'amount_fen')).toEqual([
        { due_date: d('2027-01-10'), status: 'lapsed', installment_no: 5, amount_fen: 300_000 },
        { due_date: d('2027-07-10'), status: 'due', installment_no: 7, amount_fen: 300_000 },
      ]);
      await eventually(() => auditKinds(policy.policyNo), (k) => k.filter((x) => x === 'stage_changed').length > 0 && k.includes('policy_reinstated'), 'the audit of the reinstatement');
      const reinstatedNotice = await eventually(() => contactsOf(policy.policyNo, 'policy_reinstated'), (c) => c.length === 2 && c.every((x) => x.status !== 'pending'), 'the reinstatement notice');
      expect(reinstatedNotice.map((c) => c.status)).toEqual(['sent', 'sent']);
      const cycle = await eventually(() => env.client.workflow.getHandle(cycleId).describe(), (w) => w.status.name === 'COMPLETED', 'the window stage to close');
      expect(cycle.searchAttributes.RenewalStage).toEqual(['REINSTATED']);
      expect(await json('reinstate', 'status', policy.policyNo)).toMatchObject({ policyStatus: 'in_force', suspension: { outcome: 'reinstated', daysLeftToApply: 0 } });

      // The next premium has its own cycle, started by the reinstatement. No money again: a second lapse
      // at 00:00 of 9 September (10 Jul + 61) opens a window of its own.
      const next = env.client.workflow.getHandle(`renewal-P-RI-0001-${d('2027-07-10')}`);
      expect((await next.describe()).status.name).toBe('RUNNING');
      await sleepUntil(env, d('2027-09-09'), '12:00');
      const suspensions = await eventually(() => db()('suspensions').where({ policy_no: policy.policyNo }).orderBy('id').select('lapsed_due_date', 'suspension_date', 'window_closes_on', 'outcome'), (s) => s.length === 2, 'the second suspension');
      expect(suspensions).toEqual([
        { lapsed_due_date: d('2027-01-10'), suspension_date: d('2027-03-12'), window_closes_on: d('2029-03-12'), outcome: 'reinstated' },
        { lapsed_due_date: d('2027-07-10'), suspension_date: d('2027-09-09'), window_closes_on: d('2029-09-09'), outcome: 'open' },
      ]);
      expect(await next.query(statusQuery)).toMatchObject({ stage: 'LAPSED', reinstatement: { suspensionDate: d('2027-09-09'), remindersDone: [] } });

      // The whole story of the lapsed premium: reminders, debits, lapse, window, application, reinstatement.
      const history = await json<{ entries: { text: string }[] }>('policy', 'history', policy.policyNo, '--due', d('2027-01-10'));
      const story = history.entries.map((e) => e.text).join('\n');
      for (const chapter of [
        /sendContact reminder_d-30 completed/,
        /debit attempt 1 failed/,
        /policy suspended as of/,
        /reinstatement window opened/,
        /sendContact reinstatement_reminder_30d completed → sent/,
        /update applyForReinstatement accepted/,
        /application .*received/,
        /declaration captured/,
        /approved by the underwriter/,
        /update reinstatementPayment accepted: via counter, reference R-0001/,
        new RegExp(`reinstated from ${d('2027-05-20')}: paid 6069.86 yuan`),
        /completed with stage REINSTATED/,
      ]) {
        expect(story).toMatch(chapter);
      }
    });
  });
});
