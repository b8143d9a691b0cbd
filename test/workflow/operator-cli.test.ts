import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import type { PolicyRecord } from '../../db/repositories/policies';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilClosed, type CycleRig } from '../support/cycle-rig';

/**
 * The operator commands through `runCli`, against the time-skipping server and real PostgreSQL:
 * policy show/history, the updates operators send, and the task list. Every byte the CLI prints is
 * kept and checked for the seeded personal data at the end.
 */
const taskQueue = 'operator-cli';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
const printed: string[] = [];
const seeded: PolicyRecord[] = [];

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TEMPORAL_UI_URL', 'http://ui.example:8233');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

/** Every command's output is kept: the last test checks none of it carries personal data. */
const { cli, json } = recordingCli(printed);

/**
 * The audit kinds of a policy once the cycle has recorded `last` and gone back to waiting. Only then
 * may a test terminate it: the time-skipping server never skips again after a cycle is terminated
 * in the middle of a workflow task (every later sleep would take real time).
 */
async function auditKindsOnceIdle(policyNo: string, handle: WorkflowHandle, last: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let seen = 'nothing yet';
  while (Date.now() < deadline) {
    const kinds = (await rig.database.db('audit_events').where({ policy_no: policyNo }).orderBy('seq').select('kind')).map((r: { kind: string }) => r.kind);
    if (kinds.includes(last)) {
      await handle.query(statusQuery); // answered between workflow tasks
      const { raw } = await handle.describe();
      if (!raw.pendingWorkflowTask && !raw.pendingActivities?.length) return kinds;
      seen = `pending workflow task: ${raw.pendingWorkflowTask ? 'yes' : 'no'}, activities: ${(raw.pendingActivities ?? []).map((a) => `${a.activityType?.name ?? '?'} attempt ${a.attempt ?? 0}`).join(', ') || 'none'}`;
    } else seen = `audit kinds ${kinds.join(', ')}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not settle after ${last} within 30 s (${seen})`);
}

async function seed(overrides: Partial<PolicyRecord>, balanceFen?: number): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, overrides, balanceFen);
  seeded.push(policy);
  return policy;
}

