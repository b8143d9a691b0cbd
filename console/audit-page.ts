import type { Knex } from 'knex';
import { approveUnmask, requestUnmask, unmaskRequests } from '../application/audit-unmask';
import { auditChainHead, inspectAuditChain, chainIntact, type AuditChainReport } from '../db/repositories/audit';
import { auditExportPages, type AuditExportRow } from '../db/repositories/audit-export';
import type { UnmaskRequestRow } from '../db/repositories/audit-unmask';
import { mayRun } from '../domain/permissions';
import type { ConsoleSession } from './sessions';

/**
 * The audit page (docs/architecture.md#console): a policy's contact story as `renewals audit export
 * --policy` writes it (masked), the chain check of `renewals audit verify`, and the four-eyes unmask
 * requests of `renewals audit unmask request|approve|list`. The unmasked file itself is produced by
 * the CLI (`audit export --unmasked --request <id>`), never streamed into a page. No SQL here.
 */

/** The permission-table entries the pages answer to (domain/permissions.ts, all scope rule `none`). */
export const AUDIT_EXPORT = 'audit export';
export const AUDIT_VERIFY = 'audit verify';
export const UNMASK_REQUEST = 'audit unmask request';
export const UNMASK_APPROVE = 'audit unmask approve';
export const UNMASK_LIST = 'audit unmask list';

/** How many rows of a story the page shows; the export has them all. */
export const STORY_LIMIT = 500;

export function mayReadAudit(session: Pick<ConsoleSession, 'roles'>): boolean {
  return mayRun(session.roles, AUDIT_EXPORT);
}

/** The policy's rows as the masked export has them (the same query, one page), oldest first. */
export async function policyStory(db: Knex, policyNo: string): Promise<{ rows: AuditExportRow[]; more: boolean }> {
  const head = await auditChainHead(db);
  for await (const page of auditExportPages(db, { policyNo, throughSeq: head?.seq ?? 0 }, STORY_LIMIT + 1)) {
    return { rows: page.slice(0, STORY_LIMIT), more: page.length > STORY_LIMIT };
  }
  return { rows: [], more: false };
}

export interface ChainCheck {
  intact: boolean;
  report: AuditChainReport;
}

/** `renewals audit verify` without an anchor: every chain recomputed and every partition's signed head checked. */
export async function verifyChain(db: Knex): Promise<ChainCheck> {
  const report = await inspectAuditChain(db);
  return { intact: chainIntact(report), report };
}

export function latestUnmaskRequests(db: Knex): Promise<UnmaskRequestRow[]> {
  return unmaskRequests(db);
}

/** Why the console did not record a request: a word of console/i18n.ts, naming the field. */
export type UnmaskProblem = 'unmaskReasonInvalid';

/** The reason as `audit unmask request --reason` takes it: 4 to 500 characters once trimmed. */
export function unmaskReasonOf(form: { reason?: unknown }): string | { problem: UnmaskProblem } {
  const reason = typeof form.reason === 'string' ? form.reason.trim() : '';
  return reason.length < 4 || reason.length > 500 ? { problem: 'unmaskReasonInvalid' } : reason;
}

/** Asks, as `audit unmask request --policy` does, for the unmasked story of one policy; signed by `actor`. */
export async function requestPolicyUnmask(db: Knex, policyNo: string, reason: string, actor: string): Promise<number> {
  return Number((await requestUnmask(db, { reason, filter: { policyNo } }, actor)).id);
}

/** Approves as `audit unmask approve` does: the application refuses the requester (four-eyes, OperatorError). */
export async function approvePolicyUnmask(db: Knex, id: number, actor: string): Promise<number> {
  return Number((await approveUnmask(db, id, actor)).id);
}

/** Where a request stands, as `audit unmask list` says it. */
export function unmaskStatus(row: Pick<UnmaskRequestRow, 'used_at' | 'approved_at'>): 'used' | 'approved' | 'awaiting' {
  return row.used_at ? 'used' : row.approved_at ? 'approved' : 'awaiting';
}
