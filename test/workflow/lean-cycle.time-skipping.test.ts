import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBankOutcomes } from '../../application/bank-results';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import { classifyIsoReason } from '../../domain/debit-reasons';
import { FileBatchBank } from '../../integrations/bank/file-bank';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import type { renewalCycle } from '../../workflows';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { firstActivityResultBytes, historyFigures } from '../../observability/history-figures';

/**
 * The lean cycle (docs/architecture.md, "What a cycle's history holds"): each path of the actions
 * budget run end to end on the time-skipping server, with its figures printed and its history
 * replayed. RECORD_HISTORIES=1 stores the runs as the fixtures test/workflow/actions-budget.test.ts
 * counts (and replay.test.ts replays); LEAN_RECORD_DIR stores them elsewhere (a run of older code).
 */
const fixtures = process.env.LEAN_RECORD_DIR ?? join(__dirname, '..', 'fixtures', 'histories');
let env: TestWorkflowEnvironment;
let online: CycleRig;
let files: CycleRig;

beforeAll(async () => {
  const server = await startTimeSkippingServer();
  env = server.env;
  online = await startCycleRig(env, 'lean-online');
  files = await startCycleRig(env, 'lean-files', { bank: new FileBatchBank(), debitTiming: { settleWithinMs: 0, pollEveryMs: 0 } });
});

afterAll(async () => {
  await online?.close();
  await files?.close();
  await env?.teardown();
});

type Cycle = WorkflowHandle<typeof renewalCycle>;

/** What the monthly run starts a cycle with (its page reads the policy's branch and channel). */
const labelsOf = (policy: { branchCode: string; channel: string }) => ({ branch: policy.branchCode, channel: policy.channel });

/** Every run of the cycle, first to last, as JSON histories. */
async function runsOf(handle: Cycle): Promise<unknown[]> {
  const runs: unknown[] = [];
  const latest = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
  let runId: string | undefined = latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId ?? undefined;
  while (runId) {
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    runs.push(JSON.parse(historyToJSON(history)));
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

async function report(path: string, handle: Cycle, names: string[]): Promise<ReturnType<typeof historyFigures>[]> {
  const runs = await runsOf(handle);
  const figures = runs.map((run, i) => historyFigures(run, `${path} run ${i + 1}`));
  const total = figures.reduce((a, f) => ({ actions: a.actions + f.actions, bytes: a.bytes + f.bytes }), { actions: 0, bytes: 0 });
  process.stderr.write(
    `[lean] ${path}: ${total.actions} actions, ${total.bytes} history bytes; openCycle result ${firstActivityResultBytes(runs[0])} bytes; runs ${figures.map((f) => `${f.actions}/${f.bytes} (${Object.entries(f.byKind).map(([k, v]) => `${k} ${v}`).join(', ')})`).join(' + ')}\n`,
  );
  for (const run of runs) await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, run);
  if (process.env.RECORD_HISTORIES === '1') {
    runs.slice(0, names.length).forEach((run, i) => writeFileSync(join(fixtures, names[i]!), `${JSON.stringify(run, null, 2)}\n`));
  }
  return figures;
}

describe('the lean cycle, path by path, on the time-skipping server', () => {
  it('paid at the first debit (online bank)', async () => {
    const { dueDate } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seedFundedPolicy(online, { policyNo: 'P-LEAN-0001', nextDueDate: dueDate, premiumFen: 350_000 });
    const handle = await online.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'lean-online', labelsOf(policy));
      expect(await handle.result()).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
      return handle;
    });
    await report('paid at first debit', handle, ['renewal-cycle-lean-paid-first-debit.json']);
  });

  it('paid in grace: the first debit finds no money, the second collects', async () => {
    const { dueDate, debits } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seedFundedPolicy(online, { policyNo: 'P-LEAN-0002', holderIdNo: '110101199001014444', nextDueDate: dueDate, premiumFen: 350_000 }, 0);
    const handle = await online.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'lean-online', labelsOf(policy));
      await sleepUntil(env, addDays(debits[0]!.collectionDate, 1), '12:30');
      online.bank.openAccount({ bankCode: policy.bankCode, accountNo: policy.accountNo, accountName: policy.accountName, balanceFen: 500_000, status: 'active' });
      expect(await handle.result()).toMatchObject({ stage: 'PAID', paidVia: 'debit', debitAttempts: 2 });
      return handle;
    });
    await report('paid in grace', handle, ['renewal-cycle-lean-paid-in-grace.json']);
  });

  it('lapsed: never paid, suspended, the window runs to termination', async () => {
    const { dueDate } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seedFundedPolicy(online, { policyNo: 'P-LEAN-0003', holderIdNo: '110101199001015555', nextDueDate: dueDate, premiumFen: 350_000 }, 0);
    const handle = await online.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'lean-online', labelsOf(policy));
      expect(await handle.result()).toMatchObject({ stage: 'CLOSED', outcome: 'terminated' });
      return handle;
    });
    await report('lapsed', handle, ['renewal-cycle-lean-lapsed.json', 'renewal-cycle-lean-window-terminated.json']);
  });

  it('a file bank: paid at the first debit by the next-day status report', async () => {
    const { dueDate, debits } = await dueIn(env, 31, { onBusinessDay: true });
    const policy = await seedFundedPolicy(files, { policyNo: 'P-LEAN-0004', holderIdNo: '110101199001016666', nextDueDate: dueDate, premiumFen: 350_000 });
    const db = files.database.db;
    const handle = await files.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, 'lean-files', labelsOf(policy));
      // The pain.002 of the collection date comes the next business day, before ten.
      const next = addDays(debits[0]!.collectionDate, 1);
      await sleepUntil(env, next, '09:15');
      const [attempt] = await attemptsOf(files, policy.policyNo);
      expect(attempt).toMatchObject({ status: 'accepted' });
      const applied = await applyBankOutcomes(db, env.client, [{ idempotencyKey: attempt.idempotency_key as string, outcome: 'succeeded', bankRef: 'BK-LEAN-1', at: new Date(await env.currentTimeMs()) }], classifyIsoReason, 'pain.002');
      expect(applied).toEqual([expect.objectContaining({ appliedAs: 'applied' })]);
      expect(await handle.result()).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
      return handle;
    });
    await report('file bank, paid at first debit', handle, ['renewal-cycle-lean-file-bank-paid.json']);
  });
});
