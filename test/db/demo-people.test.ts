import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoPeople } from '../../application/demo-people';
import { authenticateToken, logIn } from '../../application/identity';
import { ROLES } from '../../domain/roles';
import { freshDatabase, type TestDatabase } from '../support/database';

describe("the stack's demo people", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  it('makes one user per role once, each signing in with its printed demo password in the demo only', async () => {
    const first = await ensureDemoPeople(t.db, 'demo');
    const again = await ensureDemoPeople(t.db, 'demo');
    expect(first.people.map((p) => p.role)).toEqual([...ROLES]);
    expect(again.people).toEqual(first.people);
    expect(await t.db('users').where({ created_by: 'demo:stack' }).pluck('login')).toHaveLength(ROLES.length);

    const cashier = first.people.find((p) => p.role === 'cashier')!;
    const signedIn = await logIn(t.db, cashier.login, cashier.password, 'demo');
    expect((await authenticateToken(t.db, signedIn.token, 'demo')).roles).toEqual(['cashier']);
    await expect(logIn(t.db, cashier.login, cashier.password, 'production')).rejects.toThrow(/demo user/);
    await expect(authenticateToken(t.db, first.operatorToken, 'production')).rejects.toThrow(/demo user/);
    expect((await authenticateToken(t.db, again.operatorToken, 'demo')).roles).toEqual(['operations_lead']);
  });

  it('refuses to make demo users in production', async () => {
    await expect(ensureDemoPeople(t.db, 'production')).rejects.toThrow(/RENEWALS_ENV=demo/);
  });

  it('keeps no password or token in the audit trail', async () => {
    const { people, operatorToken } = await ensureDemoPeople(t.db, 'demo');
    const trail = JSON.stringify(await t.db('audit_events').select('detail', 'actor'));
    for (const secret of [operatorToken, ...people.map((p) => p.password)]) expect(trail).not.toContain(secret);
  });
});
