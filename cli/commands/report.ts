import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { isCivilDate } from '../../domain/civil-date';
import { firstDayOf, isMonth } from '../../domain/months';
import { dailyReport } from '../../reports/daily';
import { DEFAULT_LAPSED_LIMIT, lapsedPoliciesReport, MAX_LAPSED_LIMIT, UnknownCodeError } from '../../reports/lapsed-policies';
import { monthlyReport } from '../../reports/monthly';
import { lapseReasonsReport } from '../../reports/lapse-reasons';
import { MAX_PERSISTENCY_COHORTS, PERSISTENCY_GROUPINGS, persistencyReport } from '../../reports/persistency';
import { taskPerformanceReport } from '../../reports/task-performance';
import { weeklyReport } from '../../reports/weekly';
import { isPersistencyMonths } from '../../domain/persistency';
import { TASK_GROUPINGS } from '../../domain/task-performance';
import type { Scope } from '../../domain/roles';
import { isIsoWeek } from '../../domain/weeks';
import { MAX_COHORT_MONTHS, monthsFromTo, reinstatementReport } from '../../reports/reinstatement';
import { refuseExistingOutput } from '../../application/output-files';
import { writeReport, type WriteReportOptions } from '../../application/report-delivery';
import { REPORT_FORMATS, type ReportFormat } from '../../reports/report-output';
import { withDatabase } from '../context';
import { CliError } from '../errors';
import { actingUser } from '../session';

const usage = (message: string) => new CliError(message, 2);

/** Output options, checked before anything touches the database; each error names its argument. */
export function reportOutput(options: { format: string; json?: boolean; out?: string; force?: boolean }): WriteReportOptions {
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
  refuseExistingOutput(out, options.force, `--out ${options.out} already exists: give --force to replace it`);
  return { format: format satisfies ReportFormat, out, force: options.force === true };
}

/** The output options every report takes, in this order; reportOutput checks them. */
function withOutputOptions<Args extends unknown[], Opts extends OptionValues, GlobalOpts extends OptionValues>(command: Command<Args, Opts, GlobalOpts>) {
  return command
    .option('--format <format>', REPORT_FORMATS.join('|'), 'table')
    .option('--json', 'same as --format json')
    .option('--out <file>', 'write to this file (needed for xlsx; default: stdout; must not exist)')
    .option('--force', 'replace the --out file if it exists');
}

