import type { Knex } from 'knex';
import type { ContactPointType } from '../../domain/channels';
import type { PolicyRecord } from '../../domain/import-rows';
import { postalBlock } from '../../domain/letters';
import { maskEmail, maskMobile, maskName, maskNumber, maskOpenId, maskPostalAddress } from '../../domain/masking';
import { accountIndexInput } from '../personal-data-columns';
import type { PiiCipher } from '../pii-cipher';
import {
  differs,
  ensureBranches,
  fingerprintOf,
  insertRows,
  knownPlanCodes,
  pgArray,
  saveFingerprints,
  storedFingerprints,
  unnestOf,
  type BatchOutcome,
  type PendingRow,
  type RejectedRow,
  type RowOutcome,
} from './import';
import type { PremiumHistory } from '../../domain/segments';
import { clearLostContact } from './contacts';
import { policyColumns } from './policies';

const POLICY_INSERT: readonly (readonly [string, string])[] = [
  ['policy_no', 'text'],
  ['product_code', 'text'],
  ['channel', 'sales_channel'],
  ['branch_code', 'text'],
  ['agent_code', 'text'],
  ['holder_customer_id', 'bigint'],
  ['preferred_channel', 'contact_channel'],
  ['issue_date', 'date'],
  ['payment_frequency', 'payment_frequency'],
  ['premium_fen', 'bigint'],
  ['next_due_date', 'date'],
  ['next_installment_no', 'int'],
  ['apl_elected', 'boolean'],
  ['cash_value_fen', 'bigint'],
  ['status', 'policy_status'],
  ['segment', 'text'],
  ['segment_source', 'text'],
  ['plan_code', 'text'],
];

type StoredPolicy = ReturnType<typeof policyColumns> & { policy_no: string };

interface StoredCustomer {
  id: number;
  id_type: string;
  id_no_hash: string;
  name_enc: string;
  birth_date: string | null;
}

/** A contact point a policy row gives its holder: type, its mask, keyed hash and ciphertext. */
interface GivenPoint {
  type: ContactPointType;
  masked: string;
  hash: string;
  sealed: string;
}

/**
 * A policy row ready to write: what can be computed from the row alone is computed before its
 * transaction (docs/architecture.md#imports): fingerprint, keyed hashes, masks and ciphertexts.
 */
export interface PreparedPolicy extends PendingRow<PolicyRecord> {
  print: string;
  /** The holder's identity: ID type / keyed hash of the ID number (customers are deduplicated by it). */
  customerKey: string;
  /** Ciphertexts, the other hashes and masks; left out for a row that looked unchanged, and made on demand if it was not after all. */
  sealed?: SealedPolicy;
}

interface SealedPolicy {
  holderName: string;
  holderIdNo: string;
  accountNo: string;
  accountName: string;
  accountHash: string;
  points: GivenPoint[];
}

/**
 * The pure work on policy rows, done before their transaction so that only SQL runs inside it:
 * fingerprints, keyed hashes, masks and encryption. Rows whose fingerprint matches the stored one
 * (committed data, read here without the transaction; the write reads it again) are not encrypted:
 * a re-import encrypts nothing.
 */
export async function preparePolicies(db: Knex, cipher: PiiCipher, rows: readonly PendingRow<PolicyRecord>[]): Promise<PreparedPolicy[]> {
  const prints = await storedFingerprints(
    db,
    'policies',
    rows.map((r) => r.record.policyNo),
  );
  return rows.map((row) => {
    const r = row.record;
    const print = fingerprintOf(cipher, r);
    // The holder's key is wanted even for a row that looks unchanged: batches are kept apart by it.
    const prepared: PreparedPolicy = { ...row, print, customerKey: `${r.holderIdType}/${cipher.hash(r.holderIdNo)}` };
    if (prints.get(r.policyNo) !== print) sealPolicy(cipher, prepared);
    return prepared;
  });
}

