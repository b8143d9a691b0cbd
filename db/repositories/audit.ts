import type { Knex } from 'knex';

export interface AuditEvent {
  kind: string;
  actor: string;
  policyNo?: string;
  dueDate?: string;
  workflowId?: string;
  runId?: string;
  activityId?: string;
  /** When it happened in business time (the workflow's clock); defaults to now. */
  occurredAt?: Date;
  /** Non-personal detail only: masked values, codes, IDs. */
  detail?: Record<string, unknown>;
}

/** Appends to the hash-chained audit trail; the database assigns seq and hashes under its chain lock. */
export async function appendAudit(db: Knex, event: AuditEvent): Promise<void> {
  await db('audit_events').insert({
    kind: event.kind,
    actor: event.actor,
    policy_no: event.policyNo ?? null,
    due_date: event.dueDate ?? null,
    workflow_id: event.workflowId ?? null,
    run_id: event.runId ?? null,
    activity_id: event.activityId ?? null,
    occurred_at: event.occurredAt ?? db.fn.now(),
    detail: JSON.stringify(event.detail ?? {}),
    // Placeholders: the chain trigger overwrites all three.
    seq: 0,
    prev_hash: '',
    hash: '',
  });
}

export interface ChainBreak {
  seq: number;
  problem: 'altered' | 'broken_link' | 'missing_rows';
}

/** Recomputes the chain in the database and names the first row that does not fit. */
export async function verifyAuditChain(db: Knex): Promise<{ rows: number; firstBreak?: ChainBreak }> {
  const result = await db.raw<{
    rows: { seq: number; prev_hash: string; hash: string; expected: string; previous_hash: string | null; previous_seq: number | null }[];
  }>(`
    SELECT seq, prev_hash, hash, audit_event_digest(prev_hash, a) AS expected,
           lag(hash) OVER (ORDER BY seq) AS previous_hash,
           lag(seq) OVER (ORDER BY seq) AS previous_seq
    FROM audit_events a ORDER BY seq`);
  let expectedSeq = 1;
  for (const row of result.rows) {
    if (row.seq !== expectedSeq) return { rows: result.rows.length, firstBreak: { seq: row.seq, problem: 'missing_rows' } };
    if (row.hash !== row.expected) return { rows: result.rows.length, firstBreak: { seq: row.seq, problem: 'altered' } };
    if (row.prev_hash !== (row.previous_hash ?? '0'.repeat(64))) {
      return { rows: result.rows.length, firstBreak: { seq: row.seq, problem: 'broken_link' } };
    }
    expectedSeq += 1;
  }
  return { rows: result.rows.length };
}
