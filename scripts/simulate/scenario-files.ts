import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from '../cli/errors';

/** The files of a scenario directory (see `renewals simulate --help`). */
export interface ScenarioFiles {
  dir: string;
  policies: string;
  agents: string;
  products?: string;
  accounts: string;
  events?: string;
}

/** Finds the scenario's files; a missing required one is named in the error. */
export function scenarioFiles(dir: string): ScenarioFiles {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CliError(`scenario directory ${dir} does not exist`, 2);
  const file = (name: string) => (existsSync(join(root, name)) ? join(root, name) : undefined);
  const required = (name: string) => {
    const path = file(name);
    if (!path) throw new CliError(`scenario ${dir} has no ${name} (needed: policies.csv, agents.csv, accounts.csv; optional: products.csv, events.csv)`, 2);
    return path;
  };
  const files: ScenarioFiles = { dir: root, policies: required('policies.csv'), agents: required('agents.csv'), accounts: required('accounts.csv') };
  const products = file('products.csv');
  const events = file('events.csv');
  if (products) files.products = products;
  if (events) files.events = events;
  return files;
}
