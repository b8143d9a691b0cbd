import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import type { PolicyRecord } from '../../db/repositories/policies';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * Tasks that act (docs/business-rules.md#tasks-that-act), through `renewals tasks complete` against
 * the time-skipping server and real PostgreSQL: a promise holds the reminders back, a refusal reaches
 * the cycle, a wrong number takes the number out of use, and paying settles the open task.
 */
const taskQueue = 'tasks-that-act';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
const printed: string[] = [];
const seeded: PolicyRecord[] = [];
const { cli, json } = recordingCli(printed);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

/** The cycle has written `kind` and is idle again: only then may a test terminate it (see operator-cli.test.ts). */
async function idleAfter(policyNo: string, handle: WorkflowHandle, kind: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const seen = await rig.database.db('audit_events').where({ policy_no: policyNo, kind }).first('seq');
    if (seen) {
      await handle.query(statusQuery);
      const { raw } = await handle.describe();
      if (!raw.pendingWorkflowTask && !raw.pendingActivities?.length) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not settle after ${kind} within 30 s`);
}

async function seed(n: number, dueDate: string): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, {
    policyNo: `P-ACT-000${n}`,
    holderIdNo: `32010219800101660${n}`,
    holderMobile: `1381234660${n}`,
    holderEmail: `act${n}@example.cn`,
    accountNo: `622202000000000660${n}`,
    nextDueDate: dueDate,
    preferredChannel: 'sms',
  });
  seeded.push(policy);
  return policy;
}

interface ListedTask {
  id: number;
  policy_no: string;
  step: string;
  kind: string;
  status: string;
  assignee_role: string;
  priority: number;
  outcome_code: string | null;
}

/** The open D-15 call of a high-value premium (standard-60), as `tasks list` shows it. */
async function callTaskOf(policyNo: string): Promise<ListedTask> {
  const open = await json<ListedTask[]>('tasks', 'list', '--policy', policyNo);
  const call = open.find((t) => t.step === 'call_d-15');
  expect(call, `no call_d-15 task for ${policyNo}: ${JSON.stringify(open)}`).toBeDefined();
  return call!;
}

function reminderOf(policyNo: string, step: string) {
  return rig.database.db('contact_attempts').where({ policy_no: policyNo, step }).orderBy('channel').select('channel', 'status', 'suppressed_rule');
}

/** The window stage's call, recorded from the code of the time (replayed by replay.test.ts). */
const WINDOW_CALL_FIXTURE = 'renewal-cycle-window-call-priority.json';

/** Set RECORD_HISTORIES=1 to store this run's history as a replay fixture. */
function maybeRecord(name: string, history: Parameters<typeof historyToJSON>[0]): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeFileSync(join(__dirname, '..', 'fixtures', 'histories', name), `${historyToJSON(history)}\n`);
}

describe('call outcomes act on the cycle', () => {
  it('promised with a date: the cycle holds reminders back until then; a date past grace is refused and the task stays open', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(1, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      const call = await callTaskOf(policy.policyNo);

      expect(await cli('tasks', 'complete', String(call.id), '--outcome', 'promised')).toMatchObject({
        code: 2,
        err: `renewals: task #${call.id}: the outcome promised needs --date YYYY-MM-DD, the date the customer promised to pay by\n`,
      });
      const tooLate = await cli('tasks', 'complete', String(call.id), '--outcome', 'promised', '--date', addDays(dueDate, 90));
      expect(tooLate.code).toBe(1);
      expect(tooLate.err).toMatch(new RegExp(`^renewals: the cycle of ${policy.policyNo} due ${dueDate} refused the promise to pay by ${addDays(dueDate, 90)} of task #${call.id}: promised date must be from .* to the last grace day .*; the task is still open\\n$`));
      expect((await callTaskOf(policy.policyNo)).status).toBe('open');

      const promised = addDays(dueDate, -2);
      const collector = await actAs(rig.database.db, { roles: ['collector'] });
      const done = await json<{ closedBy: string; note: string; effect: Record<string, unknown>; status: { promiseUntil?: string; lastSigned?: unknown } }>(
        'tasks', 'complete', String(call.id), '--outcome', 'promised', '--date', promised,
      );
      // The collector signs both what the outcome told the cycle and the task's completion.
      expect(done.status.lastSigned).toEqual({ update: 'taskCompleted', by: collector.ref });
      const signed = await rig.database.db('audit_events').where({ policy_no: policy.policyNo }).whereIn('kind', ['promise_to_pay', 'task_completed']).orderBy('seq').select('kind', 'actor');
      expect(signed).toEqual([
        { kind: 'promise_to_pay', actor: collector.ref },
        { kind: 'task_completed', actor: collector.ref },
      ]);
      expect(done.effect).toEqual({ kind: 'promise', sentToCycle: true, note: `the cycle recorded the promise to pay by ${promised}` });
      expect(done.status.promiseUntil).toBe(promised);
      expect(done.note).toMatch(/^the cycle took the outcome.*; the cycle recorded the promise to pay by /);
      expect(await handle.query(statusQuery)).toMatchObject({ promiseUntil: promised });

      // D-3: the reminder is held back by the promise, not sent.
      await sleepUntil(env, addDays(dueDate, -3), '12:30');
      expect(await reminderOf(policy.policyNo, 'reminder_d-3')).toEqual([{ channel: 'sms', status: 'suppressed', suppressed_rule: 'promise_to_pay' }]);
      const audit = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'promise_to_pay' }).select('detail');
      expect(audit.map((a: { detail: unknown }) => a.detail)).toEqual([{ promisedDate: promised }]);
      expect(await rig.database.db('tasks').where({ id: call.id }).first()).toMatchObject({ status: 'done', outcome_code: 'promised' });
      await idleAfter(policy.policyNo, handle, 'contact_suppressed');
      await handle.terminate('test done');
    });
  });

  it('refused with a reason: the refusal and its code are recorded on the cycle', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(2, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      const call = await callTaskOf(policy.policyNo);
      expect((await cli('tasks', 'complete', String(call.id), '--outcome', 'refused', '--reason', '13')).err).toBe(
        `renewals: task #${call.id}: --reason must be a non-payment reason code 1–12, got "13"\n`,
      );
      const done = await json<{ effect: Record<string, unknown> }>('tasks', 'complete', String(call.id), '--outcome', 'refused', '--reason', '8');
      expect(done.effect).toEqual({ kind: 'refusal', sentToCycle: true, note: 'the cycle recorded the refusal with reason 8' });
      await idleAfter(policy.policyNo, handle, 'customer_refused');
      const audit = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'customer_refused' }).select('detail');
      expect(audit.map((a: { detail: unknown }) => a.detail)).toEqual([{ reasonCode: 8 }]);
      const history = await json<{ entries: { text: string }[] }>('policy', 'history', policy.policyNo);
      expect(history.entries.map((e) => e.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^update customerRefused accepted: reasonCode 8, by user:\d+$/)]));
      await handle.terminate('test done');
    });
  });

  it('wrong_number: the number is marked invalid, the policy lost contact, and the next SMS skips it', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(3, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      expect(await reminderOf(policy.policyNo, 'reminder_d-15')).toEqual([{ channel: 'sms', status: 'sent', suppressed_rule: null }]);
      const call = await callTaskOf(policy.policyNo);
      const done = await json<{ effect: Record<string, unknown> }>('tasks', 'complete', String(call.id), '--outcome', 'wrong_number');
      expect(done.effect).toMatchObject({ kind: 'wrong_number', lostContact: [policy.policyNo], note: `mobile 138****6603 marked invalid; lost contact: ${policy.policyNo}` });
      expect(await rig.database.db('policies').where({ policy_no: policy.policyNo }).first('lost_contact_at')).toMatchObject({ lost_contact_at: expect.any(Date) });
      const invalidated = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'contact_point_invalidated' }).first('actor', 'detail');
      expect(invalidated.detail).toMatchObject({ taskId: call.id, because: 'wrong_number', type: 'mobile', recipient: '138****6603', lostContact: [policy.policyNo] });

      await sleepUntil(env, addDays(dueDate, -3), '12:30');
      expect(await reminderOf(policy.policyNo, 'reminder_d-3')).toEqual([{ channel: 'sms', status: 'suppressed', suppressed_rule: 'no_verified_contact' }]);
      await idleAfter(policy.policyNo, handle, 'contact_suppressed');
      await handle.terminate('test done');
    });
  });

  it('paid_elsewhere opens a payment to confirm; paying settles every open task of the cycle', async () => {
    await actAs(rig.database.db, { roles: ['operations_lead', 'cashier'] }); // operations, who also record money received
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(4, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      const call = await callTaskOf(policy.policyNo);
      const done = await json<{ effect: { kind: string; taskId: number; created: boolean } }>('tasks', 'complete', String(call.id), '--outcome', 'paid_elsewhere');
      expect(done.effect).toMatchObject({ kind: 'payment_to_confirm', created: true });
      const confirm = (await json<ListedTask[]>('tasks', 'list', '--role', 'operations', '--policy', policy.policyNo)).find((t) => t.id === done.effect.taskId);
      expect(confirm).toMatchObject({ kind: 'payment_confirmation', step: 'payment_confirmation', status: 'open', assignee_role: 'operations', priority: call.priority });
      expect((await cli('tasks', 'complete', String(confirm!.id), '--outcome', 'reached')).err).toBe(
        `renewals: --outcome of task #${confirm!.id} (payment_confirmation) must be one of not_found, got "reached"\n`,
      );

      // Operations find the money and record it: the cycle is paid and its open task settles itself.
      expect((await cli('pay', policy.policyNo, '--via', 'transfer', '--reference', 'TRF-660-4')).code).toBe(0);
      await idleAfter(policy.policyNo, handle, 'task_settled');
      expect(await rig.database.db('tasks').where({ id: confirm!.id }).first()).toMatchObject({ status: 'settled', outcome_code: 'premium_paid' });
      expect(await json('tasks', 'list', '--policy', policy.policyNo)).toEqual([]);
      expect((await cli('tasks', 'complete', String(confirm!.id), '--outcome', 'not_found')).err).toBe(
        `renewals: task #${confirm!.id} settled itself with its cycle (premium_paid): nothing to complete\n`,
      );
      expect(await json('tasks', 'list', '--status', 'settled', '--policy', policy.policyNo)).toEqual([expect.objectContaining({ id: confirm!.id, status: 'settled' })]);
      const settled = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'task_settled' }).select('actor', 'detail');
      expect(settled).toEqual([{ actor: 'renewal-cycle', detail: { taskId: confirm!.id, step: 'payment_confirmation', task: 'payment_confirmation', because: 'premium_paid' } }]);
      expect((await handle.describe()).status.name).not.toBe('TERMINATED');
    });
  });

  it("a lapsed high-value policy: the window's agent call carries its priority", async () => {
    const { dueDate } = await dueIn(env, 5);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-ACT-0005', holderIdNo: '320102198001016605', holderMobile: '13812346605', holderEmail: 'act5@example.cn', accountNo: '6222020000000006605', nextDueDate: dueDate }, 100);
    seeded.push(policy);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      const result = await handle.result();
      expect(result).toMatchObject({ stage: 'CLOSED', outcome: 'terminated' });
      const calls = await rig.database.db('tasks').where({ policy_no: policy.policyNo }).whereLike('step', 'reinstatement_call_%').orderBy('id').select('step', 'priority', 'status', 'outcome_code');
      // ¥12,345 a year (30) + lapsed (20) + segment A by the segment rule (≥ ¥10,000 a year: 20) + the window's
      // own high urgency (10); settled when the window closed.
      expect(calls[0]).toEqual({ step: 'reinstatement_call_30d', priority: 80, status: 'settled', outcome_code: 'cycle_closed' });
      maybeRecord(WINDOW_CALL_FIXTURE, await handle.fetchHistory());
    });
  });

  it('prints no personal data', () => {
    const all = printed.join('\n');
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) if (value) expect(all).not.toContain(value);
  });
});
