import type { Scope } from '../domain/roles';
import { CliError } from './errors';

/**
 * The person running this command. Every state-changing command signs its work with
 * `actingUser().ref` (an opaque, non-personal reference such as `user:42`): it becomes the audit
 * row's actor and travels with Temporal updates (docs/architecture.md#people). The sign-in hook
 * (cli/sign-in.ts) sets it before any command that needs a person runs.
 */
export interface ActingUser {
  /** Opaque reference, safe for audit rows, workflow payloads and logs: never a name. */
  ref: string;
  /** The login the person signed in with (not written to audit rows or payloads). */
  login: string;
  roles: readonly string[];
  /** Where the person may act (empty: the whole insurer). */
  scopes?: readonly Scope[];
  /** The numeric user id and the token this command was authenticated with (logout revokes it). */
  userId?: number;
  tokenId?: number;
}

let current: ActingUser | undefined;

export function setActingUser(user: ActingUser | undefined): void {
  current = user;
}

/** The signed-in person; a command that needs one and runs without is refused (exit 4). */
export function actingUser(): ActingUser {
  if (!current) throw new CliError('not signed in: run `renewals login`, or set RENEWALS_TOKEN', 4);
  return current;
}
