import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { monthlyReport } from '../../reports/monthly';
import { lapseReasonsReport } from '../../reports/lapse-reasons';
import { persistencyReport } from '../../reports/persistency';
import { reportTable } from '../../reports/report-output';
import type { TabularReport } from '../../reports/report';
import { taskPerformanceReport } from '../../reports/task-performance';
import { weeklyReport } from '../../reports/weekly';
import { addMonths, firstDayOf, lastDayOf, monthOf } from '../../domain/months';
import { addWeeks, isoWeekOf } from '../../domain/weeks';
import { INERT_CSV_CAST } from '../../reports/csv-cells';
import type { CivilDate } from '../../domain/civil-date';
import { exportAuditTrail } from '../../application/audit-export';
import { OutputFileExists, writeOutputFile } from '../../application/output-files';
import { writeReport } from '../../application/report-delivery';
import type { SimulationResult } from './simulate';

export interface OutputFiles {
  reportXlsx: string;
  reportCsv: string;
  auditCsv: string;
  auditJson: string;
  premiumsCsv: string;
  summaryJson: string;
  /** The team's reports (weekly, lapse reasons, persistency, tasks) as tables, one after another. */
  teamReports: string;
  emails: string;
}

/** Where a simulation of `month` leaves its files in `dir`. */
export function simulationOutputFiles(dir: string, month: string): OutputFiles {
  return {
    reportXlsx: join(dir, `report-${month}.xlsx`),
    reportCsv: join(dir, `report-${month}.csv`),
    auditCsv: join(dir, 'audit.csv'),
    auditJson: join(dir, 'audit.json'),
    premiumsCsv: join(dir, 'premiums.csv'),
    summaryJson: join(dir, 'simulation.json'),
    teamReports: join(dir, `team-reports-${month}.txt`),
    emails: join(dir, 'emails'),
  };
}

/**
 * Before the month is played: a folder that already holds one of this run's files, or the emails
 * of an earlier run, is refused unless forced, naming the first such file.
 */
export function refuseExistingSimulationOutputs(files: OutputFiles, force: boolean | undefined): void {
  if (force) return;
  const emails = existsSync(files.emails) ? readdirSync(files.emails).map((name) => join(files.emails, name)) : [];
  const existing = [files.reportXlsx, files.reportCsv, files.auditCsv, files.auditJson, files.premiumsCsv, files.summaryJson, files.teamReports, ...emails].find((path) => existsSync(path));
  if (existing) throw new OutputFileExists(existing, `${existing} already exists: give --force to replace the simulation's files`);
}

/**
 * What a simulation leaves behind for people to open: the month's report (XLSX and CSV), the
 * masked audit export (CSV and JSON, every contact step with its time; the export is itself audited),
 * the premiums' outcomes, the whole result as JSON, and the emails as .eml files (written by the SMTP
 * server as they arrived).
 *
 * Personal data: the emails (recipients, the holder's name) and the audit export are owner-only
 * (0600, written by the SMTP server and exportAuditTrail). The report, premiums.csv and
 * simulation.json hold policy numbers, codes, names of branches and products, dates and counts
 * (input errors name the row and column, never the value), so they are not.
 */
export async function writeSimulationOutputs(db: Knex, month: string, asOf: CivilDate, files: OutputFiles, result: SimulationResult, force: boolean | undefined): Promise<OutputFiles> {
  const report = await monthlyReport(db, month, { asOf });
  await writeReport(report, { format: 'xlsx', out: files.reportXlsx, force });
  await writeReport(report, { format: 'csv', out: files.reportCsv, force });
  const quiet = () => {};
  for (const [format, out] of [['csv', files.auditCsv], ['json', files.auditJson]] as const) {
    await exportAuditTrail(db, { filter: {}, format, out, force, unmasked: false, operator: 'simulator' }, quiet);
  }
  await writeOutputFile(
    files.premiumsCsv,
    stringify(
      result.premiums.map((p) => ({ ...p, contacts: tally(p.contacts), suppressed: tally(p.suppressed) })),
      {
        bom: true,
        header: true,
        columns: ['policyNo', 'dueDate', 'stage', 'paidOn', 'paidVia', 'debitAttempts', 'lastDebitReason', 'contacts', 'suppressed', 'tasks', 'lapsedOn', 'reinstatedOn'],
        cast: INERT_CSV_CAST,
      },
    ),
    { personalData: false, force },
  );
  const team = await teamReports(db, month, asOf);
  await writeOutputFile(files.teamReports, team.map(reportTable).join('\n\n'), { personalData: team.some((r) => r.personalData === true), force });
  await writeOutputFile(files.summaryJson, `${JSON.stringify({ ...result, outputs: files }, null, 2)}\n`, { personalData: false, force });
  return files;
}

/** {sms: 3, email: 1} → "email 1, sms 3" */
export function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}

/**
 * The team's reports on the simulated months, seen from the last simulated day (the database is
 * dropped when the simulation ends, so they are written now): every ISO week of the due month, the
 * lapse reasons and tasks of each month from the due month to the last simulated one, and 13- and
 * 25-month persistency of the twelve cohorts whose premium fell due in the due month, by cohort and
 * by channel. Owner-only (0600): the tasks report ranks agents.
 */
export async function teamReports(db: Knex, month: string, asOf: CivilDate): Promise<TabularReport[]> {
  const reports: TabularReport[] = [];
  for (let week = isoWeekOf(firstDayOf(month)); week <= isoWeekOf(lastDayOf(month)); week = addWeeks(week, 1)) {
    reports.push(await weeklyReport(db, week, { today: asOf }));
  }
  const months: string[] = [];
  for (let m = month; m <= monthOf(asOf); m = addMonths(m, 1)) months.push(m);
  for (const m of months) reports.push(await lapseReasonsReport(db, m));
  for (const m of months) {
    const end = lastDayOf(m) < asOf ? lastDayOf(m) : asOf;
    reports.push(await taskPerformanceReport(db, { month: m, by: 'collector', asOf: end }));
    reports.push(await taskPerformanceReport(db, { month: m, by: 'agent', asOf: end }));
  }
  for (const months of [13, 25] as const) {
    const from = addMonths(month, -(months - 1) - 11);
    const to = addMonths(month, -(months - 1));
    for (const by of ['cohort', 'channel'] as const) reports.push(await persistencyReport(db, { months, by, from, to, asOf }));
  }
  return reports;
}
