import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { AuditKind } from '../domain/audit-kinds';
import type { ApplicationStatus } from '../domain/reinstatement-application';
import { suspensionById, type SuspensionRow } from '../db/repositories/suspensions';
import { auditOf, type CycleRef, type Origin } from './origin';

/** The audit kind of each status an application moves to. */
export const APPLICATION_AUDIT_KIND: Record<ApplicationStatus, AuditKind> = {
  under_review: 'reinstatement_applied',
  evidence_requested: 'reinstatement_evidence_requested',
  approved: 'reinstatement_approved',
  declined: 'reinstatement_declined',
  withdrawn: 'reinstatement_withdrawn',
  approval_expired: 'reinstatement_approval_expired',
  reinstated: 'policy_reinstated',
};

/**
 * Audit rows of the application carry the reinstatement workflow's IDs; the actor is the person
 * whose update the row records (`by`, an opaque reference), else the workflow itself.
 */
export function applicationAudit(ref: CycleRef, o: Origin, by?: string) {
  return { ...auditOf(ref, o), actor: by ?? 'reinstatement' };
}

export async function requireSuspension(db: Knex, id: number): Promise<SuspensionRow> {
  const suspension = await suspensionById(db, id);
  if (!suspension) throw ApplicationFailure.nonRetryable(`no suspension #${id}`, 'SuspensionNotFound');
  return suspension;
}