function sealPolicy(cipher: PiiCipher, p: PreparedPolicy): SealedPolicy {
  if (!p.sealed) {
    const r = p.record;
    const given: [ContactPointType, string | null, string | undefined][] = [
      ['mobile', r.holderMobile, r.holderMobile === null ? undefined : maskMobile(r.holderMobile)],
      ['email', r.holderEmail, r.holderEmail === null ? undefined : maskEmail(r.holderEmail)],
      ['wechat', r.holderWechatOpenId, r.holderWechatOpenId === null ? undefined : maskOpenId(r.holderWechatOpenId)],
      // The letter's postal block: name over address; masked as the address.
      ['postal', r.holderPostalAddress ? postalBlock(r.holderName, r.holderPostalAddress) : null, r.holderPostalAddress && maskPostalAddress(r.holderPostalAddress)],
    ];
    p.sealed = {
      holderName: cipher.encrypt(r.holderName),
      holderIdNo: cipher.encrypt(r.holderIdNo),
      accountNo: cipher.encrypt(r.accountNo),
      accountName: cipher.encrypt(r.accountName),
      accountHash: cipher.hash(accountIndexInput(r.bankCode, r.accountNo)),
      points: given.flatMap(([type, value, masked]) => (value === null || masked === undefined ? [] : [{ type, masked, hash: cipher.hash(value), sealed: cipher.encrypt(value) }])),
    };
  }
  return p.sealed;
}

interface Work {
  prepared: PreparedPolicy;
  rowNo: number;
  record: PolicyRecord;
  existing: StoredPolicy | undefined;
  customerKey: string;
  /** The policy's earlier premiums, for the segment rule when the file gives no segment. */
  history: PremiumHistory[];
  /** Something was written for this row (decides "updated" vs "unchanged" for a known policy). */
  wrote: boolean;
}

/**
 * Writes a batch of validated policies inside the caller's transaction, each with its holder
 * (customers, deduplicated by ID type + keyed hash of the ID number), contact points, mandate and
 * next premium due. A row naming an unknown product, agent or collection plan is rejected without
 * being written. The segment is the file's or computed (domain/segments.ts) from the row and the
 * policy's earlier premiums.
 * A row whose fingerprint matches the one stored by the last import is left alone entirely; a
 * changed row writes only what differs (a new account replaces the active mandate, a new mobile
 * becomes the newest contact point). Rows must have distinct policy numbers.
 */
export async function writePolicies(trx: Knex.Transaction, cipher: PiiCipher, runId: number, rows: readonly PreparedPolicy[]): Promise<BatchOutcome> {
  const rejected: RejectedRow[] = [];
  const known = await knownReferences(trx, rows);
  const accepted = rows.filter(({ rowNo, record }) => {
    if (!known.products.has(record.productCode)) {
      rejected.push({ row: rowNo, column: 'product_code', reason: 'product_code is not a known product (import products.csv first)' });
      return false;
    }
    if (record.agentCode !== null && !known.agents.has(record.agentCode)) {
      rejected.push({ row: rowNo, column: 'agent_code', reason: 'agent_code is not a known agent (import agents.csv first)' });
      return false;
    }
    if (record.planCode !== undefined && !known.plans.has(record.planCode)) {
      rejected.push({ row: rowNo, column: 'plan_code', reason: 'plan_code is not a stored collection plan (store the plan first, or leave plan_code empty for the product’s)' });
      return false;
    }
    return true;
  });

  const policyNos = accepted.map((r) => r.record.policyNo);
  const prints = await storedFingerprints(trx, 'policies', policyNos);
  const stored = new Map(
    (
      await trx('policies')
        .whereRaw('policy_no = any(?::text[])', [pgArray(policyNos)])
        .select<StoredPolicy[]>('policy_no', ...POLICY_INSERT.slice(1).map(([name]) => name))
    ).map((p) => [p.policy_no, p]),
  );

  const outcomes: RowOutcome[] = [];
  const work: Work[] = [];
  const newPrints: [string, string][] = [];
  for (const prepared of accepted) {
    const { rowNo, record, print, customerKey } = prepared;
    const existing = stored.get(record.policyNo);
    if (existing && prints.get(record.policyNo) === print) {
      outcomes.push('unchanged');
      continue;
    }
    newPrints.push([record.policyNo, print]);
    work.push({ prepared, rowNo, record, existing, customerKey, history: [], wrote: false });
  }
  if (work.length === 0) return { outcomes, rejected };
  await loadPremiumHistory(trx, work);

  await ensureBranches(
    trx,
    work.map((w) => w.record.branchCode),
  );
  const customers = await writeHolders(trx, cipher, work);
  await writeContactPoints(trx, cipher, work, customers);
  await writePolicyRows(trx, work, customers);
  await writeMandates(trx, cipher, work);
  await writePremiumDues(trx, work);
  await saveFingerprints(trx, cipher, 'policies', runId, newPrints);

  for (const w of work) outcomes.push(!w.existing ? 'inserted' : w.wrote ? 'updated' : 'unchanged');
  return { outcomes, rejected };
}

