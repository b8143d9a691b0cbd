/**
 * Benchmark: a whole month on the production-shaped Temporal server (PostgreSQL persistence and
 * visibility), from the import files to the last cycle opened, with the time of each stage:
 *
 *   1. import: products, agents and `--premiums` policies (bench/support/month-files.ts, every next
 *      premium due in the month three months ahead) through `renewals import`'s code path;
 *   2. run start: the month's run (`renewals run`'s code path) pages the premiums and starts a cycle
 *      for each, on the same worker that runs the cycles, as in production;
 *   3. opening: until every cycle has run its opening activities and parked at its first timer
 *      (bench/support/parked.ts), counted from the run's start (it overlaps stage 2).
 *
 * Then what the month left behind: rows and bytes per policy in the renewals database, and per
 * cycle in Temporal's (the inputs of docs/capacity.md).
 *
 *   npx tsx bench/month.ts [--premiums 10000] [--concurrency 50] [--page-size 500] [--pages-per-execution 10]
 *                          [--max-cached 2000] [--shards 4]
 *
 * At 100,000 premiums (`--premiums 100000`) plan for several hours on 2 cores (see BENCHMARKS.md).
 * Writes bench/results/month.json (or $BENCH_RESULT_NAME there) and prints a Markdown table.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { importFile } from '../application/import-files';
import { startMonthlyRun } from '../application/monthly-runs';
import { addMonths } from '../domain/months';
import { renewalsDataConverter } from '../workers/data-converter';
import { bundleRenewalWorkflows, createRenewalWorker } from '../workers/renewal-worker';
import { writeMonthFiles } from './support/month-files';
import { log, machine, startBenchStack, temporalArguments } from './support/monthly-run-stack';
import { historiesParked, parkedCount, tableSizes, temporalFootprint, untilParked } from './support/parked';
import { countOption, sampleLoad } from './support/rounds';

const QUEUE = 'bench-month';

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const round2 = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const premiums = countOption('premiums', 10_000);
  const concurrency = countOption('concurrency', 50);
  const pageSize = countOption('page-size', 500);
  // Fewer pages an execution: more continue-as-new, to see what each one costs the run.
  const pagesPerExecution = countOption('pages-per-execution', 10);
  const maxCachedWorkflows = countOption('max-cached', 2000);
  const { historyShards } = temporalArguments('postgres');
  const loadBefore = machine();
  const load = sampleLoad();
  const month = addMonths(new Date().toISOString().slice(0, 7), 3);
  const dir = mkdtempSync(join(tmpdir(), 'renewals-bench-month-'));
  const stack = await startBenchStack({ temporal: 'postgres', historyShards });
  const temporalDb = stack.temporalDb!;
  const client = new Client({ connection: stack.env.nativeConnection, dataConverter: renewalsDataConverter() });
  let report: Record<string, unknown> = {};
  try {
    const files = writeMonthFiles(dir, month, premiums);
    log(`files: ${premiums} policies due in ${month} (${(statSync(files.policies).size / 1e6).toFixed(1)} MB)`);

    const importStarted = process.hrtime.bigint();
    await importFile(stack.db, stack.deps.cipher, 'products', files.products);
    await importFile(stack.db, stack.deps.cipher, 'agents', files.agents);
    const policiesStarted = process.hrtime.bigint();
    const imported = await importFile(stack.db, stack.deps.cipher, 'policies', files.policies, { batchSize: 1000 });
    const importSeconds = seconds(importStarted);
    const policiesSeconds = seconds(policiesStarted);
    if (imported.inserted !== premiums || imported.rejected.length > 0) throw new Error(`import: ${JSON.stringify({ ...imported, rejected: imported.rejected.slice(0, 3) })}`);
    log(`import: ${premiums} policies in ${policiesSeconds.toFixed(1)} s (${Math.round(premiums / policiesSeconds)} rows/s)`);

    const worker = await createRenewalWorker(
      stack.env.nativeConnection,
      { ...stack.deps, client },
      { taskQueue: QUEUE, workflowBundle: await bundleRenewalWorkflows(new DefaultLogger('WARN')), maxCachedWorkflows },
    );
    await worker.runUntil(async () => {
      let peakRss = 0;
      const rss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1_000);
      const runStarted = process.hrtime.bigint();
      const run = await startMonthlyRun(client, month, { taskQueue: QUEUE, cycleTaskQueue: QUEUE, concurrency, pageSize, pagesPerExecution });
      const counts = await run.result();
      const runSeconds = seconds(runStarted);
      const parkedWhenRunDone = await parkedCount(temporalDb, 'renewal-M');
      log(`run: ${counts.started} cycles started in ${runSeconds.toFixed(1)} s (${parkedWhenRunDone} already open)`);
      if (counts.started !== premiums) throw new Error(`run started ${counts.started} of ${premiums} cycles`);
      const openingSeconds = await untilParked(temporalDb, 'renewal-M', premiums, runStarted, 12 * 60 * 60_000);
      clearInterval(rss);
      log(`opening: all ${premiums} cycles parked ${openingSeconds.toFixed(1)} s after the run started`);
      await sleep(2_000);
      const ids = (await stack.db('premium_dues').whereNotNull('workflow_id').orderByRaw('random()').limit(20).pluck('workflow_id')) as string[];
      const checked = await historiesParked(client, ids);
      if (checked.parked !== ids.length) throw new Error(`sample not parked: ${JSON.stringify(checked)}`);

      const renewalsTables = await tableSizes(stack.db);
      const temporalPerCycle = await temporalFootprint(temporalDb, 'renewal-M');
      const { rows: dbSizes } = await stack.db.raw<{ rows: { name: string; bytes: string }[] }>(
        `SELECT datname AS name, pg_database_size(datname) AS bytes FROM pg_database WHERE datname IN ('renewals_bench', 'temporal_bench', 'temporal_bench_visibility')`,
      );
      const perPolicy = Object.fromEntries(
        Object.entries(renewalsTables)
          .filter(([, v]) => v.rows > 0)
          .map(([name, v]) => [name, { rows: v.rows, perPolicy: { rows: round2(v.rows / premiums), bytes: Math.round(v.bytes / premiums) } }]),
      );
      report = {
        benchmark: 'month',
        date: new Date().toISOString(),
        command: `npx tsx bench/month.ts ${process.argv.slice(2).join(' ')}`.trim(),
        machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m, loadAverage1mDuring: load.stop() },
        server: stack.temporal.source,
        historyShards: stack.temporal.historyShards,
        settings: { premiums, month, concurrency, pageSize, pagesPerExecution, maxCachedWorkflows, importBatchSize: 1000 },
        stages: {
          importSeconds: round2(importSeconds),
          importPolicies: { seconds: round2(policiesSeconds), rowsPerSecond: Math.round(premiums / policiesSeconds) },
          runStart: { seconds: round2(runSeconds), cyclesPerSecond: round2(premiums / runSeconds), executions: counts.executions, openWhenRunDone: parkedWhenRunDone },
          opening: { secondsFromRunStart: round2(openingSeconds), cyclesPerSecond: round2(premiums / openingSeconds) },
          importToLastOpenSeconds: round2(importSeconds + openingSeconds),
        },
        sampleChecked: checked,
        workerPeakRssMiB: Math.round(peakRss / 2 ** 20),
        databasesBytes: Object.fromEntries(dbSizes.map((d) => [d.name, Number(d.bytes)])),
        renewalsPerPolicy: perPolicy,
        temporalPerCycle: temporalPerCycle.perWorkflow,
        note: 'Bytes per policy: pg_total_relation_size (table, indexes, TOAST) ÷ premiums, including the reference data seeded first. Temporal per cycle: tuple bytes (pg_column_size) of the cycles’ rows, no index or page overhead; databasesBytes has the whole databases.',
      };
    });
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const file = join(__dirname, 'results', process.env.BENCH_RESULT_NAME ?? 'month.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const s = report.stages as { importPolicies: { seconds: number; rowsPerSecond: number }; importSeconds: number; runStart: { seconds: number; cyclesPerSecond: number }; opening: { secondsFromRunStart: number; cyclesPerSecond: number }; importToLastOpenSeconds: number };
  const m = report.machine as { cpus: number; cpuModel: string; loadAverage1mDuring: { min: number; median: number; max: number } };
  process.stdout.write(
    [
      `### A month of ${premiums.toLocaleString('en')} premiums on the PostgreSQL-backed server (${String(report.historyShards)} shards)`,
      '',
      '| stage | seconds | rate |',
      '|---|---:|---:|',
      `| import (products, agents, policies) | ${s.importSeconds} | ${s.importPolicies.rowsPerSecond.toLocaleString('en')} policies/s |`,
      `| run start (every cycle started) | ${s.runStart.seconds} | ${s.runStart.cyclesPerSecond} cycles/s |`,
      `| opening (last cycle parked, from the run's start) | ${s.opening.secondsFromRunStart} | ${s.opening.cyclesPerSecond} cycles/s |`,
      `| **import to last cycle open** | **${s.importToLastOpenSeconds}** | |`,
      '',
      `load ${m.loadAverage1mDuring.min}–${m.loadAverage1mDuring.max} (median ${m.loadAverage1mDuring.median}) on ${m.cpus} × ${m.cpuModel}; worker peak RSS ${String(report.workerPeakRssMiB)} MiB`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
