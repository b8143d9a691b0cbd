import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '@commander-js/extra-typings';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { Presets, SingleBar } from 'cli-progress';
import {
  auditRunAction,
  MonthlyRunError,
  monthlyRunCalendarWarning,
  monthlyRunProgress,
  pauseMonthlyRun,
  resumeMonthlyRun,
  startMonthlyRun,
  type MonthlyRunView,
  type StartedMonthlyRun,
} from '../../application/monthly-runs';
import { countDuePremiums } from '../../db/repositories/monthly-runs';
import { isMonth } from '../../domain/months';
import { monthlyRunWorkflowId } from '../../workflows/monthly-run-messages';
import { settings, withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { actingUser } from '../session';

const POLL_MS = 500;

/** The queue the workers poll (TASK_QUEUE, as the worker reads it): runs and cycles go there. */
function queues(): { taskQueue?: string; cycleTaskQueue?: string } {
  const taskQueue = settings().temporal.taskQueue;
  return taskQueue ? { taskQueue, cycleTaskQueue: taskQueue } : {};
}

function monthOption(value: string): string {
  if (!isMonth(value)) throw new CliError(`--month must be YYYY-MM (e.g. 2026-07), got ${JSON.stringify(value)}`, 2);
  return value;
}

function positiveWhole(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`, 2);
    return n;
  };
}

/** The client's refusals (unknown run, run already over) as one-line CLI errors. */
async function asCliErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MonthlyRunError) throw new CliError(error.message, error.reason === 'bad_month' || error.reason === 'bad_option' ? 2 : 1);
    throw error;
  }
}

function viewRecord(view: MonthlyRunView): Record<string, unknown> {
  return {
    month: view.month,
    workflowId: view.workflowId,
    status: view.status,
    premiumsFound: view.found,
    cyclesStarted: view.started,
    cyclesExisting: view.existing,
    pages: view.pages,
    cursor: view.cursor ? `${view.cursor.dueDate} ${view.cursor.policyNo}` : null,
  };
}

/**
 * Follows the run until it closes, with a bar on stderr for people (the total is the count of the
 * month's due premiums when it started; the bar counts premiums dealt with).
 */
async function waitForRun(client: Client, run: StartedMonthlyRun, month: string, total: number, showBar: boolean): Promise<void> {
  const bar = showBar
    ? new SingleBar({ stream: process.stderr, format: `run ${month} [{bar}] {value}/{total} premiums | started {started}, existing {existing}{state}`, hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(Math.max(total, 1), 0, { started: 0, existing: 0, state: '' });
  try {
    for (;;) {
      const view = await monthlyRunProgress(client, undefined, month);
      bar?.setTotal(Math.max(total, view.found, 1));
      bar?.update(view.found, { started: view.started, existing: view.existing, state: view.status === 'paused' ? ' (paused)' : '' });
      if (view.status !== 'running' && view.status !== 'paused') break;
      await sleep(POLL_MS);
    }
    await run.result();
  } catch (error) {
    if (error instanceof WorkflowFailedError) throw new CliError(`the monthly run for ${month} did not complete: ${error.cause?.message ?? error.message}`);
    throw error;
  } finally {
    bar?.stop();
  }
}

export function registerRunCommands(program: Command): void {
  const run = program.command('run').description("the monthly renewal run: one renewal cycle for each of a month's due premiums");

  run
    .command('start')
    .description("start the month's run (a run already there is returned, not started twice)")
    .requiredOption('--month <YYYY-MM>', 'due month of the premiums')
    .option('--wait', 'follow the run to its end with a progress bar on stderr')
    .option('--rerun', 'run a completed month again (starts only cycles still missing)')
    .option('--page-size <n>', 'premiums per page', positiveWhole('--page-size'))
    .option('--concurrency <n>', 'cycle starts in flight at once', positiveWhole('--concurrency'))
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const month = monthOption(options.month);
      const warning = await withDatabase((db) => monthlyRunCalendarWarning(db, month));
      if (warning) process.stderr.write(`${warning}\n`);
      await withTemporalClient(async (client) => {
        const started = await asCliErrors(() =>
          startMonthlyRun(client, month, {
            ...queues(),
            ...(options.rerun ? { rerun: true } : {}),
            ...(options.pageSize ? { pageSize: options.pageSize } : {}),
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          }),
        );
        await withDatabase((db) => auditRunAction(db, 'started', { month, workflowId: started.workflowId, startedNow: started.started }, actingUser().ref));
        if (!options.wait) {
          printRecord({ month, workflowId: started.workflowId, startedNow: started.started, follow: `renewals run status --month ${month}` }, options);
          return;
        }
        const total = await withDatabase((db) => countDuePremiums(db, month));
        await waitForRun(client, started, month, total, !options.json);
        const view = await withDatabase((db) => monthlyRunProgress(client, db, month));
        printRecord({ ...viewRecord(view), startedNow: started.started }, options);
      });
    });

  run
    .command('status')
    .description('where the month’s run stands: counts, cursor, running / paused / completed / cancelled')
    .requiredOption('--month <YYYY-MM>', 'due month of the run')
    .option('--json', 'print the status as JSON')
    .action(async (options) => {
      const month = monthOption(options.month);
      const view = await withDatabase((db) => withTemporalClient((client) => asCliErrors(() => monthlyRunProgress(client, db, month))));
      printRecord(viewRecord(view), options);
    });

  for (const [name, act, description] of [
    ['pause', pauseMonthlyRun, 'pause the run: no new page starts (the page under way finishes)'],
    ['resume', resumeMonthlyRun, 'resume a paused run'],
  ] as const) {
    run
      .command(name)
      .description(description)
      .requiredOption('--month <YYYY-MM>', 'due month of the run')
      .option('--json', 'print the run as JSON')
      .action(async (options) => {
        const month = monthOption(options.month);
        await withTemporalClient((client) => asCliErrors(() => act(client, month)));
        await withDatabase((db) => auditRunAction(db, name === 'pause' ? 'paused' : 'resumed', { month, workflowId: monthlyRunWorkflowId(month) }, actingUser().ref));
        // The run takes the signal at its next step: say what was asked, not what already happened.
        printRecord({ month, workflowId: monthlyRunWorkflowId(month), requested: name, follow: `renewals run status --month ${month}` }, options);
      });
  }
}
