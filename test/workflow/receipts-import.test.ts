import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import type { PolicyRecord } from '../../db/repositories/policies';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilClosed, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * `renewals payments import` (docs/business-rules.md#receipts-import) through the CLI, against the
 * time-skipping server and real PostgreSQL: a GBK statement whose rows pay, go to suspense, are refused
 * by field, and are not paid twice when the file comes again; a dry run writes nothing.
 */
const taskQueue = 'receipts-import';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let dir: string;
const printed: string[] = [];
const seeded: PolicyRecord[] = [];
const { cli, json } = recordingCli(printed);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  dir = mkdtempSync(join(tmpdir(), 'receipts-'));
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
  await rig?.close();
  await env?.teardown();
});

async function seed(n: number, dueDate: string): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, {
    policyNo: `P-RCT-000${n}`,
    holderIdNo: `32010219800101880${n}`,
    holderMobile: `1381234880${n}`,
    holderEmail: `rct${n}@example.cn`,
    accountNo: `622202000000000880${n}`,
    nextDueDate: dueDate,
    premiumFen: 350_000,
  });
  seeded.push(policy);
  return policy;
}

describe('renewals payments import', () => {
  it('pays matches through their cycles (a part leaves the rest owed), puts the unmatched in suspense with a task, names bad rows, and never pays twice', async () => {
    const { dueDate } = await dueIn(env, 20);
    const [paid, short] = [await seed(1, dueDate), await seed(2, dueDate)];
    await rig.withWorker(async () => {
      const handles = await Promise.all([paid, short].map(async (p) => (await startRenewalCycle(env.client, { policyNo: p.policyNo, dueDate }, taskQueue)).handle));
      await sleepUntil(env, addDays(dueDate, -10), '12:00');
      await Promise.all(handles.map(untilIdle));
      // Paid yesterday by the wall clock the CLI reads (a paid-at in the future is refused).
      const paidOn = addDays(shanghaiDate(Date.now()), -1);

      // A bank statement in GBK, as the bank's export writes it; 收款 in a note column is not a field we take.
      const csv = [
        'policy_no,amount,paid_at,reference',
        `${paid.policyNo},3500.00,${paidOn} 09:30,BK-RCT-0001`,
        `${short.policyNo},1000.00,${paidOn} 09:31,BK-RCT-0002`,
        `P-RCT-9999,3500.00,${paidOn} 09:32,BK-RCT-0003`,
        `${paid.policyNo},三千五,${paidOn} 09:33,BK-RCT-0004`,
        `${short.policyNo},3500.00,${paidOn} 09:34,BK-RCT-0001`,
      ].join('\r\n');
      const file = join(dir, 'statement.csv');
      writeFileSync(file, iconv.encode(`${csv}\r\n`, 'gbk'));

      const lead = await actAs(rig.database.db, { roles: ['operations_lead'] });
      // A dry run matches and writes nothing.
      const dry = await json<{ counts: Record<string, number>; file: { encoding: string } }>('payments', 'import', file, '--dry-run');
      expect(dry.counts).toEqual({ paid: 2, suspense: 1, duplicate: 0, rejected: 2 });
      expect(dry.file.encoding).toBe('gbk');
      expect(await rig.database.db('payment_receipts')).toEqual([]);
      expect((await handles[0]!.query(statusQuery)).stage).toBe('PRE_DUE');

      const done = await cli('payments', 'import', file);
      expect(done, done.err).toMatchObject({ code: 0 });
      expect(done.out).toContain('paid 2, put 1 in suspense, 0 imported before, 2 rejected (gbk)');
      expect(done.out).toContain('row 5, amount: amount must be an amount in yuan with at most 2 decimals, e.g. 1234.50');
      expect(done.out).toContain('row 6, reference: reference BK-RCT-0001 is given again (row 2)');
      expect(done.out).toMatch(/row 4 BK-RCT-0003 \(P-RCT-9999\): suspense, unknown_policy, task #\d+/);

      // The exact match paid its cycle, signed by the importer; the short one paid a part, the rest still owed.
      await untilClosed(handles[0]!);
      expect(await handles[0]!.result()).toMatchObject({ stage: 'PAID', paidVia: 'transfer' });
      await expect.poll(async () => (await handles[1]!.query(statusQuery)).owedFen).toBe(250_000);
      expect((await handles[1]!.query(statusQuery)).stage).toBe('PRE_DUE');
      const reported = await rig.database.db('audit_events').where({ policy_no: paid.policyNo, kind: 'payment_reported' }).first('actor', 'detail');
      expect(reported).toMatchObject({ actor: lead.ref, detail: { via: 'transfer', reference: 'BK-RCT-0001' } });

      const suspense = await json<{ reference: string; suspense_reason: string; task_id: number; task_status: string }[]>('payments', 'suspense');
      expect(suspense.map((r) => [r.reference, r.suspense_reason, r.task_status])).toEqual([['BK-RCT-0003', 'unknown_policy', 'open']]);
      const tasks = await rig.database.db('tasks').where({ kind: 'payment_suspense' }).orderBy('id').select('policy_no', 'assignee_role', 'status');
      expect(tasks).toEqual([{ policy_no: null, assignee_role: 'operations', status: 'open' }]);
      const audited = await rig.database.db('audit_events').where({ kind: 'receipt_imported' }).orderBy('seq').select('actor', 'detail');
      expect(audited.map((a) => [a.actor, (a.detail as { reference: string; outcome: string }).reference, (a.detail as { outcome: string }).outcome])).toEqual([
        [lead.ref, 'BK-RCT-0001', 'paid'],
        [lead.ref, 'BK-RCT-0002', 'paid'],
        [lead.ref, 'BK-RCT-0003', 'suspense'],
      ]);

      // The same file again: nothing is paid or put aside twice.
      const again = await json<{ counts: Record<string, number> }>('payments', 'import', file);
      expect(again.counts).toEqual({ paid: 0, suspense: 0, duplicate: 3, rejected: 2 });
      expect(await rig.database.db('payment_receipts').pluck('reference')).toHaveLength(3);
      expect(await rig.database.db('tasks').where({ kind: 'payment_suspense' }).pluck('id')).toHaveLength(1);
      const part = await rig.database.db('payments as p').join('premium_dues as d', 'd.id', 'p.premium_due_id').where('d.policy_no', short.policyNo).select('p.amount_fen', 'p.received_at');
      expect(part.map((p) => Number(p.amount_fen))).toEqual([100_000]);
      await handles[1]!.terminate('test done');
    });
  });

  it('is for operations leads; a cashier may list the suspense; a missing file and a bad --via are named', async () => {
    await actAs(rig.database.db, { roles: ['cashier'] });
    expect((await cli('payments', 'import', join(dir, 'statement.csv'))).code).toBe(5);
    expect((await cli('payments', 'suspense')).code).toBe(0);
    await actAs(rig.database.db, { roles: ['operations_lead'] });
    expect(await cli('payments', 'import', join(dir, 'statement.csv'), '--via', 'cash')).toMatchObject({ code: 2, err: 'renewals: --via must be one of counter, online, transfer, got "cash"\n' });
    const missing = await cli('payments', 'import', join(dir, 'none.csv'), '--dry-run');
    expect(missing.code).not.toBe(0);
    expect(missing.err).toContain('no such file');
  });

  it('printed no personal data', () => {
    const all = printed.join('\n');
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) if (value) expect(all).not.toContain(value);
  });
});
