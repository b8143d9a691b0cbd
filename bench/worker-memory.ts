/**
 * Benchmark: the renewal worker's memory with 10,000 open cycles. The monthly run starts them on
 * the dev server (one worker runs the run and the cycles, as in production); each cycle opens
 * (activity: loads its premium, plan and calendar from PostgreSQL, writes its audit row) and then
 * sleeps towards its D−30 reminder months ahead. Measured once every cycle is open and the worker
 * is idle: process RSS and V8 heap (workflow sandboxes share the worker's heap), with the number of
 * cycles kept in the worker's cache (the rest were evicted and are replayed when a timer fires).
 *
 *   node --expose-gc --import tsx bench/worker-memory.ts [--cycles 10000] [--max-cached 2000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { startMonthlyRun } from '../application/monthly-runs';
import { renewalsDataConverter } from '../workers/data-converter';
import { bundleRenewalWorkflows, createRenewalWorker } from '../workers/renewal-worker';
import { addMonths } from '../domain/months';
import { log, machine, seedDuePremiums, startBenchStack } from './support/monthly-run-stack';

const QUEUE = 'bench-worker-memory';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index < 0 ? fallback : Number(process.argv[index + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return value;
}

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function memory(): { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external) };
}

async function main(): Promise<void> {
  const cycles = argument('cycles', 10_000);
  const maxCachedWorkflows = argument('max-cached', 2000);
  const loadBefore = machine();
  const stack = await startBenchStack();
  const client = new Client({ connection: stack.env.nativeConnection, dataConverter: renewalsDataConverter() });
  const month = addMonths(new Date().toISOString().slice(0, 7), 3);
  await seedDuePremiums(stack.db, month, cycles, 'WM');
  const workflowBundle = await bundleRenewalWorkflows(new DefaultLogger('WARN'));
  const worker = await createRenewalWorker(stack.env.nativeConnection, { ...stack.deps, client }, { taskQueue: QUEUE, workflowBundle, maxCachedWorkflows });
  let report: Record<string, unknown> = {};
  try {
    await worker.runUntil(async () => {
      await sleep(2_000);
      const idle = memory();
      log(`idle worker: ${JSON.stringify(idle)}`);
      const begun = Date.now();
      const run = await startMonthlyRun(client, month, { taskQueue: QUEUE, cycleTaskQueue: QUEUE });
      const counts = await run.result();
      log(`run started ${counts.started} cycles in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
      let peakRss = 0;
      for (;;) {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        const opened = Number((await stack.db('premium_dues').whereNotNull('workflow_id').where('policy_no', 'like', 'WM%').count<{ n: string }[]>('* as n'))[0]!.n);
        const status = worker.getStatus();
        if (opened >= cycles && status.numInFlightWorkflowActivations === 0 && status.numInFlightActivities === 0) break;
        if (Date.now() - begun > 60 * 60_000) throw new Error(`only ${opened} of ${cycles} cycles opened after an hour`);
        await sleep(1_000);
      }
      const openedSeconds = (Date.now() - begun) / 1000;
      log(`all ${cycles} cycles open after ${openedSeconds.toFixed(0)} s`);
      await sleep(5_000);
      const running = (await client.workflow.count(`WorkflowType = "renewalCycle" AND ExecutionStatus = "Running" AND TaskQueue = "${QUEUE}"`)).count;
      const open = memory();
      const cached = worker.getStatus().numCachedWorkflows;
      log(`open: ${JSON.stringify(open)}, cached ${cached}, running ${running}`);
      report = {
        benchmark: 'worker-memory',
        date: new Date().toISOString(),
        machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m },
        server: 'Temporal CLI dev server (in-memory SQLite), same host',
        cycles,
        runningCycles: running,
        maxCachedWorkflows,
        cachedWorkflows: cached,
        gcBeforeMeasuring: typeof (globalThis as { gc?: unknown }).gc === 'function',
        idle,
        allOpen: open,
        peakRssMiB: mib(peakRss),
        secondsToOpenAll: Math.round(openedSeconds),
        note: 'One Node process runs the worker (workflows in reused V8 contexts, activities), the client and the bench; the dev server and PostgreSQL are separate processes and not counted.',
      };
    });
  } finally {
    await stack.close();
  }
  const file = join(__dirname, 'results', 'worker-memory.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const idle = report.idle as ReturnType<typeof memory>;
  const open = report.allOpen as ReturnType<typeof memory>;
  process.stdout.write(
    [
      `### Worker memory with ${cycles.toLocaleString('en')} open cycles (dev server, maxCachedWorkflows ${maxCachedWorkflows})`,
      '',
      '| | RSS MiB | heap used MiB | heap total MiB |',
      '|---|---:|---:|---:|',
      `| idle worker | ${idle.rssMiB} | ${idle.heapUsedMiB} | ${idle.heapTotalMiB} |`,
      `| ${String(report.runningCycles)} cycles open, ${String(report.cachedWorkflows)} cached | ${open.rssMiB} | ${open.heapUsedMiB} | ${open.heapTotalMiB} |`,
      `| peak RSS while opening | ${String(report.peakRssMiB)} | | |`,
      '',
      `opened in ${String(report.secondsToOpenAll)} s; ${JSON.stringify(report.machine)}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
