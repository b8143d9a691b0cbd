import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { startDevServer } from '../../scripts/temporal-env';
import { OPENING, PolicyNo, RenewalStageKey, statusQuery } from '../../workflows/messages';
import { seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

const taskQueue = 'slice-dev-server';
let env: TestWorkflowEnvironment;
let rig: CycleRig;

beforeAll(async () => {
  const server = await startDevServer();
  env = server.env;
  process.stderr.write(`[test] renewal-cycle on the Temporal CLI dev server (${server.source})\n`);
  rig = await startCycleRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
});

async function listByPolicyNo(policyNo: string) {
  const found = [];
  for await (const execution of env.client.workflow.list({ query: `PolicyNo="${policyNo}"` })) found.push(execution);
  return found;
}

describe('renewal-cycle on the dev server', () => {
  it('is found by its PolicyNo search attribute through the list API, with its stage', async () => {
    const dueDate = addDays(shanghaiDate(Date.now()), 45);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-DEV-0001', nextDueDate: dueDate });

    const listed = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate, runMonth: dueDate.slice(0, 7) }, taskQueue);
      // The cycle now sleeps until its reminder 30 days out; visibility is eventually consistent.
      const deadline = Date.now() + 20_000;
      let executions = await listByPolicyNo(policy.policyNo);
      while (executions.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        executions = await listByPolicyNo(policy.policyNo);
      }
      // Search attributes are upserted before the first activities finish: on a busy machine the
      // cycle can be listed while it is still recording its opening stage.
      let status = await handle.query(statusQuery);
      while ((status.nextAction === 'start' || status.nextAction === OPENING) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = await handle.query(statusQuery);
      }
      expect(status).toMatchObject({ stage: 'PRE_DUE', nextAction: 'wait: next: reminder_d-30', debitAttempts: 0, plan: 'standard-60@2' });
      await handle.terminate('test done');
      return executions;
    });

    expect(listed).toHaveLength(1);
    const [execution] = listed;
    expect(execution!.workflowId).toBe(`renewal-${policy.policyNo}-${dueDate}`);
    expect(execution!.type).toBe('renewalCycle');
    expect(execution!.typedSearchAttributes.get(PolicyNo)).toBe(policy.policyNo);
    expect(execution!.typedSearchAttributes.get(RenewalStageKey)).toBe('PRE_DUE');
    // Nothing was sent or debited: the reminder is 15 days away even from the dev server's real clock.
    expect(rig.smtp.messages).toHaveLength(0);
    expect(await rig.database.db('debit_attempts')).toEqual([]);
  });
});
