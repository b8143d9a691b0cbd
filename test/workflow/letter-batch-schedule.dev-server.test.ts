import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LETTER_BATCH_ACTOR, scheduledLetterBatches, type BatchManifest } from '../../application/letter-batches';
import { shanghaiDate } from '../../domain/civil-date';
import { startDevServer } from '../../scripts/temporal-env';
import { LETTER_BATCH_SCHEDULE_ID } from '../../workflows/letter-batch-messages';
import type { dailyLetterBatch } from '../../workflows';
import { runCliCaptured } from '../support/cli';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { sendSampleLetter } from '../support/letters';
import { until } from '../support/monthly-runs';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The daily letter-batch Schedule on the dev server (the time-skipping server has no schedules):
 * `renewals schedule letters` installs it once however often it is run and `schedule show` lists it;
 * fired, its workflow hands every print house's waiting letters over in one batch folder each, with
 * the manifest, and records them sent; fired again, it writes nothing for them.
 */
const taskQueue = 'letter-batch-dev';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let client: Client;
let outbox: string;

const cli = (...args: string[]) => runCliCaptured(args);

beforeAll(async () => {
  env = (await startDevServer()).env;
  client = env.client;
  outbox = mkdtempSync(join(tmpdir(), 'letter-batch-outbox-'));
  rig = await startCycleRig(env, taskQueue, { letterBatches: (request) => scheduledLetterBatches(rig.database.db, { outboxDir: outbox })(request) });
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  rmSync(outbox, { recursive: true, force: true });
  await rig?.close();
  await env?.teardown();
});

