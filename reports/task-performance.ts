import type { Knex } from 'knex';
import { isCivilDate, shanghaiInstant, type CivilDate } from '../domain/civil-date';
import { addMonths, firstDayOf, isMonth, lastDayOf, type Month } from '../domain/months';
import { COLLECTION_TASK_KINDS, COUNTED_OUTCOMES, collectorOf, tallyTasks, type TaskGrouping, type TaskRow, type TaskTally } from '../domain/task-performance';
import { endOfDay, suspensionsSql, todayInShanghai } from './monthly-figures';
import { columns, whole, type TabularReport } from './report';
import { policyScopeSql, scopeParameter } from './scope-sql';
import type { Scope } from '../domain/roles';

/**
 * Tasks completed in a month and the premiums they converted, by collector (who the task was given
 * to) or by agent (the policy's servicing agent, with the team). docs/business-rules.md#task-performance.
 * Converted is decided by domain/task-performance.ts, measured to the end of the as-of day
 * (default: the end of the month, or today while the month runs).
 */
export interface TaskPerformanceReport extends TabularReport {
  kind: 'tasks';
  month: Month;
  by: TaskGrouping;
  asOf: CivilDate;
  tallies: TaskTally[];
  total: TaskTally;
}

export async function taskPerformanceReport(db: Knex, options: { month: Month; by: TaskGrouping; asOf?: CivilDate; scopes?: readonly Scope[] }): Promise<TaskPerformanceReport> {
  const { month, by } = options;
  if (!isMonth(month)) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
  const today = todayInShanghai();
  const asOf = options.asOf ?? (lastDayOf(month) < today ? lastDayOf(month) : today);
  if (!isCivilDate(asOf)) throw new RangeError(`as-of must be a date YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  const measuredTo = Date.parse(endOfDay(asOf));
  const inScope = policyScopeSql('p', options.scopes);
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(
    `
    SELECT t.id, t.assignee_agent_code, t.assignee_role::text AS assignee_role, t.outcome_code, t.due_at, t.completed_at,
      coalesce(p.agent_code, '') AS agent_code, coalesce(a.team_code, '') AS team_code, d.amount_fen, l.lapsed_at,
      coalesce((SELECT json_agg(json_build_object('r', extract(epoch FROM y.received_at) * 1000, 'v', extract(epoch FROM y.reversed_at) * 1000))
                FROM payments y WHERE y.premium_due_id = d.id), '[]') AS payments
    FROM tasks t
    JOIN policies p ON p.policy_no = t.policy_no
    LEFT JOIN agents a ON a.code = p.agent_code
    JOIN premium_dues d ON d.policy_no = t.policy_no AND d.due_date = t.due_date
    LEFT JOIN LATERAL (${suspensionsSql('e.policy_no = t.policy_no AND e.due_date = t.due_date')}) l ON true
    WHERE t.status = 'done' AND t.kind::text IN (${COLLECTION_TASK_KINDS.map((k) => `'${k}'`).join(', ')})
      AND t.completed_at >= CAST(:start AS timestamptz) AND t.completed_at < CAST(:end AS timestamptz)
      AND ${inScope.sql}
    ORDER BY t.id
    `,
    { start: new Date(shanghaiInstant(firstDayOf(month))).toISOString(), end: new Date(shanghaiInstant(firstDayOf(addMonths(month, 1)))).toISOString(), ...inScope.bindings },
  );
  const taskRows: TaskRow[] = rows.map((r) => {
    const agent = r.agent_code as string;
    const key =
      by === 'collector'
        ? collectorOf({ assigneeAgentCode: (r.assignee_agent_code as string | null) ?? null, assigneeRole: r.assignee_role as string })
        : `${(r.team_code as string) || '—'} / ${agent || '— (orphan)'}`;
    return {
      key,
      completedAt: (r.completed_at as Date).getTime(),
      dueAt: (r.due_at as Date).getTime(),
      outcome: (r.outcome_code as string | null) ?? null,
      premiumFen: whole(r.amount_fen),
      lapsedAt: r.lapsed_at instanceof Date ? r.lapsed_at.getTime() : null,
      payments: (r.payments as { r: number; v: number | null }[]).map((p) => ({ receivedAt: Math.round(Number(p.r)), reversedAt: p.v === null ? null : Math.round(Number(p.v)) })),
    };
  });
  const tallies = tallyTasks(taskRows, measuredTo);
  const [total] = tallyTasks(taskRows.map((r) => ({ ...r, key: '合计 Total' })), measuredTo);
  const totalRow: TaskTally = total ?? { key: '合计 Total', completed: 0, onTime: 0, outcomes: {}, converted: 0, convertedPremiumFen: 0, conversionRate: { numerator: 0, denominator: 0 } };
  const outcomes = [...COUNTED_OUTCOMES, 'other'];
  const keyColumn: [string, string, 'text'] = by === 'collector' ? ['collector', '收费员 Collector (assignee)', 'text'] : ['agent', '团队 / 业务员 Team / agent', 'text'];
  return {
    kind: 'tasks',
    title: `任务完成与转化 Tasks completed and converted ${month}, by ${by}`,
    parameters: { month, by, asOf, ...scopeParameter(options.scopes), generatedAt: new Date().toISOString() },
    month,
    by,
    asOf,
    tallies,
    total: totalRow,
    personalData: true,
    sections: [
      {
        key: by,
        title: by === 'collector' ? '按收费员 By collector' : '按业务员 By agent',
        note:
          `Collection tasks (${COLLECTION_TASK_KINDS.join(', ')}) completed in ${month}. On time: completed by the task’s deadline. ` +
          `Converted: the premium was unpaid when the task was completed and a payment received after it, before any lapse, still stood at the end of ${asOf}.`,
        columns: columns(
          keyColumn,
          ['completed', '完成 Completed', 'count'],
          ['on_time', '按时 On time', 'count'],
          ...outcomes.map((o): [string, string, 'count'] => [`outcome_${o}`, o, 'count']),
          ['converted', '转化 Converted', 'count'],
          ['conversion_rate', '转化率 Conversion rate', 'rate'],
          ['converted_premium', '转化保费 Premium converted (元)', 'money'],
        ),
        rows: [...tallies, { ...totalRow, key: '合计 Total' }].map((t) => ({
          [keyColumn[0]]: t.key,
          completed: t.completed,
          on_time: t.onTime,
          ...Object.fromEntries(outcomes.map((o) => [`outcome_${o}`, t.outcomes[o] ?? 0])),
          converted: t.converted,
          conversion_rate: t.conversionRate,
          converted_premium: t.convertedPremiumFen,
        })),
      },
    ],
  };
}
