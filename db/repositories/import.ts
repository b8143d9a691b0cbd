import type { Knex } from 'knex';
import { STANDARD_60 } from '../../domain/collection-plan';
import type { ImportKind } from '../../domain/import-columns';
import type { AgentRecord, ProductRecord } from '../../domain/import-rows';
import { maskMobile, maskName } from '../../domain/masking';
import type { PiiCipher } from '../pii-cipher';

/** A problem with one row of an import file: never the value itself. */
export interface RejectedRow {
  row: number;
  /** The row's policy number, agent code or product code, when it has a valid one (filled in by the importer). */
  key?: string | null;
  column: string;
  reason: string;
}

/** A validated row waiting to be written, with its row number in the file. */
export interface PendingRow<T> {
  rowNo: number;
  record: T;
}

export interface BatchResult {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
}

export type RowOutcome = 'inserted' | 'updated' | 'unchanged';

/** What one transaction decided for its rows: an outcome per written row, or a rejection. */
export interface BatchOutcome {
  outcomes: RowOutcome[];
  rejected: RejectedRow[];
}

/** Rejected problems kept in import_runs.rejected; the full count is always kept. */
const STORED_REJECTIONS = 10_000;

export async function startImportRun(db: Knex, run: { kind: ImportKind; fileName: string; mapping?: { fileName: string; sha256: string } | undefined }): Promise<number> {
  const [row] = await db('import_runs')
    .insert({ kind: run.kind, file_name: run.fileName.slice(0, 255), mapping_file: run.mapping?.fileName.slice(0, 255) ?? null, mapping_sha256: run.mapping?.sha256 ?? null })
    .returning<{ id: number }[]>('id');
  return row!.id;
}

export async function finishImportRun(
  db: Knex,
  id: number,
  summary: { sha256: string; encoding: string; rows: number; inserted: number; updated: number; unchanged: number; rejected: readonly RejectedRow[] },
): Promise<void> {
  await db('import_runs')
    .where({ id })
    .update({
      status: 'finished',
      sha256: summary.sha256,
      encoding: summary.encoding,
      rows: summary.rows,
      inserted: summary.inserted,
      updated: summary.updated,
      unchanged: summary.unchanged,
      rejected_rows: new Set(summary.rejected.map((r) => r.row)).size,
      rejected_count: summary.rejected.length,
      rejected: JSON.stringify(summary.rejected.slice(0, STORED_REJECTIONS)),
      finished_at: db.fn.now(),
    });
}

/** A file that could not be imported at all; `failure` must not carry row values. */
export async function failImportRun(db: Knex, id: number, failure: string, sha256?: string): Promise<void> {
  await db('import_runs').where({ id }).update({ status: 'failed', failure, sha256: sha256 ?? null, finished_at: db.fn.now() });
}

/**
 * Runs `work` while holding the import lock: one import at a time on the whole database, so that
 * each classifies its rows (new, changed, unchanged) against committed data and the batches of one
 * import are the only writers of its rows (docs/architecture.md#imports). A session-level advisory
 * lock on a connection of its own, held from the first batch to the last: a second import waits for
 * the first to finish; a process that dies drops its connection and the lock with it.
 */
