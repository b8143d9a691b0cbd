import type { Knex } from 'knex';
import type { Role } from '../../domain/roles';
import { signInAs } from './people';

/**
 * Chooses who runs the next CLI commands of this process: a real user with these roles, signed in
 * with a real token (test/support/people.ts), whose reference (`user:N`) the test expects to find
 * as the actor of the audit rows (docs/architecture.md#people).
 */
export async function actAs(db: Knex, person: { roles: Role[]; login?: string }): Promise<{ ref: string }> {
  const { ref } = await signInAs(db, person);
  return { ref };
}