describe('renewals operator commands', () => {
  it('reminders, a failed debit, a counter payment: show, pay and history tell it in order', async () => {
    // Debited on the due date itself whatever the weekday the test runs on (a DEBITING stage, one attempt by D+1).
    const { dueDate, debits } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seed({ policyNo: 'P-OPS-0001', holderIdNo: '320102198001015551', accountNo: '6222020000000005551', nextDueDate: dueDate }, 100);
    const collectionDate = debits[0]!.collectionDate;

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(collectionDate, 1), '12:00');
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'IN_GRACE', debitAttempts: 1 });

      const shown = await json<{ policy: Record<string, unknown>; premium: Record<string, unknown>; cycle: Record<string, unknown>; debitAttempts: unknown[]; contacts: unknown[]; tasks: unknown[] }>(
        'policy', 'show', policy.policyNo,
      );
      expect(shown.policy).toMatchObject({ policyNo: policy.policyNo, holder: '张**', holderId: 'ID 320102********5551', agent: 'orphan (no servicing agent)', premium: '12345.00', status: 'in_force', mandate: 'ICBC 622202*********5551' });
      expect(shown.premium).toMatchObject({ dueDate, amount: '12345.00', status: 'due' });
      expect(shown.cycle).toMatchObject({ workflowId: `renewal-${policy.policyNo}-${dueDate}`, execution: 'RUNNING', source: 'status query', stage: 'IN_GRACE', debitAttempts: 1, plan: 'standard-60@2' });
      expect(shown.cycle.nextAction).toMatch(/^wait: /);
      expect(shown.debitAttempts).toEqual([expect.objectContaining({ no: 1, date: collectionDate, status: 'failed', reason: expect.stringMatching(/^INSUFFICIENT_FUNDS/) })]);
      expect(shown.contacts).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ step: 'reminder_d-30', channel: 'email', status: 'sent' }),
          expect.objectContaining({ step: 'reminder_d-15', channel: 'sms', status: 'sent' }),
          expect.objectContaining({ step: 'reminder_d-3', channel: 'sms', status: 'sent' }),
        ]),
      );
      expect(shown.tasks).toEqual([expect.objectContaining({ kind: 'call', step: 'call_d-15', assignee: '(operations)', status: 'open' })]);
      const table = await cli('policy', 'show', policy.policyNo);
      expect(table.out).toMatch(/stage\s+IN_GRACE/);
      expect(table.out).toContain('INSUFFICIENT_FUNDS');

      // Bad values are refused before anything is sent, naming the argument.
      expect(await cli('pay', policy.policyNo, '--via', 'cash', '--reference', 'R1')).toMatchObject({ code: 2, err: 'renewals: --via must be one of counter, online, transfer, got "cash"\n' });
      expect((await cli('pay', policy.policyNo, '--via', 'counter', '--reference', 'R 1')).err).toMatch(/^renewals: --reference must be the receipt or bank reference/);
      expect(await cli('pay', 'P-NOPE', '--via', 'counter', '--reference', 'R1')).toMatchObject({ code: 1, err: 'renewals: no policy P-NOPE in the database\n' });
      expect((await cli('pay', policy.policyNo, '--via', 'counter', '--reference', 'R1', '--due', '2020-01-01')).err).toBe(
        `renewals: policy ${policy.policyNo} has no premium due on 2020-01-01 (due dates on record: ${dueDate})\n`,
      );
      // The cycle's own validator: a release of a hold that is not there.
      expect(await cli('release', policy.policyNo, '--kind', 'claim')).toMatchObject({
        code: 1,
        err: `renewals: the cycle of ${policy.policyNo} due ${dueDate} refused holdReleased: no claim hold is in place\n`,
      });

      const cashier = await actAs(rig.database.db, { roles: ['cashier'] });
      const paid = await json<{ update: string; status: { stage: string } }>('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-7001');
      await untilClosed(handle);
      const payment = await rig.database.db('audit_events').where({ policy_no: policy.policyNo }).whereIn('kind', ['payment_reported', 'premium_paid']).orderBy('seq').select('kind', 'actor');
      expect(payment).toEqual([
        { kind: 'payment_reported', actor: cashier.ref },
        { kind: 'premium_paid', actor: cashier.ref },
      ]);
      expect(paid).toMatchObject({ update: 'paymentReceived', workflowId: `renewal-${policy.policyNo}-${dueDate}`, status: { stage: 'IN_GRACE' } });
      await untilClosed(handle);
    });

    // Over: the update cannot be delivered, and the operator hears how it ended.
    expect(await cli('pay', policy.policyNo, '--via', 'online', '--reference', 'WX-1')).toMatchObject({
      code: 1,
      err: `renewals: the cycle of ${policy.policyNo} due ${dueDate} is already closed (it ended in stage PAID (paid via counter)): nothing to change\n`,
    });
    const closed = await json<{ premium: Record<string, unknown>; cycle: Record<string, unknown> }>('policy', 'show', policy.policyNo);
    expect(closed.premium).toMatchObject({ status: 'paid', paidVia: 'counter' });
    expect(closed.cycle).toMatchObject({ execution: 'COMPLETED', source: 'database', stage: 'PAID', nextAction: 'none: premium paid' });

    const history = await cli('policy', 'history', policy.policyNo);
    expect(history.code, history.err).toBe(0);
    const runId = (await env.client.workflow.getHandle(`renewal-${policy.policyNo}-${dueDate}`).describe()).runId;
    expect(history.out).toContain(`http://ui.example:8233/namespaces/default/workflows/renewal-${policy.policyNo}-${dueDate}/${runId}/history`);
    const lines = [
      `cycle started for ${policy.policyNo} due ${dueDate}`,
      `search attributes set at start DueDate=${dueDate}, PolicyNo=${policy.policyNo}, RenewalStage=PRE_DUE`,
      'cycle opened with plan standard-60@2',
      'search attributes upserted Branch=3201, Channel=agency',
      'sendContact reminder_d-30 completed → sent email',
      'task call_d-15 (call) opened',
      'sendContact reminder_d-15 completed → sent sms',
      'sendContact reminder_d-3 completed → sent sms',
      'RenewalStage=DEBITING',
      `debit attempt 1 submitted (collection date ${collectionDate})`,
      'debit attempt 1 failed: INSUFFICIENT_FUNDS',
      'RenewalStage=IN_GRACE',
      'update paymentReceived accepted: via counter, reference RCPT-7001',
      'payment booked: counter RCPT-7001',
      'RenewalStage=PAID',
      'completed with stage PAID: paid via counter, 1 debit attempt(s), last reason INSUFFICIENT_FUNDS',
    ];
    let from = 0;
    for (const line of lines) {
      const at = history.out.indexOf(line, from);
      expect(at, `"${line}" after position ${from} in:\n${history.out}`).toBeGreaterThan(-1);
      from = at + line.length;
    }
    // A timer's purpose is read from what followed it.
    expect(history.out).toMatch(/timer set until .* → for task call_d-15 /);
    expect(history.out).toMatch(/timer set until .* → for debit attempt 1 /);

    const timeline = await json<{ runs: { runId: string; uiUrl: string }[]; entries: { at: string; kind: string; text: string }[] }>('policy', 'history', policy.policyNo);
    expect(timeline.runs).toEqual([{ runId, uiUrl: expect.stringContaining(runId) }]);
    expect(timeline.entries.filter((e) => e.kind === 'debit').map((e) => e.text)).toEqual([
      `debit attempt 1 submitted (collection date ${collectionDate})`,
      'debit attempt 1 failed: INSUFFICIENT_FUNDS',
    ]);
    expect(timeline.entries[0]!.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('promise, refuse, hold, release and account-updated reach a running cycle, print its status and are signed', async () => {
    let collector = { ref: '' };
    let lead = { ref: '' };
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed({ policyNo: 'P-OPS-0002', holderIdNo: '320102198001015552', accountNo: '6222020000000005552', nextDueDate: dueDate, premiumFen: 300_000 });

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await env.sleep(60_000);
      const promised = addDays(dueDate, 5);
      collector = await actAs(rig.database.db, { roles: ['collector'] });
      expect(await json('promise', policy.policyNo, '--date', promised)).toMatchObject({ update: 'promiseToPay', status: { promiseUntil: promised, lastSigned: { update: 'promiseToPay', by: collector.ref } } });
      expect((await cli('promise', policy.policyNo, '--date', '2026-02-30')).err).toBe('renewals: --date must be a date YYYY-MM-DD, got "2026-02-30"\n');
      const late = await cli('promise', policy.policyNo, '--date', addDays(dueDate, 90));
      expect(late.err).toMatch(new RegExp(`^renewals: the cycle of ${policy.policyNo} due ${dueDate} refused promiseToPay: promised date must be from .* to the last grace day ${addDays(dueDate, 60)}`));

      expect(await cli('refuse', policy.policyNo, '--reason', '13')).toMatchObject({ code: 2, err: 'renewals: --reason must be a non-payment reason code 1–12, got "13"\n' });
      expect(await json('refuse', policy.policyNo, '--reason', '8', '--due', dueDate)).toMatchObject({ update: 'customerRefused', dueDate });

      lead = await actAs(rig.database.db, { roles: ['operations_lead'] });
      expect((await cli('hold', policy.policyNo, '--kind', 'lawsuit')).err).toBe('renewals: --kind must be one of claim, servicing, dispute, moratorium, payment_review, got "lawsuit"\n');
      expect(await json('hold', policy.policyNo, '--kind', 'claim')).toMatchObject({ update: 'holdPlaced', status: { holds: ['claim'] } });
      const released = await cli('release', policy.policyNo, '--kind', 'claim');
      expect(released.code, released.err).toBe(0);
      expect(released.out).toContain(`holdReleased accepted by renewal-${policy.policyNo}-${dueDate}`);
      expect(released.out).toMatch(/stage\s+PRE_DUE/);
      expect(released.out).toMatch(new RegExp(`signed by\\s+${lead.ref} \\(holdReleased\\)`));
      expect(await json('account-updated', policy.policyNo)).toMatchObject({ update: 'accountUpdated', status: { stage: 'PRE_DUE', holds: [] } });

      const kinds = await auditKindsOnceIdle(policy.policyNo, handle, 'account_updated');
      expect(kinds).toEqual(expect.arrayContaining(['promise_to_pay', 'customer_refused', 'hold_placed', 'hold_released', 'account_updated']));
      // Every operator event's row is signed by the person who sent it.
      const signed = await rig.database.db('audit_events')
        .where({ policy_no: policy.policyNo })
        .whereIn('kind', ['promise_to_pay', 'customer_refused', 'hold_placed', 'hold_released', 'account_updated'])
        .orderBy('seq')
        .select('kind', 'actor');
      expect(signed).toEqual([
        { kind: 'promise_to_pay', actor: collector.ref },
        { kind: 'customer_refused', actor: collector.ref },
        { kind: 'hold_placed', actor: lead.ref },
        { kind: 'hold_released', actor: lead.ref },
        { kind: 'account_updated', actor: lead.ref },
      ]);
      await handle.terminate('test done');
    });

    const history = await json<{ entries: { text: string }[] }>('policy', 'history', policy.policyNo);
    expect(history.entries.map((e) => e.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^update promiseToPay accepted: date \\d{4}-.*, by ${collector.ref}$`)),
        `update customerRefused accepted: reasonCode 8, by ${collector.ref}`,
        `update holdPlaced accepted: kind claim, by ${lead.ref}`,
        'terminated: test done',
      ]),
    );
    expect((await cli('hold', policy.policyNo, '--kind', 'claim')).err).toBe(
      `renewals: the cycle of ${policy.policyNo} due ${dueDate} is already closed (it ended terminated in stage PRE_DUE): nothing to change\n`,
    );
  });

  it('a premium whose cycle was never started: no cycle, and show says so', async () => {
    const { dueDate } = await dueIn(env, 40);
    const policy = await seed({ policyNo: 'P-OPS-0003', holderIdNo: '320102198001015553', accountNo: '6222020000000005553', nextDueDate: dueDate });
    expect(await cli('account-updated', policy.policyNo)).toMatchObject({
      code: 1,
      err: `renewals: no cycle for ${policy.policyNo} due ${dueDate}: it has not been started (workflow renewal-${policy.policyNo}-${dueDate} not found)\n`,
    });
    expect((await json<{ cycle: unknown }>('policy', 'show', policy.policyNo)).cycle).toMatchObject({ execution: 'NOT_STARTED', stage: null, nextAction: 'cycle not started yet (the monthly run starts it)' });
    expect((await cli('policy', 'history', policy.policyNo)).err).toMatch(new RegExp(`^renewals: no cycle for ${policy.policyNo} due ${dueDate}: workflow .* not found`));
    expect((await cli('policy', 'show', 'P-NOPE')).err).toBe('renewals: no policy P-NOPE in the database\n');
    expect((await cli('policy', 'show', policy.policyNo, '--due', '2026-1-1')).err).toBe('renewals: --due must be a date YYYY-MM-DD, got "2026-1-1"\n');
  });

  it('tasks list and complete: through the running cycle, or directly once the cycle is over', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed({ policyNo: 'P-OPS-0004', holderIdNo: '320102198001015554', accountNo: '6222020000000005554', nextDueDate: dueDate });
    const other = await seed({ policyNo: 'P-OPS-0005', holderIdNo: '320102198001015555', accountNo: '6222020000000005555', nextDueDate: dueDate });

    await rig.withWorker(async () => {
      const handles = [];
      for (const p of [policy, other]) handles.push((await startRenewalCycle(env.client, { policyNo: p.policyNo, dueDate }, taskQueue)).handle);
      await sleepUntil(env, addDays(dueDate, -15), '12:00'); // high-value premiums: a call at D-15

      const open = await json<{ id: number; policy_no: string; step: string; status: string; assignee_role: string }[]>('tasks', 'list', '--role', 'operations');
      const mine = open.find((t) => t.policy_no === policy.policyNo)!;
      const theirs = open.find((t) => t.policy_no === other.policyNo)!;
      expect(mine).toMatchObject({ step: 'call_d-15', status: 'open', assignee_role: 'operations' });
      expect(await json('tasks', 'list', '--policy', policy.policyNo)).toEqual([expect.objectContaining({ id: mine.id })]);
      expect(await json('tasks', 'list', '--assignee', 'A-NOBODY')).toEqual([]);
      expect((await cli('tasks', 'list', '--role', 'boss')).err).toBe('renewals: --role must be one of agent, team_lead, operations, underwriter, got "boss"\n');

      expect(await cli('tasks', 'complete', String(mine.id), '--outcome', 'lapse')).toMatchObject({
        code: 2,
        err: `renewals: --outcome of task #${mine.id} (call_d-15) must be one of reached, no_answer, wrong_number, promised, refused, account_fixed, done, paid_elsewhere, got "lapse"\n`,
      });
      const done = await json<{ closedBy: string; note: string }>('tasks', 'complete', String(mine.id), '--outcome', 'reached');
      expect(done).toMatchObject({ closedBy: 'cycle', note: 'the cycle took the outcome and closed the task' });
      expect(await rig.database.db('tasks').where({ id: mine.id }).first()).toMatchObject({ status: 'done', outcome_code: 'reached' });
      expect((await cli('tasks', 'complete', String(mine.id), '--outcome', 'reached')).err).toBe(`renewals: task #${mine.id} is already done (outcome reached)\n`);
      expect((await cli('tasks', 'complete', '999999', '--outcome', 'reached')).err).toBe('renewals: no task #999999\n');
      expect((await cli('tasks', 'complete', 'x1', '--outcome', 'reached')).err).toBe('renewals: <taskId> must be a task number, got "x1"\n');

      // The other cycle is stopped by an engineer: its open task can only be closed in the database.
      await auditKindsOnceIdle(other.policyNo, handles[1]!, 'task_opened');
      await handles[1]!.terminate('withdrawn from collection');
      const direct = await cli('tasks', 'complete', String(theirs.id), '--outcome', 'no_answer');
      expect(direct.code, direct.err).toBe(0);
      expect(direct.out).toBe(
        `task #${theirs.id} (call_d-15, ${other.policyNo} due ${dueDate}): no_answer; the cycle is closed (it ended terminated in stage PRE_DUE): task closed in the database only\n`,
      );
      const audit = await rig.database.db('audit_events').where({ policy_no: other.policyNo, kind: 'task_completed' }).first();
      expect(audit.detail).toEqual({ taskId: theirs.id, step: 'call_d-15', outcome: 'no_answer', closedOutsideCycle: true });
      expect(await json('tasks', 'list', '--status', 'done', '--role', 'operations')).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: mine.id, outcome_code: 'reached' }), expect.objectContaining({ id: theirs.id, outcome_code: 'no_answer' })]),
      );
      await auditKindsOnceIdle(policy.policyNo, handles[0]!, 'task_completed');
      await handles[0]!.terminate('test done');
    });
  });

  it('a lapsed cycle in its reinstatement window: history follows continue-as-new, updates are refused by stage', async () => {
    const { dueDate } = await dueIn(env, 5);
    const policy = await seed({ policyNo: 'P-OPS-0006', holderIdNo: '320102198001015556', accountNo: '6222020000000005556', nextDueDate: dueDate, premiumFen: 300_000 }, 100);
    await actAs(rig.database.db, { roles: ['cashier'] }); // a transfer reported at the counter
    const workflowId = `renewal-${policy.policyNo}-${dueDate}`;

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, 70), '12:00'); // past the lapse letter (within 3 working days)
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'LAPSED', nextAction: 'wait: next: reinstatement_reminder_30d' });

      // After the suspension only a payment made within grace counts (docs/business-rules.md#payment-amounts).
      expect(await cli('pay', policy.policyNo, '--via', 'transfer', '--reference', 'TRF-1')).toMatchObject({
        code: 1,
        err: `renewals: the cycle of ${policy.policyNo} due ${dueDate} refused paymentReceived: the policy is suspended from 00:00 of ${addDays(dueDate, 61)} (Shanghai): only a payment made before then counts, so say when it was paid (paidAt)\n`,
      });
      const shown = await json<{ premium: Record<string, unknown>; cycle: Record<string, unknown>; debitAttempts: unknown[] }>('policy', 'show', policy.policyNo);
      expect(shown.premium).toMatchObject({ status: 'lapsed' });
      expect(shown.cycle).toMatchObject({ execution: 'RUNNING', source: 'status query', stage: 'LAPSED', nextAction: 'wait: next: reinstatement_reminder_30d' });
      expect(shown.debitAttempts).toHaveLength(10); // nine planned and the late check

      const timeline = await json<{ runs: { runId: string; uiUrl: string }[]; entries: { run: number; text: string }[] }>('policy', 'history', policy.policyNo);
      const latest = (await handle.describe()).runId;
      expect(timeline.runs).toHaveLength(2);
      expect(timeline.runs[1]).toEqual({ runId: latest, uiUrl: `http://ui.example:8233/namespaces/default/workflows/${workflowId}/${latest}/history` });
      const texts = timeline.entries.map((e) => `${e.run} ${e.text}`);
      const order = [
        `1 cycle started for ${policy.policyNo} due ${dueDate}`,
        '1 debit attempt 9 failed: INSUFFICIENT_FUNDS',
        '1 policy suspended as of',
        `1 continued as new (next run ${latest})`,
        '2 reinstatement window run started',
        '2 search attributes upserted Branch=3201, Channel=agency',
      ];
      let from = 0;
      for (const line of order) {
        const at = texts.findIndex((t, i) => i >= from && t.startsWith(line));
        expect(at, `"${line}" from entry ${from} in\n${texts.join('\n')}`).toBeGreaterThanOrEqual(0);
        from = at + 1;
      }
      await handle.terminate('test done');
    });
  });

  it('a cycle no worker runs: the update gives up with a clear error instead of hanging', async () => {
    const { dueDate } = await dueIn(env, 30);
    const policy = await seed({ policyNo: 'P-OPS-0007', holderIdNo: '320102198001015557', accountNo: '6222020000000005557', nextDueDate: dueDate });
    // Started on a task queue no worker polls: the cycle cannot answer.
    const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'operator-cli-no-worker');
    await actAs(rig.database.db, { roles: ['collector'] });
    vi.stubEnv('RENEWALS_UPDATE_TIMEOUT_MS', '1500');
    try {
      expect(await cli('account-updated', policy.policyNo)).toMatchObject({
        code: 1,
        err: `renewals: the cycle of ${policy.policyNo} due ${dueDate} did not answer accountUpdated within 1.5 s (is a renewal worker running?); check with policy show before sending it again\n`,
      });
    } finally {
      vi.stubEnv('RENEWALS_UPDATE_TIMEOUT_MS', '');
      await handle.terminate('test done');
    }
  });

  it('prints no personal data anywhere', () => {
    const everything = printed.join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    for (const p of seeded) {
      for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo, p.accountName]) {
        if (value) expect(everything).not.toContain(value);
      }
    }
  });
});
