import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerMetrics } from '../../workers/worker-metrics';

/** The dashboard in the repository plots series the worker serves, not names from memory. */
const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'observability', 'grafana', 'renewals-dashboard.json'), 'utf8')) as {
  panels: { type: string; targets?: { expr: string }[] }[];
};
const expressions = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);

describe('the Grafana dashboard', () => {
  it('plots every business figure', () => {
    for (const name of ['renewals_debit_attempts', 'renewals_contact_attempts', 'renewals_open_tasks', 'renewals_unknown_debits_over_a_day', 'renewals_provider_circuits_open']) {
      expect(expressions.some((e) => e.includes(name)), name).toBe(true);
    }
  });

  it('names only series the worker exposes (the SDK core ones begin temporal_)', async () => {
    const figures = { debits: [], contacts: [], openTasks: [], unknownDebitsOverADay: 0, providerCircuitsOpen: 0 };
    const served = await workerMetrics({ figures: () => Promise.resolve(figures) }).exposition();
    const names = new Set(expressions.flatMap((e) => e.match(/\b(renewals|process|nodejs)_[a-z0-9_]+/g) ?? []));
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) expect(served, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });
});
