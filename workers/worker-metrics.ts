import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { OperationsFigures } from '../db/repositories/operations-figures';

/** What /metrics serves: Prometheus text, the business figures and the process first, then the SDK's. */
export interface WorkerMetrics {
  contentType: string;
  exposition(): Promise<string>;
}

/**
 * The business figures as gauges, refreshed from PostgreSQL at scrape time (at most every
 * `minIntervalMs`, so several scrapers cost one read), the Node process's own metrics, and the SDK's
 * exposition appended as it comes. A failed read sets renewals_operations_figures_up to 0 and
 * drops the figures rather than serve stale ones.
 */
export function workerMetrics(options: { figures: () => Promise<OperationsFigures>; sdkMetrics?: () => Promise<string>; minIntervalMs?: number }): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const up = gauge('renewals_operations_figures_up', 'Whether the last read of the business figures from PostgreSQL succeeded (1) or not (0)');
  const debits = gauge('renewals_debit_attempts', 'Debit attempts on record by current outcome (status) and bank code', ['outcome', 'bank']);
  const contacts = gauge('renewals_contact_attempts', 'Contact attempts on record by channel and outcome (status)', ['channel', 'outcome']);
  const openTasks = gauge('renewals_open_tasks', 'Open follow-up tasks by assignee role and age band', ['role', 'age']);
  const unknownDebits = gauge('renewals_unknown_debits_over_a_day', 'Debit attempts still in flight (outcome unknown) more than a day after they were made');
  const circuits = gauge('renewals_provider_circuits_open', 'Messaging provider circuits open (account-wide provider failures)');
  const figureGauges = [debits, contacts, openTasks, unknownDebits, circuits];
  const minIntervalMs = options.minIntervalMs ?? 5_000;
  let readAt = 0;
  let reading: Promise<void> | undefined;

  const refresh = async (): Promise<void> => {
    try {
      const figures = await options.figures();
      for (const g of figureGauges) g.reset();
      for (const { outcome, bank, count } of figures.debits) debits.set({ outcome, bank }, count);
      for (const { channel, outcome, count } of figures.contacts) contacts.set({ channel, outcome }, count);
      for (const { role, age, count } of figures.openTasks) openTasks.set({ role, age }, count);
      unknownDebits.set(figures.unknownDebitsOverADay);
      circuits.set(figures.providerCircuitsOpen);
      up.set(1);
    } catch {
      for (const g of figureGauges) g.reset();
      up.set(0);
    }
    readAt = Date.now();
  };

  return {
    contentType: registry.contentType,
    async exposition() {
      if (Date.now() - readAt >= minIntervalMs) {
        reading ??= refresh().finally(() => (reading = undefined));
        await reading;
      }
      const own = await registry.metrics();
      return options.sdkMetrics ? `${own}\n${await options.sdkMetrics()}` : own;
    },
  };
}
