/**
 * Benchmark: the renewal worker's memory against the number of open cycles and the size of its
 * workflow cache. The monthly run starts the cycles (one worker runs the run and the cycles, as in
 * production); each cycle opens (activity: loads its premium, plan and calendar from PostgreSQL,
 * writes its audit row) and then sleeps towards its D−30 reminder months ahead. The cycles are
 * opened in steps (`--cycles 500,1000,2000`: each step a month's run up to that many open), and at
 * each step, once the worker is idle, process RSS and V8 heap are measured (GC forced; workflow
 * sandboxes share the worker's heap) with the number of cycles held in the cache (the rest were
 * evicted and are replayed when a timer fires).
 *
 *   node --expose-gc --import tsx bench/worker-memory.ts [--cycles 500,1000,2000] [--max-cached 2000]
 *                                                        [--temporal postgres|dev] [--shards 4]
 *
 * One cache size a process (a worker's memory does not go back down when it is shut down): run it
 * once per `--max-cached`; bench/results/worker-memory.json keeps the runs of every cache size.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { startMonthlyRun } from '../application/monthly-runs';
import { renewalsDataConverter } from '../workers/data-converter';
import { bundleRenewalWorkflows, createRenewalWorker } from '../workers/renewal-worker';
import { addMonths } from '../domain/months';
import { log, machine, seedDuePremiums, startBenchStack, temporalArguments } from './support/monthly-run-stack';
import { countOption, option, sampleLoad } from './support/rounds';

const QUEUE = 'bench-worker-memory';

const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function memory(): { rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external) };
}

async function main(): Promise<void> {
  const steps = option('cycles', '500,1000,2000').split(',').map(Number);
  if (steps.some((n, i) => !Number.isSafeInteger(n) || n < 1 || (i > 0 && n <= steps[i - 1]!))) throw new Error('--cycles must be increasing whole numbers, comma-separated');
  const maxCachedWorkflows = countOption('max-cached', 2000);
  const { temporal, historyShards } = temporalArguments('postgres');
  const loadBefore = machine();
  const load = sampleLoad();
  const stack = await startBenchStack({ temporal, historyShards });
  const client = new Client({ connection: stack.env.nativeConnection, dataConverter: renewalsDataConverter() });
  const workflowBundle = await bundleRenewalWorkflows(new DefaultLogger('WARN'));
  const worker = await createRenewalWorker(stack.env.nativeConnection, { ...stack.deps, client }, { taskQueue: QUEUE, workflowBundle, maxCachedWorkflows });
  const points: Record<string, unknown>[] = [];
  let idle: ReturnType<typeof memory> | undefined;
  let peakRss = 0;
  const begun = Date.now();
  try {
    await worker.runUntil(async () => {
      await sleep(2_000);
      idle = memory();
      log(`idle worker: ${JSON.stringify(idle)}`);
      let month = addMonths(new Date().toISOString().slice(0, 7), 3);
      let open = 0;
      for (const target of steps) {
        // Each step is a month of its own: its run starts the step's cycles.
        month = addMonths(month, 1);
        await seedDuePremiums(stack.db, month, target - open, `WM${target}N`);
        const run = await startMonthlyRun(client, month, { taskQueue: QUEUE, cycleTaskQueue: QUEUE });
        await run.result();
        for (;;) {
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
          const opened = Number((await stack.db('premium_dues').whereNotNull('workflow_id').where('policy_no', 'like', 'WM%').count<{ n: string }[]>('* as n'))[0]!.n);
          const status = worker.getStatus();
          if (opened >= target && status.numInFlightWorkflowActivations === 0 && status.numInFlightActivities === 0) break;
          if (Date.now() - begun > 3 * 60 * 60_000) throw new Error(`only ${opened} of ${target} cycles opened after three hours`);
          await sleep(1_000);
        }
        await sleep(5_000);
        open = target;
        const measured = memory();
        const cached = worker.getStatus().numCachedWorkflows;
        const running = (await client.workflow.count(`WorkflowType = "renewalCycle" AND ExecutionStatus = "Running" AND TaskQueue = "${QUEUE}"`)).count;
        log(`${target} open (${running} running, ${cached} cached) after ${Math.round((Date.now() - begun) / 1000)} s: ${JSON.stringify(measured)}`);
        points.push({ openCycles: target, runningCycles: running, cachedWorkflows: cached, ...measured, secondsSinceStart: Math.round((Date.now() - begun) / 1000) });
      }
    });
  } finally {
    await stack.close();
  }
  const run = {
    date: new Date().toISOString(),
    command: `node --expose-gc --import tsx bench/worker-memory.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m, loadAverage1mDuring: load.stop() },
    server: stack.temporal.source,
    maxCachedWorkflows,
    gcBeforeMeasuring: typeof (globalThis as { gc?: unknown }).gc === 'function',
    idle,
    points,
    peakRssMiB: mib(peakRss),
  };
  const file = join(__dirname, 'results', 'worker-memory.json');
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runs?: Record<string, unknown> }).runs ?? {} : {};
  const report = {
    benchmark: 'worker-memory',
    note: 'One Node process runs the worker (workflows in reused V8 contexts, activities), the client and the bench; the Temporal server and PostgreSQL are separate processes and not counted. runs: by maxCachedWorkflows.',
    runs: { ...earlier, [String(maxCachedWorkflows)]: run },
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    [
      `### Worker memory, maxCachedWorkflows ${maxCachedWorkflows} (${stack.temporal.kind === 'postgres' ? 'PostgreSQL-backed server' : 'dev server'})`,
      '',
      '| open cycles | cached | RSS MiB | heap used MiB | heap total MiB |',
      '|---:|---:|---:|---:|---:|',
      `| 0 (idle worker) | 0 | ${idle?.rssMiB} | ${idle?.heapUsedMiB} | ${idle?.heapTotalMiB} |`,
      ...points.map((p) => `| ${String(p.openCycles)} | ${String(p.cachedWorkflows)} | ${String(p.rssMiB)} | ${String(p.heapUsedMiB)} | ${String(p.heapTotalMiB)} |`),
      '',
      `peak RSS ${run.peakRssMiB} MiB; load ${run.machine.loadAverage1mDuring.min}–${run.machine.loadAverage1mDuring.max}; ${run.date}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
