import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../application/import-files';
import { PiiCipher } from '../../db/pii-cipher';
import { readAccountsCsv } from '../../integrations/bank/accounts-csv';
import { parseEvents } from '../../scripts/simulate/events';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The bundled demo scenario (`npm run demo`) stays importable: every row but the three it breaks on
 * purpose goes in, every event parses and names a policy and account that exist.
 */
const dir = join(__dirname, '..', '..', 'scenarios', 'demo');
let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('the bundled demo scenario', () => {
  it('imports products, agents and 300 policies; only the three deliberately broken rows are rejected', async () => {
    const cipher = new PiiCipher('33'.repeat(32));
    for (const kind of ['products', 'agents'] as const) {
      const report = await importFile(database.db, cipher, kind, join(dir, `${kind}.csv`));
      expect(report.rejected, kind).toEqual([]);
    }
    const policies = await importFile(database.db, cipher, 'policies', join(dir, 'policies.csv'));
    expect(policies.inserted).toBe(300);
    expect(policies.rejected.map((r) => [r.row, r.column])).toEqual([
      [302, 'holder_mobile'],
      [303, 'product_code'],
      [304, 'premium'],
    ]);
    const months = await database.db('premium_dues').distinct<{ m: string }[]>(database.db.raw(`to_char(due_date, 'YYYY-MM') as m`));
    expect(months.map((r) => r.m)).toEqual(['2027-01']);
  });

  it('has an account for every policy and events that all parse and refer to known policies and accounts', async () => {
    const accounts = await readAccountsCsv(join(dir, 'accounts.csv'));
    expect(accounts.errors).toEqual([]);
    const accountNos = new Set(accounts.accounts.map((a) => a.accountNo));
    const policyRows = readFileSync(join(dir, 'policies.csv'), 'utf8').trim().split('\n').slice(1);
    const policyNos = new Set(policyRows.map((line) => line.split(',')[0]!));
    const { events, errors } = parseEvents(readFileSync(join(dir, 'events.csv')));
    expect(errors).toEqual([]);
    expect(events.length).toBeGreaterThan(100);
    for (const event of events) {
      expect(policyNos.has(event.policyNo), event.policyNo).toBe(true);
      if (event.kind === 'account_update') expect(accountNos.has(event.accountNo)).toBe(true);
    }
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(['deposit', 'pay_counter', 'pay_online', 'promise', 'refuse', 'claim_open', 'claim_close', 'account_update', 'apply_reinstatement']));
  });
});