export async function withImportLock<T>(db: Knex, work: () => Promise<T>): Promise<T> {
  const client = db.client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    await connection.query(`SELECT pg_advisory_lock(hashtext('renewals:import'))`);
    try {
      return await work();
    } finally {
      await connection.query(`SELECT pg_advisory_unlock(hashtext('renewals:import'))`).catch(() => undefined);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

/** What knex's client offers for holding one pooled connection outside a transaction. */
interface PoolClient {
  acquireConnection(): Promise<{ query(sql: string): Promise<unknown> }>;
  releaseConnection(connection: unknown): Promise<void>;
  pool?: { max?: number };
}

/** Connections an import may use for batches at once: the pool's size less the lock's connection and one for reads. */
export function batchConnections(db: Knex): number {
  const max = (db.client as PoolClient).pool?.max ?? 10;
  return Math.max(1, max - 2);
}

/** SQLSTATE classes that speak about a row's data (22 data exception, 23 integrity, P0 a trigger's refusal): the row is rejected. */
const ROW_REFUSAL = /^(22|23|P0)/;
/** A deadlock or serialisation failure: nothing was written, the same transaction can simply run again. */
const RETRY = /^40/;

/**
 * Writes a batch in one transaction (the rows arrive encrypted and hashed: only SQL runs inside). If
 * the database refuses it for a row's data (a constraint the validation could not foresee, e.g. a
 * product deleted meanwhile), each row is retried in its own transaction so one bad row never sinks
 * its batch-mates, and the row that still fails is reported. A deadlock or serialisation failure
 * runs the batch again; any other error (the connection lost, the server shutting down) is thrown:
 * it stops the import, and what committed before stays in (a re-run completes it).
 */
export async function writeInBatch<R extends { rowNo: number }>(
  db: Knex,
  rows: readonly R[],
  write: (trx: Knex.Transaction, rows: readonly R[]) => Promise<BatchOutcome>,
): Promise<BatchResult> {
  const result: BatchResult = { inserted: 0, updated: 0, unchanged: 0, rejected: [] };
  if (rows.length === 0) return result;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await db.transaction(async (trx) => {
        // Not waiting for the WAL flush of each batch: the import's last commit (finishImportRun) waits
        // for it, so a finished run is durable; a crash before that leaves a run that a re-run completes.
        await trx.raw('SET LOCAL synchronous_commit = off');
        return write(trx, rows);
      });
      for (const o of outcome.outcomes) result[o] += 1;
      result.rejected.push(...outcome.rejected);
      return result;
    } catch (error) {
      const code = sqlState(error);
      if (RETRY.test(code) && attempt < 3) continue;
      if (!ROW_REFUSAL.test(code)) throw error;
      if (rows.length === 1) {
        result.rejected.push({ row: rows[0]!.rowNo, ...databaseRefusal(error) });
        return result;
      }
      break;
    }
  }
  for (const row of rows) {
    const one = await writeInBatch(db, [row], write);
    result.inserted += one.inserted;
    result.updated += one.updated;
    result.unchanged += one.unchanged;
    result.rejected.push(...one.rejected);
  }
  return result;
}

