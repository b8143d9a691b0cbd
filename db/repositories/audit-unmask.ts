import type { Knex } from 'knex';
import type { AuditExportFilter } from './audit-export';

/** One request for an unmasked audit export (db/migrations/022_four_eyes.ts). */
export interface UnmaskRequestRow {
  id: number;
  requested_by: string;
  reason: string;
  filter: AuditExportFilter;
  requested_at: Date;
  approved_by: string | null;
  approved_at: Date | null;
  used_at: Date | null;
  used_by: string | null;
}

export async function insertUnmaskRequest(db: Knex, r: { requestedBy: string; reason: string; filter: AuditExportFilter }): Promise<UnmaskRequestRow> {
  const inserted = await db('audit_unmask_requests').insert({ requested_by: r.requestedBy, reason: r.reason, filter: JSON.stringify(r.filter) }).returning('id');
  const id = Number((inserted[0] as { id: number | string }).id);
  return (await unmaskRequestById(db, id))!;
}

export async function unmaskRequestById(db: Knex, id: number, forUpdate = false): Promise<UnmaskRequestRow | undefined> {
  const query = db('audit_unmask_requests').where({ id }).first();
  const row = (await (forUpdate ? query.forUpdate() : query)) as UnmaskRequestRow | undefined;
  return row && normalise(row);
}

/** Approves a pending request; false when it was approved meanwhile. */
export async function markUnmaskApproved(db: Knex, id: number, approvedBy: string): Promise<boolean> {
  return (await db('audit_unmask_requests').where({ id }).whereNull('approved_at').update({ approved_by: approvedBy, approved_at: db.fn.now() })) === 1;
}

/** Consumes an approved, unused request; false when it is not approved or was used already. */
export async function markUnmaskUsed(db: Knex, id: number, usedBy: string): Promise<boolean> {
  return (await db('audit_unmask_requests').where({ id }).whereNotNull('approved_at').whereNull('used_at').update({ used_by: usedBy, used_at: db.fn.now() })) === 1;
}

export async function listUnmaskRequests(db: Knex): Promise<UnmaskRequestRow[]> {
  return ((await db('audit_unmask_requests').orderBy('id', 'desc').limit(200)) as UnmaskRequestRow[]).map(normalise);
}

function normalise(row: UnmaskRequestRow): UnmaskRequestRow {
  return { ...row, id: Number(row.id), filter: typeof row.filter === 'string' ? (JSON.parse(row.filter) as AuditExportFilter) : row.filter };
}
