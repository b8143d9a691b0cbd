import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { monthlyRunProgress, pauseMonthlyRun, resumeMonthlyRun, startMonthlyRun } from '../../application/monthly-runs';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { findMonthlyRun } from '../../db/repositories/monthly-runs';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { provisionalRunWarning } from '../../domain/calendar-notice';
import { shanghaiDate } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { addMonths } from '../../domain/months';
import { monthlyRunWorkflowId } from '../../workflows/monthly-run-messages';
import { runCliCaptured } from '../support/cli';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { cycleExists, MonthSeeder, until } from '../support/monthly-runs';

/**
 * The monthly run on the time-skipping server with real PostgreSQL: it starts exactly the month's
 * cycles, a second run starts none, pause holds it, and the CLI drives it. Cancellation and the
 * Schedule are tested on the dev server (monthly-run.dev-server.test.ts): this test server answers
 * the cancel of an activity scheduled but not yet started with ACTIVITY_UNKNOWN and the run hangs.
 * Results are awaited through a plain client, so the server's clock stays put (cycles sleep towards
 * reminders weeks ahead and must not wake during these checks).
 */
const taskQueue = 'monthly-run-test';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let client: Client;
let months: { a: string; b: string; d: string };
let seeder: MonthSeeder;

const cli = (...args: string[]) => runCliCaptured(args);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  client = new Client({ connection: env.connection, dataConverter: renewalsDataConverter() });
  // Months far enough ahead that every cycle is still waiting for its first reminder.
  const a = addMonths(shanghaiDate(await env.currentTimeMs()).slice(0, 7), 3);
  months = { a, b: addMonths(a, 1), d: addMonths(a, 2) };
  seeder = new MonthSeeder(rig);
  await seeder.seedMonth(months.a, 15, 'PMRA');
  await seeder.seedMonth(months.b, 15, 'PMRB');
  await seeder.seedMonth(months.d, 6, 'PMRD');
  // Not the run's business: a lapsed policy, and a premium already paid.
  await seedPolicy(rig.database.db, rig.cipher, samplePolicy({ policyNo: 'PMRX-LAPSED', holderIdNo: seeder.nextHolderIdNo(), nextDueDate: `${months.a}-10`, status: 'lapsed' }));
  await seedPolicy(rig.database.db, rig.cipher, samplePolicy({ policyNo: 'PMRX-PAID', holderIdNo: seeder.nextHolderIdNo(), nextDueDate: `${months.a}-11` }));
  await rig.database.db('premium_dues').where({ policy_no: 'PMRX-PAID' }).update({ status: 'paid', paid_via: 'counter', paid_at: new Date() });
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue); // the queue the CLI starts runs on, as the worker reads it
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

describe('monthly run', () => {
  it("starts exactly the month's cycles (one started by hand counts as existing), continuing as new every two pages", async () => {
    const first = (await seeder.premiumsOf(months.a))[0]!;
    await startRenewalCycle(client, { policyNo: first.policy_no, dueDate: first.due_date }, taskQueue);

    await rig.withWorker(async () => {
      const run = await startMonthlyRun(client, months.a, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 4, pagesPerExecution: 2 });
      expect(run.started).toBe(true);
      expect(await run.result()).toEqual({ found: 15, started: 14, existing: 1, pages: 4, executions: 2 });

      // The first execution handed over to the next: its history ends in continue-as-new.
      const firstRunId = run.firstExecutionRunId;
      const history = await client.workflow.getHandle(run.workflowId, firstRunId).fetchHistory();
      expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

      // Every cycle opened with the run's month (cycles read it from their input).
      const premiums = await until('cycles opened', () => seeder.premiumsOf(months.a), (rows) => rows.every((r) => r.workflow_id));
      expect(premiums.filter((r) => r.run_month === months.a)).toHaveLength(14);
      expect(premiums.find((r) => r.policy_no === first.policy_no)?.run_month).toBeNull();
    });
    expect(await seeder.existingCycles(client, months.a)).toBe(15);
    expect(await seeder.existingCycles(client, months.b)).toBe(0);
    expect(await cycleExists(client, 'PMRX-LAPSED', `${months.a}-10`)).toBe(false);
    expect(await cycleExists(client, 'PMRX-PAID', `${months.a}-11`)).toBe(false);
    expect(await findMonthlyRun(rig.database.db, months.a)).toMatchObject({ status: 'completed', found: 15, started: 14, existing: 1, pages: 4, workflowId: `monthly-run-${months.a}` });
  });

  it('a completed month is returned, not run again; a rerun starts nothing and counts every cycle as existing', async () => {
    await rig.withWorker(async () => {
      const again = await startMonthlyRun(client, months.a, { taskQueue, cycleTaskQueue: taskQueue });
      expect(again.started).toBe(false);
      expect(await again.result()).toMatchObject({ found: 15, started: 14, existing: 1 });

      const rerun = await startMonthlyRun(client, months.a, { taskQueue, cycleTaskQueue: taskQueue, rerun: true, pageSize: 6 });
      expect(rerun.started).toBe(true);
      expect(await rerun.result()).toEqual({ found: 15, started: 0, existing: 15, pages: 3, executions: 1 });
    });
    expect(await findMonthlyRun(rig.database.db, months.a)).toMatchObject({ status: 'completed', found: 15, started: 0, existing: 15 });
  });

  it('paused, it starts no page; resumed, it starts them all', async () => {
    // Paused before any worker picks it up: its first step sees the pause, so nothing starts.
    const run = await startMonthlyRun(client, months.b, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 2 });
    await pauseMonthlyRun(client, months.b);
    await rig.withWorker(async () => {
      await until('run paused', () => findMonthlyRun(rig.database.db, months.b), (row) => row?.status === 'paused');
      await sleep(1_000);
      expect(await seeder.existingCycles(client, months.b)).toBe(0);
      expect(await monthlyRunProgress(client, rig.database.db, months.b)).toMatchObject({ status: 'paused', found: 0, started: 0, pages: 0, source: 'workflow' });

      await resumeMonthlyRun(client, months.b);
      expect(await run.result()).toMatchObject({ found: 15, started: 15, existing: 0, pages: 8 });
    });
    expect(await seeder.existingCycles(client, months.b)).toBe(15);
    expect(await monthlyRunProgress(client, rig.database.db, months.b)).toMatchObject({ status: 'completed', started: 15, source: 'database' });
  });

});