export function registerReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description('daily, weekly, monthly, reinstatement, lapse-reasons, persistency and tasks reports and the lapsed list, from the database: table, CSV (with BOM), XLSX or JSON');

  withOutputOptions(
    report
      .command('daily')
      .description('one day: debit results by reason and bank, contacts by channel, grace in and out, open exceptions')
      .requiredOption('--date <date>', 'the day, YYYY-MM-DD (Asia/Shanghai)')
  )
    .action(async (options) => {
      if (!isCivilDate(options.date)) throw usage(`--date must be a date YYYY-MM-DD, got ${JSON.stringify(options.date)}`);
      const output = reportOutput(options);
      const built = await withDatabase((db) => dailyReport(db, options.date));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`daily report ${options.date} → ${output.out}\n`);
    });

  withOutputOptions(
    report
      .command('monthly')
      .description('premiums due in a month: collection rate at 当月/次月/宽末 × payment number, lapse rate, breakdowns')
      .requiredOption('--month <month>', 'the due month, YYYY-MM')
      .option('--as-of <date>', 'count what had happened by the end of this day, YYYY-MM-DD (default: today)')
  )
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

  withOutputOptions(
    report
      .command('reinstatement')
      .description('reinstatement rate of the suspensions of each month: outcomes, applications, rates by case and premium; by branch, product, value')
      .requiredOption('--from <month>', 'first month of suspension, YYYY-MM (Asia/Shanghai)')
      .requiredOption('--to <month>', 'last month of suspension, YYYY-MM')
      .option('--as-of <date>', 'count what had happened by the end of this day, YYYY-MM-DD (default: today)')
  )
    .action(async (options) => {
      const { from, to, asOf } = options;
      if (!isMonth(from)) throw usage(`--from must be a month YYYY-MM, got ${JSON.stringify(from)}`);
      if (!isMonth(to)) throw usage(`--to must be a month YYYY-MM, got ${JSON.stringify(to)}`);
      if (to < from) throw usage(`--to ${to} is before --from ${from}`);
      if (monthsFromTo(from, to).length > MAX_COHORT_MONTHS) throw usage(`--from ${from} --to ${to} spans more than ${MAX_COHORT_MONTHS} months`);
      if (asOf !== undefined) {
        if (!isCivilDate(asOf)) throw usage(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
        if (asOf < firstDayOf(from)) throw usage(`--as-of ${asOf} is before the month ${from} begins`);
      }
      const output = reportOutput(options);
      const built = await withDatabase((db) => reinstatementReport(db, { from, to, asOf, scopes: scopesOfActor() }));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`reinstatement report ${from}..${to} → ${output.out}\n`);
    });

  withOutputOptions(
    report
      .command('lapsed')
      .description('lapsed policies still in their reinstatement window: high value first, then premium, then days left (codes only, no personal data)')
      .option('--as-of <date>', 'as at the end of this day, YYYY-MM-DD (default: today)')
      .option('--branch <code>', 'only this branch')
      .option('--high-value', 'only high-value policies')
      .option('--limit <n>', `at most this many rows (1 to ${MAX_LAPSED_LIMIT})`, String(DEFAULT_LAPSED_LIMIT))
  )
    .action(async (options) => {
      const { asOf, branch } = options;
      if (asOf !== undefined && !isCivilDate(asOf)) throw usage(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
      if (branch !== undefined && !/^[A-Za-z0-9_-]{1,16}$/.test(branch)) throw usage(`--branch must be a branch code (letters, digits, - or _, at most 16), got ${JSON.stringify(branch)}`);
      const limit = /^\d+$/.test(options.limit) ? Number(options.limit) : Number.NaN;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LAPSED_LIMIT) {
        throw usage(`--limit must be a whole number from 1 to ${MAX_LAPSED_LIMIT}, got ${JSON.stringify(options.limit)}`);
      }
      const output = reportOutput(options);
      const built = await withDatabase((db) => lapsedPoliciesReport(db, { asOf, branch, highValueOnly: options.highValue === true, limit, scopes: scopesOfActor() })).catch((error: unknown) => {
        if (error instanceof UnknownCodeError) throw usage(`--branch ${error.code}: no such branch`);
        throw error;
      });
      await writeReport(built, output);
      if (output.out) process.stderr.write(`lapsed policies ${built.asOf} (${built.policies.length} of ${built.matching}) → ${output.out}\n`);
    });

  registerTeamReports(report);
}

