import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { operationsFigures } from '../../db/repositories/operations-figures';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/** The figures /metrics serves, from rows written as the activities write them. */
let database: TestDatabase;
const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000);
const cycle = { workflow_id: 'renewal-P202600001-2026-12-24', run_id: 'run-1', activity_id: '7' };

beforeAll(async () => {
  database = await freshDatabase();
  const { db } = database;
  await seedPolicy(db, new PiiCipher('33'.repeat(32)), samplePolicy());
  const due = await db('premium_dues').where({ policy_no: 'P202600001' }).first<{ id: number }>('id');
  const attempt = (attemptNo: number, status: string, bank: string, createdHoursAgo: number) => ({
    premium_due_id: due.id,
    attempt_no: attemptNo,
    idempotency_key: `K${attemptNo}`,
    bank_code: bank,
    amount_fen: 1_234_500,
    collection_date: '2026-12-24',
    status,
    created_at: ago(createdHoursAgo),
    ...cycle,
  });
  // At most one attempt in flight per premium: the old unknown one, the rest final.
  await db('debit_attempts').insert([attempt(1, 'failed', 'ICBC', 80), attempt(2, 'failed', 'ICBC', 70), attempt(3, 'succeeded', 'ICBC', 60), attempt(4, 'unknown', 'PSBC', 30)]);
  const contact = (step: string, channel: string, status: string) => ({ id: randomUUID(), policy_no: 'P202600001', due_date: '2026-12-24', step, channel, status, planned_at: ago(1), ...cycle });
  await db('contact_attempts').insert([contact('reminder_d-30', 'sms', 'delivered'), contact('reminder_d-15', 'sms', 'delivered'), contact('reminder_d-3', 'email', 'failed')]);
  const task = (step: string, role: string, status: string, createdHoursAgo: number) => ({
    kind: 'call',
    step,
    policy_no: 'P202600001',
    due_date: '2026-12-24',
    assignee_role: role,
    due_at: ago(0),
    status,
    created_at: ago(createdHoursAgo),
    ...cycle,
  });
  await db('tasks').insert([task('call_d-15', 'operations', 'open', 2), task('call_d+7', 'operations', 'open', 200), task('call_d+14', 'team_lead', 'open', 50), task('call_d+21', 'agent', 'done', 500)]);
});

afterAll(async () => {
  await database?.drop();
});

describe('operations figures', () => {
  it('count debits by outcome and bank, contacts by channel and outcome, open tasks by role and age', async () => {
    const figures = await operationsFigures(database.db);
    expect(figures.debits).toEqual(
      expect.arrayContaining([
        { outcome: 'failed', bank: 'ICBC', count: 2 },
        { outcome: 'succeeded', bank: 'ICBC', count: 1 },
        { outcome: 'unknown', bank: 'PSBC', count: 1 },
      ]),
    );
    expect(figures.debits).toHaveLength(3);
    expect(figures.contacts).toEqual(expect.arrayContaining([{ channel: 'sms', outcome: 'delivered', count: 2 }, { channel: 'email', outcome: 'failed', count: 1 }]));
    expect(figures.openTasks).toEqual(
      expect.arrayContaining([
        { role: 'operations', age: 'under_1d', count: 1 },
        { role: 'operations', age: 'over_7d', count: 1 },
        { role: 'team_lead', age: '1d_to_3d', count: 1 },
      ]),
    );
    expect(figures.openTasks).toHaveLength(3);
    expect(figures.unknownDebitsOverADay).toBe(1);
    expect(figures.providerCircuitsOpen).toBe(0);
  });

  it('count the provider circuits that are open or being probed, not the closed ones', async () => {
    await database.db('provider_circuits').insert([
      { provider: 'alibaba-sms', status: 'open', code: 'isv.AMOUNT_NOT_ENOUGH' },
      { provider: 'wechat', status: 'probing', code: '48001' },
      { provider: 'smtp', status: 'closed' },
    ]);
    expect((await operationsFigures(database.db)).providerCircuitsOpen).toBe(2);
    await database.db('provider_circuits').delete();
  });
});
