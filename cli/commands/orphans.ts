import type { Command } from '@commander-js/extra-typings';
import { reassignServicing, recordAgentDeparture } from '../../application/orphans';
import { settings, withDatabase, withTemporalClient } from '../context';
import { printRecord } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

/** The queue the workers poll (TASK_QUEUE, as the worker reads it). */
function taskQueue(): { taskQueue?: string } {
  const queue = settings().temporal.taskQueue;
  return queue ? { taskQueue: queue } : {};
}

/**
 * Orphan policies (docs/business-rules.md#orphan-policies): `renewals agents depart` and
 * `renewals policies reassign`.
 */
export function registerOrphanCommands(program: Command): void {
  const agents = program.command('agents').description('servicing agents: departures, and the orphan notices they start');
  agents
    .command('depart')
    .description("record an agent's departure (audited) and start one orphan notice per policy they served, sent within 30 days")
    .argument('<agent>', 'the agent code')
    .option('--on <date>', 'the day the agent departed, YYYY-MM-DD (default: today, Asia/Shanghai)')
    .option('--json', 'print the result as JSON')
    .action(async (agent, options) => {
      const result = await asOperator(() =>
        withDatabase((db) =>
          withTemporalClient((client) => recordAgentDeparture(db, client, { agentCode: agent, operator: actingUser().ref, ...(options.on ? { departedOn: options.on } : {}), ...taskQueue() })),
        ),
      );
      printRecord({ ...result }, options);
    });

  const policies = program.command('policies').description('servicing of policies');
  policies
    .command('reassign')
    .description("move servicing of every policy of an agent to another agent, or spread it over a team's active agents; running cycles are told")
    .requiredOption('--from <agent>', 'the agent whose policies move')
    .option('--to <agent>', 'the active agent who takes them all')
    .option('--team <team>', "spread them over this team's active agents (deterministic: by policy number, in turn)")
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const result = await asOperator(() =>
        withDatabase((db) =>
          withTemporalClient((client) =>
            reassignServicing(db, client, { from: options.from, operator: actingUser().ref, ...(options.to !== undefined ? { to: options.to } : {}), ...(options.team !== undefined ? { team: options.team } : {}) }),
          ),
        ),
      );
      if (options.json) {
        printRecord({ ...result }, options);
        return;
      }
      const byAgent = new Map<string, number>();
      for (const m of result.moved) byAgent.set(m.to, (byAgent.get(m.to) ?? 0) + 1);
      printRecord(
        {
          from: result.from,
          'policies moved': result.moved.length,
          to: [...byAgent].map(([agent, n]) => `${agent} (${n})`).join(', '),
          'open tasks moved': result.moved.reduce((n, m) => n + m.tasksMoved, 0),
          'running cycles told': result.cyclesInformed.length,
        },
        {},
      );
    });
}
