import type { Knex } from 'knex';
import { findUserByLogin } from '../db/repositories/users';
import { ROLES, type Role, type Scope } from '../domain/roles';
import { addUser, createToken, DEMO_CREATOR, IdentityError } from './identity';

export interface DemoPerson {
  login: string;
  role: Role;
  password: string;
}

/** The demo's password for a role's user: printed by the stack, refused outside the demo (docs/architecture.md#people). */
function demoPassword(role: Role): string {
  return `demo-${role.replaceAll('_', '-')}-password`;
}

/**
 * One user per role for the local stack, made once (a restarted stack finds them), marked as demo
 * users so that sign-in refuses them outside RENEWALS_ENV=demo; and a token for the operations lead
 * the stack hands to other shells as RENEWALS_TOKEN.
 */
export async function ensureDemoPeople(db: Knex, environment: 'demo' | 'production', scopes: Partial<Record<Role, Scope[]>> = {}): Promise<{ people: DemoPerson[]; operatorToken: string }> {
  if (environment !== 'demo') throw new IdentityError('demo users are made only where RENEWALS_ENV=demo', 'refused');
  const people: DemoPerson[] = [];
  for (const role of ROLES) {
    const login = `demo-${role.replaceAll('_', '-')}`;
    const password = demoPassword(role);
    if (!(await findUserByLogin(db, login))) {
      await addUser(db, DEMO_CREATOR, { login, displayName: `Demo ${role.replaceAll('_', ' ')}`, password, roles: [role], scopes: scopes[role] ?? [], createdBy: DEMO_CREATOR });
    }
    people.push({ login, role, password });
  }
  const lead = (await findUserByLogin(db, 'demo-operations-lead'))!;
  const { token } = await createToken(db, DEMO_CREATOR, lead.id, 'stack', null);
  return { people, operatorToken: token };
}
