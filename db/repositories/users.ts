import type { Knex } from 'knex';
import type { Role, Scope, ScopeKind } from '../../domain/roles';

export interface UserRow {
  id: number;
  login: string;
  displayName: string;
  status: 'active' | 'disabled';
  passwordHash: string | null;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface UserWithGrants extends UserRow {
  roles: Role[];
  scopes: Scope[];
}

interface RawUser {
  id: number;
  login: string;
  display_name: string;
  status: 'active' | 'disabled';
  password_hash: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

const COLUMNS = ['id', 'login', 'display_name', 'status', 'password_hash', 'created_at', 'disabled_at'];

function toUser(row: RawUser): UserRow {
  return { id: row.id, login: row.login, displayName: row.display_name, status: row.status, passwordHash: row.password_hash, createdAt: row.created_at, disabledAt: row.disabled_at };
}

/** Users are written only here (docs/architecture.md#people); the caller appends the audit row in the same transaction. */
export async function insertUser(db: Knex, user: { login: string; displayName: string; passwordHash: string | null; createdBy: string }): Promise<number> {
  const [row] = await db('users')
    .insert({ login: user.login, display_name: user.displayName, password_hash: user.passwordHash, created_by: user.createdBy })
    .returning<{ id: number }[]>('id');
  return row!.id;
}

export async function findUserByLogin(db: Knex, login: string): Promise<UserRow | undefined> {
  const row = await db('users').where({ login }).first<RawUser | undefined>(COLUMNS);
  return row ? toUser(row) : undefined;
}

export async function findUserById(db: Knex, id: number): Promise<UserRow | undefined> {
  const row = await db('users').where({ id }).first<RawUser | undefined>(COLUMNS);
  return row ? toUser(row) : undefined;
}

/** The user an identity provider's subject signs in as (OIDC); linked by an administrator beforehand. */
export async function findUserByOidcSubject(db: Knex, issuer: string, subject: string): Promise<UserRow | undefined> {
  const row = await db('users').where({ oidc_issuer: issuer, oidc_subject: subject }).first<RawUser | undefined>(COLUMNS);
  return row ? toUser(row) : undefined;
}

/** Links a user to the identity provider's (issuer, subject); false when no such user. */
export async function linkOidcSubject(db: Knex, userId: number, issuer: string, subject: string): Promise<boolean> {
  return (await db('users').where({ id: userId }).update({ oidc_issuer: issuer, oidc_subject: subject })) > 0;
}

export async function listUsers(db: Knex): Promise<UserWithGrants[]> {
  const rows = await db('users').orderBy('id').select<RawUser[]>(COLUMNS);
  return Promise.all(rows.map(async (row) => ({ ...toUser(row), ...(await grantsOf(db, row.id)) })));
}

export async function grantsOf(db: Knex, userId: number): Promise<{ roles: Role[]; scopes: Scope[] }> {
  const roles = await db('user_roles').where({ user_id: userId }).orderBy('role').pluck<Role[]>('role');
  const scopes = await db('user_scopes').where({ user_id: userId }).orderBy(['kind', 'value']).select<{ kind: ScopeKind; value: string }[]>('kind', 'value');
  return { roles, scopes: scopes.map((s) => ({ kind: s.kind, value: s.value })) };
}

/** False when the user was disabled already. */
export async function disableUser(db: Knex, userId: number): Promise<boolean> {
  const changed = await db('users').where({ id: userId, status: 'active' }).update({ status: 'disabled', disabled_at: db.fn.now() });
  return changed > 0;
}

/** False when the user was active already. */
export async function enableUser(db: Knex, userId: number): Promise<boolean> {
  const changed = await db('users').where({ id: userId, status: 'disabled' }).update({ status: 'active', disabled_at: null });
  return changed > 0;
}

export async function setPasswordHash(db: Knex, userId: number, passwordHash: string): Promise<void> {
  await db('users').where({ id: userId }).update({ password_hash: passwordHash });
}

/** False when the user held the role already. */
export async function grantRole(db: Knex, userId: number, role: Role): Promise<boolean> {
  const rows = await db('user_roles').insert({ user_id: userId, role }).onConflict(['user_id', 'role']).ignore().returning('role');
  return rows.length > 0;
}

export async function revokeRole(db: Knex, userId: number, role: Role): Promise<boolean> {
  return (await db('user_roles').where({ user_id: userId, role }).delete()) > 0;
}

export async function grantScope(db: Knex, userId: number, scope: Scope): Promise<boolean> {
  const rows = await db('user_scopes').insert({ user_id: userId, kind: scope.kind, value: scope.value }).onConflict(['user_id', 'kind', 'value']).ignore().returning('kind');
  return rows.length > 0;
}

export async function revokeScope(db: Knex, userId: number, scope: Scope): Promise<boolean> {
  return (await db('user_scopes').where({ user_id: userId, kind: scope.kind, value: scope.value }).delete()) > 0;
}

/** Whether an active administrator exists (the first start is over then). */
export async function hasAdministrator(db: Knex): Promise<boolean> {
  const row = await db('user_roles as r').join('users as u', 'u.id', 'r.user_id').where({ 'r.role': 'administrator', 'u.status': 'active' }).first<{ id: number } | undefined>('u.id');
  return row !== undefined;
}

/** Where a policy lies, for scope checks: its branch, its agent's team, its agent. */
export async function policyPlace(db: Knex, policyNo: string): Promise<{ branch: string; team: string | null; agentCode: string | null } | undefined> {
  const row = await db('policies as p')
    .leftJoin('agents as a', 'a.code', 'p.agent_code')
    .where('p.policy_no', policyNo)
    .first<{ branch_code: string; team_code: string | null; agent_code: string | null } | undefined>('p.branch_code', 'a.team_code', 'p.agent_code');
  return row ? { branch: row.branch_code, team: row.team_code, agentCode: row.agent_code } : undefined;
}
