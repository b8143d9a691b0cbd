import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { addUser, createToken, userRef } from '../../application/identity';
import type { Role, Scope } from '../../domain/roles';

export interface SignedInPerson {
  ref: string;
  login: string;
  token: string;
  userId: number;
}

const before: (string | undefined)[] = [];

/**
 * A real user with these roles and scopes and a real token, made through application/identity.ts
 * (audited like any other), and `RENEWALS_TOKEN` set to the token so the CLI run in this process signs
 * in as them (docs/architecture.md#people). `restoreSignIn()` puts the variable back as it was.
 */
export async function signInAs(db: Knex, person: { roles: Role[]; scopes?: Scope[]; login?: string }): Promise<SignedInPerson> {
  const login = person.login ?? `${person.roles[0] ?? 'nobody'}-${randomBytes(3).toString('hex')}`.replaceAll('_', '-');
  const userId = await addUser(db, 'test:setup', { login, displayName: `Test ${login}`, roles: person.roles, scopes: person.scopes ?? [] });
  const { token } = await createToken(db, 'test:setup', userId, 'test', null);
  before.push(process.env.RENEWALS_TOKEN);
  process.env.RENEWALS_TOKEN = token;
  return { ref: userRef(userId), login, token, userId };
}

/** Switches the CLI of this process to an existing person's token. */
export function actAs(person: SignedInPerson): void {
  process.env.RENEWALS_TOKEN = person.token;
}

/** RENEWALS_TOKEN as it was before the first signInAs of this file. */
export function restoreSignIn(): void {
  if (before.length === 0) return;
  const first = before[0];
  before.length = 0;
  if (first === undefined) delete process.env.RENEWALS_TOKEN;
  else process.env.RENEWALS_TOKEN = first;
}
