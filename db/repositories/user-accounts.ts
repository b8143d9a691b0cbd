import type { Knex } from 'knex';
import { SYSTEM_PARTITION } from '../audit-chain';

/**
 * What the console's administration page shows of each account beyond `users list`
 * (docs/architecture.md#console): the OIDC identity linked to it and its last console sign-in. Read
 * only; users are written by db/repositories/users.ts.
 */
export interface AccountFacts {
  userId: number;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  /** The latest `console_signed_in` row of the user (actor = their ref); null when none is recorded. */
  lastSignedInAt: Date | null;
}

interface Row {
  id: number;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  last_signed_in_at: Date | null;
}

/**
 * The facts of every user, or of one (`userId`). Sign-ins are read from the audit trail's system
 * partition, where the console writes them, in one grouped pass over the sign-in rows alone (the
 * partial index of migration 037).
 */
export async function accountFacts(db: Knex, userId?: number): Promise<Map<number, AccountFacts>> {
  const signIns = db('audit_events')
    .where({ chain_partition: SYSTEM_PARTITION, kind: 'console_signed_in' })
    .groupBy('actor')
    .select('actor', db.raw('max(occurred_at) as last_signed_in_at'));
  if (userId !== undefined) signIns.where({ actor: `user:${userId}` });
  const query = db('users as u')
    .leftJoin(signIns.as('s'), 's.actor', db.raw("'user:' || u.id"))
    .orderBy('u.id')
    .select<Row[]>('u.id', 'u.oidc_issuer', 'u.oidc_subject', 's.last_signed_in_at');
  if (userId !== undefined) query.where('u.id', userId);
  const rows = await query;
  return new Map(rows.map((row) => [row.id, { userId: row.id, oidcIssuer: row.oidc_issuer, oidcSubject: row.oidc_subject, lastSignedInAt: row.last_signed_in_at }]));
}
