import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { isCivilDate } from '../../../domain/civil-date';
import { firstDayOf, isMonth } from '../../../domain/kpis';
import { dailyReport } from '../../../db/repositories/reports/daily';
import { monthlyReport } from '../../../db/repositories/reports/monthly';
import { withDatabase } from '../context';
import { CliError } from '../errors';
import { REPORT_FORMATS, writeReport, type ReportFormat, type WriteReportOptions } from '../report-output';

const usage = (message: string) => new CliError(message, 2);

/** Output options, checked before anything touches the database; each error names its argument. */
export function reportOutput(options: { format: string; json?: boolean; out?: string }): WriteReportOptions {
  const format = options.json ? 'json' : REPORT_FORMATS.find((f) => f === options.format);
  if (!format) throw usage(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${options.format}"`);
  if (options.json && options.format !== 'table' && options.format !== 'json') {
    throw usage(`--json and --format ${options.format} ask for different formats: give one`);
  }
  if (format === 'xlsx' && options.out === undefined) throw usage('--format xlsx needs --out <file>: a workbook is not written to the terminal');
  if (options.out === undefined) return { format };
  const out = resolve(options.out);
  const folder = dirname(out);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw usage(`--out ${options.out}: folder ${folder} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw usage(`--out ${options.out} is a folder: give a file name`);
  return { format: format satisfies ReportFormat, out };
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('daily and monthly reports from the database: table, CSV (with BOM), XLSX or JSON');

  report
    .command('daily')
    .description('one day: debit results by reason and bank, contacts by channel, grace in and out, open exceptions')
    .requiredOption('--date <date>', 'the day, YYYY-MM-DD (Asia/Shanghai)')
    .option('--format <format>', REPORT_FORMATS.join('|'), 'table')
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write to this file (needed for xlsx; default: stdout)')
    .action(async (options) => {
      if (!isCivilDate(options.date)) throw usage(`--date must be a date YYYY-MM-DD, got ${JSON.stringify(options.date)}`);
      const output = reportOutput(options);
      const built = await withDatabase((db) => dailyReport(db, options.date));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`daily report ${options.date} → ${output.out}\n`);
    });

  report
    .command('monthly')
    .description('premiums due in a month: collection rate at 当月/次月/宽末 × payment number, lapse rate, breakdowns')
    .requiredOption('--month <month>', 'the due month, YYYY-MM')
    .option('--as-of <date>', 'count what had happened by the end of this day, YYYY-MM-DD (default: today)')
    .option('--format <format>', REPORT_FORMATS.join('|'), 'table')
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write to this file (needed for xlsx; default: stdout)')
    .action(async (options) => {
      if (!isMonth(options.month)) throw usage(`--month must be a month YYYY-MM, got ${JSON.stringify(options.month)}`);
      if (options.asOf !== undefined) {
        if (!isCivilDate(options.asOf)) throw usage(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(options.asOf)}`);
        if (options.asOf < firstDayOf(options.month)) throw usage(`--as-of ${options.asOf} is before the month ${options.month} begins`);
      }
      const output = reportOutput(options);
      const built = await withDatabase((db) => monthlyReport(db, options.month, { asOf: options.asOf }));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`monthly report ${options.month} → ${output.out}\n`);
    });
}
