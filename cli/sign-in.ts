import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { authenticateToken, IdentityError, userRef } from '../application/identity';
import { taskById } from '../db/repositories/tasks';
import { policyPlace } from '../db/repositories/users';
import { commandsWithScope, mayRun, OPEN_COMMANDS, permissionFor, policyInScope } from '../domain/permissions';
import { formatScope, type Scope } from '../domain/roles';
import type { Db } from '../db/connection';
import { settings, withDatabase } from './context';
import { CliError } from './errors';
import { setActingUser } from './session';
import { readTokenFile } from './token-file';

/** Exit codes of the sign-in check (docs/architecture.md#people). */
export const NOT_SIGNED_IN = 4;
export const REFUSED = 5;

/** `pay`, `tasks complete`, `tasks schedule install`: the command's path below `renewals`. */
export function commandPath(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = command; c?.parent; c = c.parent as CommandUnknownOpts | null) names.unshift(c.name());
  return names.join(' ');
}

/** The token of this command: RENEWALS_TOKEN (automation) over the file `renewals login` wrote. */
async function presentedToken(): Promise<string | undefined> {
  const fromEnv = process.env.RENEWALS_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim();
  return readTokenFile();
}

/**
 * The `preAction` hook: authenticates the person (their token looked up afresh, so a revocation or a
 * disabled user counts at once), checks the permission table and the scope, and sets the acting
 * user. Open commands (login, first start, migrations, the demo) need no one.
 */
export async function signIn(command: CommandUnknownOpts): Promise<void> {
  setActingUser(undefined);
  const path = commandPath(command);
  if (OPEN_COMMANDS.has(path)) return;
  const permission = permissionFor(path);
  if (!permission) throw new CliError(`${path}: not in the permission table (domain/permissions.ts), refused`, REFUSED);
  const token = await presentedToken();
  if (!token) throw new CliError(`${path}: not signed in (run \`renewals login\`, or set RENEWALS_TOKEN)`, NOT_SIGNED_IN);
  await withDatabase(async (db) => {
    let signedIn;
    try {
      signedIn = await authenticateToken(db, token, settings().environment);
    } catch (error) {
      if (error instanceof IdentityError) throw new CliError(`${path}: ${error.message}`, NOT_SIGNED_IN);
      throw error;
    }
    const { user, roles, scopes } = signedIn;
    if (!mayRun(roles, path)) {
      throw new CliError(`${path}: refused for ${userRef(user.id)}: needs the role ${permission.roles.join(' or ')}; you hold ${roles.length > 0 ? roles.join(', ') : 'no role'}`, REFUSED);
    }
    if (permission.scope === 'insurer' && scopes.length > 0) {
      throw new CliError(
        `${path}: refused for ${userRef(user.id)}: its figures are the whole insurer's, and your scope is ${scopes.map(formatScope).join(', ')} (computed for a scope: ${commandsWithScope('report').join(', ')})`,
        REFUSED,
      );
    }
    const first = command.args[0];
    if (first !== undefined && (permission.scope === 'policy' || permission.scope === 'task')) await requireInScope(db, path, permission.scope, first, scopes);
    setActingUser({ ref: userRef(user.id), login: user.login, roles, scopes, userId: user.id, tokenId: signedIn.tokenId });
  });
}

/** Refuses a policy (or a task's policy) outside the person's scope; an unknown one is left to the command to say so. */
async function requireInScope(db: Db, path: string, rule: 'policy' | 'task', argument: string, scopes: readonly Scope[]): Promise<void> {
  if (scopes.length === 0) return;
  let policyNo: string | null = argument;
  if (rule === 'task') {
    if (!/^\d{1,15}$/.test(argument)) return;
    policyNo = (await taskById(db, Number(argument)))?.policy_no ?? null;
    if (policyNo === null) return;
  }
  const place = await policyPlace(db, policyNo);
  if (place && !policyInScope(scopes, place)) {
    throw new CliError(`${path}: policy ${policyNo} is outside your scope (${scopes.map(formatScope).join(', ')})`, REFUSED);
  }
}
