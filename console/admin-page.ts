import type { Knex } from 'knex';
import { isLogin, tokensOf } from '../application/identity';
import type { TokenRow } from '../db/repositories/tokens';
import { accountFacts, type AccountFacts } from '../db/repositories/user-accounts';
import { findUserById, grantsOf, listUsers, type UserWithGrants } from '../db/repositories/users';
import { mayRun } from '../domain/permissions';
import { isRole, parseScope, type Role, type Scope } from '../domain/roles';
import type { ConsoleSession } from './sessions';

/**
 * The administration pages (docs/architecture.md#console): people, their roles, scopes and tokens,
 * read through the repositories `renewals users list` and `tokens list` read, and changed only
 * through application/identity.ts, the functions the CLI's `users …` and `tokens …` commands call.
 * Users are reached by their number (`user:N`), never by a login or name in a URL. No SQL here.
 */

/** The permission-table entries of the pages and their actions (domain/permissions.ts, all administrator). */
export const ADMIN_COMMANDS = {
  list: 'users list',
  add: 'users add',
  grant: 'users grant',
  revoke: 'users revoke',
  disable: 'users disable',
  enable: 'users enable',
  resetPassword: 'users reset-password',
  linkOidc: 'users link-oidc',
} as const;

/** Whether the person may open the administration pages at all: those `renewals users list` admits. */
export function mayAdminister(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, ADMIN_COMMANDS.list);
}

export interface UserListing {
  user: UserWithGrants;
  facts: AccountFacts | undefined;
}

/** Every user as `users list` reads them, with their OIDC identity and last console sign-in. */
export async function userListing(db: Knex): Promise<UserListing[]> {
  const [users, facts] = await Promise.all([listUsers(db), accountFacts(db)]);
  return users.map((user) => ({ user, facts: facts.get(user.id) }));
}

export interface UserDetails extends UserListing {
  tokens: TokenRow[];
}

/** One user, their grants, facts and tokens (as `tokens list` reads them, never a secret); undefined when unknown. */
export async function userDetails(db: Knex, userId: number): Promise<UserDetails | undefined> {
  const user = await findUserById(db, userId);
  if (!user) return undefined;
  const [grants, facts, tokens] = await Promise.all([grantsOf(db, userId), accountFacts(db, userId), tokensOf(db, userId)]);
  return { user: { ...user, ...grants }, facts: facts.get(userId), tokens };
}

/** The provider's subject as the list shows it: four characters and a mask, nothing when too short to hide. */
export function maskSubject(subject: string): string {
  return subject.length > 8 ? `${subject.slice(0, 4)}****` : '****';
}

/** Why a form was not acted on: a key of the admin words' `problems`, each naming its field. */
export type AdminProblem =
  | 'loginInvalid'
  | 'nameInvalid'
  | 'roleUnknown'
  | 'scopeInvalid'
  | 'grantMissing'
  | 'changeUnknown'
  | 'issuerInvalid'
  | 'subjectInvalid'
  | 'tokenNameInvalid'
  | 'expiresDaysInvalid';

export interface AdminForm {
  login?: unknown;
  name?: unknown;
  role?: unknown;
  scopeKind?: unknown;
  scopeValue?: unknown;
  change?: unknown;
  issuer?: unknown;
  subject?: unknown;
  expiresDays?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The optional role of a form: none when empty, else one of the roles. */
function roleOf(form: AdminForm): Role[] | { problem: AdminProblem } {
  const role = text(form.role);
  if (role === '') return [];
  return isRole(role) ? [role] : { problem: 'roleUnknown' };
}

/** The optional scope of a form: none when no kind is chosen, else `kind:value` as `--scope` takes it. */
function scopeOf(form: AdminForm): Scope[] | { problem: AdminProblem } {
  const kind = text(form.scopeKind);
  const value = text(form.scopeValue);
  if (kind === '' && value === '') return [];
  try {
    return [parseScope(`${kind}:${value}`)];
  } catch {
    return { problem: 'scopeInvalid' };
  }
}

export interface NewUser {
  login: string;
  displayName: string;
  roles: Role[];
  scopes: Scope[];
}

/** `users add LOGIN --name … [--role …] [--scope …]` from the form, checked field by field. */
export function newUserOf(form: AdminForm): NewUser | { problem: AdminProblem } {
  const login = text(form.login).toLowerCase();
  if (!isLogin(login)) return { problem: 'loginInvalid' };
  const displayName = text(form.name);
  if (displayName === '' || displayName.length > 128) return { problem: 'nameInvalid' };
  const roles = roleOf(form);
  if ('problem' in roles) return roles;
  const scopes = scopeOf(form);
  if ('problem' in scopes) return scopes;
  return { login, displayName, roles, scopes };
}

export interface GrantChange {
  change: 'grant' | 'revoke';
  roles: Role[];
  scopes: Scope[];
}

/** `users grant|revoke LOGIN [--role …] [--scope …]` from the form: at least one role or scope. */
export function grantChangeOf(form: AdminForm): GrantChange | { problem: AdminProblem } {
  const change = form.change;
  if (change !== 'grant' && change !== 'revoke') return { problem: 'changeUnknown' };
  const roles = roleOf(form);
  if ('problem' in roles) return roles;
  const scopes = scopeOf(form);
  if ('problem' in scopes) return scopes;
  if (roles.length === 0 && scopes.length === 0) return { problem: 'grantMissing' };
  return { change, roles, scopes };
}

/** `users link-oidc LOGIN --subject … --issuer …` from the form. */
export function oidcIdentityOf(form: AdminForm): { issuer: string; subject: string } | { problem: AdminProblem } {
  const issuer = text(form.issuer);
  if (!/^https?:\/\/\S+$/.test(issuer) || issuer.length > 512 || !URL.canParse(issuer)) return { problem: 'issuerInvalid' };
  const subject = text(form.subject);
  if (subject === '' || subject.length > 255) return { problem: 'subjectInvalid' };
  return { issuer, subject };
}

/** `tokens create --name … [--expires-days N]` from the form, the days checked as the command checks them. */
export function newTokenOf(form: AdminForm, now: number): { name: string; expiresAt: Date | null } | { problem: AdminProblem } {
  const name = text(form.name);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) return { problem: 'tokenNameInvalid' };
  const days = text(form.expiresDays);
  if (days === '') return { name, expiresAt: null };
  if (!/^\d{1,4}$/.test(days) || Number(days) === 0) return { problem: 'expiresDaysInvalid' };
  return { name, expiresAt: new Date(now + Number(days) * 86_400_000) };
}
