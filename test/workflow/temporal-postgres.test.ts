import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { verifyAuditChain } from '../../db/repositories/audit';
import { upsertProduct } from '../../db/repositories/policies';
import { cnMainlandCalendar } from '../../domain/business-calendar';
import { shanghaiDate } from '../../domain/civil-date';
import { STANDARD_60, type CollectionPlan } from '../../domain/collection-plan';
import { databaseUrl } from '../../scripts/provision/postgres';
import type { RunningTemporalServer, TemporalDatabases } from '../../scripts/provision/temporal-server';
import { seedReferenceData } from '../../scripts/seed';
import { startPostgresTemporal } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { PolicyNo, RenewalStageKey, statusQuery, type RenewalCycleStatus } from '../../workflows/messages';
import { seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The production-shaped Temporal server (docs/architecture.md, "The production-shaped Temporal"):
 * go.temporal.io/server on the run's PostgreSQL, persistence and visibility in databases of their
 * own set up by its SQL tool, 4 history shards. One cycle end to end on it: a premium paid at its
 * first debit through the bank simulator. The server does not skip time, so the plan debits at
 * 00:00 and the due date is the latest bank business day up to today: the debit is due the moment
 * the cycle opens (the reminders before it are overdue, recorded stale).
 */
const taskQueue = 'temporal-postgres';
const SHARDS = 4;
const PLAN: CollectionPlan = { ...STANDARD_60, code: 'pg-server-test', contactTime: '00:00', debitTime: '00:00' };
const suffix = randomBytes(4).toString('hex');
const databases: TemporalDatabases = { database: `temporal_${suffix}`, visibilityDatabase: `temporal_${suffix}_visibility` };
let env: TestWorkflowEnvironment;
let server: RunningTemporalServer;
let rig: CycleRig;
let startupMs = 0;

async function rows<T extends pg.QueryResultRow>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl(inject('postgresUrl'), database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Reads until `done`. A read may fail meanwhile: a query before the cycle's first workflow task has
 * run finds no handler yet (QueryNotRegisteredError).
 */
async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | Error;
    try {
      value = await read();
      if (done(value)) return value;
    } catch (error) {
      value = error as Error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still ${value instanceof Error ? value.message : JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  const started = Date.now();
  const temporal = await startPostgresTemporal({ postgresUrl: inject('postgresUrl'), databases, historyShards: SHARDS });
  startupMs = Date.now() - started;
  env = temporal.env;
  server = temporal.server;
  process.stderr.write(`[test] Temporal server on PostgreSQL (${temporal.source}) ready in ${startupMs} ms\n`);
  rig = await startCycleRig(env, taskQueue);
});

afterAll(async () => {
  await rig?.close();
  await env?.teardown();
  await server?.stop();
  const maintenance = new URL(inject('postgresUrl')).pathname.slice(1) || 'postgres';
  for (const name of [databases.database, databases.visibilityDatabase]) await rows(maintenance, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
});

describe('a cycle on the PostgreSQL-backed Temporal server', () => {
  it('is paid at its first debit, listed by its search attributes, its history in PostgreSQL and replaying', { timeout: 120_000 }, async () => {
    const wallStart = Date.now();
    const calendar = cnMainlandCalendar();
    let dueDate = shanghaiDate(Date.now());
    while (!calendar.isBusinessDay(dueDate)) dueDate = calendar.previousBusinessDay(dueDate);
    const db = rig.database.migrationDb;
    await seedReferenceData(db);
    await db('collection_plans').insert({ code: PLAN.code, version: PLAN.version, definition: JSON.stringify(PLAN) });
    await upsertProduct(db, { code: 'PGSRV', name: 'PostgreSQL server test product', graceDays: 60, reinstatementYears: 2, planCode: PLAN.code });
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-PGSRV-0001', productCode: 'PGSRV', nextDueDate: dueDate, premiumFen: 350_000 }, 1_000_000);

    const { status, history, listed, workflowId } = await rig.withWorker(async () => {
      const { handle, started } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      expect(started).toBe(true);
      // Paid, then listening for a late return for 60 days: the cycle stays open, parked on a timer
      // (the stage turns PAID a moment before the cycle decides what it waits for next).
      const status = await until<RenewalCycleStatus>('the cycle paid and parked', () => handle.query(statusQuery), (s) => s.stage === 'PAID' && s.nextAction.includes('late return'));
      // Visibility is written by the server's own tasks: eventually consistent.
      const listed = await until(
        'the cycle listed as PAID',
        async () => {
          const found = [];
          for await (const execution of env.client.workflow.list({ query: `PolicyNo="${policy.policyNo}" AND RenewalStage="PAID"` })) found.push(execution);
          return found;
        },
        (found) => found.length === 1,
        30_000,
      );
      return { status, history: await handle.fetchHistory(), listed, workflowId: handle.workflowId };
    });
    const wallSeconds = (Date.now() - wallStart) / 1000;
    process.stderr.write(`[test] the cycle was paid and listed in ${wallSeconds.toFixed(1)} s (server start ${(startupMs / 1000).toFixed(1)} s)\n`);

    expect(status).toMatchObject({ stage: 'PAID', debitAttempts: 1 });
    expect(status.nextAction).toContain('late return');
    expect(listed[0]!.workflowId).toBe(workflowId);
    expect(listed[0]!.typedSearchAttributes.get(PolicyNo)).toBe(policy.policyNo);
    expect(listed[0]!.typedSearchAttributes.get(RenewalStageKey)).toBe('PAID');

    // The renewals database: paid by the debit, one attempt, the bank's ledger, the audit chain.
    const due = await rig.database.db('premium_dues').where({ policy_no: policy.policyNo }).first();
    expect(due).toMatchObject({ status: 'paid', paid_via: 'debit', workflow_id: workflowId });
    const attempts = await rig.database.db('debit_attempts').where({ premium_due_id: due.id });
    expect(attempts).toEqual([expect.objectContaining({ attempt_no: 1, status: 'succeeded', amount_fen: 350_000 })]);
    expect(rig.bank.ledger.filter((e) => e.accountNo === policy.accountNo)).toEqual([expect.objectContaining({ outcome: 'debited', amountFen: 350_000 })]);
    const kinds = (await rig.database.db('audit_events').where({ policy_no: policy.policyNo }).orderBy('seq')).map((e) => (e.kind === 'stage_changed' ? `stage:${e.detail.stage}` : e.kind));
    expect(kinds[0]).toBe('cycle_opened');
    // Then the customer is told (docs/business-rules.md#payment-received-notice).
    expect(kinds.slice(-3)).toEqual(['premium_paid', 'stage:PAID', 'contact_sent']);
    expect((await verifyAuditChain(rig.database.db)).firstBreak).toBeUndefined();

    // The history: started, the debit's activities, parked on the return window's timer.
    const types = (history.events ?? []).map((e) => String(e.eventType));
    expect(types[0]).toBe('1'); // EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
    expect(types).not.toContain('2'); // not completed: the return window is open
    expect(types.filter((t) => t === '10').length).toBeGreaterThan(3); // ACTIVITY_TASK_SCHEDULED
    expect(types.at(-1)).toBe('17'); // TIMER_STARTED
    await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, history);

    // Temporal's own databases: the shards as configured, the execution and its history in the
    // persistence database, the search attributes in the visibility database's columns.
    expect(await rows(databases.database, 'SELECT shard_id FROM shards ORDER BY shard_id')).toEqual(Array.from({ length: SHARDS }, (_, i) => ({ shard_id: i + 1 })));
    expect(await rows(databases.database, 'SELECT workflow_id FROM current_executions WHERE workflow_id = $1', [workflowId])).toHaveLength(1);
    const [nodes] = await rows<{ n: string }>(databases.database, 'SELECT count(*) AS n FROM history_node');
    expect(Number(nodes!.n)).toBeGreaterThan(0);
    const visible = await rows<{ status: number; search_attributes: Record<string, unknown> }>(
      databases.visibilityDatabase,
      'SELECT status, search_attributes FROM executions_visibility WHERE workflow_id = $1',
      [workflowId],
    );
    expect(visible).toHaveLength(1);
    expect(visible[0]!.status).toBe(1); // running
    expect(Object.values(visible[0]!.search_attributes)).toEqual(expect.arrayContaining([policy.policyNo, 'PAID']));
    expect(wallSeconds).toBeLessThan(60);

    await env.client.workflow.getHandle(workflowId).terminate('test done');
  });
});
