import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { join, resolve } from 'node:path';
import { OperatorError } from '../../application/errors';

/** The files of a scenario directory (see `renewals simulate --help`). */
export interface ScenarioFiles {
  dir: string;
  policies: string;
  agents: string;
  products?: string;
  accounts: string;
  events?: string;
  /** The scenario's own collection plans (a JSON list). */
  plans?: string;
}

/** Finds the scenario's files; a missing required one is named in the error. */
export function scenarioFiles(dir: string): ScenarioFiles {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new OperatorError(`scenario directory ${dir} does not exist`, true);
  const file = (name: string) => (existsSync(join(root, name)) ? join(root, name) : undefined);
  const required = (name: string) => {
    const path = file(name);
    if (!path) throw new OperatorError(`scenario ${dir} has no ${name} (needed: policies.csv, agents.csv, accounts.csv; optional: products.csv, events.csv, plans.json)`, true);
    return path;
  };
  const files: ScenarioFiles = { dir: root, policies: required('policies.csv'), agents: required('agents.csv'), accounts: required('accounts.csv') };
  const products = file('products.csv');
  const events = file('events.csv');
  if (products) files.products = products;
  if (events) files.events = events;
  const plans = file('plans.json');
  if (plans) files.plans = plans;
  return files;
}

/** The month of the earliest next_due_date in policies.csv (bad rows are the import's business). */
export function earliestDueMonth(policiesFile: string): string {
  const bytes = readFileSync(policiesFile);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = iconv.decode(bytes, 'gbk');
  }
  const rows = parse<Record<string, string>>(text, { bom: true, columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), relax_column_count: true, skip_empty_lines: true });
  const dates = rows.map((r) => r.next_due_date?.trim() ?? '').filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  if (dates.length === 0) throw new Error('policies.csv has no valid next_due_date: pass --month YYYY-MM');
  return dates[0]!.slice(0, 7);
}
