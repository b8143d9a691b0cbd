import type { Command } from '@commander-js/extra-typings';
import { installQualitySchedule, parseTimeOfDay } from '../../application/contact-quality';
import { checkLetterBatchSchedule, installLetterBatchSchedule, showLetterBatchSchedule } from '../../application/letter-batch-schedule';
import { installMonthlySchedule, MonthlyRunError, showMonthlySchedule } from '../../application/monthly-runs';
import { QUALITY_SCHEDULE_ID } from '../../workflows/contact-quality-messages';
import { LETTER_BATCH_SCHEDULE_ID } from '../../workflows/letter-batch-messages';
import { MONTHLY_SCHEDULE_ID } from '../../workflows/monthly-run-messages';
import { settings, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord } from '../output';
import { asOperator } from './operator';

function wholeIn(name: string, low: number, high: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < low || n > high) throw new CliError(`${name} must be a whole number from ${low} to ${high}, got ${JSON.stringify(value)}`, 2);
    return n;
  };
}

export function registerScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('the Temporal Schedule that starts the monthly run (Asia/Shanghai)');

  schedule
    .command('install')
    .description(`create the monthly schedule "${MONTHLY_SCHEDULE_ID}", or update it to these settings (installing twice leaves one)`)
    .option('--day <n>', 'day of the month it fires, 1-28', wholeIn('--day', 1, 28), 1)
    .option('--hour <n>', 'hour it fires, Asia/Shanghai, 0-23', wholeIn('--hour', 0, 23), 2)
    .option('--lead-months <n>', 'run the premiums due this many months after the firing month, 0-12', wholeIn('--lead-months', 0, 12), 1)
    .option('--json', 'print the schedule as JSON')
    .action(async (options) => {
      const installed = await withTemporalClient(async (client) => {
        try {
          // The queue the workers poll (TASK_QUEUE, as the worker reads it).
          const taskQueue = settings().temporal.taskQueue;
          const queue = taskQueue ? { taskQueue, cycleTaskQueue: taskQueue } : {};
          return await installMonthlySchedule(client, { dayOfMonth: options.day, hour: options.hour, leadMonths: options.leadMonths, ...queue });
        } catch (error) {
          if (error instanceof MonthlyRunError) throw new CliError(error.message, 2);
          throw error;
        }
      });
      printRecord({ ...installed, nextRuns: installed.nextRuns.slice(0, 3) }, options);
    });

  schedule
    .command('show')
    .description(`the installed monthly schedule and, when installed, the daily letter batch "${LETTER_BATCH_SCHEDULE_ID}", with their next firing times`)
    .option('--json', 'print the schedule as JSON (the letter batch under letterBatch)')
    .action(async (options) => {
      const [monthly, letters] = await withTemporalClient((client) => Promise.all([showMonthlySchedule(client), showLetterBatchSchedule(client)]));
      if (!monthly && !letters) throw new CliError(`no schedule "${MONTHLY_SCHEDULE_ID}": install it with \`renewals schedule install\``);
      const letterBatch = letters ? { letterBatch: { ...letters, nextRuns: letters.nextRuns.slice(0, 3) } } : {};
      if (options.json) {
        printRecord({ ...(monthly ? { ...monthly, nextRuns: monthly.nextRuns.slice(0, 3) } : {}), ...letterBatch }, options);
        return;
      }
      if (monthly) printRecord({ ...monthly, nextRuns: monthly.nextRuns.slice(0, 3) }, options);
      else process.stdout.write(`no schedule "${MONTHLY_SCHEDULE_ID}": install it with \`renewals schedule install\`\n`);
      if (letters) {
        process.stdout.write('\n');
        printRecord({ ...letters, nextRuns: letters.nextRuns.slice(0, 3) }, options);
      }
    });

  schedule
    .command('quality')
    .description(`create the nightly contact-quality schedule "${QUALITY_SCHEDULE_ID}" (the check of \`contacts check-quality\`), or update it (installing twice leaves one)`)
    .option('--at <HH:MM>', 'time it fires each night, Asia/Shanghai', '01:30')
    .option('--json', 'print the schedule as JSON')
    .action(async (options) => {
      const taskQueue = settings().temporal.taskQueue;
      const installed = await asOperator(() => {
        parseTimeOfDay(options.at); // checked before Temporal is reached
        return withTemporalClient((client) => installQualitySchedule(client, { at: options.at, ...(taskQueue ? { taskQueue } : {}) }));
      });
      printRecord({ ...installed, nextRuns: installed.nextRuns.slice(0, 3) }, options);
    });

  schedule
    .command('letters')
    .description(`create the daily letter-batch schedule "${LETTER_BATCH_SCHEDULE_ID}" (what \`letters batch\` does, for every print house with letters waiting), or update it (installing twice leaves one)`)
    .option('--at <HH:MM>', 'time it fires each day, Asia/Shanghai', '17:00')
    .option('--print-house <code>', 'batch only this print house (every print house with letters waiting when omitted)')
    .option('--json', 'print the schedule as JSON')
    .action(async (options) => {
      const taskQueue = settings().temporal.taskQueue;
      const installed = await asOperator(() => {
        const wanted = { at: options.at, ...(options.printHouse ? { printHouse: options.printHouse } : {}) };
        checkLetterBatchSchedule(wanted); // before Temporal is reached
        return withTemporalClient((client) =>
          installLetterBatchSchedule(client, { ...wanted, ...(taskQueue ? { taskQueue } : {}) }),
        );
      });
      printRecord({ ...installed, nextRuns: installed.nextRuns.slice(0, 3) }, options);
    });
}
