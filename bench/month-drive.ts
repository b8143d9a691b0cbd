/**
 * Benchmark: a whole month driven to its end on the time-skipping server. `--premiums` policies due
 * in one month (bench/support/month-files.ts) with a book's mix of outcomes set by their bank
 * accounts: 62 % paid at the first debit (funded), 31 % paid in grace (empty until a deposit the day
 * after the due date, so the D+3 debit pays), 7 % never paid (lapse at the end of grace). The scenario
 * simulator (scripts/simulate/simulate.ts) imports them, runs the month's run at its scheduled moment
 * and moves the clock a day at a time until every premium is paid or lapsed.
 *
 * Then every cycle's history is read from the server (each run of the workflow, the lapsed cycle's
 * window stage included, and any child) and its Temporal actions and history bytes counted as the
 * actions budget counts them (observability/history-figures.ts): per path and for the whole book.
 *
 *   npx tsx bench/month-drive.ts [--premiums 10000] [--max-cached <cycles>] [--keep <folder>]
 *
 * `--max-cached` is the worker's workflow cache (default: the month's premiums and 1,000 more, so no
 * cycle is replayed when its timer fires; ≈ 0.43 MiB a cached cycle, BENCHMARKS.md).
 * `--keep` writes the histories of the first cycle of each path there, to see where the actions go.
 *
 * Writes bench/results/month-drive-<premiums>.json and prints a Markdown table.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { parse } from 'csv-parse/sync';
import { addDays } from '../domain/civil-date';
import { addMonths } from '../domain/months';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { simulate } from '../scripts/simulate/simulate';
import { figuresOfHistory, type HistoryFigures } from '../observability/history-figures';
import { writeMonthFiles } from './support/month-files';
import { log, machine } from './support/monthly-run-stack';
import { startAll } from './support/parked';
import { countOption, option, sampleLoad, spread } from './support/rounds';

type Path = 'paid at first debit' | 'paid in grace' | 'lapsed';

/** Which path policy `i` of the book takes: 62 / 31 / 7 in every hundred. */
const pathOf = (i: number): Path => (i % 100 < 62 ? 'paid at first debit' : i % 100 < 93 ? 'paid in grace' : 'lapsed');

interface PolicyRow {
  policy_no: string;
  premium: string;
  next_due_date: string;
  bank_code: string;
  account_no: string;
  account_name: string;
}

/** accounts.csv and events.csv for the month's policies: the book's mix of outcomes. */
function writeBook(dir: string, policiesFile: string): Map<string, Path> {
  const rows = parse<PolicyRow>(readFileSync(policiesFile), { columns: true, bom: true });
  const accounts = ['bank_code,account_no,account_name,balance,status,daily_limit,account_class'];
  const events = ['date,policy_no,event,value'];
  const paths = new Map<string, Path>();
  rows.forEach((row, i) => {
    const path = pathOf(i);
    paths.set(row.policy_no, path);
    const premium = Number(row.premium);
    accounts.push([row.bank_code, row.account_no, row.account_name, path === 'paid at first debit' ? (premium * 2).toFixed(2) : '0.00', 'active', '', 'I'].join(','));
    if (path === 'paid in grace') events.push([addDays(row.next_due_date, 1), row.policy_no, 'deposit', premium.toFixed(2)].join(','));
  });
  writeFileSync(join(dir, 'accounts.csv'), `${accounts.join('\n')}\n`);
  writeFileSync(join(dir, 'events.csv'), `${events.join('\n')}\n`);
  return paths;
}

