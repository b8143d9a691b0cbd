import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openAuditedTask, type NewTask } from '../../db/repositories/tasks';
import { startDevServer } from '../../scripts/temporal-env';
import { OVERDUE_SWEEP_SCHEDULE_ID, type overdueTaskSweep } from '../../workflows/overdue-task-sweep';
import { actAs } from '../support/acting';
import { runCliCaptured } from '../support/cli';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { until } from '../support/monthly-runs';

/**
 * Overdue tasks go to the team lead (docs/business-rules.md#tasks-that-act): the hourly Temporal
 * Schedule and its overdueTaskSweep workflow on the dev server (the time-skipping server has no
 * schedules), and `renewals tasks escalate` for a sweep now, against real PostgreSQL.
 */
const taskQueue = 'overdue-sweep-dev';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let client: Client;

const cli = (...args: string[]) => runCliCaptured(args);

function task(step: string, dueAt: Date): NewTask {
  return {
    kind: 'call',
    step,
    policyNo: 'P-SWEEP-01',
    dueDate: '2026-12-24',
    assigneeAgentCode: 'A-SW1',
    assigneeRole: 'agent',
    dueAt,
    workflowId: 'renewal-P-SWEEP-01-2026-12-24',
    runId: 'run-1',
    activityId: step,
    priority: 30,
  };
}
const audit = { actor: 'renewal-cycle', policyNo: 'P-SWEEP-01', dueDate: '2026-12-24', workflowId: 'renewal-P-SWEEP-01-2026-12-24', runId: 'run-1', activityId: '1' };

beforeAll(async () => {
  const server = await startDevServer();
  env = server.env;
  client = env.client;
  rig = await startCycleRig(env, taskQueue);
  const db = rig.database.db;
  await seedPolicy(db, rig.cipher, samplePolicy({ policyNo: 'P-SWEEP-01' }));
  await rig.database.owner('teams').insert({ code: 'T-SW', branch_code: '3201', leader_code: 'L-SW' });
  await rig.database.owner('agents').insert([
    { code: 'L-SW', name_masked: '李*', name_enc: rig.cipher.encrypt('李四'), team_code: 'T-SW', branch_code: '3201', status: 'active' },
    { code: 'A-SW1', name_masked: '王*', name_enc: rig.cipher.encrypt('王五'), team_code: 'T-SW', branch_code: '3201', status: 'active', leader_code: 'L-SW' },
  ]);
  await rig.database.owner('policies').where({ policy_no: 'P-SWEEP-01' }).update({ agent_code: 'A-SW1' });
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

describe('overdue tasks escalate', () => {
  it('renewals tasks escalate: a sweep now, audited, once', async () => {
    const late = await openAuditedTask(rig.database.db, task('call_d+7', new Date(Date.now() - 3_600_000)), audit);
    const onTime = await openAuditedTask(rig.database.db, task('call_d+30', new Date(Date.now() + 86_400_000)), audit);
    expect((await cli('tasks', 'escalate', '--operator', 'lead-1')).code).not.toBe(0); // the person is who runs it, not a name typed in
    const lead = await actAs(rig.database.db, { roles: ['team_lead'] });
    const swept = await cli('tasks', 'escalate', '--json');
    expect(swept.code, swept.err).toBe(0);
    expect(JSON.parse(swept.out)).toEqual({ overdue: 1, escalated: [{ taskId: late.id, step: 'call_d+7', policyNo: 'P-SWEEP-01', toRole: 'team_lead', toAgent: 'L-SW' }] });
    expect(await cli('tasks', 'escalate')).toMatchObject({ code: 0, out: '0 of 0 overdue task(s) escalated\n' });

    const listed = await cli('tasks', 'list', '--policy', 'P-SWEEP-01');
    expect(listed.out).toMatch(/│ id │ priority │ policy /);
    expect(listed.out).toMatch(new RegExp(`│ ${late.id} +│ 30 +│ P-SWEEP-01 .*│ L-SW +│ team_lead +│.*│ open, escalated +│`));
    const rows = JSON.parse((await cli('tasks', 'list', '--policy', 'P-SWEEP-01', '--json')).out) as { id: number; escalated_from: string | null }[];
    expect(rows.map((r) => [r.id, r.escalated_from])).toEqual([
      [late.id, 'A-SW1'],
      [onTime.id, null],
    ]);
    const trail = await rig.database.db('audit_events').where({ kind: 'task_escalated' }).select('actor');
    expect(trail).toEqual([{ actor: lead.ref }]);
  });

  it('the hourly schedule: installed twice it is one; fired, its sweep escalates what is overdue', async () => {
    await actAs(rig.database.db, { roles: ['operations_lead'] });
    expect(await cli('tasks', 'schedule', 'show')).toMatchObject({ code: 1, err: `renewals: no schedule "${OVERDUE_SWEEP_SCHEDULE_ID}": install it with \`renewals tasks schedule install\`\n` });
    expect(await cli('tasks', 'schedule', 'install', '--minute', '60')).toMatchObject({ code: 2, err: 'renewals: --minute must be a whole number from 0 to 59, got "60"\n' });
    const first = await cli('tasks', 'schedule', 'install', '--json');
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ scheduleId: OVERDUE_SWEEP_SCHEDULE_ID, created: true, minute: 5, paused: false });
    const second = JSON.parse((await cli('tasks', 'schedule', 'install', '--minute', '17', '--json')).out) as { created: boolean; minute: number; nextRuns: string[] };
    expect(second).toMatchObject({ created: false, minute: 17 });
    expect(second.nextRuns).toHaveLength(3);
    expect(second.nextRuns.map((r) => new Date(r).getUTCMinutes())).toEqual([17, 17, 17]);
    expect(new Date(second.nextRuns[1]!).getTime() - new Date(second.nextRuns[0]!).getTime()).toBe(3_600_000);
    const ids: string[] = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    expect(ids.filter((id) => id === OVERDUE_SWEEP_SCHEDULE_ID)).toHaveLength(1);

    const late = await openAuditedTask(rig.database.db, task('call_d+14', new Date(Date.now() - 60_000)), audit);
    const handle = client.schedule.getHandle(OVERDUE_SWEEP_SCHEDULE_ID);
    const firings = async (): Promise<string[]> => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    await rig.withWorker(async () => {
      await handle.trigger();
      const [firedId] = await until('schedule fired', firings, (all) => all.length >= 1);
      const result = await client.workflow.getHandle<typeof overdueTaskSweep>(firedId!).result();
      expect(result).toEqual({ overdue: 1, escalated: [late.id] });
      await sleep(1_100); // the schedule names its workflows by the second it fired
      await handle.trigger();
      const again = await until('schedule fired again', firings, (all) => all.length >= 2);
      expect(await client.workflow.getHandle<typeof overdueTaskSweep>(again.at(-1)!).result()).toEqual({ overdue: 0, escalated: [] });
    });
    const row = await rig.database.db('tasks').where({ id: late.id }).first();
    expect(row).toMatchObject({ assignee_role: 'team_lead', assignee_agent_code: 'L-SW', escalated_from: 'A-SW1' });
    expect(await rig.database.db('audit_events').where({ kind: 'task_escalated' }).whereRaw(`(detail->>'taskId')::bigint = ?`, [late.id]).select('actor')).toEqual([{ actor: 'overdue-task-sweep' }]);
    await handle.delete();
  });
});
