/**
 * When a started cycle is open: parked at its first timer. On the PostgreSQL-backed server a
 * workflow's pending timers are rows of `timer_info_maps` in Temporal's persistence database, written
 * when the workflow task that started the timer completes; counting them by workflow id prefix tells
 * how many cycles of a batch have parked, without querying each workflow (which would add load to the
 * very server being measured). A sample is checked afterwards through the workflows' own histories.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/connection';
import { log } from './monthly-run-stack';

const TIMER_STARTED = 17; // EVENT_TYPE_TIMER_STARTED

/** Workflows whose id starts with `prefix` that have a pending timer. */
export async function parkedCount(temporalDb: Db, prefix: string): Promise<number> {
  const { rows } = await temporalDb.raw<{ rows: { n: string }[] }>(
    `SELECT count(DISTINCT workflow_id) AS n FROM timer_info_maps WHERE workflow_id LIKE ? || '%'`,
    [prefix],
  );
  return Number(rows[0]!.n);
}

/** Polls until `count` workflows of `prefix` are parked; the seconds since `since` (hrtime ns) when they were. */
export async function untilParked(temporalDb: Db, prefix: string, count: number, since: bigint, timeoutMs = 2 * 60 * 60_000): Promise<number> {
  let last = -1;
  let lastLog = Date.now();
  for (;;) {
    const parked = await parkedCount(temporalDb, prefix);
    if (parked >= count) return Number(process.hrtime.bigint() - since) / 1e9;
    const elapsedMs = Number(process.hrtime.bigint() - since) / 1e6;
    if (elapsedMs > timeoutMs) throw new Error(`${prefix}: only ${parked} of ${count} parked after ${Math.round(elapsedMs / 1000)} s`);
    if (Date.now() - lastLog > 30_000 && parked !== last) {
      log(`${prefix}: ${parked}/${count} parked after ${Math.round(elapsedMs / 1000)} s`);
      lastLog = Date.now();
      last = parked;
    }
    // Each count scans the pending timers: a large batch is polled less often, not to load the server measured.
    await sleep(count > 10_000 ? 2_000 : 250);
  }
}

/** Runs `start` for every item, `concurrency` at a time. */
export async function startAll<T>(items: readonly T[], concurrency: number, start: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await start(items[next++]!);
    }),
  );
}

/** Reads each workflow's history: true when its last event is a started timer (parked, nothing in flight). */
export async function historiesParked(client: Client, workflowIds: readonly string[]): Promise<{ checked: number; parked: number; events: number[] }> {
  let parked = 0;
  const events: number[] = [];
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const list = history.events ?? [];
    events.push(list.length);
    if (Number(list.at(-1)?.eventType) === TIMER_STARTED) parked += 1;
  }
  return { checked: workflowIds.length, parked, events };
}

/** Every `step`-th of `items`, at most `n`. */
export function sample<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}

export interface Footprint {
  /** Rows and bytes (tuple sizes, pg_column_size: data without index or page overhead) per workflow. */
  perWorkflow: Record<string, { rows: number; bytes: number }>;
  workflows: number;
}

/**
 * What the workflows of `prefix` hold in Temporal's persistence database: their mutable state
 * (executions, current_executions, pending activities and timers) and their history (history_node
 * and history_tree, whose tree id is the first run's id).
 */
export async function temporalFootprint(temporalDb: Db, prefix: string): Promise<Footprint> {
  const { rows } = await temporalDb.raw<{ rows: { tbl: string; n: string; bytes: string | null }[] }>(
    `WITH ours AS (SELECT shard_id, run_id FROM executions WHERE workflow_id LIKE ? || '%')
     SELECT 'executions' AS tbl, count(*) AS n, sum(pg_column_size(t.*)) AS bytes FROM executions t WHERE workflow_id LIKE ? || '%'
     UNION ALL SELECT 'current_executions', count(*), sum(pg_column_size(t.*)) FROM current_executions t WHERE workflow_id LIKE ? || '%'
     UNION ALL SELECT 'activity_info_maps', count(*), sum(pg_column_size(t.*)) FROM activity_info_maps t WHERE workflow_id LIKE ? || '%'
     UNION ALL SELECT 'timer_info_maps', count(*), sum(pg_column_size(t.*)) FROM timer_info_maps t WHERE workflow_id LIKE ? || '%'
     UNION ALL SELECT 'history_node', count(*), sum(pg_column_size(t.*)) FROM history_node t JOIN ours o ON o.shard_id = t.shard_id AND o.run_id = t.tree_id
     UNION ALL SELECT 'history_tree', count(*), sum(pg_column_size(t.*)) FROM history_tree t JOIN ours o ON o.shard_id = t.shard_id AND o.run_id = t.tree_id`,
    [prefix, prefix, prefix, prefix, prefix],
  );
  const workflows = Number(rows.find((r) => r.tbl === 'current_executions')?.n ?? 0);
  const per = (value: number) => (workflows === 0 ? 0 : Math.round((value / workflows) * 100) / 100);
  return {
    workflows,
    perWorkflow: Object.fromEntries(rows.map((r) => [r.tbl, { rows: per(Number(r.n)), bytes: per(Number(r.bytes ?? 0)) }])),
  };
}

/** Rows and on-disk bytes (table, indexes and TOAST: pg_total_relation_size) of every table of the database's public schema. */
export async function tableSizes(db: Db): Promise<Record<string, { rows: number; bytes: number }>> {
  await db.raw('ANALYZE');
  const { rows } = await db.raw<{ rows: { name: string; bytes: string }[] }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY pg_total_relation_size(c.oid) DESC`,
  );
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const row of rows) {
    // Exact counts: the figures per cycle come from these (a partitioned parent counts its partitions).
    const counted = await db.raw<{ rows: { n: string }[] }>(`SELECT count(*) AS n FROM "${row.name}"`);
    const partitions = await db.raw<{ rows: { bytes: string | null }[] }>(
      `SELECT sum(pg_total_relation_size(inhrelid)) AS bytes FROM pg_inherits WHERE inhparent = ?::regclass`,
      [row.name],
    );
    out[row.name] = { rows: Number(counted.rows[0]!.n), bytes: Number(row.bytes) + Number(partitions.rows[0]?.bytes ?? 0) };
  }
  return out;
}