async function knownReferences(trx: Knex.Transaction, rows: readonly PreparedPolicy[]): Promise<{ products: Set<string>; agents: Set<string>; plans: Set<string> }> {
  const productCodes = [...new Set(rows.map((r) => r.record.productCode))];
  const agentCodes = [...new Set(rows.flatMap((r) => (r.record.agentCode ? [r.record.agentCode] : [])))];
  const products = await trx('products').whereRaw('code = any(?::text[])', [pgArray(productCodes)]).pluck<string[]>('code');
  const agents = agentCodes.length ? await trx('agents').whereRaw('code = any(?::text[])', [pgArray(agentCodes)]).pluck<string[]>('code') : [];
  const plans = rows.some((r) => r.record.planCode !== undefined) ? await knownPlanCodes(trx) : new Set<string>();
  return { products: new Set(products), agents: new Set(agents), plans };
}

/** The earlier premiums of the known policies among `work` (the segment rule's payment history). */
async function loadPremiumHistory(trx: Knex.Transaction, work: Work[]): Promise<void> {
  const known = work.filter((w) => w.existing && w.record.segment === undefined);
  if (known.length === 0) return;
  const rows = await trx('premium_dues')
    .whereRaw('policy_no = any(?::text[])', [pgArray(known.map((w) => w.record.policyNo))])
    .select<{ policy_no: string; due_date: string; paid_on: string | null; lapsed: boolean }[]>(
      'policy_no',
      trx.raw(`to_char(due_date, 'YYYY-MM-DD') as due_date`),
      trx.raw(`to_char(paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') as paid_on`),
      trx.raw(`status = 'lapsed' as lapsed`),
    );
  const byPolicy = new Map(known.map((w) => [w.record.policyNo, w]));
  for (const r of rows) byPolicy.get(r.policy_no)!.history.push({ dueDate: r.due_date, paidOn: r.paid_on, lapsed: r.lapsed });
}

interface Holders {
  /** customer key (ID type / keyed hash) → customer id */
  ids: Map<string, number>;
  /** customers that existed before this batch (their contact points must be looked up) */
  preExisting: Set<number>;
}

