import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { upsertAgent } from '../../db/repositories/policies';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { addDays, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { holdPlacedUpdate, holdReleasedUpdate, promiseToPayUpdate, statusQuery, taskCompletedUpdate } from '../../workflows/messages';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

const taskQueue = 'cycle-exceptions';
let env: TestWorkflowEnvironment;
let rig: CycleRig;

beforeAll(async () => {
  const server = await startTimeSkippingServer();
  env = server.env;
  process.stderr.write(`[test] renewal-cycle exceptions on the time-skipping test server (${server.source})\n`);
  rig = await startCycleRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});


describe('renewal-cycle exceptions on the time-skipping server', () => {
  it('an "unknown" bank answer is resolved by querying: exactly one debit, paid', async () => {
    const { dueDate } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-EX-0001', holderIdNo: '310101198001010001', nextDueDate: dueDate, premiumFen: 600_000 });
    rig.bank.lostAnswers = 1;

    const result = await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    expect(rig.bank.lostAnswers).toBe(0);
    expect(rig.bank.ledger.filter((e) => e.accountNo === policy.accountNo)).toEqual([expect.objectContaining({ outcome: 'debited', amountFen: 600_000 })]);
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(attempts.map((a) => [a.attempt_no, a.status])).toEqual([[1, 'succeeded']]);
    const paidEvents = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'premium_paid' });
    expect(paidEvents).toHaveLength(1);
  });

  it('a claim hold pauses debits and contacts and blocks lapse until released; then one catch-up debit pays', async () => {
    const { dueDate, debits } = await dueIn(env, 4);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-EX-0002', holderIdNo: '310101198001010002', nextDueDate: dueDate, premiumFen: 400_000 }, 0);

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -1), '12:00');
      await handle.executeUpdate(holdPlacedUpdate, { args: [{ kind: 'claim' }] });
      await sleepUntil(env, addDays(dueDate, 70), '12:00'); // ten days past grace end
      const status = await handle.query(statusQuery);
      expect(status).toMatchObject({ stage: 'IN_GRACE', holds: ['claim'], debitAttempts: 0 });
      expect(status.nextAction).toContain('lapse blocked by hold');
      expect(await rig.database.db('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'in_force' });
      // The claim is settled and the customer deposits; operations release the hold.
      rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 1_000_000, status: 'active' });
      await handle.executeUpdate(holdReleasedUpdate, { args: [{ kind: 'claim' }] });
      return handle.result();
    });

    expect(result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'succeeded', collection_date: cnMainlandCalendar().nextBusinessDay(addDays(dueDate, 70)) });
    expect(debits.length).toBeGreaterThan(1); // all of them passed while held
    const db = rig.database.db;
    const suppressed = await db('contact_attempts').where({ policy_no: policy.policyNo, status: 'suppressed' }).select('step', 'suppressed_rule');
    expect(suppressed).toEqual(expect.arrayContaining([{ step: 'lapse_risk_d+15', suppressed_rule: 'hold' }, { step: 'final_notice_d+55', suppressed_rule: 'hold' }]));
    const heldTasks = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'task_suppressed' });
    expect(heldTasks.map((e) => e.detail.step)).toEqual(['call_d+7', 'call_d+30']);
    expect(await db('audit_events').where({ policy_no: policy.policyNo, kind: 'policy_suspended' })).toEqual([]);
  });

  it('bank-side failures through grace end do not lapse the policy: operations are escalated to and decide', async () => {
    const { dueDate } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-EX-0003', holderIdNo: '310101198001010003', nextDueDate: dueDate, premiumFen: 500_000 });
    rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 1_000_000, status: 'active', faultCode: 'MS03' });

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, 65), '12:00');
      const status = await handle.query(statusQuery);
      expect(status.stage).toBe('IN_GRACE');
      expect(status.nextAction).toContain('operations decide');
      const escalation = await rig.database.db('tasks').where({ policy_no: policy.policyNo, step: 'grace_end_escalation' }).first();
      expect(escalation).toMatchObject({ kind: 'escalation', assignee_role: 'operations', status: 'open' });
      expect(await rig.database.db('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'in_force' });
      const refused = await handle.executeUpdate(taskCompletedUpdate, { args: [{ step: 'grace_end_escalation', outcome: 'maybe' }] }).catch((e: unknown) => e);
      expect(String((refused as { cause?: Error }).cause?.message)).toContain('outcome of grace_end_escalation must be retry_debit, lapse, got maybe');
      await handle.executeUpdate(taskCompletedUpdate, { args: [{ step: 'grace_end_escalation', outcome: 'lapse' }] });
      return handle.result();
    });

    expect(result.stage).toBe('CLOSED');
    expect(await rig.database.db('tasks').where({ policy_no: policy.policyNo, step: 'grace_end_escalation' }).first()).toMatchObject({ status: 'done', outcome_code: 'lapse' });
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(new Set(attempts.map((a) => `${a.reason}/${a.customer_fault}`))).toEqual(new Set(['BANK_ERROR/false']));
    // Suspended on the operator's decision; with no application the window ends in termination.
    expect(await rig.database.db('suspensions').where({ policy_no: policy.policyNo }).first()).toMatchObject({ outcome: 'terminated' });
    expect(await rig.database.db('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'terminated' });
  });

  it('orphan policy (agent departed): calls go to the team lead; automatic premium loan keeps it in force', async () => {
    const { dueDate } = await dueIn(env, 3);
    const db = rig.database.db;
    await upsertAgent(db, rig.cipher, { code: 'L001', name: '赵队长', mobile: '13900000001', teamCode: 'T01', branchCode: '3201', status: 'active', leaderCode: null });
    await upsertAgent(db, rig.cipher, { code: 'A042', name: '钱经理', mobile: '13900000042', teamCode: 'T01', branchCode: '3201', status: 'departed', leaderCode: 'L001' });
    const policy = await seedFundedPolicy(
      rig,
      { policyNo: 'P-EX-0004', holderIdNo: '310101198001010004', nextDueDate: dueDate, premiumFen: 300_000, agentCode: 'A042', aplElected: true, cashValueFen: 2_000_000 },
      0,
    );

    const result = await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());

    expect(result).toEqual({ stage: 'PAID', paidVia: 'apl', debitAttempts: expect.any(Number), lastReason: 'INSUFFICIENT_FUNDS' });
    const tasks = await db('tasks').where({ policy_no: policy.policyNo }).orderBy('due_at').select('step', 'assignee_role', 'assignee_agent_code');
    expect(tasks).toEqual([
      { step: 'call_d+7', assignee_role: 'team_lead', assignee_agent_code: 'L001' },
      { step: 'call_d+30', assignee_role: 'team_lead', assignee_agent_code: 'L001' },
      { step: 'escalation_d+45', assignee_role: 'team_lead', assignee_agent_code: 'L001' },
    ]);
    const opened = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'task_opened' });
    expect(opened.every((e) => e.detail.orphan === true)).toBe(true);
    expect(await db('payments as p').join('premium_dues as d', 'd.id', 'p.premium_due_id').where('d.policy_no', policy.policyNo).select('p.via')).toEqual([{ via: 'apl' }]);
    expect(await db('policies').where({ policy_no: policy.policyNo }).first()).toMatchObject({ status: 'in_force' });
  });

  it('a promise to pay suppresses contacts through the promised date + 1; broken, the ladder resumes and a later debit pays', async () => {
    const { dueDate, debits } = await dueIn(env, 3);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-EX-0005', holderIdNo: '310101198001010005', nextDueDate: dueDate, premiumFen: 700_000 }, 0);
    const promised = addDays(dueDate, 10);
    const fifth = debits[4]!; // the D+21 attempt

    const result = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, debits[0]!.collectionDate, '12:00');
      const status = await handle.executeUpdate(promiseToPayUpdate, { args: [{ date: promised }] });
      expect(status.promiseUntil).toBe(promised);
      // The promise is broken; the customer deposits later, before the D+21 attempt.
      await sleepUntil(env, addDays(fifth.collectionDate, -1), '12:00');
      rig.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 1_000_000, status: 'active' });
      return handle.result();
    });

    expect(result).toMatchObject({ stage: 'PAID', paidVia: 'debit' });
    const db = rig.database.db;
    const contacts = await db('contact_attempts').where({ policy_no: policy.policyNo }).orderBy('planned_at').select('step', 'status', 'suppressed_rule', 'planned_at');
    const during = contacts.filter((c) => shanghaiDate((c.planned_at as Date).getTime()) > debits[0]!.collectionDate && shanghaiDate((c.planned_at as Date).getTime()) <= addDays(promised, 1));
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((c) => c.status === 'suppressed' && c.suppressed_rule === 'promise_to_pay')).toBe(true);
    expect(contacts.find((c) => c.step === 'lapse_risk_d+15')).toMatchObject({ status: 'sent' });
    const kinds = (await db('audit_events').where({ policy_no: policy.policyNo }).orderBy('seq')).map((e) => e.kind);
    expect(kinds.indexOf('promise_to_pay')).toBeGreaterThan(-1);
    expect(kinds.indexOf('promise_broken')).toBeGreaterThan(kinds.indexOf('promise_to_pay'));
    expect((await db('tasks').where({ policy_no: policy.policyNo, step: 'call_d+7' })).length).toBe(0); // the D+7 call was held too
    const attempts = await attemptsOf(rig, policy.policyNo);
    expect(attempts.at(-1)).toMatchObject({ status: 'succeeded', collection_date: fifth.collectionDate });
  });

  it('a reminder that falls due at 22:00 goes out at 09:00 the next day', async () => {
    const today = shanghaiDate(await env.currentTimeMs());
    await sleepUntil(env, addDays(today, 1), '22:00');
    const dueDate = addDays(today, 4); // D-3 09:00 passed this morning: the cycle starts with it overdue, at night
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-EX-0006', holderIdNo: '310101198001010006', nextDueDate: dueDate, preferredChannel: 'sms' });

    await rig.withWorker(async () => (await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue)).handle.result());

    const contacts = await rig.database.db('contact_attempts').where({ policy_no: policy.policyNo }).orderBy('created_at').select('step', 'channel', 'status', 'suppressed_rule', 'sent_at');
    const reminder = contacts.find((c) => c.step === 'reminder_d-3');
    expect(reminder).toMatchObject({ channel: 'sms', status: 'sent' });
    expect(Math.abs((reminder.sent_at as Date).getTime() - shanghaiInstant(addDays(today, 2), '09:00'))).toBeLessThan(1000);
    // The older reminders were overtaken by it: recorded, not sent.
    const overtaken: string[] = contacts.filter((c) => c.step !== 'reminder_d-3' && String(c.step).startsWith('reminder')).map((c) => `${c.step}/${c.channel}:${c.suppressed_rule}`);
    expect(overtaken.sort()).toEqual(['reminder_d-15/sms:stale', 'reminder_d-30/email:stale', 'reminder_d-30/sms:stale']);
  });
});
