import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendOperatorEvent } from '../../application/operator-events';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { dailyReport } from '../../reports/daily';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilClosed, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * Payments with amounts (docs/business-rules.md#payment-amounts) through a real cycle, the
 * time-skipping server and PostgreSQL: a part payment leaves the rest owed and the debit asks for
 * the rest only; too much pays the premium and puts the excess in the suspense ledger with a refund task.
 */
const taskQueue = 'payment-amounts';
const CASHIER = 'user:7001';
let env: TestWorkflowEnvironment;
let rig: CycleRig;

const { cli, json } = recordingCli([]);

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

const seed = (n: number, nextDueDate: string) =>
  seedFundedPolicy(rig, {
    policyNo: `P-AMT-000${n}`,
    holderIdNo: `32010219800101770${n}`,
    holderMobile: `1381234770${n}`,
    holderEmail: `amt${n}@example.cn`,
    accountNo: `622202000000000770${n}`,
    nextDueDate,
    premiumFen: 350_000,
  });

/** An instant the time-skipping server's clock has passed: a paid-at from the future is refused. */
async function paidAtNow(): Promise<string> {
  return new Date((await env.currentTimeMs()) - 60_000).toISOString();
}

describe('payments with amounts', () => {
  it('a part payment leaves the rest owed, and the debit on the due date asks only for the rest', async () => {
    const { dueDate } = await dueIn(env, 12, { onBusinessDay: true });
    const policy = await seed(1, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -5), '12:30');
      await untilIdle(handle);
      const part = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: 'RC-AMT-1', amountFen: 100_000, paidAt: await paidAtNow() };
      await sendOperatorEvent(rig.database.db, env.client, policy.policyNo, part, CASHIER, dueDate);
      await untilIdle(handle);
      await expect.poll(async () => (await handle.query(statusQuery)).owedFen).toBe(250_000);
      expect((await handle.query(statusQuery)).stage).toBe('PRE_DUE');
      const premium = await rig.database.db('premium_dues').where({ policy_no: policy.policyNo }).first('id', 'status');
      expect(premium.status).toBe('due');
      const partRow = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'premium_part_paid' }).first('actor', 'detail');
      expect(partRow).toMatchObject({ actor: CASHIER, detail: { via: 'counter', reference: 'RC-AMT-1', amountFen: 100_000, owedFen: 250_000 } });

      // The debit on the due date takes the rest, and the premium is paid.
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'debit' });
      const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
      await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, history);
      if (process.env.RECORD_HISTORIES === '1') writeFileSync(join(__dirname, '..', 'fixtures', 'histories', 'renewal-cycle-part-payment-then-debit.json'), `${JSON.stringify(history, null, 2)}\n`);
      const attempts = await attemptsOf(rig, policy.policyNo);
      expect(attempts.map((a) => Number(a.amount_fen))).toEqual([250_000]);
      const payments = await rig.database.db('payments').where({ premium_due_id: premium.id }).orderBy('id').select('via', 'amount_fen');
      expect(payments.map((p) => [p.via, Number(p.amount_fen)])).toEqual([
        ['counter', 100_000],
        ['debit', 250_000],
      ]);
      expect((await rig.database.db('premium_dues').where({ id: premium.id }).first('status')).status).toBe('paid');
      expect(await rig.database.db('suspense_entries')).toEqual([]);
    });
  });

  it('too much pays the premium and puts the excess in suspense with a refund task, once', async () => {
    const { dueDate } = await dueIn(env, 12, { onBusinessDay: true });
    const policy = await seed(2, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -5), '12:30');
      await untilIdle(handle);
      const paidAt = await paidAtNow();
      const over = { kind: 'paymentReceived' as const, via: 'transfer' as const, reference: 'BK-AMT-2', amountFen: 400_000, paidAt };
      await sendOperatorEvent(rig.database.db, env.client, policy.policyNo, over, CASHIER, dueDate);
      await untilClosed(handle);
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'transfer' });
      expect(await attemptsOf(rig, policy.policyNo)).toEqual([]);

      const premium = await rig.database.db('premium_dues').where({ policy_no: policy.policyNo }).first<{ id: number; status: string; paid_at: Date }>('id', 'status', 'paid_at');
      expect(premium.status).toBe('paid');
      // Paid when the customer paid, not when it was reported.
      expect(premium.paid_at.getTime()).toBe(Date.parse(paidAt));
      const payments = await rig.database.db('payments').where({ premium_due_id: premium.id }).select('via', 'amount_fen');
      expect(payments.map((p) => [p.via, Number(p.amount_fen)])).toEqual([['transfer', 350_000]]);
      const entries = await rig.database.db('suspense_entries').where({ policy_no: policy.policyNo });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ amount_fen: 50_000, via: 'transfer', reference: 'BK-AMT-2', reason: 'over_payment', status: 'open', recorded_by: CASHIER });
      const task = await rig.database.db('tasks').where({ id: entries[0].task_id }).first('kind', 'step', 'assignee_role', 'status', 'policy_no');
      expect(task).toEqual({ kind: 'payment_refund', step: 'refund_over_payment', assignee_role: 'operations', status: 'open', policy_no: policy.policyNo });
      const rows = await rig.database.db('audit_events').where({ policy_no: policy.policyNo }).whereIn('kind', ['premium_paid', 'payment_suspended']).orderBy('seq').select('kind', 'actor', 'detail');
      expect(rows.map((r) => [r.kind, r.actor, (r.detail as { amountFen: number }).amountFen])).toEqual([
        ['premium_paid', CASHIER, 350_000],
        ['payment_suspended', CASHIER, 50_000],
      ]);
      expect(shanghaiInstant(dueDate)).toBeGreaterThan(premium.paid_at.getTime());
    });
  });

  it('paid at the counter at 23:59 of the last grace day and reported at 08:00 the next day: the suspension is undone and the customer told', async () => {
    const { dueDate } = await dueIn(env, 5);
    // Too little in the account: every debit fails for want of funds, the customer's fault, so it lapses.
    const policy = await seedFundedPolicy(
      rig,
      { policyNo: 'P-AMT-0003', holderIdNo: '320102198001017703', holderMobile: '13812347703', accountNo: '6222020000000007703', nextDueDate: dueDate, premiumFen: 350_000, preferredChannel: 'sms' },
      100_000,
    );
    const lastGraceDay = addDays(dueDate, 60);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, 61), '08:00');
      await expect.poll(async () => (await handle.query(statusQuery)).stage, { timeout: 20_000 }).toBe('LAPSED');
      await untilIdle(handle);
      const db = rig.database.db;
      expect(await db('policies').where({ policy_no: policy.policyNo }).first('status')).toEqual({ status: 'lapsed' });

      // Paid after the suspension instant: refused, nothing recorded.
      const late = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: 'RC-AMT-3A', amountFen: 350_000, paidAt: `${addDays(dueDate, 61)}T00:01:00+08:00` };
      await expect(sendOperatorEvent(db, env.client, policy.policyNo, late, CASHIER, dueDate)).rejects.toThrow(`paid after the suspension from 00:00 of ${addDays(dueDate, 61)} (Shanghai): apply for reinstatement instead`);
      // No paid-at: refused, naming what is needed.
      const undated = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: 'RC-AMT-3B' };
      await expect(sendOperatorEvent(db, env.client, policy.policyNo, undated, CASHIER, dueDate)).rejects.toThrow('only a payment made before then counts, so say when it was paid (paidAt)');

      const inGrace = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: 'RC-AMT-3', amountFen: 350_000, paidAt: `${lastGraceDay}T23:59:00+08:00` };
      await sendOperatorEvent(db, env.client, policy.policyNo, inGrace, CASHIER, dueDate);
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'counter' });

      expect(await db('premium_dues').where({ policy_no: policy.policyNo }).first('status')).toEqual({ status: 'paid' });
      expect(await db('policies').where({ policy_no: policy.policyNo }).first('status')).toEqual({ status: 'in_force' });
      expect(await db('suspensions').where({ policy_no: policy.policyNo }).first('outcome')).toEqual({ outcome: 'undone' });
      const undone = await db('audit_events').where({ policy_no: policy.policyNo, kind: 'suspension_undone' }).first('actor', 'detail');
      expect(undone).toMatchObject({ actor: CASHIER, detail: { via: 'counter', reference: 'RC-AMT-3', amountFen: 350_000 } });
      expect((await db('policy_admin_outbox').where({ policy_no: policy.policyNo }).orderBy('id').pluck('kind'))).toEqual(['policy_suspended', 'suspension_undone']);
      const told = rig.text.sent.filter((m) => m.template === 'suspension_undone');
      expect(told).toHaveLength(1);
      expect(told[0]!.text).toContain(lastGraceDay);
      expect(told[0]!.text).toContain('3500.00');
      expect(await db('suspense_entries').where({ policy_no: policy.policyNo })).toEqual([]);

      const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
      await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, history);
      if (process.env.RECORD_HISTORIES === '1') writeFileSync(join(__dirname, '..', 'fixtures', 'histories', 'renewal-cycle-window-late-payment-undone.json'), `${JSON.stringify(history, null, 2)}\n`);
    });
  });

  it("a deposit after the final sweep's cut-off on the last grace day is collected by the late check at 22:00", async () => {
    const { dueDate } = await dueIn(env, 5);
    const policy = await seedFundedPolicy(
      rig,
      { policyNo: 'P-AMT-0005', holderIdNo: '320102198001017705', holderMobile: '13812347705', accountNo: '6222020000000007705', nextDueDate: dueDate, premiumFen: 350_000 },
      100_000,
    );
    const lastGraceDay = addDays(dueDate, 60);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      // The final sweep went at 10:00 (on the last bank business day inside grace) and found too little.
      await sleepUntil(env, lastGraceDay, '15:00');
      const swept = await attemptsOf(rig, policy.policyNo);
      expect(swept.every((a) => a.status === 'failed')).toBe(true);
      rig.bank.deposit(policy.bankCode, policy.accountNo, 350_000, lastGraceDay);
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'debit' });

      const attempts = await attemptsOf(rig, policy.policyNo);
      expect(attempts).toHaveLength(swept.length + 1);
      expect(attempts.at(-1)).toMatchObject({ status: 'succeeded', collection_date: lastGraceDay });
      const db = rig.database.db;
      expect(await db('audit_events').where({ policy_no: policy.policyNo, kind: 'policy_suspended' })).toEqual([]);
      const premium = await db('premium_dues').where({ policy_no: policy.policyNo }).first<{ status: string; paid_at: Date }>('status', 'paid_at');
      expect(premium.status).toBe('paid');
      expect(premium.paid_at.getTime() - shanghaiInstant(lastGraceDay, '22:00')).toBeGreaterThanOrEqual(0);
      expect(premium.paid_at.getTime() - shanghaiInstant(lastGraceDay, '22:00')).toBeLessThan(60_000);

      const history = JSON.parse(historyToJSON(await handle.fetchHistory()));
      await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, history);
      if (process.env.RECORD_HISTORIES === '1') writeFileSync(join(__dirname, '..', 'fixtures', 'histories', 'renewal-cycle-late-check-paid.json'), `${JSON.stringify(history, null, 2)}\n`);
    });
  });

  it('renewals pay --amount: a part, the rest, then money for a premium already paid goes to suspense with a refund task', async () => {
    const { dueDate } = await dueIn(env, 12, { onBusinessDay: true });
    const policy = await seed(4, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -5), '12:30');
      await untilIdle(handle);
      const cashier = await actAs(rig.database.db, { roles: ['cashier'] });
      const pay = (...args: string[]) => cli('pay', policy.policyNo, '--via', 'counter', ...args);

      expect(await pay('--reference', 'RC-AMT-4X', '--amount', '1千')).toMatchObject({ code: 2, err: 'renewals: --amount must be an amount in yuan with at most 2 decimals, e.g. 1234.50, got "1千"\n' });
      expect(await pay('--reference', 'RC-AMT-4X', '--amount', '10', '--paid-at', '2026-13-01 10:00')).toMatchObject({ code: 2, err: 'renewals: --paid-at must be a Shanghai time YYYY-MM-DD HH:MM, got "2026-13-01 10:00"\n' });

      expect((await pay('--reference', 'RC-AMT-4A', '--amount', '1000.00')).code).toBe(0);
      await expect.poll(async () => (await handle.query(statusQuery)).owedFen).toBe(250_000);
      expect((await pay('--reference', 'RC-AMT-4B', '--amount', '2500')).code).toBe(0);
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'counter' });

      const again = await pay('--reference', 'RC-AMT-4C', '--amount', '88.80');
      expect(again.code, again.err).toBe(0);
      expect(again.out).toMatch(new RegExp(`^the premium of ${policy.policyNo} due ${dueDate} is already paid: the money is in suspense \\(entry #\\d+\\), refund task #\\d+ for operations`));
      const refunds = await json<{ policy_no: string; amount_fen: number; reason: string; reference: string; recorded_by: string }[]>('payments', 'refunds');
      expect(refunds.filter((r) => r.policy_no === policy.policyNo).map((r) => [r.reference, r.amount_fen, r.reason, r.recorded_by])).toEqual([['RC-AMT-4C', 8_880, 'already_paid', cashier.ref]]);
      const premium = await rig.database.db('premium_dues').where({ policy_no: policy.policyNo }).first<{ id: number }>('id');
      const payments = await rig.database.db('payments').where({ premium_due_id: premium.id }).orderBy('id').select('reference', 'amount_fen');
      expect(payments.map((p) => [p.reference, Number(p.amount_fen)])).toEqual([
        ['RC-AMT-4A', 100_000],
        ['RC-AMT-4B', 250_000],
      ]);

      // The daily report of the day they were recorded shows the money's movements.
      const entry = await rig.database.db('suspense_entries').where({ reference: 'RC-AMT-4C' }).first<{ created_at: Date }>('created_at');
      const report = await dailyReport(rig.database.db, shanghaiDate(entry.created_at.getTime()));
      expect(report.money).toContainEqual({ movement: 'suspense', kind: 'already_paid', cases: 1, amountFen: 8_880 });
      expect(report.sections.find((x) => x.key === 'money')!.rows).toContainEqual({ movement: '暂收 Suspense', kind: 'already_paid', cases: 1, amount: 8_880 });
    });
  });
});
