import type { Knex } from 'knex';

export interface TokenRow {
  id: number;
  userId: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

interface RawToken {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = ['id', 'user_id', 'name', 'prefix', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'];

function toToken(row: RawToken): TokenRow {
  return { id: row.id, userId: row.user_id, name: row.name, prefix: row.prefix, createdAt: row.created_at, lastUsedAt: row.last_used_at, expiresAt: row.expires_at, revokedAt: row.revoked_at };
}

/** API tokens are written only here; only the SHA-256 of the secret is stored (docs/architecture.md#people). */
export async function insertToken(db: Knex, token: { userId: number; name: string; tokenHash: string; prefix: string; expiresAt: Date | null }): Promise<number> {
  const [row] = await db('api_tokens')
    .insert({ user_id: token.userId, name: token.name, token_hash: token.tokenHash, prefix: token.prefix, expires_at: token.expiresAt })
    .returning<{ id: number }[]>('id');
  return row!.id;
}

/**
 * The live token with this hash (not revoked, not expired), stamping its last use in the same
 * statement: every command looks its token up, so a revocation counts from the next command on.
 */
export async function useToken(db: Knex, tokenHash: string): Promise<TokenRow | undefined> {
  const [row] = await db('api_tokens')
    .where({ token_hash: tokenHash })
    .whereNull('revoked_at')
    .where((q) => {
      q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now());
    })
    .update({ last_used_at: db.fn.now() })
    .returning<RawToken[]>(COLUMNS);
  return row ? toToken(row) : undefined;
}

export async function findTokenByHash(db: Knex, tokenHash: string): Promise<TokenRow | undefined> {
  const row = await db('api_tokens').where({ token_hash: tokenHash }).first<RawToken | undefined>(COLUMNS);
  return row ? toToken(row) : undefined;
}

export async function listTokens(db: Knex, userId?: number): Promise<TokenRow[]> {
  const query = db('api_tokens').orderBy('id');
  if (userId !== undefined) query.where({ user_id: userId });
  return (await query.select<RawToken[]>(COLUMNS)).map(toToken);
}

export async function findToken(db: Knex, id: number): Promise<TokenRow | undefined> {
  const row = await db('api_tokens').where({ id }).first<RawToken | undefined>(COLUMNS);
  return row ? toToken(row) : undefined;
}

/** False when it was revoked already. */
export async function revokeToken(db: Knex, id: number): Promise<boolean> {
  return (await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() })) > 0;
}

/** Revokes every live token of a user (when the user is disabled). */
export async function revokeTokensOf(db: Knex, userId: number): Promise<number> {
  return db('api_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
}

/** Replaces the one setup token (the first start prints it once). */
export async function putSetupToken(db: Knex, tokenHash: string, expiresAt: Date): Promise<void> {
  await db('setup_tokens').insert({ id: 1, token_hash: tokenHash, expires_at: expiresAt }).onConflict('id').merge();
}

/** Deletes the setup token if it has this hash and has not expired; true when it did. */
export async function redeemSetupToken(db: Knex, tokenHash: string): Promise<boolean> {
  return (await db('setup_tokens').where({ id: 1, token_hash: tokenHash }).where('expires_at', '>', db.fn.now()).delete()) > 0;
}
