import type { Command } from '@commander-js/extra-typings';
import { completeTaskOf } from '../../application/operator-events';
import { shanghaiTime } from '../../application/policy-view';
import { installOverdueSweepSchedule, OVERDUE_SWEEP_SCHEDULE_ID, showOverdueSweepSchedule } from '../../application/task-sweep';
import { escalateOverdueTasks, listTasks, type TaskFilter } from '../../db/repositories/tasks';
import { settings, withDatabase, withTemporalClient, updateOptions } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

const STATUSES = ['open', 'done', 'settled', 'all'] as const;
const ROLES = ['agent', 'team_lead', 'operations', 'underwriter'] as const;

const usage = (message: string) => new CliError(message, 2);

function taskFilter(options: { status: string; assignee?: string; role?: string; policy?: string }): TaskFilter {
  const status = STATUSES.find((s) => s === options.status);
  if (!status) throw usage(`--status must be one of ${STATUSES.join(', ')}, got "${options.status}"`);
  const filter: TaskFilter = { status };
  if (options.role !== undefined) {
    const role = ROLES.find((r) => r === options.role);
    if (!role) throw usage(`--role must be one of ${ROLES.join(', ')}, got "${options.role}"`);
    filter.assigneeRole = role;
  }
  if (options.assignee !== undefined) filter.assigneeAgentCode = options.assignee;
  if (options.policy !== undefined) filter.policyNo = options.policy;
  return filter;
}


/** `renewals tasks list|complete|escalate|schedule`: the work list, outcomes that act, and overdue tasks sent up. */
export function registerTaskCommands(program: Command): void {
  const tasks = program.command('tasks').description('follow-up tasks: calls, account fixes, escalations');

  tasks
    .command('list')
    .description('tasks, open ones highest priority first, then soonest due')
    .option('--status <status>', STATUSES.join('|'), 'open')
    .option('--assignee <code>', 'agent code of the assignee')
    .option('--role <role>', ROLES.join('|'))
    .option('--policy <policyNo>', 'one policy')
    .option('--json', 'print the tasks as JSON')
    .action(async (options) => {
      // A person with a scope sees only the tasks of policies in it (docs/architecture.md#people).
      const filter = { ...taskFilter(options), scopes: actingUser().scopes ?? [] };
      const rows = await withDatabase((db) => listTasks(db, filter));
      printRows(rows, [
        { header: 'id', value: (r) => r.id },
        { header: 'priority', value: (r) => r.priority },
        { header: 'policy', value: (r) => r.policy_no },
        { header: 'premium due', value: (r) => r.due_date },
        { header: 'kind', value: (r) => r.kind },
        { header: 'step', value: (r) => r.step },
        { header: 'assignee', value: (r) => r.assignee_agent_code ?? '' },
        { header: 'role', value: (r) => r.assignee_role },
        { header: 'due', value: (r) => shanghaiTime(r.due_at) },
        { header: 'status', value: (r) => (r.escalated_at ? `${r.status}, escalated` : r.status) },
        { header: 'outcome', value: (r) => r.outcome_code },
      ], options);
    });

  tasks
    .command('complete')
    .description("report a task's outcome: its cycle validates it and closes the task (closed directly if the cycle is over)")
    .argument('<taskId>', 'the task number (tasks list)')
    .requiredOption('--outcome <code>', 'reached, no_answer, wrong_number, promised, refused, account_fixed, done, paid_elsewhere; escalations: retry_debit, lapse; payment_confirmation: not_found')
    .option('--date <YYYY-MM-DD>', 'with promised: the date the customer promised to pay by (today to the last grace day)')
    .option('--reason <code>', 'with refused: the non-payment reason code 1–12')
    .option('--json', 'print the result as JSON')
    .action(async (taskId, options) => {
      if (!/^\d{1,15}$/.test(taskId)) throw usage(`<taskId> must be a task number, got "${taskId}"`);
      const actor = actingUser().ref;
      const details = { ...(options.date !== undefined ? { date: options.date } : {}), ...(options.reason !== undefined ? { reason: options.reason } : {}) };
      const done = await asOperator(() =>
        withDatabase((db) => withTemporalClient((client) => completeTaskOf(db, client, Number(taskId), options.outcome, actor, updateOptions(), details))),
      );
      if (options.json) {
        printRecord(
          {
            taskId: done.task.id,
            step: done.task.step,
            policyNo: done.task.policy_no,
            dueDate: done.task.due_date,
            outcome: done.outcome,
            closedBy: done.closedBy,
            note: done.note,
            ...(done.status ? { status: done.status } : {}),
            ...(done.effect ? { effect: done.effect } : {}),
          },
          options,
        );
        return;
      }
      process.stdout.write(`task #${done.task.id} (${done.task.step}, ${done.task.policy_no} due ${done.task.due_date}): ${done.outcome}; ${done.note}\n`);
    });

  tasks
    .command('escalate')
    .description('one sweep now: every open task past its deadline goes to the team lead (audited, once); the hourly schedule does the same')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const actor = actingUser().ref;
      const sweep = await withDatabase((db) => escalateOverdueTasks(db, new Date(), actor));
      if (options.json) {
        printRecord({ overdue: sweep.overdue, escalated: sweep.escalated }, options);
        return;
      }
      process.stdout.write(`${sweep.escalated.length} of ${sweep.overdue} overdue task(s) escalated\n`);
      for (const e of sweep.escalated) process.stdout.write(`task #${e.taskId} (${e.step}${e.policyNo ? `, ${e.policyNo}` : ''}) → ${e.toRole}${e.toAgent ? ` ${e.toAgent}` : ''}\n`);
    });

  const schedule = tasks.command('schedule').description(`the Temporal Schedule "${OVERDUE_SWEEP_SCHEDULE_ID}" that sweeps overdue tasks every hour`);
  schedule
    .command('install')
    .description('create the hourly sweep, or update it to these settings (installing twice leaves one)')
    .option('--minute <n>', 'minutes past each hour it fires, 0-59', '5')
    .option('--json', 'print the schedule as JSON')
    .action(async (options) => {
      const minute = Number(options.minute);
      if (!/^\d{1,2}$/.test(options.minute) || minute > 59) throw usage(`--minute must be a whole number from 0 to 59, got ${JSON.stringify(options.minute)}`);
      const taskQueue = settings().temporal.taskQueue;
      const installed = await withTemporalClient((client) => installOverdueSweepSchedule(client, { minute, ...(taskQueue ? { taskQueue } : {}) }));
      printRecord({ ...installed, nextRuns: installed.nextRuns.slice(0, 3) }, options);
    });
  schedule
    .command('show')
    .description('the installed sweep schedule and its next firing times')
    .option('--json', 'print the schedule as JSON')
    .action(async (options) => {
      const shown = await withTemporalClient((client) => showOverdueSweepSchedule(client));
      if (!shown) throw new CliError(`no schedule "${OVERDUE_SWEEP_SCHEDULE_ID}": install it with \`renewals tasks schedule install\``);
      printRecord({ ...shown, nextRuns: shown.nextRuns.slice(0, 3) }, options);
    });
}
