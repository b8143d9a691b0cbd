import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import type { PolicyRecord } from '../../db/repositories/policies';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilClosed, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * Four-eyes on large counter payments (docs/business-rules.md#four-eyes), through the CLI against the
 * time-skipping server and real PostgreSQL: above the line one cashier records, a second confirms (the
 * cycle is paid) or rejects (the cycle never hears of it); at or below it the payment goes straight in.
 */
const taskQueue = 'counter-payments';
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

async function seed(n: number, dueDate: string, premiumFen: number): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, {
    policyNo: `P-CTR-000${n}`,
    holderIdNo: `32010219800101770${n}`,
    holderMobile: `1381234770${n}`,
    holderEmail: `ctr${n}@example.cn`,
    accountNo: `622202000000000770${n}`,
    nextDueDate: dueDate,
    premiumFen,
  });
  seeded.push(policy);
  return policy;
}

/** The policy's cycle started and idle at D-10, before any debit: where each test begins. */
async function cycleBeforeDebits(policyNo: string, dueDate: string): Promise<WorkflowHandle> {
  const { handle } = await startRenewalCycle(env.client, { policyNo, dueDate }, taskQueue);
  await sleepUntil(env, addDays(dueDate, -10), '12:00');
  await untilIdle(handle);
  return handle;
}

const auditOf = (policyNo: string, kinds: string[]) =>
  rig.database.db('audit_events').where({ policy_no: policyNo }).whereIn('kind', kinds).orderBy('seq').select('kind', 'actor', 'detail');

