import Table from 'cli-table3';
import { formatYuan } from '../../domain/money';
import { tally } from './outputs';
import type { SimulationResult } from './simulate';
import type { WhatIfResult } from './what-if';

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
  if (result.plan) out.write(`\nEvery product collected under plan ${result.plan}.`);
  out.write(`\nMonth ${result.month} (simulated ${result.simulatedFrom} → ${result.simulatedTo}${result.shiftedYears ? `, scenario dates moved forward ${result.shiftedYears} year(s)` : ''})\n`);
  out.write(`  premiums due            ${k.premiums} (¥${k.dueYuan})\n`);
  out.write(`  collection rate by case ${k.collectionRateByCase}   by premium ${k.collectionRateByPremium}\n`);
  out.write(`  by cut-off (case / premium) 当月 ${k.cutoffs.due_month.byCase} / ${k.cutoffs.due_month.byPremium}, 次月 ${k.cutoffs.next_month.byCase} / ${k.cutoffs.next_month.byPremium}, 宽末 ${k.cutoffs.grace_end_month.byCase} / ${k.cutoffs.grace_end_month.byPremium}\n`);
  out.write(`  paid ${k.paid}, lapsed ${k.lapsed} (lapse rate ${k.lapseRate}), still open ${k.open}\n`);
  out.write(`  events applied ${result.events.filter((e) => e.applied).length} of ${result.events.length}; emails delivered ${result.emailsDelivered}; audit rows ${result.audit.rows}, chain ${result.audit.chainIntact ? 'intact' : 'BROKEN'}\n`);

  const m = result.payments;
  out.write(`  payments ${m.byWay.map((w) => `${w.via} ${w.payments} (¥${formatYuan(w.amountFen)})`).join(', ') || 'none'}\n`);
  out.write(`    part payments ${m.partPayments}; paid within grace, reported after the suspension (undone) ${m.suspensionsUndone}; suspense ${m.suspense.map((e) => `${e.reason} ${e.entries} (¥${formatYuan(e.amountFen)})`).join(', ') || 'none'}\n`);

  const refused = result.events.filter((e) => !e.applied);
  if (refused.length > 0) {
    out.write(`\nEvents not applied (${refused.length}):\n`);
    for (const e of refused) out.write(`  events.csv row ${e.row}: ${e.date} ${e.policyNo} ${e.event}: ${e.note}\n`);
  }
  if (result.inputErrors.length > 0) {
    out.write(`\nRows rejected on import (${result.inputErrors.length}):\n`);
    for (const e of result.inputErrors) out.write(`  ${e.file} row ${e.row}${e.key ? ` (${e.key})` : ''}, ${e.column}: ${e.reason}\n`);
  }
  if (result.outputs) {
    out.write(`\nWritten: ${result.outputs.reportXlsx}, ${result.outputs.reportCsv}, ${result.outputs.auditCsv}, ${result.outputs.auditJson}, ${result.outputs.premiumsCsv}, ${result.outputs.teamReports}, emails in ${result.outputs.emails}\n`);
  }
  out.write(`Wall time ${result.wallSeconds} s.\n`);
}

/** Two plans on one scenario, side by side: the figures of each and the difference B − A. */
export function printWhatIf(result: WhatIfResult, out: NodeJS.WritableStream = process.stdout): void {
  const [a, b] = result.runs;
  const [planA, planB] = result.plans;
  out.write(`What-if on ${result.scenario}, month ${result.month} (simulated ${a.simulatedFrom} → ${a.simulatedTo} under ${planA}, → ${b.simulatedTo} under ${planB}${a.shiftedYears ? `; scenario dates moved forward ${a.shiftedYears} year(s)` : ''})\n`);
  const table = new Table({
    head: ['', `A: ${planA}`, `B: ${planB}`, 'B − A'], colAligns: ['left', 'right', 'right', 'right'],
    // One line per figure, no rule between them: the table is read down the columns.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [] },
  });
  for (const row of result.comparison) table.push([row.figure, row.a, row.b, row.delta]);
  out.write(`${table.toString()}\n`);
  out.write(`  premiums due ${a.kpis.premiums} (¥${a.kpis.dueYuan}); events applied ${a.events.filter((e) => e.applied).length} / ${b.events.filter((e) => e.applied).length} of ${a.events.length}; emails delivered ${a.emailsDelivered} / ${b.emailsDelivered}; audit chain ${chain(a)} / ${chain(b)}\n`);
  if (result.differences.length > 0) {
    const shown = result.differences.slice(0, MAX_DIFFERENCES_SHOWN);
    out.write(`\nPremiums that ended differently (${result.differences.length}${shown.length < result.differences.length ? `, first ${shown.length}; all in --json` : ''}):\n`);
    for (const d of shown) out.write(`  ${d.policyNo}  ${planA}: ${d.a}  ·  ${planB}: ${d.b}\n`);
  }
  if (a.inputErrors.length > 0) out.write(`  rows rejected on import: ${a.inputErrors.length} (listed by renewals simulate, and in each side's simulation.json with --out)\n`);
  if (result.outputs) out.write(`\nWritten: ${result.outputs.sides[0]}/, ${result.outputs.sides[1]}/ (each side's files), ${result.outputs.comparisonCsv}, ${result.outputs.comparisonJson}\n`);
  out.write(`Wall time ${result.wallSeconds} s (A ${a.wallSeconds} s, B ${b.wallSeconds} s).\n`);
}

const MAX_DIFFERENCES_SHOWN = 25;
const chain = (run: SimulationResult) => (run.audit.chainIntact ? 'intact' : 'BROKEN');
