import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../clients/renewal-cycles';
import { verifyAuditChain } from '../../db/repositories/audit';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { workflowsPath } from '../../workers/renewal-worker';
import { seedFundedPolicy, startSliceRig, type SliceRig } from '../support/slice';

const taskQueue = 'slice-time-skipping';
let env: TestWorkflowEnvironment;
let rig: SliceRig;

beforeAll(async () => {
  const server = await startTimeSkippingServer();
  env = server.env;
  process.stderr.write(`[test] renewal-cycle on the time-skipping test server (${server.source})\n`);
  rig = await startSliceRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});

describe('renewal-cycle on the time-skipping server', () => {
  it('runs a cycle whose reminder is 30 days out to PAID in seconds of wall time', async () => {
    // The server's clock, not the machine's: earlier tests in this file moved it forward.
    const dueDate = addDays(shanghaiDate(await env.currentTimeMs()), 31);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0001', nextDueDate: dueDate, premiumFen: 1_234_500 }, 2_000_000);
    const wallStart = Date.now();

    const outcome = await rig.withWorker(async () => {
      const { handle, started } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      expect(started).toBe(true);
      // Starting the same cycle again finds the one already running.
      const again = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      expect(again.started).toBe(false);
      expect(again.handle.workflowId).toBe(`renewal-${policy.policyNo}-${dueDate}`);
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    const { result, history } = outcome;
    const wallSeconds = (Date.now() - wallStart) / 1000;
    process.stderr.write(`[test] 31 days of cycle took ${wallSeconds.toFixed(1)} s of wall time\n`);

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    expect(wallSeconds).toBeLessThan(60);

    const db = rig.database.db;
    const due = await db('premium_dues').where({ policy_no: policy.policyNo }).first();
    expect(due).toMatchObject({ status: 'paid', paid_via: 'debit', workflow_id: `renewal-${policy.policyNo}-${dueDate}` });
    // Business time is the server's simulated clock: paid on the due date, not today.
    expect(shanghaiDate((due.paid_at as Date).getTime())).toBe(dueDate);

    const attempts = await db('debit_attempts').where({ premium_due_id: due.id });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt_no: 1, status: 'succeeded', amount_fen: 1_234_500, collection_date: dueDate });
    expect(rig.bank.ledger.filter((e) => e.idempotencyKey === attempts[0].idempotency_key)).toEqual([
      expect.objectContaining({ outcome: 'debited', amountFen: 1_234_500 }),
    ]);
    expect(rig.bank.balanceOf(policy.bankCode, policy.accountNo)).toBe(2_000_000 - 1_234_500);
    const payments = await db('payments').where({ premium_due_id: due.id });
    expect(payments).toEqual([expect.objectContaining({ via: 'debit', amount_fen: 1_234_500, reference: attempts[0].idempotency_key })]);

    const contacts = await db('contact_attempts').where({ policy_no: policy.policyNo });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ channel: 'email', status: 'sent', step: 'reminder_d-30', recipient_masked: 'z***@example.cn' });
    expect(shanghaiDate((contacts[0].planned_at as Date).getTime())).toBe(addDays(dueDate, -30));

    // The reminder reached a real SMTP server, Chinese text intact, Message-ID = contact attempt ID.
    expect(rig.smtp.messages).toHaveLength(1);
    const mail = await simpleParser(rig.smtp.messages[0]!.raw);
    expect(mail.messageId).toBe(`<${contacts[0].id}@renewals.invalid>`);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(policy.holderEmail);
    expect(mail.subject).toContain(policy.policyNo);
    expect(mail.text).toContain(`续期保费 12345.00 元将于 ${dueDate}`);
    expect(mail.html).toContain('lang="en"');

    const audit = await db('audit_events').where({ policy_no: policy.policyNo }).orderBy('seq');
    expect(audit.map((e) => (e.kind === 'stage_changed' ? `stage:${e.detail.stage}` : e.kind))).toEqual([
      'stage:PRE_DUE',
      'contact_sent',
      'stage:DEBITING',
      'premium_paid',
      'stage:PAID',
    ]);
    for (const event of audit) {
      expect(event.workflow_id).toBe(`renewal-${policy.policyNo}-${dueDate}`);
      expect(event.run_id).toMatch(/[0-9a-f-]{36}/);
      expect(event.activity_id).toBeTruthy();
    }
    expect((await verifyAuditChain(db)).firstBreak).toBeUndefined();

    // The recorded history replays against today's workflow code without a determinism error.
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
  });

  it('leaves an unfunded premium IN_GRACE with the bank’s reason, having debited nothing', async () => {
    const dueDate = addDays(shanghaiDate(await env.currentTimeMs()), 10);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-TS-0002', holderIdNo: '110101199001011111', nextDueDate: dueDate, premiumFen: 800_000 }, 100_000);

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate, reminderDaysBefore: 3 }, taskQueue);
      return handle.result();
    });

    expect(result).toEqual({ stage: 'IN_GRACE', debitAttempts: 1, lastReason: 'INSUFFICIENT_FUNDS' });
    const db = rig.database.db;
    const attempts = await db('debit_attempts as a')
      .join('premium_dues as d', 'd.id', 'a.premium_due_id')
      .where('d.policy_no', policy.policyNo)
      .select('a.*');
    expect(attempts).toEqual([
      expect.objectContaining({ status: 'failed', raw_code: 'AM04', reason: 'INSUFFICIENT_FUNDS', customer_fault: true, collection_date: dueDate }),
    ]);
    expect(shanghaiDate((attempts[0].resolved_at as Date).getTime())).toBe(dueDate);
    expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'due', paid_at: null });
    expect(rig.bank.balanceOf(policy.bankCode, policy.accountNo)).toBe(100_000);
  });
});