describe('renewals run …', () => {
  it('start --wait runs the month and prints its counts; status reads them back', async () => {
    await rig.withWorker(async () => {
      const started = await cli('run', 'start', '--month', months.d, '--wait', '--json');
      // One line on stderr when the month or its 60 days' grace reach a provisional calendar year.
      const warning = provisionalRunWarning(cnMainlandCalendar(), months.d, 60);
      expect(started.err).toBe(warning === undefined ? '' : `${warning}\n`);
      expect(started.code).toBe(0);
      expect(JSON.parse(started.out)).toMatchObject({ month: months.d, status: 'completed', premiumsFound: 6, cyclesStarted: 6, cyclesExisting: 0, startedNow: true });
    });
    const status = await cli('run', 'status', '--month', months.d, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ month: months.d, workflowId: monthlyRunWorkflowId(months.d), status: 'completed', cyclesStarted: 6 });
    const again = await cli('run', 'start', '--month', months.d, '--json');
    expect(JSON.parse(again.out)).toMatchObject({ workflowId: monthlyRunWorkflowId(months.d), startedNow: false });
  });

  it('start, pause, status and resume drive a run', async () => {
    const month = addMonths(months.d, 1); // nothing due there: paused before a worker sees it, it stays put
    const started = await cli('run', 'start', '--month', month, '--json');
    expect(started.code).toBe(0);
    expect(started.err.split('\n').length).toBeLessThanOrEqual(2); // at most the calendar warning
    expect(JSON.parse(started.out)).toMatchObject({ month, workflowId: monthlyRunWorkflowId(month), startedNow: true });
    const paused = await cli('run', 'pause', '--month', month, '--json');
    expect(paused.code).toBe(0);
    expect(JSON.parse(paused.out)).toMatchObject({ month, requested: 'pause' });
    await rig.withWorker(async () => {
      await until('run paused', () => findMonthlyRun(rig.database.db, month), (row) => row?.status === 'paused');
      const status = await cli('run', 'status', '--month', month);
      expect(status.code).toBe(0);
      expect(status.out).toMatch(/status\s+paused/);
      const resumed = await cli('run', 'resume', '--month', month);
      expect(resumed.code).toBe(0);
      expect(resumed.out).toMatch(/requested\s+resume/);
      expect(await client.workflow.getHandle(monthlyRunWorkflowId(month)).result()).toMatchObject({ found: 0, started: 0, pages: 1 });
    });
    // Each action is signed by the person who ran it (the suite's signed-in operator).
    const audit = await rig.database.db('audit_events')
      .whereIn('kind', ['monthly_run_started', 'monthly_run_paused', 'monthly_run_resumed'])
      .whereRaw("detail->>'month' = ?", [month])
      .orderBy('seq')
      .select('kind', 'actor', 'workflow_id');
    expect(audit.map((a) => a.kind)).toEqual(['monthly_run_started', 'monthly_run_paused', 'monthly_run_resumed']);
    const operator = await rig.database.db('users').whereLike('login', 'test-operator-%').pluck('id');
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([`user:${operator[0]}`]));
    expect(audit.every((a) => a.workflow_id === monthlyRunWorkflowId(month))).toBe(true);
  });

  it('bad month, unknown run and a finished run are one-line errors', async () => {
    const bad = await cli('run', 'start', '--month', '2026-13');
    expect(bad).toMatchObject({ code: 2, out: '', err: 'renewals: --month must be YYYY-MM (e.g. 2026-07), got "2026-13"\n' });
    const unknown = await cli('run', 'status', '--month', '1999-01');
    expect(unknown).toMatchObject({ code: 1, err: 'renewals: no monthly run for 1999-01: start it with `renewals run start --month 1999-01`\n' });
    const finished = await cli('run', 'pause', '--month', months.a);
    expect(finished).toMatchObject({ code: 1, err: `renewals: the monthly run for ${months.a} is completed: only a running run can be paused\n` });
    const resumeUnknown = await cli('run', 'resume', '--month', '1999-02');
    expect(resumeUnknown.err).toMatch(/^renewals: no monthly run for 1999-02/);
    const badSize = await cli('run', 'start', '--month', months.a, '--page-size', '0');
    expect(badSize).toMatchObject({ code: 2, err: 'renewals: --page-size must be a whole number of at least 1, got "0"\n' });
  });
});
