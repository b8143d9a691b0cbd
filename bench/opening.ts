/**
 * Benchmark: renewal cycles opened per second on the production-shaped Temporal server (PostgreSQL
 * persistence and visibility, scripts/provision/temporal-server.ts), as a ratio to a skeleton cycle
 * with the same activities shape (bench/skeleton/: `--skeleton-steps` activities doing `SELECT 1`,
 * then a timer) measured in the same process, on the same server and databases.
 *
 * A cycle is opened when it has been started and is parked at its first timer: for the renewal
 * cycle, openCycle and its stage row done and asleep until its first reminder (its premiums fall due
 * three months ahead). Parked workflows are counted in the server's own table of pending timers
 * (bench/support/parked.ts); afterwards a sample is checked by its history (last event a started
 * timer) and, for renewal cycles, its status query (no longer "opening").
 *
 * Each size runs `--rounds` rounds, renewal and skeleton interleaved (R/S, S/R, …), `--premiums`
 * cycles of each per round, started by one client `--concurrency` at a time; one worker process
 * (this one) runs both kinds, each on its own task queue with the same worker options.
 *
 *   npx tsx bench/opening.ts [--premiums 1000[,10000,…]] [--rounds 3] [--concurrency 50]
 *                            [--max-cached 2000] [--skeleton-steps 2] [--shards 4]
 *
 * CPU time of the worker (this process), the Temporal server and PostgreSQL is read from /proc for
 * each round (bench/support/cpu.ts): CPU ms a cycle, less sensitive to a shared machine's load than
 * the rate.
 *
 * Writes bench/results/opening.json (sizes measured earlier and not now are kept, so a scale curve
 * can be made by separate runs) and prints a Markdown table.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { startRenewalCycle } from '../application/renewal-cycles';
import { addMonths } from '../domain/months';
import { renewalWorkflowId } from '../domain/renewal-stage';
import { renewalsDataConverter } from '../workers/data-converter';
import { bundleRenewalWorkflows, createRenewalWorker } from '../workers/renewal-worker';
import { OPENING, statusQuery } from '../workflows/messages';
import { createSkeletonActivities } from './skeleton/activities';
import { historiesParked, sample, startAll, temporalFootprint, untilParked, type Footprint } from './support/parked';
import { cpuSeconds, cpuUsed, type CpuComponent } from './support/cpu';
import { interleaved, option, countOption, sampleLoad, spread, type PairResult } from './support/rounds';
import { log, machine, seedDuePremiums, startBenchStack, temporalArguments } from './support/monthly-run-stack';

const CYCLE_QUEUE = 'bench-opening-cycles';
const SKELETON_QUEUE = 'bench-opening-skeleton';

interface RoundDetail {
  seconds: number;
  startSeconds: number;
  cyclesPerSecond: number;
  /** CPU milliseconds a cycle, by process (bench/support/cpu.ts). */
  cpuMsPerCycle: Record<CpuComponent | 'total', number>;
}

/** The median of the rounds' CPU ms a cycle, per component. */
function medianCpu(details: readonly RoundDetail[]): Record<string, number> {
  const keys = Object.keys(details[0]?.cpuMsPerCycle ?? {}) as (CpuComponent | 'total')[];
  return Object.fromEntries(keys.map((k) => [k, spread(details.map((d) => d.cpuMsPerCycle[k])).median]));
}