describe('a counter payment above the line', () => {
  it('is recorded by one cashier, refused to the same one, and paid when a second confirms it', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(1, dueDate, 3_000_000);
    await rig.withWorker(async () => {
      const handle = await cycleBeforeDebits(policy.policyNo, dueDate);

      const first = await actAs(rig.database.db, { roles: ['cashier'] });
      const recorded = await cli('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-9001');
      expect(recorded, recorded.err).toMatchObject({ code: 0, err: '' });
      expect(recorded.out).toMatch(/^counter payment #(\d+) recorded: ¥30000\.00 is above ¥20000\.00, so a second cashier confirms it \(renewals payments confirm \1\)/);
      const id = Number(/#(\d+)/.exec(recorded.out)![1]);
      expect(recorded.out).toContain('until then the cycle is held (payment_review)');
      // No payment reached the cycle yet; its collection is held meanwhile, signed by the first cashier.
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'PRE_DUE', holds: ['payment_review'] });
      expect(await auditOf(policy.policyNo, ['payment_reported', 'premium_paid'])).toEqual([]);
      expect(await auditOf(policy.policyNo, ['hold_placed'])).toEqual([{ kind: 'hold_placed', actor: first.ref, detail: expect.objectContaining({ kind: 'payment_review' }) }]);

      expect(await cli('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-9002')).toMatchObject({
        code: 1,
        err: `renewals: counter payment #${id} (reference RCPT-9001) for ${policy.policyNo} due ${dueDate} already awaits a second cashier: confirm or reject it first\n`,
      });
      expect(await cli('payments', 'confirm', String(id))).toMatchObject({
        code: 1,
        err: `renewals: four-eyes: the confirmation of counter payment #${id} must come from a second person, not the one who recorded\n`,
      });
      expect(await cli('payments', 'confirm', 'seven')).toMatchObject({ code: 2, err: 'renewals: <id> must be a counter payment number, got "seven"\n' });
      expect(await json('payments', 'pending')).toEqual([
        expect.objectContaining({ id, policy_no: policy.policyNo, due_date: dueDate, reference: 'RCPT-9001', amount_fen: 3_000_000, recorded_by: first.ref, status: 'awaiting' }),
      ]);

      const second = await actAs(rig.database.db, { roles: ['cashier'] });
      expect(await json('payments', 'confirm', String(id))).toMatchObject({ payment: id, status: 'confirmed', recordedBy: first.ref, confirmedBy: second.ref });
      await untilClosed(handle);
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      // The cycle's own rows and the confirmation's row are written side by side: compared as a set after the first.
      const trail = await auditOf(policy.policyNo, ['counter_payment_recorded', 'payment_reported', 'premium_paid', 'counter_payment_confirmed']);
      expect(trail[0]).toEqual({ kind: 'counter_payment_recorded', actor: first.ref, detail: { payment: id, reference: 'RCPT-9001', amountFen: 3_000_000, confirmAboveFen: 2_000_000 } });
      expect(trail.slice(1)).toHaveLength(3);
      expect(trail.slice(1)).toEqual(
        expect.arrayContaining([
          { kind: 'payment_reported', actor: second.ref, detail: expect.objectContaining({ via: 'counter', reference: 'RCPT-9001' }) },
          { kind: 'premium_paid', actor: second.ref, detail: expect.objectContaining({ via: 'counter', reference: 'RCPT-9001' }) },
          { kind: 'counter_payment_confirmed', actor: second.ref, detail: { payment: id, reference: 'RCPT-9001', amountFen: 3_000_000, recordedBy: first.ref } },
        ]),
      );
      expect(await json('payments', 'pending')).toEqual([]);
      expect(await cli('payments', 'confirm', String(id))).toMatchObject({ code: 1, err: `renewals: counter payment #${id} is already confirmed (by ${second.ref})\n` });
    });
  });

  it('rejected by a second cashier with a reason: no payment reaches the cycle, and its review hold is released', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(2, dueDate, 2_500_000);
    await rig.withWorker(async () => {
      const handle = await cycleBeforeDebits(policy.policyNo, dueDate);

      const first = await actAs(rig.database.db, { roles: ['cashier'] });
      const { payment: id } = await json<{ payment: number }>('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-9101');
      expect(await cli('payments', 'reject', String(id), '--reason', 'no money in the till')).toMatchObject({
        code: 1,
        err: `renewals: four-eyes: the rejection of counter payment #${id} must come from a second person, not the one who recorded\n`,
      });
      // Held while it waits: the debit day passes without a debit.
      await sleepUntil(env, addDays(dueDate, 2), '12:00');
      await untilIdle(handle);
      expect(await rig.database.db('debit_attempts as a').join('premium_dues as d', 'd.id', 'a.premium_due_id').where('d.policy_no', policy.policyNo)).toEqual([]);
      expect((await handle.query(statusQuery)).holds).toEqual(['payment_review']);
      const second = await actAs(rig.database.db, { roles: ['cashier'] });
      expect(await json('payments', 'reject', String(id), '--reason', 'till short; customer 13812347702 called')).toMatchObject({ status: 'rejected', rejectedBy: second.ref, holdReleased: true });
      const [rejected] = await auditOf(policy.policyNo, ['counter_payment_rejected']);
      expect(rejected).toMatchObject({ actor: second.ref, detail: { payment: id, recordedBy: first.ref, reason: expect.not.stringContaining('13812347702') } });
      expect(await auditOf(policy.policyNo, ['payment_reported', 'premium_paid'])).toEqual([]);
      // Released by the rejecting cashier: collection resumes with a debit at once.
      expect((await handle.query(statusQuery)).holds).toEqual([]);
      expect(await auditOf(policy.policyNo, ['hold_released'])).toEqual([{ kind: 'hold_released', actor: second.ref, detail: expect.objectContaining({ kind: 'payment_review' }) }]);
      await untilIdle(handle);
      await handle.terminate('test done');
    });
  });
});

describe('the line', () => {
  it('at or below it the payment goes straight to the cycle; the insurer sets it; a malformed value is named', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(3, dueDate, 3_000_000);
    await rig.withWorker(async () => {
      const handle = await cycleBeforeDebits(policy.policyNo, dueDate);
      const cashier = await actAs(rig.database.db, { roles: ['cashier'] });
      vi.stubEnv('RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN', 'thirty thousand');
      expect(await cli('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-9201')).toMatchObject({
        code: 1,
        err: 'renewals: RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN must be an amount in yuan with at most 2 decimals (0: every counter payment), got "thirty thousand"\n',
      });
      vi.stubEnv('RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN', '30000');
      expect(await json('pay', policy.policyNo, '--via', 'counter', '--reference', 'RCPT-9201')).toMatchObject({ update: 'paymentReceived' });
      vi.stubEnv('RENEWALS_COUNTER_CONFIRM_ABOVE_YUAN', '');
      await untilClosed(handle);
      expect(await auditOf(policy.policyNo, ['counter_payment_recorded', 'payment_reported'])).toEqual([
        { kind: 'payment_reported', actor: cashier.ref, detail: expect.objectContaining({ via: 'counter', reference: 'RCPT-9201' }) },
      ]);
    });
  });

  it('printed no personal data', () => {
    const all = printed.join('\n');
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) if (value) expect(all).not.toContain(value);
  });
});
