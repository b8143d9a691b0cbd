import type { TabularReport } from '../reports/report';
import { renderReport, type ReportFormat } from '../reports/report-output';
import { writeOutputFile } from './output-files';

export interface WriteReportOptions {
  format: ReportFormat;
  /** File to write; without it table, CSV and JSON go to stdout. XLSX needs a file. */
  out?: string;
  /** Replace `out` if it is already there. */
  force?: boolean;
}

/**
 * A report to its file or to stdout. Reports hold codes, branch and product names, policy numbers
 * and figures, never a customer's or agent's name, ID, contact point or account
 * (docs/business-rules.md#personal-data): not personal data, so the file is not made owner-only,
 * unless the report ranks people by their own work (report.personalData: the team reports by agent
 * or collector), which is written owner-only (0600).
 */
export async function writeReport(report: TabularReport, options: WriteReportOptions, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (options.format === 'xlsx' && !options.out) throw new Error('XLSX needs a file to write to (--out <file>)');
  const rendered = await renderReport(report, options.format);
  if (options.out) await writeOutputFile(options.out, rendered, { personalData: report.personalData === true, force: options.force });
  else stdout.write(rendered);
}