async function main(): Promise<void> {
  const sizes = option('premiums', '1000').split(',').map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 999_999)) throw new Error('--premiums must be whole numbers from 1 to 999999, comma-separated');
  const rounds = countOption('rounds', 3);
  const concurrency = countOption('concurrency', 50);
  const maxCachedWorkflows = countOption('max-cached', 2000);
  const skeletonSteps = countOption('skeleton-steps', 2);
  const { historyShards } = temporalArguments('postgres');
  const loadBefore = machine();
  const load = sampleLoad();
  const stack = await startBenchStack({ temporal: 'postgres', historyShards });
  const temporalDb = stack.temporalDb!;
  const client = new Client({ connection: stack.env.nativeConnection, dataConverter: renewalsDataConverter() });
  const month = addMonths(new Date().toISOString().slice(0, 7), 3);
  const logger = new DefaultLogger('WARN');
  const cycleWorker = await createRenewalWorker(
    stack.env.nativeConnection,
    { ...stack.deps, client },
    { taskQueue: CYCLE_QUEUE, workflowBundle: await bundleRenewalWorkflows(logger), maxCachedWorkflows },
  );
  const skeletonWorker = await Worker.create({
    connection: stack.env.nativeConnection,
    namespace: 'default',
    taskQueue: SKELETON_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./skeleton/workflows'), logger }),
    activities: createSkeletonActivities(stack.db),
    maxCachedWorkflows,
    dataConverter: renewalsDataConverter(),
  });

  const results: Record<
    string,
    { premiums: number; pair: PairResult<RoundDetail>; cpuMsPerCycle: Record<'renewal' | 'skeleton', Record<string, number>>; checks: Record<string, unknown>; footprint: { cycle: Footprint; skeleton: Footprint } }
  > = {};
  const running = Promise.all([cycleWorker.run(), skeletonWorker.run()]);
  try {
    for (const size of sizes) {
      // Every round's premiums seeded before any is timed.
      const batches: { policyNo: string; dueDate: string }[][] = [];
      for (let round = 1; round <= rounds; round += 1) {
        const prefix = `OP${size}R${round}N`;
        await seedDuePremiums(stack.db, month, size, prefix);
        const { rows } = await stack.db.raw<{ rows: { policyNo: string; dueDate: string }[] }>(
          `SELECT policy_no AS "policyNo", to_char(due_date, 'YYYY-MM-DD') AS "dueDate" FROM premium_dues WHERE policy_no LIKE ? || '%' ORDER BY policy_no`,
          [prefix],
        );
        batches.push(rows);
      }
      log(`${size} premiums × ${rounds} rounds seeded (due ${month})`);
      const timedRound = async (prefix: string, start: () => Promise<void>): Promise<{ figure: number; detail: RoundDetail }> => {
        const cpuBefore = cpuSeconds();
        const begun = process.hrtime.bigint();
        await start();
        const startSeconds = Number(process.hrtime.bigint() - begun) / 1e9;
        const seconds = await untilParked(temporalDb, prefix, size, begun);
        const used = cpuUsed(cpuBefore, cpuSeconds());
        const cpuMsPerCycle = Object.fromEntries(Object.entries(used).map(([k, v]) => [k, round2((v * 1000) / size)])) as RoundDetail['cpuMsPerCycle'];
        const rate = size / seconds;
        return { figure: rate, detail: { seconds: round2(seconds), startSeconds: round2(startSeconds), cyclesPerSecond: round2(rate), cpuMsPerCycle } };
      };
      const pair = await interleaved<RoundDetail>(
        rounds,
        {
          name: `renewal cycles (${size})`,
          run: (round) =>
            timedRound(`renewal-OP${size}R${round}N`, () =>
              startAll(batches[round - 1]!, concurrency, async (premium) => {
                const { started } = await startRenewalCycle(client, { ...premium, runMonth: month }, CYCLE_QUEUE);
                if (!started) throw new Error(`${premium.policyNo}: cycle already there`);
              }),
            ),
        },
        {
          name: `skeleton cycles (${size})`,
          run: (round) =>
            timedRound(`skeleton-OP${size}R${round}N`, () =>
              startAll(batches[round - 1]!, concurrency, (premium) =>
                client.workflow.start('skeletonCycle', {
                  workflowId: `skeleton-${premium.policyNo}-${premium.dueDate}`,
                  taskQueue: SKELETON_QUEUE,
                  args: [{ ...premium, steps: skeletonSteps }],
                  workflowIdReusePolicy: 'REJECT_DUPLICATE',
                }),
              ),
            ),
        },
        { alternateFirst: true },
      );
      // The sample, by the workflows themselves: parked on a timer, and a renewal cycle's status past opening.
      const last = batches[rounds - 1]!;
      const picked = sample(last, 20);
      const cycleIds = picked.map((p) => renewalWorkflowId(p.policyNo, p.dueDate));
      const statuses = await Promise.all(cycleIds.map((id) => client.workflow.getHandle(id).query(statusQuery)));
      const checks = {
        renewalHistories: await historiesParked(client, cycleIds),
        renewalStatusPastOpening: statuses.filter((s) => s.nextAction !== OPENING).length,
        renewalStatusNextAction: statuses[0]?.nextAction,
        skeletonHistories: await historiesParked(client, picked.map((p) => `skeleton-${p.policyNo}-${p.dueDate}`)),
      };
      if (checks.renewalHistories.parked !== picked.length || checks.skeletonHistories.parked !== picked.length || checks.renewalStatusPastOpening !== picked.length) {
        throw new Error(`sample not parked as counted: ${JSON.stringify(checks)}`);
      }
      const footprint = { cycle: await temporalFootprint(temporalDb, `renewal-OP${size}R`), skeleton: await temporalFootprint(temporalDb, `skeleton-OP${size}R`) };
      const cpuMsPerCycle = { renewal: medianCpu(pair.details.a), skeleton: medianCpu(pair.details.b) };
      results[String(size)] = { premiums: size, pair, cpuMsPerCycle, checks, footprint };
      log(`${size}: renewal ${pair.a.median}/s, skeleton ${pair.b.median}/s, ratio ${pair.ratio.median}`);
    }
  } finally {
    cycleWorker.shutdown();
    skeletonWorker.shutdown();
    await running.catch((error: unknown) => log(`worker: ${String(error)}`));
    await stack.close();
  }
  const loadDuring = load.stop();
  const file = join(__dirname, 'results', 'opening.json');
  const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { sizes?: Record<string, unknown> }).sizes ?? {} : {};
  const report = {
    benchmark: 'opening',
    date: new Date().toISOString(),
    command: `npx tsx bench/opening.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { ...loadBefore, loadAverage1mAfter: machine().loadAverage1m, loadAverage1mDuring: loadDuring },
    server: stack.temporal.source,
    historyShards: stack.temporal.historyShards,
    settings: { rounds, concurrency, maxCachedWorkflows, skeletonSteps, dueMonth: month },
    note: 'Opened = started and parked at the first timer (pending timer rows in the server’s timer_info_maps). Figures are cycles/s from the first start to the last parked; ratio = renewal ÷ skeleton per round, median of rounds. Footprint: tuple bytes (pg_column_size) per workflow in Temporal’s persistence database, indexes and page overhead not included.',
    sizes: { ...earlier, ...Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { ...v, date: new Date().toISOString(), loadAverage1mDuring: loadDuring }])) },
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const fmt = (s: { median: number; min: number; max: number }) => `${s.median} (${s.min}–${s.max})`;
  const cpu = (c: Record<string, number>) => `${c.total} = ${c.worker} / ${c.temporalServer} / ${c.postgres}`;
  process.stdout.write(
    [
      `### Opening on the PostgreSQL-backed server (${stack.temporal.historyShards} shards), ${rounds} rounds interleaved`,
      '',
      '| premiums a round | renewal cycles/s | skeleton cycles/s | ratio (goal ≥ 0.5) | CPU ms a cycle, renewal: worker / server / PostgreSQL | skeleton: worker / server / PostgreSQL | history bytes a cycle (renewal / skeleton) |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...Object.values(results).map(
        (r) =>
          `| ${r.premiums.toLocaleString('en')} | ${fmt(r.pair.a)} | ${fmt(r.pair.b)} | **${fmt(r.pair.ratio)}** | ${cpu(r.cpuMsPerCycle.renewal)} | ${cpu(r.cpuMsPerCycle.skeleton)} | ${r.footprint.cycle.perWorkflow.history_node?.bytes ?? '?'} / ${r.footprint.skeleton.perWorkflow.history_node?.bytes ?? '?'} |`,
      ),
      '',
      `median (min–max) of rounds; load ${loadDuring.min}–${loadDuring.max} (median ${loadDuring.median}) on ${loadBefore.cpus} × ${loadBefore.cpuModel}; ${report.date}`,
      '',
    ].join('\n'),
  );
}

const round2 = (value: number) => Math.round(value * 100) / 100;

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
