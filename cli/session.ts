/**
 * The person running this command. Every state-changing command signs its work with
 * `actingUser().ref` (an opaque, non-personal reference such as `user:42`): it becomes the audit
 * row's actor and travels with Temporal updates (docs/architecture.md#people).
 *
 * TEMPORARY (this session only): the sign-in hook of the people-auth work replaces this body with
 * the authenticated user; until then every command acts as an unknown operator.
 */
export interface ActingUser {
  /** Opaque reference, safe for audit rows, workflow payloads and logs: never a name. */
  ref: string;
  /** The login the person signed in with (not written to audit rows or payloads). */
  login: string;
  roles: readonly string[];
}

let current: ActingUser | undefined;

export function setActingUser(user: ActingUser | undefined): void {
  current = user;
}

export function actingUser(): ActingUser {
  return current ?? { ref: 'user:unknown', login: 'unknown', roles: [] };
}
