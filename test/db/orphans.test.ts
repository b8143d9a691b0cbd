import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { policiesServedBy, reassignPolicies, recordDeparture, servicingOf } from '../../db/repositories/orphans';
import { upsertAgent } from '../../db/repositories/policies';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/** The orphan repository on real PostgreSQL (docs/business-rules.md#orphan-policies). */
let database: TestDatabase;
const cipher = new PiiCipher('33'.repeat(32));

beforeAll(async () => {
  database = await freshDatabase();
  const db = database.db;
  await seedPolicy(db, cipher, samplePolicy({ policyNo: 'P-ODB-0001', holderIdNo: '310101198001120001' }));
  await db('teams').insert({ code: 'T9', branch_code: '3201', leader_code: 'L9' });
  for (const [code, name, leaderCode] of [['L9', '周大福', null], ['B1', '吴小二', 'L9'], ['B2', '郑三三', 'L9']] as const) {
    await upsertAgent(db, cipher, { code, name, mobile: null, teamCode: 'T9', branchCode: '3201', status: 'active', leaderCode });
  }
  await db('policies').where({ policy_no: 'P-ODB-0001' }).update({ agent_code: 'B1' });
});

afterAll(async () => {
  await database?.drop();
});

describe('who serves a policy', () => {
  it('its agent while active, by masked name', async () => {
    expect(await servicingOf(database.db, 'P-ODB-0001')).toEqual({ role: 'agent', code: 'B1', nameMasked: '吴**' });
  });

  it('the team lead once the agent departed; recording the departure twice writes once', async () => {
    const db = database.db;
    expect(await recordDeparture(db, { agentCode: 'B1', departedOn: '2026-12-01', operator: 'ops-9' })).toEqual({ recorded: true });
    expect(await recordDeparture(db, { agentCode: 'B1', departedOn: '2026-12-01', operator: 'ops-9' })).toEqual({ recorded: false });
    expect(await db('audit_events').where({ kind: 'agent_departed' }).count<{ count: number }[]>('* as count')).toEqual([{ count: 1 }]);
    expect(await servicingOf(db, 'P-ODB-0001')).toEqual({ role: 'team_lead', code: 'L9', nameMasked: '周**' });
    expect(await policiesServedBy(db, 'B1')).toEqual(['P-ODB-0001']);
  });

  it('the new agent after reassignment, audited once; nobody when neither agent nor lead is active', async () => {
    const db = database.db;
    const moved = await reassignPolicies(db, new Map([['P-ODB-0001', 'B2']]), 'ops-9');
    expect(moved).toEqual([{ policyNo: 'P-ODB-0001', from: 'B1', to: 'B2', tasksMoved: 0 }]);
    expect(await reassignPolicies(db, new Map([['P-ODB-0001', 'B2']]), 'ops-9')).toEqual([]);
    expect(await db('audit_events').where({ kind: 'policy_reassigned' }).select('actor', 'policy_no', 'detail')).toEqual([
      { actor: 'ops-9', policy_no: 'P-ODB-0001', detail: { from: 'B1', to: 'B2', tasksMoved: 0 } },
    ]);
    expect(await servicingOf(db, 'P-ODB-0001')).toEqual({ role: 'agent', code: 'B2', nameMasked: '郑**' });

    await recordDeparture(db, { agentCode: 'B2', departedOn: '2026-12-02', operator: 'ops-9' });
    await recordDeparture(db, { agentCode: 'L9', departedOn: '2026-12-02', operator: 'ops-9' });
    expect(await servicingOf(db, 'P-ODB-0001')).toBeUndefined();
  });
});
