import type { Knex } from 'knex';

/** A console session row (migration 029): never the session id itself, only its SHA-256. */
export interface ConsoleSessionRow {
  id: number;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  csrfSecret: string;
}

interface Row {
  id: string;
  user_id: number;
  created_at: Date;
  last_seen_at: Date;
  csrf_secret: string;
}

export async function insertConsoleSession(db: Knex, session: { sessionHash: string; userId: number; csrfSecret: string; expiresAt: Date }): Promise<number> {
  const [row] = await db('console_sessions')
    .insert({ session_hash: session.sessionHash, user_id: session.userId, csrf_secret: session.csrfSecret, expires_at: session.expiresAt })
    .returning<{ id: string }[]>('id');
  return Number(row!.id);
}

export async function findConsoleSession(db: Knex, sessionHash: string): Promise<ConsoleSessionRow | undefined> {
  const row = await db('console_sessions').where({ session_hash: sessionHash }).first<Row | undefined>('id', 'user_id', 'created_at', 'last_seen_at', 'csrf_secret');
  return row && { id: Number(row.id), userId: row.user_id, createdAt: row.created_at, lastSeenAt: row.last_seen_at, csrfSecret: row.csrf_secret };
}

/** Stamps a request on the session; `expiresAt` is the sooner of the idle and the absolute end. */
export async function touchConsoleSession(db: Knex, id: number, expiresAt: Date): Promise<void> {
  await db('console_sessions').where({ id }).update({ last_seen_at: db.fn.now(), expires_at: expiresAt });
}

/** Deletes one session; true when it was there. */
export async function deleteConsoleSession(db: Knex, id: number): Promise<boolean> {
  return (await db('console_sessions').where({ id }).delete()) > 0;
}

/** Deletes sessions past their end, so the table does not grow with abandoned ones. */
export async function deleteExpiredConsoleSessions(db: Knex): Promise<number> {
  return db('console_sessions').where('expires_at', '<', db.fn.now()).delete();
}
