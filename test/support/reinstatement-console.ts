import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { completeTaskOf } from '../../application/operator-events';
import { applyForReinstatement } from '../../application/reinstatements';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { buildConsole } from '../../console/server';
import type { PolicyRecord } from '../../db/repositories/policies';
import { createLogger } from '../../observability/logger';
import { TEST_LIMITER_KEY, type ConsoleRig } from './console';
import { seedFundedPolicy, type CycleRig } from './cycle-rig';

/**
 * What the reinstatement pages' tests share (docs/architecture.md#console): the console on the
 * time-skipping server's clock (its `now`), so today's window and quote are the workflows' day, and
 * a lapsed policy with an application whose declaration one person captured.
 */
export interface ServerClockConsole extends ConsoleRig {
  /** Reads the server's clock again: call after each sleep. */
  sync(): Promise<void>;
}

export async function consoleOnServerClock(db: Knex, env: TestWorkflowEnvironment): Promise<ServerClockConsole> {
  const lines: string[] = [];
  const logger = createLogger('console', { destination: { write: (line: string) => void lines.push(line) } });
  let serverMs = await env.currentTimeMs();
  let readAt = Date.now();
  const app = await buildConsole({
    db,
    logger,
    settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false },
    limiterKey: TEST_LIMITER_KEY,
    temporal: { client: env.client, updateTimeoutMs: 20_000 },
    now: () => serverMs + (Date.now() - readAt),
  });
  return {
    app,
    lines,
    sync: async () => {
      serverMs = await env.currentTimeMs();
      readAt = Date.now();
    },
  };
}

/** A policy whose every debit fails (an empty account): its cycle lapses it at D+61 and opens the window. */
export async function lapsingPolicy(rig: CycleRig, env: TestWorkflowEnvironment, taskQueue: string, overrides: Partial<PolicyRecord> & { policyNo: string; nextDueDate: string }): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, { issueDate: `2020-${overrides.nextDueDate.slice(5)}`, preferredChannel: 'sms', ...overrides }, 0);
  await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate: policy.nextDueDate }, taskQueue);
  return policy;
}

/** Polls PostgreSQL in real time (the server's clock does not move while nothing waits on it). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * An application taken by `actor` (as `renewals reinstate apply`); with `declarationBy`, that person
 * then captures the declaration (as `renewals tasks complete … --outcome done`). Returns its number.
 */
export async function applied(db: Knex, env: TestWorkflowEnvironment, policyNo: string, actor: string, declarationBy?: string): Promise<number> {
  const { workflowId } = await applyForReinstatement(db, env.client, policyNo, 'counter', actor, { updateTimeoutMs: 20_000 });
  // The application's first activity writes its row, just after the update returns.
  const row = await eventually(() => db('reinstatement_applications').where({ workflow_id: workflowId }).first<{ id: number } | undefined>('id'), (r) => r !== undefined, `the application of ${policyNo}`);
  if (declarationBy) {
    const task = await eventually(
      () => db('tasks').where({ policy_no: policyNo, step: 'reinstatement_declaration', status: 'open' }).first<{ id: number } | undefined>('id'),
      (t) => t !== undefined,
      `the declaration task of ${policyNo}`,
    );
    await completeTaskOf(db, env.client, Number(task!.id), 'done', declarationBy, { updateTimeoutMs: 20_000 });
  }
  return Number(row!.id);
}
