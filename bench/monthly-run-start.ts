/**
 * Benchmark: the monthly run starting 10,000 renewal cycles on the Temporal CLI dev server, as a
 * ratio to the raw `client.workflow.start` rate of a no-op workflow measured in the same process,
 * on the same server, with the same concurrency and the same kind of client (a Client over the
 * worker's NativeConnection, as the run's activity uses).
 *
 * Starting is what is measured: the cycles (and the no-op workflows) go to a task queue no worker
 * polls, so none of them executes. The run itself runs on a worker with the real activities and
 * real PostgreSQL (keyset pages over 10,000 premium_dues, counts written per page).
 *
 *   npx tsx bench/monthly-run-start.ts [--premiums 10000] [--configs 50x500,100x500,100x1000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger } from '@temporalio/worker';
import { startMonthlyRun } from '../application/monthly-runs';
import { renewalsDataConverter } from '../workers/data-converter';
import { bundleRenewalWorkflows, createRenewalWorker } from '../workers/renewal-worker';
import { addMonths } from '../domain/months';
import { log, machine, seedDuePremiums, startBenchStack } from './support/monthly-run-stack';

const RUN_QUEUE = 'bench-monthly-run';
const UNPOLLED_QUEUE = 'bench-unpolled'; // no worker: started workflows wait there, unexecuted

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? fallback : (process.argv[index + 1] ?? fallback);
}

/** Starts `count` no-op workflows, `concurrency` in flight: workflows per second. */
async function rawStartRate(client: Client, label: string, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await client.workflow.start('benchNoop', { workflowId: `noop-${label}-${i}`, taskQueue: UNPOLLED_QUEUE, args: [] });
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const premiums = Number(argument('premiums', '10000'));
  const configs = argument('configs', '50x500,100x500,100x1000').split(',').map((c) => {
    const [concurrency, pageSize] = c.split('x').map(Number);
    return { concurrency: concurrency!, pageSize: pageSize! };
  });
  const loadBefore = machine();
  const stack = await startBenchStack();
  const client = new Client({ connection: stack.env.nativeConnection, dataConverter: renewalsDataConverter() });
  const workflowBundle = await bundleRenewalWorkflows(new DefaultLogger('WARN'));
  const worker = await createRenewalWorker(stack.env.nativeConnection, { ...stack.deps, client }, { taskQueue: RUN_QUEUE, workflowBundle });
  const results: Array<Record<string, number>> = [];
  try {
    await worker.runUntil(async () => {
      // Warm-up: the first starts on a fresh server create the namespace's caches.
      await rawStartRate(client, 'warmup', 500, 50);
      let month = addMonths(new Date().toISOString().slice(0, 7), 3);
      for (const [n, { concurrency, pageSize }] of configs.entries()) {
        month = addMonths(month, 1);
        await seedDuePremiums(stack.db, month, premiums, `B${n}P`);
        const raw = await rawStartRate(client, String(n), premiums, concurrency);
        log(`raw client.workflow.start, concurrency ${concurrency}: ${raw.toFixed(0)}/s`);
        const begun = process.hrtime.bigint();
        const run = await startMonthlyRun(client, month, { taskQueue: RUN_QUEUE, cycleTaskQueue: UNPOLLED_QUEUE, concurrency, pageSize });
        const counts = await run.result();
        const seconds = Number(process.hrtime.bigint() - begun) / 1e9;
        if (counts.started !== premiums) throw new Error(`run started ${counts.started} of ${premiums} cycles`);
        const rate = premiums / seconds;
        log(`monthly run ${month}, concurrency ${concurrency}, page ${pageSize}: ${premiums} cycles in ${seconds.toFixed(1)} s = ${rate.toFixed(0)}/s (ratio ${(rate / raw).toFixed(2)}, ${counts.executions} executions)`);
        results.push({ concurrency, pageSize, rawStartsPerSecond: Math.round(raw), runCyclesPerSecond: Math.round(rate), runSeconds: Math.round(seconds * 10) / 10, ratio: Math.round((rate / raw) * 100) / 100, executions: counts.executions });
      }
    });
  } finally {
    await stack.close();
  }
  const best = results.reduce((a, b) => (b.ratio! > a.ratio! ? b : a));
  const report = {
    benchmark: 'monthly-run-start',
    date: new Date().toISOString(),
    machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m },
    server: 'Temporal CLI dev server (in-memory SQLite, 1 history shard), same host',
    premiums,
    cyclesExecuted: false,
    note: 'Cycles and no-op workflows start on a task queue no worker polls: starting is measured, not execution. Ratio = run cycles/s ÷ raw starts/s at the same concurrency.',
    results,
    best,
    goal: 'ratio ≥ 0.8',
  };
  const file = join(__dirname, 'results', 'monthly-run-start.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    [
      `### Monthly run: starting ${premiums.toLocaleString('en')} cycles (dev server)`,
      '',
      '| concurrency | page | raw starts/s | run cycles/s | run s | ratio |',
      '|---:|---:|---:|---:|---:|---:|',
      ...results.map((r) => `| ${r.concurrency} | ${r.pageSize} | ${r.rawStartsPerSecond} | ${r.runCyclesPerSecond} | ${r.runSeconds} | ${r.ratio} |`),
      '',
      `${report.machine.cpus} × ${report.machine.cpuModel}, load ${report.machine.loadAverage1m} → ${report.machine.loadAverage1mAfter}; ${report.date}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