function sqlState(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

const CONSTRAINT_COLUMNS: Record<string, string> = {
  policies_pkey: 'policy_no',
  policies_product_code_foreign: 'product_code',
  policies_agent_code_foreign: 'agent_code',
  policies_branch_code_foreign: 'branch_code',
  customers_id_type_id_no_hash_unique: 'holder_id_no',
  mandates_one_active: 'account_no',
  premium_dues_policy_no_due_date_unique: 'next_due_date',
  premium_dues_amount_positive: 'premium',
  agents_pkey: 'agent_code',
  agents_branch_code_foreign: 'branch_code',
  teams_branch_code_foreign: 'branch_code',
  products_pkey: 'product_code',
};

const SQLSTATE_REASONS: Record<string, string> = {
  '22001': 'a value is longer than the database allows',
  '22003': 'a number is out of the range the database allows',
  '23502': 'a required value is missing',
  '23503': 'refers to a record that does not exist',
  '23505': 'duplicates a record already stored',
  '23514': 'fails a database check',
};

/** The column and reason for a row the database refused. pg messages and details can quote values: neither is used. */
function databaseRefusal(error: unknown): { column: string; reason: string } {
  const pgError = error as { code?: string; constraint?: string; column?: string };
  const column = (pgError.constraint && CONSTRAINT_COLUMNS[pgError.constraint]) ?? pgError.column ?? '(row)';
  const reason = (pgError.code && SQLSTATE_REASONS[pgError.code]) ?? `the database refused the row (${pgError.code ?? 'error'})`;
  return { column, reason: pgError.constraint ? `${reason} (${pgError.constraint})` : reason };
}

// ---- bulk statements: one array parameter per column, whatever the batch size ----

type Cell = string | number | boolean | null;

/** A PostgreSQL array literal: every element quoted, so any text (commas, quotes, braces) is safe. */
export function pgArray(values: readonly Cell[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

function arrayElement(value: Cell): string {
  if (value === null) return 'NULL';
  const text = String(value);
  return text.includes('"') || text.includes('\\') ? `"${text.replace(/[\\"]/g, '\\$&')}"` : `"${text}"`;
}

/** `unnest(?::type[], …)` for the given column types, with its bindings, for rows as arrays of cells. */
export function unnestOf(types: readonly string[], rows: readonly (readonly Cell[])[]): { sql: string; bindings: string[] } {
  return {
    sql: `unnest(${types.map((type) => `?::${type}[]`).join(', ')})`,
    bindings: types.map((_, i) => pgArray(rows.map((row) => row[i] ?? null))),
  };
}

/** INSERT … SELECT * FROM unnest(…) for columns given as [name, type] pairs; `tail` adds ON CONFLICT / RETURNING. */
export async function insertRows<R = unknown>(
  trx: Knex.Transaction,
  table: string,
  columns: readonly (readonly [string, string])[],
  rows: readonly (readonly Cell[])[],
  tail = '',
): Promise<R[]> {
  if (rows.length === 0) return [];
  const source = unnestOf(
    columns.map(([, type]) => type),
    rows,
  );
  const result = await trx.raw<{ rows: R[] }>(
    `INSERT INTO ${table} (${columns.map(([name]) => name).join(', ')}) SELECT * FROM ${source.sql} ${tail}`,
    source.bindings,
  );
  return result.rows;
}

/** Creates the branches rows refer to, named by their code, when they do not exist yet. */
export async function ensureBranches(trx: Knex.Transaction, codes: Iterable<string>): Promise<void> {
  await insertRows(trx, 'branches', [['code', 'text'], ['name', 'text']], [...new Set(codes)].sort().map((code) => [code, code]), 'ON CONFLICT (code) DO NOTHING');
}

/** The fingerprints stored for these keys (what each row was last imported from). */
export async function storedFingerprints(trx: Knex, kind: ImportKind, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await trx('import_fingerprints').where({ kind }).whereRaw('row_key = any(?::text[])', [pgArray(keys)]).select<{ row_key: string; fingerprint: string }[]>('row_key', 'fingerprint');
  return new Map(rows.map((r) => [r.row_key, r.fingerprint]));
}

/** Stored with the id of the key that computed them, so a key rotation can drop the ones no key computes any more. */
export async function saveFingerprints(trx: Knex.Transaction, cipher: PiiCipher, kind: ImportKind, runId: number, prints: readonly (readonly [string, string])[]): Promise<void> {
  await insertRows(
    trx,
    'import_fingerprints',
    [['kind', 'import_kind'], ['row_key', 'text'], ['fingerprint', 'text'], ['import_run_id', 'bigint'], ['key_id', 'text']],
    prints.map(([key, print]) => [kind, key, print, runId, cipher.currentKeyId]),
    'ON CONFLICT (kind, row_key) DO UPDATE SET fingerprint = excluded.fingerprint, import_run_id = excluded.import_run_id, key_id = excluded.key_id',
  );
}

/** Keyed hash of a validated record: the same row imports to the same fingerprint, other rows never do. */
export function fingerprintOf(cipher: PiiCipher, record: object): string {
  return cipher.hash(JSON.stringify(record));
}

// ---- products.csv ----

interface StoredProduct {
  code: string;
  name: string;
  grace_days: number;
  reinstatement_years: number;
  plan_code: string;
}

/** The plan codes a product or policy may name: every stored plan, and the built-in standard-60. */
export async function knownPlanCodes(trx: Knex.Transaction): Promise<Set<string>> {
  const stored = await trx('collection_plans').distinct('code').pluck<string[]>('code');
  return new Set([STANDARD_60.code, ...stored]);
}

/**
 * Products carry no personal data: compared column by column, written only when something differs.
 * A product naming a plan that is not stored is rejected (it would otherwise run standard-60 unseen).
 */
export async function writeProducts(trx: Knex.Transaction, allRows: readonly PendingRow<ProductRecord>[]): Promise<BatchOutcome> {
  const plans = await knownPlanCodes(trx);
  const rejected: RejectedRow[] = [];
  const rows = allRows.filter(({ rowNo, record }) => {
    if (plans.has(record.planCode)) return true;
    rejected.push({ row: rowNo, column: 'plan_code', reason: 'plan_code is not a stored collection plan (store the plan first, or leave plan_code empty for standard-60)' });
    return false;
  });
  const codes = rows.map((r) => r.record.code);
  const stored = new Map(
    (await trx('products').whereRaw('code = any(?::text[])', [pgArray(codes)]).select<StoredProduct[]>('code', 'name', 'grace_days', 'reinstatement_years', 'plan_code')).map((p) => [p.code, p]),
  );
  const outcomes: RowOutcome[] = [];
  const fresh: ProductRecord[] = [];
  for (const { record } of rows) {
    const columns = { name: record.name, grace_days: record.graceDays, reinstatement_years: record.reinstatementYears, plan_code: record.planCode };
    const existing = stored.get(record.code);
    if (!existing) {
      fresh.push(record);
      outcomes.push('inserted');
    } else if (differs(existing, columns)) {
      await trx('products').where({ code: record.code }).update(columns);
      outcomes.push('updated');
    } else {
      outcomes.push('unchanged');
    }
  }
  await insertRows(
    trx,
    'products',
    [['code', 'text'], ['name', 'text'], ['grace_days', 'int'], ['reinstatement_years', 'int'], ['plan_code', 'text']],
    fresh.map((p) => [p.code, p.name, p.graceDays, p.reinstatementYears, p.planCode]),
  );
  return { outcomes, rejected };
}

/** True when any of `wanted`'s columns differs from the stored row. */
export function differs(stored: object, wanted: Record<string, Cell>): boolean {
  const row = stored as Record<string, unknown>;
  return Object.entries(wanted).some(([column, value]) => (row[column] ?? null) !== value);
}

// ---- agents.csv ----

interface StoredAgent {
  code: string;
  name_enc: string;
  mobile_hash: string | null;
  team_code: string;
  branch_code: string;
  status: 'active' | 'departed';
  leader_code: string | null;
}

/** An agent row ready to write: its fingerprint and keyed hash, and its personal data sealed (docs/architecture.md#imports). */
export interface PreparedAgent extends PendingRow<AgentRecord> {
  print: string;
  mobileHash: string | null;
  /** Ciphertexts of name and mobile; left out for a row that looked unchanged, and sealed on demand if it was not. */
  sealed?: { name: string; mobile: string | null };
}

/**
 * The pure work on agent rows, done before their transaction: fingerprints, hashes and encryption.
 * Rows whose fingerprint matches the stored one (committed data, read without the transaction) are
 * not encrypted: a re-import encrypts nothing.
 */
export async function prepareAgents(db: Knex, cipher: PiiCipher, rows: readonly PendingRow<AgentRecord>[]): Promise<PreparedAgent[]> {
  const prints = await storedFingerprints(
    db,
    'agents',
    rows.map((r) => r.record.code),
  );
  return rows.map((row) => {
    const print = fingerprintOf(cipher, row.record);
    const prepared: PreparedAgent = { ...row, print, mobileHash: row.record.mobile && cipher.hash(row.record.mobile) };
    if (prints.get(row.record.code) !== print) sealAgent(cipher, prepared);
    return prepared;
  });
}

function sealAgent(cipher: PiiCipher, agent: PreparedAgent): NonNullable<PreparedAgent['sealed']> {
  agent.sealed ??= { name: cipher.encrypt(agent.record.name), mobile: agent.record.mobile && cipher.encrypt(agent.record.mobile) };
  return agent.sealed;
}

/**
 * Agents with their teams and branches (created on demand, named by their code). Name and mobile
 * are personal data: encrypted and masked; an unchanged row is recognised by its fingerprint.
 */
export async function writeAgents(trx: Knex.Transaction, cipher: PiiCipher, runId: number, rows: readonly PreparedAgent[]): Promise<BatchOutcome> {
  const codes = rows.map((r) => r.record.code);
  const prints = await storedFingerprints(trx, 'agents', codes);
  const stored = new Map(
    (
      await trx('agents')
        .whereRaw('code = any(?::text[])', [pgArray(codes)])
        .select<StoredAgent[]>('code', 'name_enc', 'mobile_hash', 'team_code', 'branch_code', 'status', 'leader_code')
    ).map((a) => [a.code, a]),
  );

  const outcomes: RowOutcome[] = [];
  const fresh: PreparedAgent[] = [];
  const changed: [PreparedAgent, StoredAgent][] = [];
  const newPrints: [string, string][] = [];
  for (const row of rows) {
    const { record, print } = row;
    const existing = stored.get(record.code);
    if (existing && prints.get(record.code) === print) continue;
    newPrints.push([record.code, print]);
    if (existing) changed.push([row, existing]);
    else fresh.push(row);
  }

  const work = [...fresh, ...changed.map(([r]) => r)].map((r) => r.record);
  await ensureBranches(
    trx,
    work.map((a) => a.branchCode),
  );
  // A team takes its branch and leader from the first of its agents seen; a known leader is kept.
  const teams = new Map<string, AgentRecord>();
  for (const agent of work) if (!teams.get(agent.teamCode)?.leaderCode) teams.set(agent.teamCode, agent);
  await insertRows(
    trx,
    'teams',
    [['code', 'text'], ['branch_code', 'text'], ['leader_code', 'text']],
    [...teams.values()].map((a) => [a.teamCode, a.branchCode, a.leaderCode]),
    'ON CONFLICT (code) DO UPDATE SET leader_code = excluded.leader_code WHERE teams.leader_code IS NULL AND excluded.leader_code IS NOT NULL',
  );

  await insertRows(
    trx,
    'agents',
    [
      ['code', 'text'],
      ['name_masked', 'text'],
      ['name_enc', 'text'],
      ['mobile_masked', 'text'],
      ['mobile_enc', 'text'],
      ['mobile_hash', 'text'],
      ['team_code', 'text'],
      ['branch_code', 'text'],
      ['status', 'agent_status'],
      ['leader_code', 'text'],
    ],
    fresh.map((row) => {
      const { record: a, mobileHash } = row;
      const sealed = sealAgent(cipher, row);
      return [a.code, maskName(a.name), sealed.name, a.mobile && maskMobile(a.mobile), sealed.mobile, mobileHash, a.teamCode, a.branchCode, a.status, a.leaderCode];
    }),
  );

  const updated = new Set<string>();
  for (const [row, existing] of changed) {
    const { record: agent, mobileHash } = row;
    const change: Record<string, unknown> = {};
    const plain = { team_code: agent.teamCode, branch_code: agent.branchCode, status: agent.status, leader_code: agent.leaderCode };
    for (const [column, value] of Object.entries(plain)) if ((existing as unknown as Record<string, unknown>)[column] !== value) change[column] = value;
    if (cipher.decrypt(existing.name_enc, { table: 'agents', id: existing.code }) !== agent.name) Object.assign(change, { name_masked: maskName(agent.name), name_enc: sealAgent(cipher, row).name });
    if (existing.mobile_hash !== mobileHash) {
      Object.assign(change, {
        mobile_masked: agent.mobile && maskMobile(agent.mobile),
        mobile_enc: sealAgent(cipher, row).mobile,
        mobile_hash: mobileHash,
      });
    }
    if (Object.keys(change).length === 0) continue;
    await trx('agents')
      .where({ code: agent.code })
      .update({ ...change, updated_at: trx.fn.now() });
    updated.add(agent.code);
  }
  await saveFingerprints(trx, cipher, 'agents', runId, newPrints);

  const freshCodes = new Set(fresh.map((a) => a.record.code));
  for (const { record } of rows) outcomes.push(freshCodes.has(record.code) ? 'inserted' : updated.has(record.code) ? 'updated' : 'unchanged');
  return { outcomes, rejected: [] };
}