/** Every run of a workflow (newest first, back through continue-as-new) and of its children. */
async function workflowFigures(client: Client, workflowId: string, keep?: string): Promise<HistoryFigures> {
  const total: HistoryFigures = { actions: 0, byKind: {}, bytes: 0, events: 0 };
  const add = (history: temporal.api.history.v1.IHistory) => {
    const f = figuresOfHistory(history, workflowId);
    total.actions += f.actions;
    total.bytes += f.bytes;
    total.events += f.events;
    for (const [kind, n] of Object.entries(f.byKind)) total.byKind[kind] = (total.byKind[kind] ?? 0) + n;
  };
  const visit = async (id: string, runId?: string): Promise<void> => {
    const history = await client.workflow.getHandle(id, runId).fetchHistory();
    add(history);
    if (keep) writeFileSync(join(keep, `${id}-${runId ?? 'latest'}.json`), historyToJSON(history));
    for (const event of history.events ?? []) {
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId) await visit(child.workflowId, child.runId ?? undefined);
    }
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (previous) await visit(id, previous);
  };
  await visit(workflowId);
  return total;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(): Promise<void> {
  const premiums = countOption('premiums', 10_000);
  const maxCached = countOption('max-cached', premiums + 1_000);
  const keep = option('keep', '');
  if (keep) mkdirSync(keep, { recursive: true });
  const kept = new Set<Path>();
  const loadBefore = machine();
  const load = sampleLoad();
  // Two months ahead: the run (02:00 on the 1st of the month before) still lies ahead of the clock.
  const month = addMonths(new Date().toISOString().slice(0, 7), 2);
  const dir = mkdtempSync(join(tmpdir(), 'renewals-bench-drive-'));
  const started = Date.now();
  const marks: Record<string, number> = {};
  const mark = (name: string) => void (marks[name] ??= round1((Date.now() - started) / 1000));
  let figures: { path: Path; outcome: string; figures: HistoryFigures }[] = [];
  try {
    const files = writeMonthFiles(dir, month, premiums);
    const paths = writeBook(dir, files.policies);
    log(`scenario: ${premiums} policies due in ${month}`);
    const result = await simulate({
      dir,
      month,
      maxCachedWorkflows: maxCached,
      progress: (line) => {
        if (line.startsWith('importing policies')) mark('importStart');
        if (line.startsWith('monthly run')) mark('runStart');
        if (line.includes('cycles started')) mark('runDone');
        log(`${round1((Date.now() - started) / 1000)} s ${line}`);
      },
      onSettled: async ({ client, db }) => {
        mark('settled');
        const dues = await db('premium_dues as d')
          .whereRaw("to_char(d.due_date, 'YYYY-MM') = ?", [month])
          .select<{ policy_no: string; due_date: string; status: string }[]>('d.policy_no', db.raw("to_char(d.due_date, 'YYYY-MM-DD') as due_date"), 'd.status');
        log(`reading ${dues.length} cycles' histories`);
        const out: typeof figures = [];
        await startAll(dues, 16, async (due) => {
          const path = paths.get(due.policy_no)!;
          const keepThis = keep !== '' && !kept.has(path);
          kept.add(path);
          out.push({ path, outcome: due.status, figures: await workflowFigures(client, renewalWorkflowId(due.policy_no, due.due_date), keepThis ? keep : undefined) });
          if (out.length % 1000 === 0) log(`  ${out.length}/${dues.length} histories read`);
        });
        figures = out;
        mark('historiesRead');
      },
    });
    const byPath = Object.fromEntries(
      (['paid at first debit', 'paid in grace', 'lapsed'] as const).map((path) => {
        const mine = figures.filter((f) => f.path === path);
        const outcomes: Record<string, number> = {};
        for (const f of mine) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1;
        const actions = spread(mine.map((f) => f.figures.actions));
        const bytes = spread(mine.map((f) => f.figures.bytes));
        const byKind: Record<string, number> = {};
        for (const f of mine) for (const [kind, n] of Object.entries(f.figures.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
        for (const kind of Object.keys(byKind)) byKind[kind] = round1(byKind[kind]! / mine.length);
        return [path, { cycles: mine.length, outcomes, actionsByKindPerCycle: byKind, actions: { median: actions.median, min: actions.min, max: actions.max, mean: round1(mine.reduce((a, f) => a + f.figures.actions, 0) / mine.length) }, bytes: { median: bytes.median, min: bytes.min, max: bytes.max } }];
      }),
    );
    const totalActions = figures.reduce((a, f) => a + f.figures.actions, 0);
    const totalBytes = figures.reduce((a, f) => a + f.figures.bytes, 0);
    const report = {
      benchmark: 'month-drive',
      date: new Date().toISOString(),
      command: `npx tsx bench/month-drive.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m, loadAverage1mDuring: load.stop() },
      server: 'Temporal time-skipping test server',
      settings: { premiums, maxCachedWorkflows: maxCached, month, mix: '62 % paid at the first debit, 31 % paid in grace (D+3), 7 % lapsed' },
      wallSeconds: result.wallSeconds,
      stages: marks,
      simulated: { from: result.simulatedFrom, to: result.simulatedTo },
      kpis: result.kpis,
      audit: result.audit,
      cycles: figures.length,
      actions: { total: totalActions, perCycle: round1(totalActions / figures.length) },
      historyBytes: { total: totalBytes, perCycle: Math.round(totalBytes / figures.length) },
      byPath,
      note: 'Actions as test/workflow/actions-budget.test.ts counts them; a lapsed cycle counts its window stage up to the end of the simulation (its two-year window is still open).',
    };
    const file = join(__dirname, 'results', `month-drive-${premiums}.json`);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    const m = report.machine;
    process.stdout.write(
      [
        `### A month of ${premiums.toLocaleString('en')} premiums driven to its end (time-skipping server)`,
        '',
        `wall ${result.wallSeconds} s (simulated ${result.simulatedFrom} to ${result.simulatedTo}); stages at s: ${JSON.stringify(marks)}`,
        '',
        '| path | cycles | outcomes | actions a cycle, median (min–max) | mean | history bytes, median |',
        '|---|---:|---|---:|---:|---:|',
        ...Object.entries(byPath).map(([path, p]) => `| ${path} | ${p.cycles} | ${JSON.stringify(p.outcomes)} | ${p.actions.median} (${p.actions.min}–${p.actions.max}) | ${p.actions.mean} | ${p.bytes.median} |`),
        `| **book** | ${figures.length} | | | **${report.actions.perCycle}** | ${report.historyBytes.perCycle} (mean) |`,
        '',
        `load ${m.loadAverage1mDuring.min}–${m.loadAverage1mDuring.max} (median ${m.loadAverage1mDuring.median}) on ${m.cpus} × ${m.cpuModel}; audit ${result.audit.rows} rows, chain intact: ${result.audit.chainIntact}`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
