import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shanghaiDate } from '../../domain/civil-date';
import { startDevServer } from '../../scripts/temporal-env';
import { QUALITY_SCHEDULE_ID } from '../../workflows/contact-quality-messages';
import type { nightlyContactQuality } from '../../workflows';
import { runCliCaptured } from '../support/cli';
import { seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { until } from '../support/monthly-runs';

/**
 * The nightly contact-quality Schedule on the dev server (the time-skipping server has no
 * schedules): `renewals schedule quality --at HH:MM` installs it once however often it is run, and
 * fired, its workflow runs the computation of `renewals contacts check-quality` on PostgreSQL.
 */
const taskQueue = 'contact-quality-dev';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let client: Client;

const cli = (...args: string[]) => runCliCaptured(args);

beforeAll(async () => {
  env = (await startDevServer()).env;
  client = env.client;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

describe('renewals schedule quality', () => {
  it('installed twice leaves one schedule, in Asia/Shanghai, at the second time', async () => {
    const first = await cli('schedule', 'quality', '--at', '01:30', '--json');
    expect(first, first.err).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(first.out)).toMatchObject({ scheduleId: QUALITY_SCHEDULE_ID, created: true, at: '01:30', timeZone: 'Asia/Shanghai', paused: false });
    const second = JSON.parse((await cli('schedule', 'quality', '--at', '02:45', '--json')).out);
    expect(second).toMatchObject({ created: false, at: '02:45' });
    // 02:45 in Shanghai is 18:45 UTC the day before, every night.
    const runs = second.nextRuns as string[];
    for (const at of runs) expect(at).toMatch(/T18:45:00\.000Z$/);
    expect(new Set(runs.map((at) => shanghaiDate(Date.parse(at)))).size).toBe(runs.length);
    const ids = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    expect(ids).toEqual([QUALITY_SCHEDULE_ID]);
  });

  it('a bad time is a one-line error', async () => {
    expect(await cli('schedule', 'quality', '--at', '24:00')).toMatchObject({ code: 2, err: 'renewals: --at must be a time HH:MM from 00:00 to 23:59, got "24:00"\n' });
  });

  it('fired, it flags what check-quality flags: a number shared by three customers', async () => {
    for (const n of [1, 2, 3]) {
      await seedFundedPolicy(rig, { policyNo: `P-CQ-000${n}`, holderIdNo: `31010119800111000${n}`, holderMobile: '13700007777', holderEmail: null, preferredChannel: 'sms' });
    }
    const handle = client.schedule.getHandle(QUALITY_SCHEDULE_ID);
    await rig.withWorker(async () => {
      await handle.trigger();
      const [fired] = await until('schedule fired', async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId), (ids) => ids.length >= 1);
      expect(fired).toMatch(new RegExp(`^${QUALITY_SCHEDULE_ID}-`));
      const result = await client.workflow.getHandle<typeof nightlyContactQuality>(fired!).result();
      expect(result).toEqual({ ran: true, flagged: 3, cleared: 0 });
    });
    const points = await rig.database.db('contact_points').where({ type: 'mobile' }).whereRaw(`flags ->> 'shared_by' IS NOT NULL`).count<{ count: string }[]>('* as count');
    expect(Number(points[0]!.count)).toBe(3);
    // The command computes the same: nothing left to change.
    const check = await cli('contacts', 'check-quality', '--json');
    expect(JSON.parse(check.out)).toEqual({ flagged: 0, cleared: 0 });
    await handle.delete();
  });
});
