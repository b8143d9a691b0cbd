import type { Knex } from 'knex';
import { backoffMs, type Backoff } from '../domain/policy-changes';
import {
  claimDuePolicyChanges,
  recordPolicyChangeDead,
  recordPolicyChangeDelivered,
  recordPolicyChangeRetry,
  type PolicyChangeRow,
} from '../db/repositories/policy-admin-outbox';
import type { DeliveryAnswer, PolicyAdminPort } from '../integrations/policy-admin/port';

export interface RelayOptions {
  /** POLICY_ADMIN_MAX_ATTEMPTS: after this many failed deliveries a change is dead-lettered. */
  maxAttempts: number;
  /** POLICY_ADMIN_BACKOFF_MS / POLICY_ADMIN_BACKOFF_MAX_MS. */
  backoff: Backoff;
  /** How long a claimed change is left to its relay: longer than a delivery can take. */
  leaseMs: number;
  batchSize?: number;
}

export interface RelayCounts {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
}

/**
 * One pass of the relay (docs/architecture.md#policy-administration): claims the due changes, delivers
 * each (oldest first) and records what came of it. Accepted: delivered, with the reference. No answer,
 * 5xx, 429: tried again after an exponential, jittered wait, dead-lettered once `maxAttempts` are spent.
 * Any other refusal: dead-lettered at once with its reason. Dead means an operations task and an audit row.
 */
export async function relayPolicyChanges(db: Knex, port: PolicyAdminPort, options: RelayOptions, random: () => number = Math.random): Promise<RelayCounts> {
  const rows = await claimDuePolicyChanges(db, { limit: options.batchSize ?? 50, leaseMs: options.leaseMs });
  const counts: RelayCounts = { claimed: rows.length, delivered: 0, retried: 0, dead: 0 };
  for (const row of rows) {
    const answer = await deliverOne(port, row);
    if (answer.outcome === 'accepted') {
      if (await recordPolicyChangeDelivered(db, row.id, answer.reference)) counts.delivered += 1;
    } else if (answer.outcome === 'refused') {
      if (await recordPolicyChangeDead(db, row.id, `refused: ${answer.reason}`, new Date())) counts.dead += 1;
    } else if (row.attempts >= options.maxAttempts) {
      if (await recordPolicyChangeDead(db, row.id, `${answer.reason} (gave up after ${row.attempts} attempts)`, new Date())) counts.dead += 1;
    } else {
      await recordPolicyChangeRetry(db, row.id, answer.reason, new Date(Date.now() + backoffMs(row.attempts, options.backoff, random())));
      counts.retried += 1;
    }
  }
  return counts;
}

async function deliverOne(port: PolicyAdminPort, row: PolicyChangeRow): Promise<DeliveryAnswer> {
  try {
    return await port.deliver({ eventId: row.event_id, kind: row.kind, policyNo: row.policy_no, recordedAt: row.created_at.toISOString(), payload: row.payload });
  } catch (error) {
    // An adapter answers rather than throws; a throw is a fault of ours, worth another try, said by its name only.
    return { outcome: 'retry', reason: `delivery failed: ${error instanceof Error ? error.name : 'error'}` };
  }
}

export interface RunningRelay {
  /** Stops the timer and waits for the pass in progress. */
  stop(): Promise<void>;
}

/**
 * The relay as a timer loop in the worker process: a pass every `everyMs`, passes back to back while
 * they claim full batches. `onPass` hears the counts of a pass that did something (the worker logs
 * them: counts only); `onError` a pass that failed (the database away): the next tick tries again.
 */
export function startPolicyAdminRelay(
  db: Knex,
  port: PolicyAdminPort,
  options: RelayOptions & { everyMs: number; onPass?: (counts: RelayCounts) => void; onError?: (error: unknown) => void },
): RunningRelay {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const batchSize = options.batchSize ?? 50;
  const tick = async () => {
    try {
      for (;;) {
        const counts = await relayPolicyChanges(db, port, { ...options, batchSize });
        if (counts.claimed > 0) options.onPass?.(counts);
        if (stopped || counts.claimed < batchSize) break;
      }
    } catch (error) {
      options.onError?.(error);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, options.everyMs);
  };
  running = tick().then(schedule);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
