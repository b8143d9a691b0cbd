import type { Knex } from 'knex';
import type { AuditKind } from '../../domain/audit-kinds';

export interface AuditEvent {
  kind: AuditKind;
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

/**
 * Appends to the hash-chained audit trail; the database assigns seq and hashes under its chain lock
 * and hands them back (RETURNING sees what the trigger wrote).
 */
export async function appendAudit(db: Knex, event: AuditEvent): Promise<{ seq: number; hash: string }> {
  const [row] = await db('audit_events')
    .insert({
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
    })
    .returning<{ seq: number; hash: string }[]>(['seq', 'hash']);
  return row!;
}

/** The advisory-lock class of appendAuditOnce, apart from the chain's lock and the per-message one. */
const AUDIT_ONCE_LOCK = 0x41554431;

/**
 * Appends the row unless this activity (workflow, run, activity ID) wrote a row of this kind already,
 * with `sameAs` in its detail when given (one activity may write a kind for several contacts). A
 * retried activity (its first try committed, then its answer was lost) writes nothing twice. Runs in
 * the caller's transaction, so the fact and its row commit together; in one of its own otherwise.
 * False when the row was there already.
 */
export async function appendAuditOnce(db: Knex, event: AuditEvent, sameAs: Record<string, unknown> = {}): Promise<boolean> {
  const { workflowId, runId, activityId } = event;
  if (!workflowId || !runId || !activityId) throw new Error(`appendAuditOnce(${event.kind}): the row needs its workflow, run and activity IDs`);
  const once = async (trx: Knex): Promise<boolean> => {
    // Two tries of one activity overlapping (a timed-out try still running) must not both find nothing.
    await trx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [AUDIT_ONCE_LOCK, `${workflowId}|${runId}|${activityId}|${event.kind}`]);
    const existing = await trx('audit_events')
      .where({ workflow_id: workflowId, run_id: runId, activity_id: activityId, kind: event.kind })
      .whereRaw('detail @> ?::jsonb', [JSON.stringify(sameAs)])
      .first<{ seq: number } | undefined>('seq');
    if (existing) return false;
    await appendAudit(trx, event);
    return true;
  };
  return db.isTransaction ? once(db) : db.transaction(once);
}

export interface ChainBreak {
  seq: number;
  /**
   * altered: the row no longer matches its own hash (content, seq or prev_hash changed afterwards, or
   * a row inserted with a made-up hash); broken_link: its prev_hash is not the hash of the row before;
   * missing_rows: seq numbers before it are absent (rows deleted).
   */
  problem: 'altered' | 'broken_link' | 'missing_rows';
  /** For missing_rows: the absent seq range, inclusive. */
  missing?: { from: number; to: number };
}

export interface AuditChainReport {
  /** Rows read. */
  rows: number;
  /** The last row read and its stored hash; none on an empty trail. */
  head?: { seq: number; hash: string };
  /** Rows that do not fit, the first of them named. */
  problems: number;
  firstBreak?: ChainBreak;
  /** Present when an anchor was given: does the trail still hold that row with that hash? */
  anchor?: AnchorCheck;
}

/** A head recorded outside the database earlier (by `audit verify` or an export): seq and hash. */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

/**
 * matches: the row is there with the recorded hash; differs: it is there with another hash (the trail
 * was rewritten from that row or before, hashes recomputed); cut_off: the trail now ends before it;
 * deleted: its seq is inside the trail but the row is gone (also a missing_rows break).
 */
export interface AnchorCheck extends ChainAnchor {
  result: 'matches' | 'differs' | 'cut_off' | 'deleted';
  /** The hash the row has now, when it differs. */
  found?: string;
}

const GENESIS_HASH = '0'.repeat(64);

/**
 * Recomputes the chain in the database page by page (keyset on seq), so a trail of millions of rows
 * is checked with one page in memory. Every row is checked, not only up to the first break: the
 * count of problems tells one altered row from a rewritten trail. All pages read one snapshot, so
 * rows appended meanwhile neither appear half-way nor show up as breaks.
 *
 * What it cannot see: rows cut off the end of the trail, and a trail rewritten from some row on with
 * freshly computed hashes (the digest has no secret). Give an anchor, a head kept outside the database
 * (every verify and every export prints it as SEQ:HASH), to catch those.
 */
export async function inspectAuditChain(db: Knex, options: { pageSize?: number; anchor?: ChainAnchor } = {}): Promise<AuditChainReport> {
  const { anchor } = options;
  const pageSize = options.pageSize ?? 10_000;
  return db.transaction(
    async (trx) => {
      const report: AuditChainReport = { rows: 0, problems: 0 };
      let previous: { seq: number; hash: string } | undefined;
      for (;;) {
        const page = await trx.raw<{ rows: { seq: number; prev_hash: string; hash: string; expected: string }[] }>(
          `SELECT seq, prev_hash, hash, audit_event_digest(prev_hash, a) AS expected
           FROM audit_events a WHERE seq > ? ORDER BY seq LIMIT ?`,
          [previous?.seq ?? 0, pageSize],
        );
        for (const row of page.rows) {
          const problem = chainProblem(row, previous);
          if (problem) {
            report.problems += 1;
            report.firstBreak ??= problem;
          }
          if (anchor && row.seq === anchor.seq) {
            report.anchor = row.hash === anchor.hash ? { ...anchor, result: 'matches' } : { ...anchor, result: 'differs', found: row.hash };
          }
          previous = { seq: row.seq, hash: row.hash };
          report.rows += 1;
        }
        if (page.rows.length < pageSize) break;
      }
      if (previous) report.head = previous;
      if (anchor && !report.anchor) report.anchor = { ...anchor, result: anchor.seq > (previous?.seq ?? 0) ? 'cut_off' : 'deleted' };
      return report;
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

function chainProblem(
  row: { seq: number; prev_hash: string; hash: string; expected: string },
  previous: { seq: number; hash: string } | undefined,
): ChainBreak | undefined {
  const expectedSeq = (previous?.seq ?? 0) + 1;
  if (row.seq !== expectedSeq) return { seq: row.seq, problem: 'missing_rows', missing: { from: expectedSeq, to: row.seq - 1 } };
  if (row.hash !== row.expected) return { seq: row.seq, problem: 'altered' };
  if (row.prev_hash !== (previous?.hash ?? GENESIS_HASH)) return { seq: row.seq, problem: 'broken_link' };
  return undefined;
}

/** Recomputes the chain and names the first row that does not fit (see inspectAuditChain). */
export async function verifyAuditChain(db: Knex): Promise<{ rows: number; firstBreak?: ChainBreak }> {
  const { rows, firstBreak } = await inspectAuditChain(db);
  return firstBreak ? { rows, firstBreak } : { rows };
}

/** Whether a workflow has written a row of this kind already (facts written once per workflow). */
export async function hasAuditRow(db: Knex, workflowId: string, kind: string): Promise<boolean> {
  const row = await db('audit_events').where({ workflow_id: workflowId, kind }).first<{ seq: number } | undefined>('seq');
  return row !== undefined;
}

/** The newest row of the trail: what an export covers, and a value to keep outside the database. */
export async function auditChainHead(db: Knex): Promise<{ seq: number; hash: string } | undefined> {
  return db('audit_events').orderBy('seq', 'desc').first<{ seq: number; hash: string } | undefined>('seq', 'hash');
}
