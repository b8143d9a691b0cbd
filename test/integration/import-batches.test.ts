/**
 * The import's batches (docs/architecture.md#imports): encrypted before their transactions, policy batches written
 * at once when they share no holder, one import at a time, a stopped import that loses nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../application/import-files';
import type { Db } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { POLICY_COLUMNS } from '../../domain/import-columns';
import { residentIdCheckChar } from '../../domain/import-rows';
import { freshDatabase, type TestDatabase } from '../support/database';

const cipher = new PiiCipher('55'.repeat(32));
const fixture = (name: string) => join(__dirname, '../fixtures/import', name);
const POLICIES = 60;
const HOLDERS = 8;
const NUMERALS = '零一二三四五六七八九';

let dir: string;
let file: string;
const databases: TestDatabase[] = [];

/**
 * 60 policies of 8 holders; holder h owns every eighth row from h, so with batches of 5 each holder's
 * policies fall in batches next to each other, in flight at once but for the wait. Holder 5's rows from
 * the 40th on rename them; even holders give a new mobile from the 40th row on (the newest point);
 * every fourth row gives an email.
 */
function policiesCsv(): string {
  const lines = [POLICY_COLUMNS.join(',')];
  for (let i = 0; i < POLICIES; i++) {
    const h = i % HOLDERS;
    const name = h === 5 && i >= 40 ? '改名后' : `持有人${NUMERALS[h]}`;
    const mobile = i >= 40 && h % 2 === 0 ? `138${String(h).padStart(8, '0')}` : `139${String(h).padStart(8, '0')}`;
    lines.push(policyLine(i, h, { holder_name: name, account_name: name, holder_mobile: mobile, holder_email: i % 4 === 0 ? `h${h}.${i}@example.cn` : '' }));
  }
  return `${lines.join('\n')}\n`;
}

/** Policy `i` of holder `h`, with the given columns instead of the usual ones. */
function policyLine(i: number, h: number, given: Record<string, string> = {}): string {
  const body = `32010219800101${String(h).padStart(3, '0')}`;
  const values: Record<string, string> = {
    policy_no: `P9${String(i).padStart(9, '0')}`,
    product_code: ['WL20', 'CI10', 'EDU5'][i % 3]!,
    channel: 'agency',
    branch_code: i % 2 ? '3201' : '3203',
    agent_code: i % 5 ? 'A042' : '',
    holder_name: `持有人${NUMERALS[h % 10]}`,
    holder_id_type: 'ID',
    holder_id_no: body + residentIdCheckChar(body),
    holder_birth_date: '',
    holder_mobile: `139${String(h).padStart(8, '0')}`,
    holder_email: '',
    holder_wechat_openid: '',
    preferred_channel: '',
    issue_date: '2023-03-15',
    payment_frequency: 'annual',
    premium: String(1000 + i),
    next_due_date: '2026-03-15',
    installment_no: '4',
    bank_code: 'ICBC',
    account_no: `62220202${String(i).padStart(8, '0')}`,
    account_name: `持有人${NUMERALS[h % 10]}`,
    apl_elected: 'N',
    cash_value: '0',
    status: 'in_force',
    ...given,
  };
  return POLICY_COLUMNS.map((c) => values[c] ?? '').join(',');
}

async function database(): Promise<TestDatabase> {
  const t = await freshDatabase();
  databases.push(t);
  expect((await importFile(t.db, cipher, 'products', fixture('products.csv'))).rejected).toEqual([]);
  expect((await importFile(t.db, cipher, 'agents', fixture('agents.csv'))).rejected).toEqual([]);
  return t;
}