/** Finds or creates each holder; a known holder whose name or birth date changed is updated. */
async function writeHolders(trx: Knex.Transaction, cipher: PiiCipher, work: Work[]): Promise<Holders> {
  const byKey = new Map<string, Work[]>();
  for (const w of work) byKey.set(w.customerKey, [...(byKey.get(w.customerKey) ?? []), w]);
  const keys = [...byKey.keys()].map((key) => key.split('/') as [string, string]);
  // Both columns as arrays, so the (id_type, id_no_hash) index serves the look-up; exact pairs are matched below.
  const candidates = await trx('customers')
    .whereRaw('id_type = any(?::text[]) AND id_no_hash = any(?::text[])', [pgArray([...new Set(keys.map(([type]) => type))]), pgArray(keys.map(([, hash]) => hash))])
    .select<StoredCustomer[]>('id', 'id_type', 'id_no_hash', 'name_enc', 'birth_date');
  const found = { rows: candidates.filter((c) => byKey.has(`${c.id_type}/${c.id_no_hash}`)) };
  const ids = new Map<string, number>();
  const preExisting = new Set<number>();
  // In id order, so two transactions updating the same holders take their row locks in one order.
  found.rows.sort((a, b) => a.id - b.id);
  for (const customer of found.rows) {
    const key = `${customer.id_type}/${customer.id_no_hash}`;
    ids.set(key, customer.id);
    preExisting.add(customer.id);
    // The first row of the batch for this holder speaks for them.
    const first = byKey.get(key)![0]!;
    const change: Record<string, unknown> = {};
    if (cipher.decrypt(customer.name_enc, { table: 'customers', id: customer.id }) !== first.record.holderName) {
      Object.assign(change, { name_masked: maskName(first.record.holderName), name_enc: sealPolicy(cipher, first.prepared).holderName });
    }
    if (first.record.holderBirthDate !== null && first.record.holderBirthDate !== customer.birth_date) change.birth_date = first.record.holderBirthDate;
    if (Object.keys(change).length > 0) {
      await trx('customers')
        .where({ id: customer.id })
        .update({ ...change, updated_at: trx.fn.now() });
      for (const w of byKey.get(key)!) w.wrote = true;
    }
  }

  // In key order: two transactions inserting the same new holders wait for each other in one direction only.
  const missing = [...byKey.entries()].filter(([key]) => !ids.has(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const inserted = await insertRows<{ id: number; id_type: string; id_no_hash: string }>(
    trx,
    'customers',
    [
      ['name_masked', 'text'],
      ['name_enc', 'text'],
      ['id_type', 'text'],
      ['id_no_masked', 'text'],
      ['id_no_enc', 'text'],
      ['id_no_hash', 'text'],
      ['birth_date', 'date'],
    ],
    missing.map(([key, [first]]) => {
      const record = first!.record;
      const sealed = sealPolicy(cipher, first!.prepared);
      return [maskName(record.holderName), sealed.holderName, record.holderIdType, maskNumber(record.holderIdNo), sealed.holderIdNo, key.slice(key.indexOf('/') + 1), record.holderBirthDate];
    }),
    'ON CONFLICT (id_type, id_no_hash) DO NOTHING RETURNING id, id_type, id_no_hash',
  );
  for (const c of inserted) ids.set(`${c.id_type}/${c.id_no_hash}`, c.id);
  for (const [key, rows] of missing) {
    // Inserted by someone else between our look-up and our insert: a known holder after all.
    if (!ids.has(key)) {
      const [type, hash] = key.split('/') as [string, string];
      const { id } = await trx('customers').where({ id_type: type, id_no_hash: hash }).first<{ id: number }>('id');
      ids.set(key, id);
      preExisting.add(id);
    }
    for (const w of rows) w.wrote = true;
  }
  return { ids, preExisting };
}

/**
 * The holder's mobile, email and openid from the file, verified by that source. A point already on
 * file but not the newest of its type is touched, so the file's current point is the one used.
 */
async function writeContactPoints(trx: Knex.Transaction, cipher: PiiCipher, work: Work[], holders: Holders): Promise<void> {
  type Point = { customerId: number; type: ContactPointType; masked: string; hash: string; sealed: string; rows: Work[] };
  const points = new Map<string, Point>();
  for (const w of work) {
    const customerId = holders.ids.get(w.customerKey)!;
    for (const { type, masked, hash, sealed } of sealPolicy(cipher, w.prepared).points) {
      const key = `${customerId}/${type}/${hash}`;
      const point = points.get(key);
      if (point) point.rows.push(w);
      else points.set(key, { customerId, type, masked, hash, sealed, rows: [w] });
    }
  }

  const known = holders.preExisting.size
    ? await trx('contact_points')
        .whereRaw('customer_id = any(?::bigint[])', [pgArray([...holders.preExisting])])
        .select<{ id: number; customer_id: number; type: Point['type']; value_hash: string; updated_at: Date }[]>('id', 'customer_id', 'type', 'value_hash', 'updated_at')
    : [];
  const newest = new Map<string, number>();
  for (const k of known) {
    const slot = `${k.customer_id}/${k.type}`;
    newest.set(slot, Math.max(newest.get(slot) ?? 0, k.updated_at.getTime()));
  }
  const knownByKey = new Map(known.map((k) => [`${k.customer_id}/${k.type}/${k.value_hash}`, k]));

  const verifiedAt = new Date().toISOString();
  const toInsert: Point[] = [];
  const toTouch: number[] = [];
  for (const [key, point] of points) {
    const existing = knownByKey.get(key);
    if (!existing) toInsert.push(point);
    else if (existing.updated_at.getTime() < newest.get(`${point.customerId}/${point.type}`)!) toTouch.push(existing.id);
    else continue;
    for (const w of point.rows) w.wrote = true;
  }
  await insertRows(
    trx,
    'contact_points',
    [
      ['customer_id', 'bigint'],
      ['type', 'contact_point_type'],
      ['value_masked', 'text'],
      ['value_enc', 'text'],
      ['value_hash', 'text'],
      ['status', 'contact_point_status'],
      ['source', 'text'],
      ['verified_at', 'timestamptz'],
    ],
    toInsert.map((p) => [p.customerId, p.type, p.masked, p.sealed, p.hash, 'valid', 'policy_file', verifiedAt]),
    // Points from the policy file were given by the policyholder at issue: verified by that source.
    'ON CONFLICT (customer_id, type, value_hash) DO NOTHING',
  );
  if (toTouch.length > 0) await trx.raw('UPDATE contact_points SET updated_at = now() WHERE id = any(?::bigint[])', [pgArray(toTouch.sort((a, b) => a - b))]);
  // A holder given a valid number again is no longer lost contact (docs/business-rules.md#tasks-that-act).
  await clearLostContact(trx, [...points.values()].map((p) => p.customerId));
}

async function writePolicyRows(trx: Knex.Transaction, work: Work[], holders: Holders): Promise<void> {
  const fresh = work.filter((w) => !w.existing);
  await insertRows(
    trx,
    'policies',
    POLICY_INSERT,
    fresh.map((w) => {
      const columns: Record<string, string | number | boolean | null> = policyColumns(w.record, holders.ids.get(w.customerKey)!, w.history);
      return [w.record.policyNo, ...POLICY_INSERT.slice(1).map(([name]) => columns[name] ?? null)];
    }),
  );
  for (const w of work) {
    if (!w.existing) continue;
    const columns = policyColumns(w.record, holders.ids.get(w.customerKey)!, w.history);
    if (!differs(w.existing, columns)) continue;
    await trx('policies')
      .where({ policy_no: w.record.policyNo })
      .update({ ...columns, updated_at: trx.fn.now() });
    w.wrote = true;
  }
}

/** A new policy gets its mandate; a known one keeps it unless bank, account or account name changed. */
async function writeMandates(trx: Knex.Transaction, cipher: PiiCipher, work: Work[]): Promise<void> {
  const known = work.filter((w) => w.existing).map((w) => w.record.policyNo);
  const active = new Map(
    (known.length
      ? await trx('mandates')
          .where({ status: 'active' })
          .whereRaw('policy_no = any(?::text[])', [pgArray(known)])
          .select<{ id: number; policy_no: string; bank_code: string; account_hash: string; account_name_enc: string }[]>('id', 'policy_no', 'bank_code', 'account_hash', 'account_name_enc')
      : []
    ).map((m) => [m.policy_no, m]),
  );
  const replace: Work[] = [];
  for (const w of work) {
    const current = active.get(w.record.policyNo);
    if (current && current.bank_code === w.record.bankCode && current.account_hash === sealPolicy(cipher, w.prepared).accountHash && cipher.decrypt(current.account_name_enc, { table: 'mandates', id: current.id }) === w.record.accountName) {
      continue;
    }
    replace.push(w);
    if (w.existing) w.wrote = true;
  }
  const replaced = replace.filter((w) => w.existing).map((w) => w.record.policyNo);
  if (replaced.length > 0) {
    await trx.raw(`UPDATE mandates SET status = 'replaced' WHERE status = 'active' AND policy_no = any(?::text[])`, [pgArray(replaced)]);
  }
  await insertRows(
    trx,
    'mandates',
    [
      ['policy_no', 'text'],
      ['bank_code', 'text'],
      ['account_masked', 'text'],
      ['account_enc', 'text'],
      ['account_hash', 'text'],
      ['account_name_masked', 'text'],
      ['account_name_enc', 'text'],
    ],
    replace.map(({ record: r, prepared }) => {
      const sealed = sealPolicy(cipher, prepared);
      return [r.policyNo, r.bankCode, maskNumber(r.accountNo), sealed.accountNo, sealed.accountHash, maskName(r.accountName), sealed.accountName];
    }),
  );
}

/**
 * The next premium due. A due the file changed (amount, installment) is corrected only while no
 * cycle has started on it; once a cycle runs, the workflow owns it.
 */
async function writePremiumDues(trx: Knex.Transaction, work: Work[]): Promise<void> {
  const dues = work.map(({ record: r }) => [r.policyNo, r.nextDueDate, r.installmentNo, r.premiumFen] as const);
  const types = ['text', 'date', 'int', 'bigint'];
  const created = await insertRows<{ policy_no: string }>(
    trx,
    'premium_dues',
    [
      ['policy_no', 'text'],
      ['due_date', 'date'],
      ['installment_no', 'int'],
      ['amount_fen', 'bigint'],
    ],
    dues,
    'ON CONFLICT (policy_no, due_date) DO NOTHING RETURNING policy_no',
  );
  const touched = new Set(created.map((d) => d.policy_no));
  const known = work.filter((w) => w.existing);
  if (known.length > 0) {
    const source = unnestOf(
      types,
      known.map(({ record: r }) => [r.policyNo, r.nextDueDate, r.installmentNo, r.premiumFen]),
    );
    const corrected = await trx.raw<{ rows: { policy_no: string }[] }>(
      `UPDATE premium_dues d SET installment_no = v.installment_no, amount_fen = v.amount_fen, updated_at = now()
         FROM (SELECT * FROM ${source.sql}) AS v(policy_no, due_date, installment_no, amount_fen)
        WHERE d.policy_no = v.policy_no AND d.due_date = v.due_date AND d.status = 'due' AND d.workflow_id IS NULL
          AND (d.installment_no, d.amount_fen) IS DISTINCT FROM (v.installment_no, v.amount_fen)
        RETURNING d.policy_no`,
      source.bindings,
    );
    for (const d of corrected.rows) touched.add(d.policy_no);
  }
  for (const w of known) if (touched.has(w.record.policyNo)) w.wrote = true;
}
