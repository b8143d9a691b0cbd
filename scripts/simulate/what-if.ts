/**
 * What-if (docs/business-rules.md#what-if-two-plans-on-one-scenario): one scenario played twice, once
 * under each plan, one after the other. Each side is a whole simulation of its own (its own
 * time-skipping server, its own fresh database, its own SMTP, bank and provider simulators), so the
 * two cannot see each other; both read the same files, the same events and the same due month.
 */
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { OperatorError } from '../../application/errors';
import { refuseExistingOutput, writeOutputFile } from '../../application/output-files';
import { shanghaiDate } from '../../domain/civil-date';
import { compareSides, outcomeDifferences, whatIfSide, type ComparisonRow, type OutcomeDifference, type WhatIfSide } from '../../domain/what-if';
import { INERT_CSV_CAST } from '../../reports/csv-cells';
import { readScenarioPlans, requireKnownPlan } from './plans';
import { earliestDueMonth, scenarioFiles } from './scenario-files';
import { shiftMonth, yearsToLieAhead } from './shift-dates';
import { refuseExistingSimulationOutputs, simulationOutputFiles } from './outputs';
import { simulate, type SimulationResult } from './simulate';

export interface WhatIfOptions {
  dir: string;
  plan: string;
  comparePlan: string;
  month?: string;
  /** Each side's files in `out/<plan>/`, the comparison in `out/comparison.csv` and `out/comparison.json`. */
  out?: string;
  force?: boolean;
  progress?: (line: string) => void;
}

export interface WhatIfResult {
  scenario: string;
  month: string;
  plans: [string, string];
  sides: [WhatIfSide, WhatIfSide];
  comparison: ComparisonRow[];
  /** The premiums that ended differently (paid on another day or by another channel, lapsed on one side only). */
  differences: OutcomeDifference[];
  /** Each side's whole simulation, as `renewals simulate --plan` gives it. */
  runs: [SimulationResult, SimulationResult];
  wallSeconds: number;
  outputs?: { sides: [string, string]; comparisonCsv: string; comparisonJson: string };
}

export async function simulateWhatIf(options: WhatIfOptions): Promise<WhatIfResult> {
  const say = options.progress ?? (() => {});
  const wallStart = Date.now();
  if (options.plan === options.comparePlan) throw new OperatorError(`--compare-plan ${options.comparePlan} is the --plan itself: name another plan`, true);
  const files = scenarioFiles(options.dir);
  const plans = files.plans ? readScenarioPlans(files.plans) : [];
  requireKnownPlan('--plan', options.plan, plans);
  requireKnownPlan('--compare-plan', options.comparePlan, plans);
  // One due month for both sides, named now (the default is read from policies.csv once).
  const month = options.month ?? earliestDueMonth(files.policies);

  const outDir = options.out ? resolve(options.out) : undefined;
  const sideDirs = outDir ? ([join(outDir, options.plan), join(outDir, options.comparePlan)] as const) : undefined;
  const comparisonCsv = outDir ? join(outDir, 'comparison.csv') : undefined;
  const comparisonJson = outDir ? join(outDir, 'comparison.json') : undefined;
  if (outDir && sideDirs && comparisonCsv && comparisonJson) {
    // Both sides' files are refused before the first side plays (each side checks again as it starts).
    const played = shiftMonth(month, yearsToLieAhead(month, shanghaiDate(Date.now())));
    for (const dir of sideDirs) refuseExistingSimulationOutputs(simulationOutputFiles(dir, played), options.force);
    for (const path of [comparisonCsv, comparisonJson]) refuseExistingOutput(path, options.force, `${path} already exists: give --force to replace the simulation's files`);
  }

  const runSide = async (plan: string, index: 0 | 1): Promise<SimulationResult> => {
    say(`— side ${index === 0 ? 'A' : 'B'}: plan ${plan} —`);
    return simulate({
      dir: options.dir,
      month,
      plan,
      ...(sideDirs ? { out: sideDirs[index] } : {}),
      ...(options.force ? { force: true } : {}),
      progress: (line) => say(`[${plan}] ${line}`),
    });
  };
  // One after the other: each side starts and stops its own servers, and the two never share a core's worth of load.
  const a = await runSide(options.plan, 0);
  const b = await runSide(options.comparePlan, 1);
  if (a.month !== b.month) throw new Error(`the two sides played different months (${a.month}, ${b.month}): the server's clock crossed a year; run again`);

  const sides: [WhatIfSide, WhatIfSide] = [sideOf(a, options.plan), sideOf(b, options.comparePlan)];
  const comparison = compareSides(...sides);
  const result: WhatIfResult = {
    scenario: a.scenario,
    month: a.month,
    plans: [options.plan, options.comparePlan],
    sides,
    comparison,
    differences: outcomeDifferences(a.premiums, b.premiums),
    runs: [a, b],
    wallSeconds: 0,
  };
  if (sideDirs && comparisonCsv && comparisonJson) {
    await writeOutputFile(
      comparisonCsv,
      stringify(
        comparison.map((r) => [r.figure.trim(), r.a, r.b, r.delta]),
        { bom: true, header: true, columns: ['figure', options.plan, options.comparePlan, `${options.comparePlan} - ${options.plan}`], cast: INERT_CSV_CAST },
      ),
      { personalData: false, force: options.force },
    );
    // Each side's whole result is in its own folder's simulation.json.
    const summary = { scenario: result.scenario, month: result.month, plans: result.plans, sides: result.sides, comparison: result.comparison, differences: result.differences };
    await writeOutputFile(comparisonJson, `${JSON.stringify(summary, null, 2)}\n`, { personalData: false, force: options.force });
    result.outputs = { sides: [sideDirs[0], sideDirs[1]], comparisonCsv, comparisonJson };
  }
  result.wallSeconds = Math.round((Date.now() - wallStart) / 100) / 10;
  return result;
}

function sideOf(run: SimulationResult, plan: string): WhatIfSide {
  return whatIfSide(plan, { premiums: run.kpis.premiums, paid: run.kpis.paid, lapsed: run.kpis.lapsed, open: run.kpis.open, rates: run.kpis.rates }, run.premiums);
}
