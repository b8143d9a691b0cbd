import type { Knex } from 'knex';
import { readAuditKeys } from '../../config/audit-keys';
import type { AuditKind } from '../../domain/audit-kinds';
import { AUDIT_POLICY_PARTITIONS, AuditHeadKey, headMessage, SYSTEM_PARTITION } from '../audit-chain';

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
 * Appends to the hash-chained audit trail in one statement: the chain trigger puts the row on its
 * policy's partition (the system's without a policy), assigns seq, its place and hashes under that
 * partition's lock, and moves the partition's signed head (docs/architecture.md#the-audit-chain);
 * RETURNING hands back what it wrote.
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

/** The advisory-lock class of appendAuditOnce, apart from the per-message one. */
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
  /** The row's global seq. */
  seq: number;
  /** Its partition and place in it; absent for a row of the legacy chain (written before migration 023). */
  partition?: number;
  chainSeq?: number;
  /**
   * altered: the row no longer matches its own hash (content, seq, partition, place or prev_hash
   * changed afterwards, or a row inserted with a made-up hash); broken_link: its prev_hash is not the
   * hash of the row before it in its chain (the legacy chain's head for a partition's first row);
   * missing_rows: rows before it in its chain are absent (deleted).
   */
  problem: 'altered' | 'broken_link' | 'missing_rows';
  /** For missing_rows: the absent range, inclusive: seq on the legacy chain, chain_seq on a partition. */
  missing?: { from: number; to: number };
}

/**
 * How a partition's signed head (audit_chain_heads) compares with the rows: matches; cut_off: the
 * head counts more rows than the partition has (rows cut off its end); ahead: the partition has rows
 * past its head (appended behind the trigger's back); differs: same count, another last row (the
 * partition rewritten); bad_signature: the head's MAC is not its content's under its key (a head
 * forged or edited); unknown_key: signed under a key that is neither RENEWALS_AUDIT_KEY nor in
 * RENEWALS_AUDIT_KEYS_PREVIOUS; missing: no head row.
 */
export type HeadResult = 'matches' | 'cut_off' | 'ahead' | 'differs' | 'bad_signature' | 'unknown_key' | 'missing';

export interface PartitionReport {
  /** 0: the system's (rows without a policy); 1–64: policies by hash (db/audit-chain.ts). */
  partition: number;
  rows: number;
  /** Its last row read; none while it is empty. */
  last?: { seq: number; chainSeq: number; hash: string };
  problems: number;
  firstBreak?: ChainBreak;
  head: { result: HeadResult; chainSeq?: number; seq?: number | null; hash?: string; keyId?: string };
}

export interface AuditChainReport {
  /** Rows read, legacy and partitioned. */
  rows: number;
  /** The newest row of the trail (highest seq) and its stored hash; none on an empty trail. */
  head?: { seq: number; hash: string };
  /** Rows that do not fit, the first of them named (legacy chain first, then partitions in order). */
  problems: number;
  firstBreak?: ChainBreak;
  /** Partitions whose signed head does not hold (see HeadResult). */
  headProblems: number;
  /** The rows written before migration 023, one chain as before. */
  legacy: { rows: number; last?: { seq: number; hash: string }; problems: number; firstBreak?: ChainBreak };
  partitions: PartitionReport[];
  /** Present when an anchor was given: does the trail still hold that row with that hash? */
  anchor?: AnchorCheck;
}

/** A row recorded outside the database earlier (by `audit verify` or an export): seq and hash. */
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

interface ChainRow {
  seq: number;
  chain_seq: number | null;
  prev_hash: string;
  hash: string;
  expected: string;
}

interface HeadRow {
  chain_partition: number;
  chain_seq: number;
  seq: number | null;
  hash: string;
  key_id: string;
  mac: string;
}

/** The keys heads may be signed under: RENEWALS_AUDIT_KEY and RENEWALS_AUDIT_KEYS_PREVIOUS. */
export function configuredAuditHeadKeys(): AuditHeadKey[] {
  const { current, previous } = readAuditKeys();
  return [current, ...previous].map((hex) => new AuditHeadKey(hex));
}

