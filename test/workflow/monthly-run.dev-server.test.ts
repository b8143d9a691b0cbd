import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pauseMonthlyRun, resumeMonthlyRun, startMonthlyRun, monthlyRunProgress } from '../../application/monthly-runs';
import { findMonthlyRun } from '../../db/repositories/monthly-runs';
import { shanghaiDate } from '../../domain/civil-date';
import { renewalWorkflowId } from '../../domain/renewal-stage';
import { startDevServer } from '../../scripts/temporal-env';
import { addMonths } from '../../domain/months';
import { MONTHLY_RUN_PRIORITY, MONTHLY_SCHEDULE_ID, monthlyRunWorkflowId } from '../../workflows/monthly-run-messages';
import type { scheduledMonthlyRun } from '../../workflows';
import { runCliCaptured } from '../support/cli';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';
import { cycleExists, MonthSeeder, until } from '../support/monthly-runs';

/**
 * The monthly run where the time-skipping test server falls short: cancelling it part-way (that
 * server loses the cancel of an activity not yet started), and the Temporal Schedule (it has no
 * schedules). Real time on the dev server: the cycles started here sleep towards reminders months
 * ahead.
 */
const taskQueue = 'monthly-run-dev';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let client: Client;
let seeder: MonthSeeder;
let month: string;

const cli = (...args: string[]) => runCliCaptured(args);

beforeAll(async () => {
  const server = await startDevServer();
  env = server.env;
  client = env.client;
  rig = await startCycleRig(env, taskQueue);
  seeder = new MonthSeeder(rig);
  month = addMonths(shanghaiDate(Date.now()).slice(0, 7), 3);
  await seeder.seedMonth(month, 24, 'PMRC');
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

describe('monthly run cancelled', () => {
  it('stops starting cycles and leaves the started ones running', async () => {
    // One premium per page, one start at a time: slow enough to cancel between its first and last page.
    const run = await startMonthlyRun(client, month, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 1, concurrency: 1 });
    await pauseMonthlyRun(client, month);
    await rig.withWorker(async () => {
      await until('run paused', () => findMonthlyRun(rig.database.db, month), (row) => row?.status === 'paused');
      await resumeMonthlyRun(client, month);
      await until('a few cycles started', () => monthlyRunProgress(client, undefined, month), (p) => p.started >= 3);
      await run.handle.cancel();
      await expect(run.result()).rejects.toBeInstanceOf(WorkflowFailedError);

      // The run goes ahead of the cycle openings it queues; the cycles keep the default priority.
      expect((await run.handle.describe()).priority?.priorityKey).toBe(MONTHLY_RUN_PRIORITY.priorityKey);
      const row = (await findMonthlyRun(rig.database.db, month))!;
      expect(row.status).toBe('cancelled');
      expect(row.started).toBeGreaterThanOrEqual(3);
      expect(row.started).toBeLessThan(24);
      await sleep(1_000); // nothing more starts after the run is cancelled
      expect(await seeder.existingCycles(client, month)).toBe(row.started);
      for (const p of await seeder.premiumsOf(month)) {
        if (!(await cycleExists(client, p.policy_no, p.due_date))) continue;
        const described = await client.workflow.getHandle(renewalWorkflowId(p.policy_no, p.due_date)).describe();
        expect(described.status.name).toBe('RUNNING');
        expect(described.priority?.priorityKey ?? 0).not.toBe(MONTHLY_RUN_PRIORITY.priorityKey);
      }
      expect(await monthlyRunProgress(client, rig.database.db, month)).toMatchObject({ status: 'cancelled', started: row.started, source: 'database' });
    });
  });

  it('started again, it starts what is missing and counts the rest as existing', async () => {
    const before = (await findMonthlyRun(rig.database.db, month))!.started;
    await rig.withWorker(async () => {
      const again = await startMonthlyRun(client, month, { taskQueue, cycleTaskQueue: taskQueue });
      expect(again.started).toBe(true);
      expect(await again.result()).toMatchObject({ found: 24, started: 24 - before, existing: before });
    });
    expect(await seeder.existingCycles(client, month)).toBe(24);
  });
});

describe('renewals schedule …', () => {
  it('show before install says how to install', async () => {
    expect(await cli('schedule', 'show')).toMatchObject({ code: 1, err: `renewals: no schedule "${MONTHLY_SCHEDULE_ID}": install it with \`renewals schedule install\`\n` });
  });

  it('install twice leaves one schedule, in Asia/Shanghai, with the second settings', async () => {
    const first = await cli('schedule', 'install', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ scheduleId: MONTHLY_SCHEDULE_ID, created: true, dayOfMonth: 1, hour: 2, leadMonths: 1, timeZone: 'Asia/Shanghai' });
    const second = await cli('schedule', 'install', '--day', '5', '--hour', '3', '--lead-months', '2', '--json');
    expect(second.code).toBe(0);
    const installed = JSON.parse(second.out);
    expect(installed).toMatchObject({ created: false, dayOfMonth: 5, hour: 3, leadMonths: 2, timeZone: 'Asia/Shanghai', paused: false });
    // 03:00 in Shanghai is 19:00 UTC the day before.
    for (const at of installed.nextRuns as string[]) expect(at).toMatch(/T19:00:00\.000Z$/);
    expect(shanghaiDate(Date.parse(installed.nextRuns[0])).slice(8)).toBe('05');

    const ids = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    expect(ids).toEqual([MONTHLY_SCHEDULE_ID]);
    const shown = await cli('schedule', 'show', '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ dayOfMonth: 5, hour: 3, leadMonths: 2 });
  });

  it('bad settings are one-line errors', async () => {
    expect(await cli('schedule', 'install', '--day', '31')).toMatchObject({ code: 2, err: 'renewals: --day must be a whole number from 1 to 28, got "31"\n' });
    expect(await cli('schedule', 'install', '--lead-months', 'x')).toMatchObject({ code: 2, err: 'renewals: --lead-months must be a whole number from 0 to 12, got "x"\n' });
  });

  it("fired, it starts the run of the month its lead names; fired again, that run is not started twice", async () => {
    const handle = client.schedule.getHandle(MONTHLY_SCHEDULE_ID);
    const expected = addMonths(shanghaiDate(Date.now()).slice(0, 7), 2);
    const firings = async (): Promise<string[]> => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    await rig.withWorker(async () => {
      await handle.trigger();
      const [firstId] = await until('schedule fired', firings, (ids) => ids.length >= 1);
      expect(firstId).toMatch(new RegExp(`^${MONTHLY_SCHEDULE_ID}-`)); // the schedule's own suffixed ID
      const first = await client.workflow.getHandle<typeof scheduledMonthlyRun>(firstId!).result();
      expect(first).toEqual({ month: expected, workflowId: monthlyRunWorkflowId(expected), started: true });
      const run = client.workflow.getHandle(monthlyRunWorkflowId(expected));
      expect(await run.result()).toMatchObject({ found: 0, started: 0 });
      expect((await run.describe()).priority?.priorityKey).toBe(MONTHLY_RUN_PRIORITY.priorityKey);

      await sleep(1_100); // the schedule names its workflows by the second it fired
      await handle.trigger();
      const ids = await until('schedule fired again', firings, (all) => all.length >= 2);
      const second = await client.workflow.getHandle<typeof scheduledMonthlyRun>(ids.at(-1)!).result();
      expect(second).toEqual({ month: expected, workflowId: monthlyRunWorkflowId(expected), started: false });
    });
    await handle.delete();
  });
});