describe('renewals schedule letters', () => {
  it('installed twice leaves one schedule, in Asia/Shanghai, with the second settings; schedule show lists it', async () => {
    const first = await cli('schedule', 'letters', '--json');
    expect(first, first.err).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(first.out)).toMatchObject({ scheduleId: LETTER_BATCH_SCHEDULE_ID, created: true, at: '17:00', timeZone: 'Asia/Shanghai', printHouse: 'every print house with letters waiting', paused: false });
    const second = JSON.parse((await cli('schedule', 'letters', '--at', '16:30', '--print-house', 'PH-A', '--json')).out);
    expect(second).toMatchObject({ created: false, at: '16:30', printHouse: 'PH-A' });
    // 16:30 in Shanghai is 08:30 UTC, one firing a day.
    const runs = second.nextRuns as string[];
    for (const at of runs) expect(at).toMatch(/T08:30:00\.000Z$/);
    expect(new Set(runs.map((at) => shanghaiDate(Date.parse(at)))).size).toBe(runs.length);
    const ids = [];
    for await (const s of client.schedule.list()) ids.push(s.scheduleId);
    expect(ids).toEqual([LETTER_BATCH_SCHEDULE_ID]);

    // The monthly schedule is not installed here: show says so and lists the letter batch.
    const shown = await cli('schedule', 'show', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toEqual({ letterBatch: expect.objectContaining({ scheduleId: LETTER_BATCH_SCHEDULE_ID, at: '16:30', printHouse: 'PH-A' }) });
    const text = await cli('schedule', 'show');
    expect(text.out).toContain('no schedule "renewals-monthly-run"');
    expect(text.out).toMatch(new RegExp(`scheduleId\\s+${LETTER_BATCH_SCHEDULE_ID}\\n`));

    // Back to every print house, for the firing below.
    expect(JSON.parse((await cli('schedule', 'letters', '--at', '17:00', '--json')).out)).toMatchObject({ created: false, printHouse: 'every print house with letters waiting' });
  });

  it('bad settings are one-line errors', async () => {
    expect(await cli('schedule', 'letters', '--at', '17')).toMatchObject({ code: 2, err: 'renewals: --at must be a time HH:MM from 00:00 to 23:59, got "17"\n' });
    expect(await cli('schedule', 'letters', '--print-house', 'PH A')).toMatchObject({ code: 2, err: 'renewals: --print-house must be 1 to 16 letters, digits, - or _, got "PH A"\n' });
  });

  it('fired, it hands each print house its waiting letters in one batch folder with the manifest and records them sent; fired again, nothing twice', async () => {
    const dueDate = '2026-10-24';
    await seedPolicy(rig.database.db, rig.cipher, samplePolicy({ policyNo: 'P-LB-0001', holderIdNo: '320102198001014441', nextDueDate: dueDate }));
    await seedPolicy(rig.database.db, rig.cipher, samplePolicy({ policyNo: 'P-LB-0002', holderIdNo: '320102198001014442', nextDueDate: dueDate }));
    const send = (policyNo: string, step: string, printHouse: string) => sendSampleLetter(rig.database.db, rig.cipher, { policyNo, dueDate, step, at: '2026-11-02 10:00', printHouse });
    await send('P-LB-0001', 'lapse_letter', 'PH-A');
    await send('P-LB-0002', 'lapse_letter', 'PH-A');
    await send('P-LB-0002', 'lapse_letter_2', 'PH-B');

    const handle = client.schedule.getHandle(LETTER_BATCH_SCHEDULE_ID);
    const firings = async (): Promise<string[]> => (await handle.describe()).info.recentActions.map((a) => a.action.workflow.workflowId);
    await rig.withWorker(async () => {
      await handle.trigger();
      const [fired] = await until('schedule fired', firings, (ids) => ids.length >= 1);
      expect(fired).toMatch(new RegExp(`^${LETTER_BATCH_SCHEDULE_ID}-`));
      const today = shanghaiDate(Date.now());
      const day = today.replaceAll('-', '');
      const result = await client.workflow.getHandle<typeof dailyLetterBatch>(fired!).result();
      expect(result).toEqual({
        date: today,
        batches: [
          { batchId: `PH-A-${day}-01`, printHouse: 'PH-A', count: 2, totalPages: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
          { batchId: `PH-B-${day}-01`, printHouse: 'PH-B', count: 1, totalPages: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        ],
      });
      expect(readdirSync(outbox).sort()).toEqual([`PH-A-${day}-01`, `PH-B-${day}-01`]);
      for (const batch of result.batches) {
        const manifest = JSON.parse(readFileSync(join(outbox, batch.batchId, 'manifest.json'), 'utf8')) as BatchManifest;
        expect(manifest).toMatchObject({ batchId: batch.batchId, printHouse: batch.printHouse, date: today, count: batch.count, totalPages: batch.totalPages, sha256: batch.sha256 });
        for (const file of manifest.files) expect(existsSync(join(outbox, batch.batchId, file.file))).toBe(true);
      }
      const letters = await rig.database.db('letters').orderBy('id').select<{ batch_id: string; handed_over_at: Date | null; contact_attempt_id: string }[]>('batch_id', 'handed_over_at', 'contact_attempt_id');
      expect(letters.map((l) => l.batch_id)).toEqual([`PH-A-${day}-01`, `PH-A-${day}-01`, `PH-B-${day}-01`]);
      expect(letters.every((l) => l.handed_over_at !== null)).toBe(true);
      expect(await rig.database.db('contact_attempts').whereIn('id', letters.map((l) => l.contact_attempt_id)).pluck('status')).toEqual(['delivered', 'delivered', 'delivered']);
      const audit = await rig.database.db('audit_events').where({ kind: 'letter_batch_handed_over' }).pluck('actor');
      expect(audit).toEqual([LETTER_BATCH_ACTOR, LETTER_BATCH_ACTOR]);

      await new Promise((resolve) => setTimeout(resolve, 1_100)); // the schedule names its workflows by the second it fired
      await handle.trigger();
      const ids = await until('schedule fired again', firings, (all) => all.length >= 2);
      const again = await client.workflow.getHandle<typeof dailyLetterBatch>(ids.at(-1)!).result();
      expect(again).toEqual({ date: today, batches: [] });
      expect(readdirSync(outbox)).toHaveLength(2);
    });
    await handle.delete();
  });
});
