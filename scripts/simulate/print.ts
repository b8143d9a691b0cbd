import Table from 'cli-table3';
import { tally } from './outputs';
import type { SimulationResult } from './simulate';

/** The simulation as operations read it: one line per premium, the month's KPIs, what went wrong. */
export function printSimulation(result: SimulationResult, out: NodeJS.WritableStream = process.stdout): void {
  const table = new Table({
    head: ['policyNo', 'dueDate', 'stage', 'paidOn', 'paidVia', 'debitAttempts', 'contacts', 'suppressed', 'tasks', 'lapsedOn', 'reinstatedOn'],
    style: { head: [], border: [] },
  });
  for (const p of result.premiums) {
    table.push([p.policyNo, p.dueDate, p.stage, p.paidOn ?? '', p.paidVia ?? '', p.debitAttempts, tally(p.contacts), tally(p.suppressed), p.tasks, p.lapsedOn ?? '', p.reinstatedOn ?? '']);
  }
  out.write(`${table.toString()}\n`);

  const k = result.kpis;
  out.write(`\nMonth ${result.month} (simulated ${result.simulatedFrom} → ${result.simulatedTo}${result.shiftedYears ? `, scenario dates moved forward ${result.shiftedYears} year(s)` : ''})\n`);
  out.write(`  premiums due            ${k.premiums} (¥${k.dueYuan})\n`);
  out.write(`  collection rate by case ${k.collectionRateByCase}   by premium ${k.collectionRateByPremium}\n`);
  out.write(`  by cut-off (case / premium) 当月 ${k.cutoffs.due_month.byCase} / ${k.cutoffs.due_month.byPremium}, 次月 ${k.cutoffs.next_month.byCase} / ${k.cutoffs.next_month.byPremium}, 宽末 ${k.cutoffs.grace_end_month.byCase} / ${k.cutoffs.grace_end_month.byPremium}\n`);
  out.write(`  paid ${k.paid}, lapsed ${k.lapsed} (lapse rate ${k.lapseRate}), still open ${k.open}\n`);
  out.write(`  events applied ${result.events.filter((e) => e.applied).length} of ${result.events.length}; emails delivered ${result.emailsDelivered}; audit rows ${result.audit.rows}, chain ${result.audit.chainIntact ? 'intact' : 'BROKEN'}\n`);

  const refused = result.events.filter((e) => !e.applied);
  if (refused.length > 0) {
    out.write(`\nEvents not applied (${refused.length}):\n`);
    for (const e of refused) out.write(`  events.csv row ${e.row}: ${e.date} ${e.policyNo} ${e.event}: ${e.note}\n`);
  }
  if (result.inputErrors.length > 0) {
    out.write(`\nRows rejected on import (${result.inputErrors.length}):\n`);
    for (const e of result.inputErrors) out.write(`  ${e.file} row ${e.row}, ${e.column}: ${e.reason}\n`);
  }
  if (result.outputs) {
    out.write(`\nWritten: ${result.outputs.reportXlsx}, ${result.outputs.reportCsv}, ${result.outputs.auditCsv}, ${result.outputs.auditJson}, ${result.outputs.premiumsCsv}, ${result.outputs.teamReports}, emails in ${result.outputs.emails}\n`);
  }
  out.write(`Wall time ${result.wallSeconds} s.\n`);
}
