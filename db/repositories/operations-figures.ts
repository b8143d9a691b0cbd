import type { Knex } from 'knex';
import { DEBIT_STUCK_AFTER_MS } from '../../domain/cycle-decider';
import { IN_FLIGHT_STATUSES } from '../../domain/debit-outcome';
import { openProviderCircuits } from './provider-circuits';

/**
 * What operations watch, read from PostgreSQL when Prometheus scrapes a worker: the figures are
 * the database's, so every worker reports the same ones and several scrapers agree. Labels are
 * codes only (status, bank code, channel, role): never a policy, a person or an account.
 */
export interface OperationsFigures {
  /** Every debit attempt on record by its current outcome (status) and bank. */
  debits: { outcome: string; bank: string; count: number }[];
  /** Every contact attempt on record by channel and outcome (status). */
  contacts: { channel: string; outcome: string; count: number }[];
  /** Open follow-up tasks by assignee role and age band. */
  openTasks: { role: string; age: TaskAgeBand; count: number }[];
  /** Attempts whose outcome is still unknown (in flight) a day after they were made. */
  unknownDebitsOverADay: number;
  /** Provider circuits open or being probed (account-wide provider failures stopping a channel). */
  providerCircuitsOpen: number;
}

export const TASK_AGE_BANDS = ['under_1d', '1d_to_3d', '3d_to_7d', 'over_7d'] as const;
export type TaskAgeBand = (typeof TASK_AGE_BANDS)[number];

export async function operationsFigures(db: Knex): Promise<OperationsFigures> {
  const rows = async <T>(sql: string, bindings: readonly Knex.Value[] = []): Promise<T[]> =>
    (await db.raw<{ rows: (T & { count: number | string })[] }>(sql, bindings)).rows.map((row) => ({ ...row, count: Number(row.count) }));
  const [debits, contacts, openTasks, unknown, providerCircuits] = await Promise.all([
    rows<OperationsFigures['debits'][number]>(`SELECT status AS outcome, bank_code AS bank, count(*) AS count FROM debit_attempts GROUP BY 1, 2`),
    rows<OperationsFigures['contacts'][number]>(`SELECT channel, status AS outcome, count(*) AS count FROM contact_attempts GROUP BY 1, 2`),
    rows<OperationsFigures['openTasks'][number]>(
      `SELECT assignee_role AS role,
              CASE WHEN created_at > now() - interval '1 day' THEN 'under_1d'
                   WHEN created_at > now() - interval '3 days' THEN '1d_to_3d'
                   WHEN created_at > now() - interval '7 days' THEN '3d_to_7d'
                   ELSE 'over_7d' END AS age,
              count(*) AS count
         FROM tasks WHERE status = 'open' GROUP BY 1, 2`,
    ),
    rows<{ count: number }>(
      `SELECT count(*) AS count FROM debit_attempts
        WHERE status IN (${IN_FLIGHT_STATUSES.map(() => '?').join(', ')}) AND created_at < now() - (? * interval '1 millisecond')`,
      [...IN_FLIGHT_STATUSES, DEBIT_STUCK_AFTER_MS],
    ),
    openProviderCircuits(db),
  ]);
  return { debits, contacts, openTasks, unknownDebitsOverADay: unknown[0]?.count ?? 0, providerCircuitsOpen: providerCircuits };
}

/** Whether the database answers at all, within `timeoutMs` (a pool waiting for a dead server would wait a minute). */
export async function databaseAnswers(db: Knex, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to select 1 within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([db.raw('select 1'), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