/** What the import decided, without ids, timestamps or ciphertexts (which differ between databases). */
async function outcome(db: Db) {
  const policies = await db('policies as p')
    .join('customers as c', 'c.id', 'p.holder_customer_id')
    .orderBy('p.policy_no')
    .select<{ policy_no: string; premium_fen: number; segment: string; id_no_hash: string; name_enc: string; birth_date: string }[]>('p.policy_no', 'p.premium_fen', 'p.segment', 'c.id_no_hash', 'c.name_enc', 'c.birth_date');
  const points = await db('contact_points as cp').join('customers as c', 'c.id', 'cp.customer_id').orderBy(['c.id_no_hash', 'cp.type', 'cp.value_hash']).select('c.id_no_hash', 'cp.type', 'cp.value_hash', 'cp.status');
  // The newest point of each type per holder: the one the contact steps use.
  const newest = await db.raw<{ rows: unknown[] }>(
    `SELECT DISTINCT ON (c.id_no_hash, cp.type) c.id_no_hash, cp.type, cp.value_hash
       FROM contact_points cp JOIN customers c ON c.id = cp.customer_id
      ORDER BY c.id_no_hash, cp.type, cp.updated_at DESC, cp.id DESC`,
  );
  return {
    customers: Number((await db('customers').count<{ n: string }[]>({ n: '*' }))[0]!.n),
    policies: policies.map(({ name_enc, ...p }) => ({ ...p, name: cipher.decrypt(name_enc) })),
    points,
    newest: newest.rows,
    mandates: await db('mandates').orderBy(['policy_no', 'id']).select('policy_no', 'status', 'account_hash'),
    dues: await db('premium_dues').orderBy('policy_no').select('policy_no', 'due_date', 'installment_no', 'amount_fen', 'status'),
    fingerprints: await db('import_fingerprints').where({ kind: 'policies' }).orderBy('row_key').select('row_key', 'fingerprint'),
  };
}

let sequential: Awaited<ReturnType<typeof outcome>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-batches-'));
  file = join(dir, 'policies.csv');
  await writeFile(file, policiesCsv());
  // The reference: the same batches, one at a time.
  const t = await database();
  const report = await importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 1 });
  expect(report).toMatchObject({ rows: POLICIES, inserted: POLICIES, rejected: [] });
  sequential = await outcome(t.db);
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await rm(dir, { recursive: true, force: true });
});

describe('policy batches written at once', () => {
  it('keep one customer per holder, the file order of holder changes, and report progress in order', async () => {
    const t = await database();
    const progress: number[] = [];
    const report = await importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 4, onProgress: (rows) => progress.push(rows) });
    expect(report).toMatchObject({ rows: POLICIES, inserted: POLICIES, updated: 0, unchanged: 0, rejected: [] });

    const parallel = await outcome(t.db);
    expect(parallel.customers).toBe(HOLDERS);
    expect(sequential.customers).toBe(HOLDERS);
    // Holder 5 was renamed by the file's last row for them; even holders' newest mobile is the 138… one.
    const holder5 = parallel.policies.find((p) => p.policy_no === 'P9000000005')!.id_no_hash;
    expect(new Set(parallel.policies.filter((p) => p.id_no_hash === holder5).map((p) => p.name))).toEqual(new Set(['改名后']));
    expect(parallel).toEqual(sequential);

    expect(progress.length).toBeGreaterThanOrEqual(POLICIES / 5);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(POLICIES);
  });

  it('a batch sharing a holder with one in flight waits for it, however slow: the file order of holder changes holds', async () => {
    const t = await database();
    // Batches of 2: holder 1 is named 甲, then 乙 in batch 2 (slowed down: its new branch takes a second), then 丁 in batch 3.
    const path = join(dir, 'renames.csv');
    const lines = [
      policyLine(100, 1, { holder_name: '甲' }),
      policyLine(101, 2),
      policyLine(102, 1, { holder_name: '乙', branch_code: '3299', holder_mobile: '13800000001' }),
      policyLine(103, 3),
      policyLine(104, 1, { holder_name: '丁', holder_mobile: '13700000001' }),
      policyLine(105, 4),
    ];
    await writeFile(path, `${[POLICY_COLUMNS.join(','), ...lines].join('\n')}\n`);
    await t.owner.raw(`
      CREATE FUNCTION test_slow_branch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.code = '3299' THEN PERFORM pg_sleep(1); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_slow_branch BEFORE INSERT ON branches FOR EACH ROW EXECUTE FUNCTION test_slow_branch();`);
    const report = await importFile(t.db, cipher, 'policies', path, { batchSize: 2, concurrency: 4 });
    expect(report).toMatchObject({ inserted: 6, rejected: [] });
    const holder = await t.db('policies as p').join('customers as c', 'c.id', 'p.holder_customer_id').where('p.policy_no', 'P9000000104').first('c.id', 'c.name_enc');
    expect(cipher.decrypt(holder.name_enc)).toBe('丁');
    const mobiles = await t.db('contact_points').where({ customer_id: holder.id, type: 'mobile' }).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).pluck('value_hash');
    expect(mobiles[0]).toBe(cipher.hash('13700000001'));
  });

  it('two imports at once take turns: the second finds the first one’s rows', async () => {
    const t = await database();
    const reports = await Promise.all([1, 2].map(() => importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 4 })));
    expect(reports.map((r) => [r.inserted, r.unchanged, r.rejected.length]).sort()).toEqual([
      [0, POLICIES, 0],
      [POLICIES, 0, 0],
    ]);
    expect(await outcome(t.db)).toEqual(sequential);
  });

  it('a row the database refuses is reported on its own; its batch-mates are written', async () => {
    const t = await database();
    await t.owner.raw(`
      CREATE FUNCTION test_refuse_due() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.policy_no = 'P9000000017' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_due BEFORE INSERT ON premium_dues FOR EACH ROW EXECUTE FUNCTION test_refuse_due();`);
    const report = await importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 4 });
    expect(report).toMatchObject({ inserted: POLICIES - 1, rejected: [{ row: 19, key: 'P9000000017', column: '(row)', reason: 'fails a database check' }] });
    expect(await t.db('policies').where({ policy_no: 'P9000000017' }).first()).toBeUndefined();
    expect(await t.db('policies').count({ n: '*' })).toEqual([{ n: POLICIES - 1 }]);
  });
});

