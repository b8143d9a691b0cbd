import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Knex } from 'knex';
import { monthlyReport } from '../../reports/monthly';
import type { CivilDate } from '../../domain/civil-date';
import { exportAuditTrail } from '../../application/audit-export';
import { writeReport } from '../../reports/report-output';
import type { SimulationResult } from './simulate';

export interface OutputFiles {
  reportXlsx: string;
  reportCsv: string;
  auditCsv: string;
  auditJson: string;
  premiumsCsv: string;
  summaryJson: string;
  emails: string;
}

/**
 * What a simulation leaves behind for people to open: the month's report (XLSX and CSV), the
 * masked audit export (CSV and JSON, every contact step with its time; the export is itself audited),
 * the premiums' outcomes, the whole result as JSON, and the emails as .eml files (written by the SMTP
 * server as they arrived).
 */
export async function writeSimulationOutputs(db: Knex, month: string, asOf: CivilDate, dir: string, result: SimulationResult): Promise<OutputFiles> {
  const files: OutputFiles = {
    reportXlsx: join(dir, `report-${month}.xlsx`),
    reportCsv: join(dir, `report-${month}.csv`),
    auditCsv: join(dir, 'audit.csv'),
    auditJson: join(dir, 'audit.json'),
    premiumsCsv: join(dir, 'premiums.csv'),
    summaryJson: join(dir, 'simulation.json'),
    emails: join(dir, 'emails'),
  };
  const report = await monthlyReport(db, month, { asOf });
  await writeReport(report, { format: 'xlsx', out: files.reportXlsx });
  await writeReport(report, { format: 'csv', out: files.reportCsv });
  const quiet = () => {};
  for (const [format, out] of [['csv', files.auditCsv], ['json', files.auditJson]] as const) {
    await exportAuditTrail(db, { filter: {}, format, out, unmasked: false, operator: 'simulator' }, quiet);
  }
  writeFileSync(
    files.premiumsCsv,
    stringify(
      result.premiums.map((p) => ({ ...p, contacts: tally(p.contacts), suppressed: tally(p.suppressed) })),
      { bom: true, header: true, columns: ['policyNo', 'dueDate', 'stage', 'paidOn', 'paidVia', 'debitAttempts', 'lastDebitReason', 'contacts', 'suppressed', 'tasks', 'lapsedOn', 'reinstatedOn'] },
    ),
  );
  writeFileSync(files.summaryJson, `${JSON.stringify({ ...result, outputs: files }, null, 2)}\n`);
  return files;
}

/** {sms: 3, email: 1} → "email 1, sms 3" */
export function tally(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}
