import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { lastGraceDayOfMonth, monthPremiumOutcomes, type MonthPremiumOutcome } from '../../db/repositories/premium-outcomes-month';
import { addDays, shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { applyEvent, type AppliedEvent, type EventWorld } from './apply-event';
import type { ScenarioEvent } from './events';
import type { SimulatedPremium } from './simulate';
import { premiumStages } from './stages';

const SETTLED = new Set(['paid', 'lapsed', 'closed', 'waived']);

/** Day by day: the day's events at 08:00, until all are applied and every premium is settled. */
export async function playMonth(
  env: TestWorkflowEnvironment,
  month: string,
  events: ScenarioEvent[],
  world: Omit<EventWorld, 'dueDates'>,
  say: (line: string) => void,
): Promise<{ events: AppliedEvent[]; premiums: SimulatedPremium[] }> {
  const outcomesNow = () => monthPremiumOutcomes(world.db, month);
  const initial = await outcomesNow();
  const dueDates = new Map(initial.map((p) => [p.policyNo, p.dueDate]));
  const graceEnds = (await lastGraceDayOfMonth(world.db, month)) ?? `${month}-28`;
  // An application made in the scenario gets its 30 days to a decision and 30 more to pay.
  const horizon = [addDays(graceEnds, 3), ...events.map((e) => (e.kind === 'apply_reinstatement' ? addDays(e.date, 62) : e.date))].sort().at(-1)!;
  const applied: AppliedEvent[] = [];
  let pending = [...events];
  let day = shanghaiDate(await env.currentTimeMs());
  let outcomes = initial;
  for (;;) {
    await advanceTo(env, shanghaiInstant(day, '08:00'));
    for (const event of pending.filter((e) => e.date <= day)) {
      applied.push(await applyEvent({ ...world, dueDates }, event));
    }
    pending = pending.filter((e) => e.date > day);
    outcomes = await outcomesNow();
    const open = outcomes.filter((o) => !SETTLED.has(o.status)).length + (await openApplications(world.db, month));
    if (day.endsWith('-01') || day.endsWith('-15')) {
      say(`  ${day}: ${outcomes.filter((o) => o.status === 'paid').length} paid, ${outcomes.filter((o) => o.status === 'lapsed').length} lapsed, ${open} open, ${pending.length} events to come`);
    }
    if ((pending.length === 0 && open === 0) || day >= horizon) break;
    day = addDays(day, 1);
  }
  // Let the last day's work (contacts, letters) finish before reading the outcome.
  await advanceTo(env, shanghaiInstant(addDays(day, 1), '00:00'));
  outcomes = await outcomesNow();
  const stages = await premiumStages(world.client, outcomes);
  return { events: applied, premiums: outcomes.map((o) => premiumRow(o, stages.get(o.policyNo) ?? '-')) };
}

/** Reinstatement applications on the month's premiums still under way. */
async function openApplications(db: Knex, month: string): Promise<number> {
  const [row] = await db('reinstatement_applications as a')
    .join('suspensions as s', 's.id', 'a.suspension_id')
    .whereIn('a.status', ['under_review', 'evidence_requested', 'approved'])
    .whereRaw("to_char(s.lapsed_due_date, 'YYYY-MM') = ?", [month])
    .count<{ n: number }[]>('* as n');
  return Number(row?.n ?? 0);
}

function premiumRow(o: MonthPremiumOutcome, stage: string): SimulatedPremium {
  return {
    policyNo: o.policyNo,
    dueDate: o.dueDate,
    stage,
    paidOn: o.paidAt ? shanghaiDate(o.paidAt.getTime()) : null,
    paidVia: o.paidVia,
    debitAttempts: o.debitAttempts,
    debitsSucceeded: o.debitsSucceeded,
    lastDebitReason: o.lastDebitReason,
    contacts: o.contacts,
    suppressed: o.suppressed,
    tasks: o.tasks,
    lapsedOn: o.lapsedAt ? shanghaiDate(o.lapsedAt.getTime()) : null,
    reinstatedOn: o.reinstatedOn,
  };
}

export async function advanceTo(env: TestWorkflowEnvironment, instant: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (instant > now) await env.sleep(instant - now);
}

