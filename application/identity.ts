import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { appendAudit } from '../db/repositories/audit';
import { insertToken, findToken, listTokens, putSetupToken, redeemSetupToken, revokeToken, revokeTokensOf, useToken, type TokenRow } from '../db/repositories/tokens';
import {
  disableUser as disableUserRow,
  enableUser as enableUserRow,
  findUserById,
  findUserByLogin,
  grantRole,
  grantScope,
  grantsOf,
  hasAdministrator,
  insertUser,
  findUserByOidcSubject,
  linkOidcSubject as linkOidcSubjectRow,
  revokeRole,
  revokeScope,
  setPasswordHash,
  type UserRow,
} from '../db/repositories/users';
import { formatScope, isRole, type Role, type Scope } from '../domain/roles';

/**
 * Who may use the system, and how they prove it (docs/architecture.md#people): passwords hashed
 * with argon2id, personal API tokens of which only a SHA-256 is kept, the first start's
 * administrator. Every change is an audit row on the system partition; no secret is in any row,
 * message or error.
 */

/** Why a person was not let in or not let do: `unauthenticated` (exit 4), `refused` (exit 5), `usage` (exit 2). */
export class IdentityError extends Error {
  constructor(
    message: string,
    readonly reason: 'unauthenticated' | 'refused' | 'usage' | 'state',
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** The actor of rows written by the first start, before anyone is signed in. */
export const BOOTSTRAP_ACTOR = 'system:bootstrap';
/** `created_by` of users the local stack makes for the demo: refused outside RENEWALS_ENV=demo. */
export const DEMO_CREATOR = 'demo:stack';

const TOKEN_TAG = 'rnw_';
const SETUP_TAG = 'rnwsetup_';
const SETUP_TOKEN_HOURS = 24;
const MIN_PASSWORD = 12;

export function userRef(userId: number): string {
  return `user:${userId}`;
}

/** A login as people type it: 1–64 of a-z 0-9 . _ -, starting with a letter or digit (the database checks it too). */
export function isLogin(text: string): boolean {
  return /^[a-z0-9][a-z0-9._-]{0,63}$/.test(text);
}

/**
 * A password an administrator hands over once (a new user's first, or after a reset): 20 characters
 * of base64url from 15 random bytes, well above the minimum length.
 */
export function newPassword(): string {
  return randomBytes(15).toString('base64url');
}

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD) throw new IdentityError(`a password needs at least ${MIN_PASSWORD} characters`, 'usage');
  // The library's default algorithm is argon2id; the costs are OWASP's minimum for it.
  return hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new secret: tag + 32 random bytes; what is stored is its SHA-256 and a short prefix to list it by. */
function newSecret(tag: string): { secret: string; hash: string; prefix: string } {
  const secret = `${tag}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: sha256(secret), prefix: secret.slice(0, tag.length + 6) };
}

export interface SignedIn {
  user: UserRow;
  roles: Role[];
  scopes: Scope[];
  tokenId: number;
}

/**
 * The person a token belongs to, looked up afresh by every command (a revoked or expired token, or a
 * disabled user, is refused at once); stamps the token's last use.
 */
export async function authenticateToken(db: Knex, token: string, environment: 'demo' | 'production'): Promise<SignedIn> {
  const unauthenticated = new IdentityError('not signed in: the token is unknown, revoked or expired (run `renewals login`, or set RENEWALS_TOKEN)', 'unauthenticated');
  if (!token.startsWith(TOKEN_TAG)) throw unauthenticated;
  const row = await useToken(db, sha256(token));
  if (!row) throw unauthenticated;
  const user = await findUserById(db, row.userId);
  if (!user || user.status !== 'active') throw new IdentityError(`not signed in: user:${row.userId} is disabled`, 'unauthenticated');
  await refuseDemoUserOutsideDemo(db, user, environment);
  return { user, ...(await grantsOf(db, user.id)), tokenId: row.id };
}

async function refuseDemoUserOutsideDemo(db: Knex, user: UserRow, environment: 'demo' | 'production'): Promise<void> {
  if (environment === 'demo') return;
  const row = await db('users').where({ id: user.id }).first<{ created_by: string }>('created_by');
  if (row?.created_by === DEMO_CREATOR) throw new IdentityError(`not signed in: ${userRef(user.id)} is a demo user, refused outside RENEWALS_ENV=demo`, 'unauthenticated');
}

/** Checks a login and password and hands out a new personal token (shown once). */
export async function logIn(db: Knex, login: string, password: string, environment: 'demo' | 'production', tokenName = 'cli'): Promise<{ token: string; user: UserRow }> {
  const user = await checkPassword(db, login, password, environment);
  const { token } = await createToken(db, userRef(user.id), user.id, tokenName, null);
  return { token, user };
}

/**
 * The active user a login and password belong to (the CLI's `login` and the console's sign-in);
 * refused alike for an unknown login and a wrong password.
 */
export async function checkPassword(db: Knex, login: string, password: string, environment: 'demo' | 'production'): Promise<UserRow> {
  const refused = new IdentityError('sign-in refused: unknown login or wrong password', 'unauthenticated');
  const user = await findUserByLogin(db, login);
  // Verify against a hash even for an unknown login, so the answer takes as long either way.
  const stored = user?.passwordHash ?? (await dummyHash());
  const ok = await verify(stored, password).catch(() => false);
  if (!user || !user.passwordHash || !ok) throw refused;
  if (user.status !== 'active') throw new IdentityError(`sign-in refused: ${userRef(user.id)} is disabled`, 'unauthenticated');
  await refuseDemoUserOutsideDemo(db, user, environment);
  return user;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(16).toString('hex'));
  return dummy;
}

/** A new token for a user; the secret is returned once and never stored. */
export async function createToken(db: Knex, actor: string, userId: number, name: string, expiresAt: Date | null): Promise<{ token: string; id: number; prefix: string }> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new IdentityError(`token name "${name}" must be 1–64 of letters, digits, . _ -`, 'usage');
  const secret = newSecret(TOKEN_TAG);
  const id = await db.transaction(async (trx) => {
    const tokenId = await insertToken(trx, { userId, name, tokenHash: secret.hash, prefix: secret.prefix, expiresAt });
    await appendAudit(trx, { kind: 'token_created', actor, detail: { user: userRef(userId), token: tokenId, name, prefix: secret.prefix, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) } });
    return tokenId;
  });
  return { token: secret.secret, id, prefix: secret.prefix };
}

/** Revokes a token: its owner may, and an administrator may revoke anyone's. */
export async function revokeTokenAs(db: Knex, acting: { userId: number; roles: readonly string[] }, tokenId: number): Promise<TokenRow> {
  const token = await findToken(db, tokenId);
  if (!token || (token.userId !== acting.userId && !acting.roles.includes('administrator'))) throw new IdentityError(`no token ${tokenId} of yours`, 'state');
  await db.transaction(async (trx) => {
    if (await revokeToken(trx, tokenId)) await appendAudit(trx, { kind: 'token_revoked', actor: userRef(acting.userId), detail: { user: userRef(token.userId), token: tokenId, prefix: token.prefix } });
  });
  return (await findToken(db, tokenId))!;
}

/** The tokens of a user (never their secrets). */
export async function tokensOf(db: Knex, userId: number): Promise<TokenRow[]> {
  return listTokens(db, userId);
}

export async function addUser(db: Knex, actor: string, user: { login: string; displayName: string; password?: string; roles: Role[]; scopes: Scope[]; createdBy?: string }): Promise<number> {
  if (!isLogin(user.login)) throw new IdentityError(`login "${user.login}" must be 1–64 of a-z 0-9 . _ - (starting with a letter or digit)`, 'usage');
  if (user.displayName.trim() === '') throw new IdentityError('--name must not be empty', 'usage');
  const passwordHash = user.password !== undefined ? await hashPassword(user.password) : null;
  return db.transaction(async (trx) => {
    if (await findUserByLogin(trx, user.login)) throw new IdentityError(`login "${user.login}" is taken`, 'state');
    const id = await insertUser(trx, { login: user.login, displayName: user.displayName, passwordHash, createdBy: user.createdBy ?? actor });
    // The login is how administrators name people; the display name stays out of the trail.
    await appendAudit(trx, { kind: 'user_added', actor, detail: { user: userRef(id), login: user.login, password: passwordHash ? 'set' : 'none' } });
    for (const role of user.roles) await changeRole(trx, actor, id, role, 'grant');
    for (const scope of user.scopes) await changeScope(trx, actor, id, scope, 'grant');
    return id;
  });
}

export async function requireUser(db: Knex, login: string): Promise<UserRow> {
  const user = await findUserByLogin(db, login);
  if (!user) throw new IdentityError(`no user with login "${login}"`, 'state');
  return user;
}

/** Disables a user and revokes every token of theirs, at once; nobody disables themself (another administrator must). */
export async function disableUser(db: Knex, actor: string, login: string): Promise<UserRow> {
  const user = await requireUser(db, login);
  if (actor === userRef(user.id)) throw new IdentityError(`${userRef(user.id)} cannot disable themself: another administrator must`, 'refused');
  await db.transaction(async (trx) => {
    if (!(await disableUserRow(trx, user.id))) return;
    const revoked = await revokeTokensOf(trx, user.id);
    await appendAudit(trx, { kind: 'user_disabled', actor, detail: { user: userRef(user.id), tokensRevoked: revoked } });
  });
  return (await findUserById(db, user.id))!;
}

/** Lets a disabled user sign in again; the tokens revoked when they were disabled stay revoked. */
export async function enableUser(db: Knex, actor: string, login: string): Promise<UserRow> {
  const user = await requireUser(db, login);
  await db.transaction(async (trx) => {
    if (await enableUserRow(trx, user.id)) await appendAudit(trx, { kind: 'user_enabled', actor, detail: { user: userRef(user.id) } });
  });
  return (await findUserById(db, user.id))!;
}

/** Sets a new password for a user (an administrator's reset); the row says that it happened, never the password. */
export async function resetPassword(db: Knex, actor: string, login: string, password: string): Promise<UserRow> {
  const user = await requireUser(db, login);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await setPasswordHash(trx, user.id, passwordHash);
    await appendAudit(trx, { kind: 'user_password_reset', actor, detail: { user: userRef(user.id) } });
  });
  return user;
}

/**
 * Links a user to the identity an OIDC provider vouches for (docs/architecture.md#oidc-sign-in), so
 * `renewals login --oidc` signs them in; the subject is the provider's opaque identifier, not a name.
 */
export async function linkOidcIdentity(db: Knex, actor: string, login: string, identity: { issuer: string; subject: string }): Promise<UserRow> {
  const user = await requireUser(db, login);
  if (identity.subject.trim() === '') throw new IdentityError('--subject must not be empty', 'usage');
  await db.transaction(async (trx) => {
    const holder = await findUserByOidcSubject(trx, identity.issuer, identity.subject);
    if (holder && holder.id !== user.id) throw new IdentityError(`that identity is already linked to ${userRef(holder.id)}`, 'state');
    await linkOidcSubjectRow(trx, user.id, identity.issuer, identity.subject);
    await appendAudit(trx, { kind: 'user_oidc_linked', actor, detail: { user: userRef(user.id), issuer: identity.issuer } });
  });
  return user;
}

/** What `renewals login --oidc` needs: the linked user, refused when disabled, and a new personal token. */
export function oidcUserStore(db: Knex) {
  return {
    findUserBySubject: (issuer: string, subject: string) => findUserByOidcSubject(db, issuer, subject),
    isRefused: (user: UserRow) => user.status !== 'active',
    issueToken: async (userId: number) => (await createToken(db, userRef(userId), userId, 'oidc', null)).token,
  };
}

export function parseRole(text: string): Role {
  if (!isRole(text)) throw new IdentityError(`role "${text}" is not one of collector, agent, team_lead, cashier, underwriter, operations_lead, compliance, administrator, engineer`, 'usage');
  return text;
}

async function changeRole(db: Knex, actor: string, userId: number, role: Role, change: 'grant' | 'revoke'): Promise<void> {
  const changed = change === 'grant' ? await grantRole(db, userId, role) : await revokeRole(db, userId, role);
  if (changed) await appendAudit(db, { kind: change === 'grant' ? 'role_granted' : 'role_revoked', actor, detail: { user: userRef(userId), role } });
}

async function changeScope(db: Knex, actor: string, userId: number, scope: Scope, change: 'grant' | 'revoke'): Promise<void> {
  const changed = change === 'grant' ? await grantScope(db, userId, scope) : await revokeScope(db, userId, scope);
  if (changed) await appendAudit(db, { kind: change === 'grant' ? 'scope_granted' : 'scope_revoked', actor, detail: { user: userRef(userId), scope: formatScope(scope) } });
}

/**
 * Grants or revokes roles and scopes of a user, each change audited. Nobody revokes their own
 * administrator role (another administrator must), and no revocation leaves the system without an
 * active administrator: the roles are locked while it is checked, so two administrators revoking each
 * other at once cannot both succeed.
 */
export async function changeGrants(db: Knex, actor: string, login: string, change: 'grant' | 'revoke', grants: { roles: Role[]; scopes: Scope[] }): Promise<UserRow> {
  const user = await requireUser(db, login);
  const revokesAdministrator = change === 'revoke' && grants.roles.includes('administrator');
  if (revokesAdministrator && actor === userRef(user.id)) throw new IdentityError(`${userRef(user.id)} cannot revoke their own administrator role: another administrator must`, 'refused');
  await db.transaction(async (trx) => {
    if (revokesAdministrator) await trx.raw('LOCK TABLE user_roles IN SHARE ROW EXCLUSIVE MODE');
    for (const role of grants.roles) await changeRole(trx, actor, user.id, role, change);
    for (const scope of grants.scopes) await changeScope(trx, actor, user.id, scope, change);
    if (revokesAdministrator && !(await hasAdministrator(trx))) throw new IdentityError(`revoking the administrator role of ${userRef(user.id)} would leave no active administrator`, 'refused');
  });
  return user;
}

export type BootstrapResult = { kind: 'administrator'; userId: number; login: string } | { kind: 'setup_token'; setupToken: string; expiresAt: Date };

/**
 * The first start: with a login and password (RENEWALS_ADMIN_LOGIN, RENEWALS_ADMIN_PASSWORD) makes
 * the first administrator; without, issues a one-time setup token to redeem. Refused once an
 * active administrator exists. There is no default password.
 */
export async function bootstrap(db: Knex, admin: { login?: string; password?: string }): Promise<BootstrapResult> {
  if (await hasAdministrator(db)) throw new IdentityError('an administrator exists already: the first start is over (ask an administrator for an account)', 'refused');
  if (admin.login !== undefined && admin.password !== undefined) {
    const userId = await addUser(db, BOOTSTRAP_ACTOR, { login: admin.login, displayName: admin.login, password: admin.password, roles: ['administrator'], scopes: [] });
    return { kind: 'administrator', userId, login: admin.login };
  }
  if (admin.login !== undefined || admin.password !== undefined) throw new IdentityError('set both RENEWALS_ADMIN_LOGIN and RENEWALS_ADMIN_PASSWORD, or neither (for a setup token)', 'usage');
  const secret = newSecret(SETUP_TAG);
  const expiresAt = new Date(Date.now() + SETUP_TOKEN_HOURS * 3_600_000);
  await db.transaction(async (trx) => {
    await putSetupToken(trx, secret.hash, expiresAt);
    await appendAudit(trx, { kind: 'setup_token_issued', actor: BOOTSTRAP_ACTOR, detail: { expiresAt: expiresAt.toISOString() } });
  });
  return { kind: 'setup_token', setupToken: secret.secret, expiresAt };
}

/** Redeems the setup token: makes the first administrator with the given login and password. */
export async function redeemSetup(db: Knex, setupToken: string, admin: { login: string; password: string }): Promise<number> {
  if (await hasAdministrator(db)) throw new IdentityError('an administrator exists already: the first start is over', 'refused');
  const presented = sha256(setupToken);
  const stored = await db('setup_tokens').where({ id: 1 }).first<{ token_hash: string } | undefined>('token_hash');
  const same = stored !== undefined && timingSafeEqual(Buffer.from(stored.token_hash), Buffer.from(presented));
  if (!same || !(await redeemSetupToken(db, presented))) throw new IdentityError('the setup token is unknown, used or expired (run `renewals users bootstrap` again for a new one)', 'unauthenticated');
  return addUser(db, BOOTSTRAP_ACTOR, { login: admin.login, displayName: admin.login, password: admin.password, roles: ['administrator'], scopes: [] });
}
