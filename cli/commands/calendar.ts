import type { Command } from '@commander-js/extra-typings';
import { calendarYear, importCalendarNotice, parseYear, provisionalYearsInUse, type CalendarYearView } from '../../application/calendar';
import { withDatabase, withTemporalClient } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

/** Exit code of `calendar check` when a year in use is provisional. */
export const EXIT_PROVISIONAL = 1;


function printYear(view: CalendarYearView, options: { json?: boolean }): void {
  if (options.json) {
    printRecord({ ...view }, options);
    return;
  }
  const { days, ...summary } = view;
  printRecord(summary, {});
  process.stdout.write('\n');
  printRows(
    days,
    [
      { header: 'date', value: (d) => d.date },
      { header: 'day', value: (d) => d.weekday },
      { header: 'kind', value: (d) => d.kind },
      { header: 'name', value: (d) => d.name },
      { header: 'status', value: () => view.status },
      { header: 'source', value: (d) => d.source },
    ],
    {},
  );
}

/** `renewals calendar show|import|check`: the business calendar (docs/business-rules.md#business-calendar). */
export function registerCalendarCommands(program: Command): void {
  const calendar = program.command('calendar').description('the business calendar: holidays and make-up workdays, provisional or published');

  calendar
    .command('show')
    .description("a year's days off and make-up workdays, the year's status (provisional, published) and each row's source")
    .argument('<year>', 'the year, e.g. 2027')
    .option('--json', 'print the year as JSON')
    .action(async (yearText, options) => {
      const year = await asOperator(() => Promise.resolve(parseYear(yearText)));
      printYear(await withDatabase((db) => calendarYear(db, year)), options);
    });

  calendar
    .command('import')
    .description("load a State Council notice: CSV date,kind,name (kind holiday or workday), one year, replacing that year's rows; open cycles in that year are told")
    .argument('<file>', 'the notice as CSV (UTF-8 or GBK), header date,kind,name')
    .option('--source <text>', "the notice's title or number (default: the file name)")
    .option('--json', 'print the result as JSON')
    .action(async (file, options) => {
      const imported = await asOperator(() =>
        withDatabase((db) => importCalendarNotice(db, file, { operator: actingUser().ref, source: options.source, temporal: withTemporalClient })),
      );
      printRecord({ ...imported }, options);
    });

  calendar
    .command('check')
    .description(`provisional years in use by open cycles or this and next month's runs (with 60 days' grace); exit ${EXIT_PROVISIONAL} when any`)
    .option('--json', 'print the years as JSON')
    .action(async (options) => {
      const years = await withDatabase((db) => provisionalYearsInUse(db, Date.now()));
      printRows(
        years,
        [
          { header: 'year', value: (y) => y.year },
          { header: 'status', value: () => 'provisional' },
          { header: 'open cycles', value: (y) => y.cycles },
          { header: 'run months', value: (y) => y.runMonths.join(', ') },
        ],
        options,
      );
      if (years.length > 0) {
        throw new CliError(
          `${years.map((y) => y.year).join(', ')} ${years.length === 1 ? 'is' : 'are'} provisional: load the State Council notice with renewals calendar import`,
          EXIT_PROVISIONAL,
        );
      }
    });
}
