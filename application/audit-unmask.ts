import type { Knex } from 'knex';
import { secondPersonError } from '../domain/four-eyes';
import { maskPersonalText } from '../domain/personal-data';
import { appendAudit } from '../db/repositories/audit';
import type { AuditExportFilter } from '../db/repositories/audit-export';
import { insertUnmaskRequest, listUnmaskRequests, markUnmaskApproved, markUnmaskUsed, unmaskRequestById, type UnmaskRequestRow } from '../db/repositories/audit-unmask';
import { OperatorError } from './errors';

/**
 * Four-eyes on unmasked audit exports (docs/business-rules.md#four-eyes): a compliance person asks
 * (`audit unmask request`), a different one approves (`audit unmask approve`), each audited; only
 * then may `audit export --unmasked --request <id>` produce the file, once. `actor` is always the
 * acting person's opaque reference.
 */
export async function requestUnmask(db: Knex, request: { reason: string; filter: AuditExportFilter }, actor: string): Promise<UnmaskRequestRow> {
  // Free text from a person: any number or address typed into it is masked before it is stored.
  const reason = maskPersonalText(request.reason);
  return db.transaction(async (trx) => {
    const row = await insertUnmaskRequest(trx, { requestedBy: actor, reason, filter: request.filter });
    await appendAudit(trx, { kind: 'audit_unmask_requested', actor, policyNo: request.filter.policyNo, detail: { request: row.id, reason, filters: request.filter } });
    return row;
  });
}

export async function approveUnmask(db: Knex, id: number, actor: string): Promise<UnmaskRequestRow> {
  return db.transaction(async (trx) => {
    const row = await unmaskRequestById(trx, id, true);
    if (!row) throw new OperatorError(`no unmask request #${id}`);
    if (row.approved_by !== null) throw new OperatorError(`unmask request #${id} is already approved by ${row.approved_by}`);
    const refused = secondPersonError(actor, { requested: row.requested_by }, `the approval of unmask request #${id}`);
    if (refused) throw new OperatorError(refused);
    if (!(await markUnmaskApproved(trx, id, actor))) throw new OperatorError(`unmask request #${id} was approved meanwhile`);
    await appendAudit(trx, { kind: 'audit_unmask_approved', actor, policyNo: row.filter.policyNo, detail: { request: id, requestedBy: row.requested_by } });
    return (await unmaskRequestById(trx, id))!;
  });
}

export function unmaskRequests(db: Knex): Promise<UnmaskRequestRow[]> {
  return listUnmaskRequests(db);
}

/**
 * Takes an approved request for the export about to run: its filter and reason are the export's.
 * Consumed at once, so a second export on the same approval is refused.
 */
export async function claimUnmask(db: Knex, id: number, actor: string): Promise<UnmaskRequestRow> {
  const row = await unmaskRequestById(db, id);
  if (!row) throw new OperatorError(`no unmask request #${id}`);
  if (row.approved_by === null) throw new OperatorError(`unmask request #${id} is not approved yet: a second compliance person must run \`renewals audit unmask approve ${id}\``);
  if (row.used_at !== null) throw new OperatorError(`unmask request #${id} was used already (by ${row.used_by ?? 'unknown'}): request again`);
  if (!(await markUnmaskUsed(db, id, actor))) throw new OperatorError(`unmask request #${id} was used meanwhile`);
  return row;
}
