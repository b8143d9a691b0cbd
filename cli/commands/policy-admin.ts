import type { Command } from '@commander-js/extra-typings';
import { policyAdminChanges, retryPolicyChange } from '../../application/policy-admin-outbox';
import { shanghaiTime } from '../../application/policy-view';
import { withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { actingUser } from '../session';
import { asOperator } from './operator';

const when = (at: Date | null) => (at ? shanghaiTime(at) : '');

/**
 * `renewals policy-admin list|retry`: the outbox of changes for the policy administration system
 * (docs/architecture.md#policy-administration): what waits, what was delivered, what died and why,
 * and a dead change re-driven once its cause is fixed.
 */
export function registerPolicyAdminCommands(program: Command): void {
  const policyAdmin = program.command('policy-admin').description('changes for the policy administration system (核心业务系统): the outbox its relay delivers');

  policyAdmin
    .command('list')
    .description('the outbox, newest first: pending, delivered or dead, with attempts, the last error and the reference')
    .option('--state <state>', 'pending, delivered, dead or all', 'all')
    .option('--policy <policyNo>', 'one policy only')
    .option('--limit <n>', 'at most this many rows', '200')
    .option('--json', 'print the rows as JSON')
    .action(async (options) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError(`--limit must be a whole number from 1 to 10000, got "${options.limit}"`, 2);
      const rows = await asOperator(() => withDatabase((db) => policyAdminChanges(db, { state: options.state, ...(options.policy ? { policyNo: options.policy } : {}), limit })));
      printRows(rows, [
        { header: 'id', value: (r) => r.id },
        { header: 'change', value: (r) => r.kind },
        { header: 'policy', value: (r) => r.policy_no },
        { header: 'state', value: (r) => (r.delivered_at ? 'delivered' : r.dead_at ? 'dead' : 'pending') },
        { header: 'attempts', value: (r) => r.attempts },
        { header: 'recorded', value: (r) => when(r.created_at) },
        { header: 'next attempt', value: (r) => (r.delivered_at || r.dead_at ? '' : when(r.next_attempt_at)) },
        { header: 'settled', value: (r) => when(r.delivered_at ?? r.dead_at) },
        { header: 'reference', value: (r) => r.admin_reference ?? '' },
        { header: 'last error', value: (r) => r.last_error ?? '' },
      ], options);
    });

  policyAdmin
    .command('retry')
    .description('re-drive a dead change once its cause is fixed: due now with a fresh count of attempts, its task done, audited')
    .argument('<id>', 'the outbox row (policy-admin list --state dead)')
    .option('--json', 'print the result as JSON')
    .action(async (id, options) => {
      const retried = await asOperator(() => withDatabase((db) => retryPolicyChange(db, id, actingUser().ref)));
      if (options.json) {
        printRecord({ ...retried }, options);
        return;
      }
      process.stdout.write(`change #${retried.id} (${retried.kind}, ${retried.policyNo}) is due again: the relay delivers it on its next pass; task(s) done: ${retried.tasksDone.join(', ') || 'none'}\n`);
    });
}