/**
 * Recomputes every chain in the database page by page (keyset on seq, or on chain_seq within a
 * partition), so a trail of millions of rows is checked with one page in memory: the legacy chain
 * (rows written before migration 023), then each partition's chain, which starts at the legacy
 * chain's last row, then each partition's signed head against its last row. Every row is checked,
 * not only up to the first break: the count of problems tells one altered row from a rewritten
 * trail. All pages read one snapshot, so rows appended meanwhile neither appear half-way nor show
 * up as breaks.
 *
 * The signed heads catch rows cut off a partition's end, and a partition rewritten with freshly
 * computed hashes (the digest has no secret, the head's MAC has). What they cannot see: a partition
 * cut back to exactly a head that was signed earlier, with that older head put back. An anchor, a
 * row kept outside the database (every verify and every export prints the newest as SEQ:HASH),
 * catches that for its row.
 */
export async function inspectAuditChain(
  db: Knex,
  options: { pageSize?: number; anchor?: ChainAnchor; keys?: readonly AuditHeadKey[] } = {},
): Promise<AuditChainReport> {
  const { anchor } = options;
  const pageSize = options.pageSize ?? 10_000;
  const keys = options.keys ?? configuredAuditHeadKeys();
  return db.transaction(
    async (trx) => {
      const legacy = await walkChain(
        trx,
        pageSize,
        (after) => [
          `SELECT seq, chain_seq, prev_hash, hash, audit_event_digest(prev_hash, a) AS expected
           FROM audit_events a WHERE chain_partition IS NULL AND seq > ? ORDER BY seq LIMIT ?`,
          [after, pageSize],
        ],
        (row) => row.seq,
        GENESIS_HASH,
        undefined,
      );
      const anchorHash = legacy.last?.hash ?? GENESIS_HASH;
      const heads = new Map(
        (await trx('audit_chain_heads').select<HeadRow[]>('chain_partition', 'chain_seq', 'seq', 'hash', 'key_id', 'mac')).map((h) => [h.chain_partition, h]),
      );
      const partitions: PartitionReport[] = [];
      for (let partition = SYSTEM_PARTITION; partition <= AUDIT_POLICY_PARTITIONS; partition += 1) {
        const walked = await walkChain(
          trx,
          pageSize,
          (after) => [
            `SELECT seq, chain_seq, prev_hash, hash, audit_event_digest(prev_hash, a) AS expected
             FROM audit_events a WHERE chain_partition = ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?`,
            [partition, after, pageSize],
          ],
          (row) => row.chain_seq ?? 0,
          anchorHash,
          partition,
        );
        const last = walked.last && { seq: walked.last.seq, chainSeq: walked.last.chain_seq ?? 0, hash: walked.last.hash };
        partitions.push({
          partition,
          rows: walked.rows,
          ...(last ? { last } : {}),
          problems: walked.problems,
          ...(walked.firstBreak ? { firstBreak: walked.firstBreak } : {}),
          head: checkHead(heads.get(partition), partition, last, anchorHash, keys),
        });
      }

      const report: AuditChainReport = {
        rows: legacy.rows + partitions.reduce((sum, p) => sum + p.rows, 0),
        problems: legacy.problems + partitions.reduce((sum, p) => sum + p.problems, 0),
        headProblems: partitions.filter((p) => p.head.result !== 'matches').length,
        legacy: {
          rows: legacy.rows,
          ...(legacy.last ? { last: { seq: legacy.last.seq, hash: legacy.last.hash } } : {}),
          problems: legacy.problems,
          ...(legacy.firstBreak ? { firstBreak: legacy.firstBreak } : {}),
        },
        partitions,
      };
      const firstBreak = legacy.firstBreak ?? partitions.find((p) => p.firstBreak)?.firstBreak;
      if (firstBreak) report.firstBreak = firstBreak;
      const newest = await trx('audit_events').orderBy('seq', 'desc').first<{ seq: number; hash: string } | undefined>('seq', 'hash');
      if (newest) report.head = newest;
      if (anchor) {
        const row = await trx('audit_events').where({ seq: anchor.seq }).first<{ hash: string } | undefined>('hash');
        report.anchor = row
          ? row.hash === anchor.hash
            ? { ...anchor, result: 'matches' }
            : { ...anchor, result: 'differs', found: row.hash }
          : { ...anchor, result: anchor.seq > (newest?.seq ?? 0) ? 'cut_off' : 'deleted' };
      }
      return report;
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

/** Whether the report finds nothing wrong: rows, heads and the anchor if one was given. */
export function chainIntact(report: AuditChainReport): boolean {
  return report.problems === 0 && report.headProblems === 0 && (report.anchor === undefined || report.anchor.result === 'matches');
}

/** One chain read in order: each row against its own hash, its place and the row before it. */
async function walkChain(
  trx: Knex.Transaction,
  pageSize: number,
  page: (after: number) => [string, readonly (string | number)[]],
  placeOf: (row: ChainRow) => number,
  startHash: string,
  partition: number | undefined,
): Promise<{ rows: number; problems: number; firstBreak?: ChainBreak; last?: ChainRow }> {
  const walked: { rows: number; problems: number; firstBreak?: ChainBreak; last?: ChainRow } = { rows: 0, problems: 0 };
  for (;;) {
    const [sql, bindings] = page(walked.last ? placeOf(walked.last) : 0);
    const { rows } = await trx.raw<{ rows: ChainRow[] }>(sql, bindings);
    for (const row of rows) {
      const place = placeOf(row);
      const expectedPlace = (walked.last ? placeOf(walked.last) : 0) + 1;
      const at = partition === undefined ? { seq: row.seq } : { seq: row.seq, partition, chainSeq: place };
      let problem: ChainBreak | undefined;
      if (place !== expectedPlace) problem = { ...at, problem: 'missing_rows', missing: { from: expectedPlace, to: place - 1 } };
      else if (row.hash !== row.expected) problem = { ...at, problem: 'altered' };
      else if (row.prev_hash !== (walked.last?.hash ?? startHash)) problem = { ...at, problem: 'broken_link' };
      if (problem) {
        walked.problems += 1;
        walked.firstBreak ??= problem;
      }
      walked.last = row;
      walked.rows += 1;
    }
    if (rows.length < pageSize) return walked;
  }
}

function checkHead(
  head: HeadRow | undefined,
  partition: number,
  last: { seq: number; chainSeq: number; hash: string } | undefined,
  anchorHash: string,
  keys: readonly AuditHeadKey[],
): PartitionReport['head'] {
  if (!head) return { result: 'missing' };
  const stated = { chainSeq: head.chain_seq, seq: head.seq, hash: head.hash, keyId: head.key_id };
  const key = keys.find((k) => k.id === head.key_id);
  if (!key) return { result: 'unknown_key', ...stated };
  if (key.mac(headMessage({ partition, chainSeq: head.chain_seq, seq: head.seq, hash: head.hash })) !== head.mac) return { result: 'bad_signature', ...stated };
  const rows = last?.chainSeq ?? 0;
  if (head.chain_seq > rows) return { result: 'cut_off', ...stated };
  if (head.chain_seq < rows) return { result: 'ahead', ...stated };
  const same = last ? head.seq === last.seq && head.hash === last.hash : head.seq === null && head.hash === anchorHash;
  return { result: same ? 'matches' : 'differs', ...stated };
}

/**
 * Signs every head again under the current key (RENEWALS_AUDIT_KEY) after a rotation: each head is
 * first checked under the key it was signed with and against its partition's last row; one that
 * does not hold is left alone and named. A head an append moved meanwhile is signed under the current
 * key already. Returns how many were signed again and the partitions left alone.
 */
export async function resignAuditHeads(db: Knex, keys: readonly AuditHeadKey[] = configuredAuditHeadKeys()): Promise<{ signed: number; current: number; refused: number[] }> {
  const report = await inspectAuditChain(db, { keys });
  const currentId = keys[0]?.id;
  let signed = 0;
  let current = 0;
  const refused: number[] = [];
  for (const p of report.partitions) {
    if (p.head.result !== 'matches' || p.problems > 0) {
      refused.push(p.partition);
      continue;
    }
    if (p.head.keyId === currentId) {
      current += 1;
      continue;
    }
    const { rows } = await db.raw<{ rows: { done: boolean }[] }>('SELECT audit_head_resign(?::smallint, ?, ?) AS done', [p.partition, p.head.chainSeq ?? 0, p.head.hash ?? '']);
    if (rows[0]?.done) signed += 1;
    else current += 1;
  }
  return { signed, current, refused };
}

/** Recomputes the chains and heads and names the first row that does not fit (see inspectAuditChain). */
export async function verifyAuditChain(db: Knex): Promise<{ rows: number; headProblems: number; firstBreak?: ChainBreak }> {
  const { rows, firstBreak, headProblems } = await inspectAuditChain(db);
  return firstBreak ? { rows, headProblems, firstBreak } : { rows, headProblems };
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
