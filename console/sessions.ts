import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { userRef } from '../application/identity';
import { appendAudit } from '../db/repositories/audit';
import { deleteConsoleSession, findConsoleSession, insertConsoleSession, touchConsoleSession } from '../db/repositories/console-sessions';
import { findUserById, grantsOf, type UserRow } from '../db/repositories/users';
import type { Role, Scope } from '../domain/roles';

/**
 * Token-less browser sessions (docs/architecture.md#console): the cookie carries 32 random bytes,
 * the table only their SHA-256. Every request looks the session up afresh, so a disabled user, an
 * idle session or one past its absolute end stops at once (its row is deleted).
 */
export interface SessionTimes {
  idleMs: number;
  absoluteMs: number;
}

export interface ConsoleSession {
  id: number;
  user: UserRow;
  ref: string;
  roles: Role[];
  scopes: Scope[];
  csrfToken: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The CSRF token the session's forms carry: derived from its secret, so the secret never leaves the server. */
function csrfTokenOf(csrfSecret: string): string {
  return createHmac('sha256', csrfSecret).update('console-csrf').digest('base64url');
}

export function sameToken(presented: unknown, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(presented), Buffer.from(expected));
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function endsAt(created: number, lastSeen: number, times: SessionTimes): Date {
  return new Date(Math.min(lastSeen + times.idleMs, created + times.absoluteMs));
}

/** Opens a session for a user who has just signed in (password, or the identity provider); returns the cookie's value. */
export async function openSession(db: Knex, user: UserRow, times: SessionTimes, now: number, method: 'password' | 'oidc' = 'password'): Promise<string> {
  const sessionId = randomToken();
  await db.transaction(async (trx) => {
    const id = await insertConsoleSession(trx, { sessionHash: sha256(sessionId), userId: user.id, csrfSecret: randomBytes(32).toString('hex'), expiresAt: endsAt(now, now, times) });
    await appendAudit(trx, { kind: 'console_signed_in', actor: userRef(user.id), detail: { user: userRef(user.id), session: id, method } });
  });
  return sessionId;
}

/** The live session a cookie names, or undefined (and the row gone) when it has ended. */
export async function resumeSession(db: Knex, sessionId: string | undefined, times: SessionTimes, now: number): Promise<ConsoleSession | undefined> {
  if (!sessionId) return undefined;
  const row = await findConsoleSession(db, sha256(sessionId));
  if (!row) return undefined;
  const user = await findUserById(db, row.userId);
  const idle = now - row.lastSeenAt.getTime() >= times.idleMs;
  const over = now - row.createdAt.getTime() >= times.absoluteMs;
  if (!user || user.status !== 'active' || idle || over) {
    await deleteConsoleSession(db, row.id);
    return undefined;
  }
  await touchConsoleSession(db, row.id, endsAt(row.createdAt.getTime(), now, times));
  const grants = await grantsOf(db, user.id);
  return { id: row.id, user, ref: userRef(user.id), ...grants, csrfToken: csrfTokenOf(row.csrfSecret) };
}

/** Signing out: the row is deleted, so the cookie is worthless even if kept. */
export async function closeSession(db: Knex, session: ConsoleSession): Promise<void> {
  await db.transaction(async (trx) => {
    if (await deleteConsoleSession(trx, session.id)) {
      await appendAudit(trx, { kind: 'console_signed_out', actor: session.ref, detail: { user: session.ref, session: session.id } });
    }
  });
}
