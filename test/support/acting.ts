import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import { setActingUser } from '../../cli/session';

let next = randomInt(1_000, 1_000_000);

/**
 * Chooses who runs the next CLI commands of this process: a fresh person with these roles, whose
 * opaque reference (`user:N`) the test expects to find as the actor of the audit rows. Every test's
 * choice of person goes through here, so signing in for real can take its place later
 * (docs/architecture.md#people).
 */
export function actAs(_db: Knex, person: { roles: string[]; login?: string }): Promise<{ ref: string }> {
  next += 1;
  const ref = `user:${next}`;
  setActingUser({ ref, login: person.login ?? `test-${next}`, roles: person.roles });
  return Promise.resolve({ ref });
}
