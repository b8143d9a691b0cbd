import type { Command } from '@commander-js/extra-typings';
import { cycleTimeline } from '../../application/history-timeline';
import { dueOption, findCycle, OperatorError } from '../../application/operator-events';
import { loadPolicyView, type PolicyView } from '../../application/policy-view';
import { settings, withDatabase, withTemporalClient } from '../context';
import { printRecord, printRows } from '../output';
import { asOperator } from './operator';
import { WorkflowNotFoundError } from '@temporalio/client';

/** `renewals policy show|history`: one policy's premium and cycle, masked; its cycle's workflow history. */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('one policy: where its renewal stands, and how it got there');

  policy
    .command('show')
    .description('the policy (masked), its current premium and cycle: stage, next action, debit attempts, contacts, tasks')
    .argument('<policyNo>', 'the policy number')
    .option('--due <date>', 'the premium due on this date (default: the open premium), YYYY-MM-DD')
    .option('--json', 'print everything as one JSON object')
    .action(async (policyNo, options) => {
      const view = await asOperator(() => {
        const due = dueOption(options.due);
        return withDatabase((db) => loadPolicyView(db, withTemporalClient, policyNo, due));
      });
      if (options.json) printRecord({ ...view }, options);
      else printPolicyView(view);
    });

  policy
    .command('history')
    .description("the cycle's workflow history (every run) as a readable timeline, with the Temporal UI link")
    .argument('<policyNo>', 'the policy number')
    .option('--due <date>', 'the premium due on this date (default: the open premium), YYYY-MM-DD')
    .option('--json', 'print the timeline entries as JSON')
    .action(async (policyNo, options) => {
      const timeline = await asOperator(async () => {
        const due = dueOption(options.due);
        const target = await withDatabase((db) => findCycle(db, policyNo, due));
        return withTemporalClient(async (client) => {
          try {
            return await cycleTimeline(client, target.workflowId, settings().temporal.uiUrl);
          } catch (error) {
            if (error instanceof WorkflowNotFoundError) {
              throw new OperatorError(`no cycle for ${policyNo} due ${target.dueDate}: workflow ${target.workflowId} not found (not started yet, or its history is past retention)`);
            }
            throw error;
          }
        });
      });
      if (options.json) {
        printRecord({ policyNo, ...timeline }, options);
        return;
      }
      process.stdout.write(`${timeline.workflowId}: ${timeline.runs.length} run(s)\n`);
      for (const [i, run] of timeline.runs.entries()) process.stdout.write(`  run ${i + 1}: ${run.uiUrl}\n`);
      printRows(timeline.entries, [
        { header: 'time (Asia/Shanghai)', value: (e) => e.at },
        ...(timeline.runs.length > 1 ? [{ header: 'run', value: (e: { run: number }) => e.run }] : []),
        { header: 'what happened', value: (e) => e.text },
      ], {});
    });
}

function section(title: string): void {
  process.stdout.write(`\n${title}\n`);
}

function printPolicyView(view: PolicyView): void {
  const p = view.policy;
  printRecord(
    {
      policy: p.policyNo,
      holder: `${p.holder} (${p.holderId})`,
      product: `${p.product} (${p.plan})`,
      channel: p.channel,
      branch: p.branch,
      agent: p.agent,
      premium: `${p.premium} yuan, ${p.frequency}`,
      mandate: p.mandate ?? 'none active',
      status: p.status,
    },
    {},
  );
  const d = view.premium;
  const c = view.cycle;
  section(`premium due ${d.dueDate} (installment ${d.installmentNo}, ${d.amount} yuan)`);
  printRecord(
    {
      status: `${d.status}${d.paidOn ? ` on ${d.paidOn} via ${d.paidVia ?? '?'}` : ''}`,
      cycle: `${c.workflowId} (${c.execution.toLowerCase()})`,
      stage: c.stage ?? 'none recorded',
      next: c.nextAction,
      when: c.nextActionAt ?? '',
      holds: c.holds.join(', '),
      'promise until': c.promiseUntil ?? '',
      'last contact': c.lastContact ?? '',
      plan: c.plan ?? '',
      source: c.source,
      ...(c.note ? { note: c.note } : {}),
    },
    {},
  );
  section('debit attempts');
  printRows(view.debitAttempts, [
    { header: '#', value: (r) => r.no },
    { header: 'date', value: (r) => r.date },
    { header: 'status', value: (r) => r.status },
    { header: 'reason', value: (r) => r.reason },
    { header: 'bank ref', value: (r) => r.bankRef },
    { header: 'resolved', value: (r) => r.resolvedAt },
  ], {});
  section('contacts');
  printRows(view.contacts, [
    { header: 'step', value: (r) => r.step },
    { header: 'channel', value: (r) => r.channel },
    { header: 'status', value: (r) => r.status },
    { header: 'suppressed by', value: (r) => r.suppressedRule },
    { header: 'time', value: (r) => r.at },
  ], {});
  section('tasks');
  printRows(view.tasks, [
    { header: 'id', value: (r) => r.id },
    { header: 'kind', value: (r) => r.kind },
    { header: 'step', value: (r) => r.step },
    { header: 'assignee', value: (r) => r.assignee },
    { header: 'status', value: (r) => r.status },
    { header: 'outcome', value: (r) => r.outcome },
    { header: 'due', value: (r) => r.dueAt },
  ], {});
}
