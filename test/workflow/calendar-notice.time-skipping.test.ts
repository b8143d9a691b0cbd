import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { cnMainlandCalendar, cycleCalendarYears, type CalendarDay } from '../../domain/business-calendar';
import { statutoryHolidays } from '../../domain/calendars/cn-mainland';
import { applyNotice } from '../../domain/calendar-notice';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { runCliCaptured } from '../support/cli';
import { attemptsOf, dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * A State Council notice loaded while a cycle runs (docs/business-rules.md#business-calendar):
 * `renewals calendar import` tells the cycle, which moves a debit off a day the notice makes a holiday.
 */
const taskQueue = 'calendar-notice-time-skipping';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let dir: string;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  dir = await mkdtemp(join(tmpdir(), 'renewals-notice-'));
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await rig?.close();
  await env?.teardown();
});

describe('a notice loaded while a cycle runs', () => {
  it('moves the first debit off a day the notice makes a holiday; days already past stay as they were', async () => {
    // Due on a business day, debited on the due date by the calendar the cycle opens with.
    const { dueDate, debits } = await dueIn(env, 31, { onBusinessDay: true });
    expect(debits[0]!.collectionDate).toBe(dueDate);
    const year = Number(dueDate.slice(0, 4));
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-CAL-0001', nextDueDate: dueDate, premiumFen: 500_000 }, 2_000_000);

    // The year's notice: the statutory days, and the due date bridged into a day off (a made-up
    // notice: which day is bridged does not matter, that it was a business day does).
    const bridged: CalendarDay = { date: dueDate, kind: 'holiday', name: 'bridging day off (test notice)' };
    const statutory = year >= 2025 ? statutoryHolidays(year) : [];
    const notice = { year, days: [...statutory, bridged].sort((a, b) => (a.date < b.date ? -1 : 1)) };
    const file = join(dir, `notice-${year}.csv`);
    await writeFile(file, ['date,kind,name', ...notice.days.map((d) => `${d.date},${d.kind},${d.name}`)].join('\n'));

    const ops = await actAs(rig.database.db, { roles: ['operations_lead'] });
    const outcome = await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      // Two days before the due date, at half past (no timer of the cycle falls then).
      const loadedOn = addDays(dueDate, -2);
      await sleepUntil(env, loadedOn, '12:30');
      expect(await handle.query(statusQuery)).toMatchObject({ stage: 'PRE_DUE', debitAttempts: 0 });

      const imported = await runCliCaptured(['calendar', 'import', file, '--json']);
      expect(imported.err).toBe('');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.out)).toMatchObject({ year, cyclesSignalled: 1, cyclesNotRunning: 0 });
      return { loadedOn, result: await handle.result(), history: await handle.fetchHistory() };
    });

    // Where the debit goes, by the rule: the cycle's calendar with the notice from the day after loading.
    const opened = cnMainlandCalendar([], { computeYears: cycleCalendarYears(dueDate) });
    const moved = applyNotice(opened, notice, outcome.loadedOn).nextBusinessDay(dueDate);
    expect(moved > dueDate).toBe(true);
    expect(outcome.result).toEqual({ stage: 'PAID', paidVia: 'debit', debitAttempts: 1 });
    expect((await attemptsOf(rig, policy.policyNo)).map((a) => [a.attempt_no, a.status, a.collection_date])).toEqual([[1, 'succeeded', moved]]);

    const applied = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'calendar_notice_applied' });
    expect(applied.map((a) => a.detail)).toEqual([{ year, holidays: notice.days.length, workdays: 0, after: outcome.loadedOn }]);
    expect(shanghaiDate((applied[0].occurred_at as Date).getTime())).toBe(outcome.loadedOn);
    const loaded = await rig.database.db('audit_events').where({ kind: 'calendar_notice_imported' }).first();
    expect(loaded).toMatchObject({ actor: ops.ref, detail: expect.objectContaining({ year, holidays: notice.days.length }) });

    // The recorded history (with its patch marker) replays against today's workflow code.
    await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, outcome.history);
    if (process.env.RECORD_HISTORY) await writeFile(process.env.RECORD_HISTORY, `${historyToJSON(outcome.history)}\n`);
  });
});
