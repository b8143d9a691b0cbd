/**
 * Tasks completed and converted, by collector and agent (docs/business-rules.md#task-performance).
 * Pure: the SQL lists the tasks completed in a month with their premium's payments; this decides
 * which were converted and adds them up.
 */
import { fraction, type Fraction } from './kpis';
import { TASK_OUTCOMES } from './task-outcomes';

/** The kinds of task that work an unpaid premium (reinstatement declarations and underwriting, and provider outages, are not). */
export const COLLECTION_TASK_KINDS = ['call', 'visit', 'fix_account', 'fix_contact', 'escalation'] as const;

/** A payment of the task's premium, as instants (epoch ms). */
export interface PremiumPayment {
  receivedAt: number;
  reversedAt: number | null;
}

export interface CompletedTask {
  completedAt: number;
  /** When the premium's policy was suspended for it (epoch ms), if it was. */
  lapsedAt: number | null;
  payments: readonly PremiumPayment[];
}

/** A payment that stood at `at`: received before it, not reversed by it. */
function standingAt(p: PremiumPayment, at: number): boolean {
  return p.receivedAt < at && (p.reversedAt === null || p.reversedAt >= at);
}

/**
 * Converted: the premium was unpaid when the task was completed (no payment standing then), and a
 * payment received at or after that moment, before any lapse (a later one is a reinstatement), still
 * stood at `measuredTo` (the end of the as-of day).
 */
export function isConverted(task: CompletedTask, measuredTo: number): boolean {
  if (task.payments.some((p) => standingAt(p, task.completedAt))) return false;
  return task.payments.some(
    (p) => p.receivedAt >= task.completedAt && (task.lapsedAt === null || p.receivedAt < task.lapsedAt) && standingAt(p, measuredTo),
  );
}

export const TASK_GROUPINGS = ['collector', 'agent'] as const;
export type TaskGrouping = (typeof TASK_GROUPINGS)[number];

/**
 * The collector of a task is who it was given to: the assignee's agent code, or the role
 * ('operations', 'team_lead'…) for a task given to a role without a person.
 */
export function collectorOf(task: { assigneeAgentCode: string | null; assigneeRole: string }): string {
  return task.assigneeAgentCode ?? `(${task.assigneeRole})`;
}

/** Outcomes counted in their own column; anything else (escalation decisions) is 'other'. */
export const COUNTED_OUTCOMES = TASK_OUTCOMES;

export interface TaskTally {
  key: string;
  completed: number;
  onTime: number;
  outcomes: Record<string, number>;
  converted: number;
  convertedPremiumFen: number;
  conversionRate: Fraction;
}

export interface TaskRow extends CompletedTask {
  key: string;
  dueAt: number;
  outcome: string | null;
  premiumFen: number;
}

/** Per key (collector or agent), in key order: completed, on time (by the task's deadline), outcomes, converted. */
export function tallyTasks(rows: readonly TaskRow[], measuredTo: number): TaskTally[] {
  const byKey = new Map<string, Omit<TaskTally, 'conversionRate'>>();
  for (const r of rows) {
    const t = byKey.get(r.key) ?? { key: r.key, completed: 0, onTime: 0, outcomes: {}, converted: 0, convertedPremiumFen: 0 };
    t.completed += 1;
    if (r.completedAt <= r.dueAt) t.onTime += 1;
    const outcome = r.outcome !== null && (COUNTED_OUTCOMES as readonly string[]).includes(r.outcome) ? r.outcome : 'other';
    t.outcomes[outcome] = (t.outcomes[outcome] ?? 0) + 1;
    if (isConverted(r, measuredTo)) {
      t.converted += 1;
      t.convertedPremiumFen += r.premiumFen;
    }
    byKey.set(r.key, t);
  }
  return [...byKey.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((t) => ({ ...t, conversionRate: fraction(t.converted, t.completed) }));
}