describe('an import stopped halfway', () => {
  let t: TestDatabase;
  let storedBefore: number;

  beforeAll(async () => {
    t = await database();
    // The server cancels the statement writing one policy's premium due (as a timeout or an operator would).
    await t.owner.raw(`
      CREATE FUNCTION test_stop_import() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.policy_no = 'P9000000033' THEN RAISE EXCEPTION 'stopped' USING ERRCODE = 'query_canceled'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_stop_import BEFORE INSERT ON premium_dues FOR EACH ROW EXECUTE FUNCTION test_stop_import();`);
    await expect(importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 3 })).rejects.toMatchObject({ code: '57014' });
    storedBefore = Number((await t.db('policies').count<{ n: string }[]>({ n: '*' }))[0]!.n);
  });

  it('is recorded as failed, without row values', async () => {
    const run = await t.db('import_runs').where({ kind: 'policies' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ status: 'failed' });
    expect(run.failure).toMatch(/^import stopped: \w+ 57014$/);
  });

  it('keeps only whole policies: each stored one with its holder, contact points, mandate, due and fingerprint', async () => {
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(POLICIES);
    expect(await t.db('policies').where({ policy_no: 'P9000000033' }).first()).toBeUndefined();
    const partial = await outcome(t.db);
    const stored = new Set(partial.policies.map((p) => p.policy_no));
    expect(new Set(partial.mandates.map((m) => m.policy_no))).toEqual(stored);
    expect(new Set(partial.dues.map((d) => d.policy_no))).toEqual(stored);
    expect(new Set(partial.fingerprints.map((f) => f.row_key))).toEqual(stored);
    const holders = new Set(partial.policies.map((p) => p.id_no_hash));
    expect(new Set(partial.points.map((p) => p.id_no_hash))).toEqual(holders);
    // Nothing half-written: no customer without a policy.
    expect(partial.customers).toBe(holders.size);
  });

  it('a re-run completes it: the rest inserted, the rest unchanged, the same outcome as one clean import', async () => {
    await t.owner.raw('DROP TRIGGER test_stop_import ON premium_dues');
    const report = await importFile(t.db, cipher, 'policies', file, { batchSize: 5, concurrency: 3 });
    expect(report).toMatchObject({ rows: POLICIES, inserted: POLICIES - storedBefore, unchanged: storedBefore, updated: 0, rejected: [] });
    const after = await outcome(t.db);
    // Holder names and newest points follow batch order, which the stop changed for the holders it split:
    // compare everything else with the clean import, and those by their stored values.
    expect({ ...after, policies: after.policies.map(({ name: _n, ...p }) => p), newest: undefined }).toEqual({
      ...sequential,
      policies: sequential.policies.map(({ name: _n, ...p }) => p),
      newest: undefined,
    });
    expect(await t.db('import_runs').where({ kind: 'policies' }).orderBy('id', 'desc').first('status')).toEqual({ status: 'finished' });
  });
});