/** The reports the collection team is judged by (docs/business-rules.md#team-reports). */
function registerTeamReports(report: Command): void {
  withOutputOptions(
    report
      .command('weekly')
      .description('one ISO week: premiums due and collected (rates by case and premium), collected by how, debits by outcome, contacts by channel, tasks, lapses')
      .requiredOption('--week <week>', 'the ISO week, YYYY-Www (Monday to Sunday, Asia/Shanghai)')
  )
    .action(async (options) => {
      if (!isIsoWeek(options.week)) throw usage(`--week must be an ISO week YYYY-Www (01 to 52 or 53), got ${JSON.stringify(options.week)}`);
      const output = reportOutput(options);
      const built = await withDatabase((db) => weeklyReport(db, options.week));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`weekly report ${options.week} → ${output.out}\n`);
    });

  withOutputOptions(
    report
      .command('lapse-reasons')
      .description('non-payment reasons of the premiums lapsed, or refused and unpaid, in a month, ranked, top three marked; lapsed premiums by debit failure')
      .requiredOption('--month <month>', 'the month, YYYY-MM (Asia/Shanghai)')
  )
    .action(async (options) => {
      if (!isMonth(options.month)) throw usage(`--month must be a month YYYY-MM, got ${JSON.stringify(options.month)}`);
      const output = reportOutput(options);
      const built = await withDatabase((db) => lapseReasonsReport(db, options.month));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`lapse reasons ${options.month} → ${output.out}\n`);
    });

  withOutputOptions(
    report
      .command('persistency')
      .description('13- or 25-month persistency (继续率) by case and premium of the policies issued in the cohort months, by cohort, branch, channel or agent')
      .requiredOption('--months <n>', '13 or 25')
      .option('--by <grouping>', PERSISTENCY_GROUPINGS.join('|'), 'cohort')
      .option('--from <month>', 'first cohort (issue month), YYYY-MM (default: 12 cohorts ending with the one whose premium fell due last month)')
      .option('--to <month>', 'last cohort, YYYY-MM (default: --from + 11 months)')
      .option('--as-of <date>', 'count what had happened by the end of this day, YYYY-MM-DD (default: today)')
  )
    .action(async (options) => {
      const months = /^\d+$/.test(options.months) ? Number(options.months) : Number.NaN;
      if (!isPersistencyMonths(months)) throw usage(`--months must be 13 or 25, got ${JSON.stringify(options.months)}`);
      const by = PERSISTENCY_GROUPINGS.find((g) => g === options.by);
      if (!by) throw usage(`--by must be one of ${PERSISTENCY_GROUPINGS.join(', ')}, got ${JSON.stringify(options.by)}`);
      const { from, to, asOf } = options;
      if (from !== undefined && !isMonth(from)) throw usage(`--from must be a month YYYY-MM, got ${JSON.stringify(from)}`);
      if (to !== undefined && !isMonth(to)) throw usage(`--to must be a month YYYY-MM, got ${JSON.stringify(to)}`);
      if (to !== undefined && from === undefined) throw usage('--to needs --from');
      if (from !== undefined && to !== undefined) {
        if (to < from) throw usage(`--to ${to} is before --from ${from}`);
        if (monthsFromTo(from, to).length > MAX_PERSISTENCY_COHORTS) throw usage(`--from ${from} --to ${to} spans more than ${MAX_PERSISTENCY_COHORTS} months`);
      }
      if (asOf !== undefined && !isCivilDate(asOf)) throw usage(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
      const output = reportOutput(options);
      const built = await withDatabase((db) => persistencyReport(db, { months, by, from, to, asOf, scopes: scopesOfActor() }));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`${months}-month persistency ${built.from}..${built.to} by ${by} → ${output.out}\n`);
    });

  withOutputOptions(
    report
      .command('tasks')
      .description('collection tasks completed in a month and the premiums they converted, by collector (assignee) or agent')
      .requiredOption('--month <month>', 'the month the tasks were completed in, YYYY-MM (Asia/Shanghai)')
      .option('--by <grouping>', TASK_GROUPINGS.join('|'), 'collector')
      .option('--as-of <date>', 'count payments up to the end of this day, YYYY-MM-DD (default: the end of the month, or today)')
  )
    .action(async (options) => {
      if (!isMonth(options.month)) throw usage(`--month must be a month YYYY-MM, got ${JSON.stringify(options.month)}`);
      const by = TASK_GROUPINGS.find((g) => g === options.by);
      if (!by) throw usage(`--by must be one of ${TASK_GROUPINGS.join(', ')}, got ${JSON.stringify(options.by)}`);
      if (options.asOf !== undefined) {
        if (!isCivilDate(options.asOf)) throw usage(`--as-of must be a date YYYY-MM-DD, got ${JSON.stringify(options.asOf)}`);
        if (options.asOf < firstDayOf(options.month)) throw usage(`--as-of ${options.asOf} is before the month ${options.month} begins`);
      }
      const output = reportOutput(options);
      const built = await withDatabase((db) => taskPerformanceReport(db, { month: options.month, by, asOf: options.asOf, scopes: scopesOfActor() }));
      await writeReport(built, output);
      if (output.out) process.stderr.write(`tasks ${options.month} by ${by} → ${output.out}\n`);
    });
}

/** The signed-in person's scope: the four scoped reports compute their figures from it (docs/architecture.md#people). */
function scopesOfActor(): readonly Scope[] {
  return actingUser().scopes ?? [];
}
