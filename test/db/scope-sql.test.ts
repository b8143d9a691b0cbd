import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyScopeSql } from '../../reports/scope-sql';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The scope condition on real PostgreSQL (docs/architecture.md#people): each kind of scope finds its
 * policies, any one scope is enough, none at all is the whole insurer, and a code with a comma, quote
 * or backslash is one value, never split or breaking out of the array.
 */
describe('policyScopeSql', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await freshDatabase();
    const db = t.db;
    await db('branches').insert([{ code: 'B1', name: 'one' }, { code: 'B,2', name: 'two' }, { code: 'B"3\\', name: 'three' }]);
    await db('products').insert({ code: 'PR', name: 'product', grace_days: 60 });
    await db('teams').insert([{ code: 'T1', branch_code: 'B1' }, { code: 'T2', branch_code: 'B,2' }]);
    await db('agents').insert([
      { code: 'A1', name_masked: '业*', name_enc: 'x', team_code: 'T1', branch_code: 'B1', status: 'active' },
      { code: 'A2', name_masked: '业*', name_enc: 'x', team_code: 'T2', branch_code: 'B,2', status: 'active' },
    ]);
    await db('customers').insert({ id: 1, name_masked: '客*', name_enc: 'x', id_type: 'ID', id_no_masked: '1****1', id_no_enc: 'x', id_no_hash: 'h' });
    const policy = (policyNo: string, branch: string, agent: string | null) => ({
      policy_no: policyNo, product_code: 'PR', channel: 'agency', branch_code: branch, agent_code: agent, holder_customer_id: 1,
      issue_date: '2025-01-01', payment_frequency: 'annual', premium_fen: 100, status: 'in_force',
    });
    await db('policies').insert([policy('P1', 'B1', 'A1'), policy('P2', 'B,2', 'A2'), policy('P3', 'B"3\\', null), policy('P4', 'B1', null)]);
  });

  afterAll(async () => {
    await t?.drop();
  });

  const policiesIn = async (scopes: Parameters<typeof policyScopeSql>[1]) => {
    const scope = policyScopeSql('p', scopes);
    const { rows } = await t.db.raw<{ rows: { policy_no: string }[] }>(`SELECT p.policy_no FROM policies p WHERE ${scope.sql} ORDER BY 1`, scope.bindings);
    return rows.map((r) => r.policy_no);
  };

  it('no scope is the whole insurer', async () => {
    expect(await policiesIn([])).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('a branch, a team (through its agents) and an own scope each find their policies', async () => {
    expect(await policiesIn([{ kind: 'branch', value: 'B1' }])).toEqual(['P1', 'P4']);
    expect(await policiesIn([{ kind: 'team', value: 'T2' }])).toEqual(['P2']);
    expect(await policiesIn([{ kind: 'own', value: 'A1' }])).toEqual(['P1']);
  });

  it('any one scope is enough, and a policy two scopes cover is listed once', async () => {
    expect(await policiesIn([{ kind: 'own', value: 'A1' }, { kind: 'branch', value: 'B1' }, { kind: 'team', value: 'T2' }])).toEqual(['P1', 'P2', 'P4']);
  });

  it('a code with a comma, a quote or a backslash is one value', async () => {
    expect(await policiesIn([{ kind: 'branch', value: 'B,2' }])).toEqual(['P2']);
    expect(await policiesIn([{ kind: 'branch', value: 'B"3\\' }])).toEqual(['P3']);
    expect(await policiesIn([{ kind: 'branch', value: 'B' }, { kind: 'branch', value: '2' }])).toEqual([]);
  });
});
