import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile, ImportFileError, type ImportReport } from '../../application/import-files';
import { PiiCipher } from '../../db/pii-cipher';
import { CsvFile } from '../../integrations/import/csv-rows';
import { EncodingSniffer } from '../../integrations/import/encoding-sniffer';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';

const KEY = '22'.repeat(32);
const cipher = new PiiCipher(KEY);
const FIXTURES = join(__dirname, '../fixtures/import');
const fixture = (name: string) => join(FIXTURES, name);

let dir: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-test-'));
});
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await rm(dir, { recursive: true, force: true });
});

async function database(): Promise<TestDatabase> {
  const t = await freshDatabase();
  databases.push(t);
  return t;
}

async function importReferenceData(t: TestDatabase): Promise<void> {
  expect((await importFile(t.db, cipher, 'products', fixture('products.csv'))).rejected).toEqual([]);
  expect((await importFile(t.db, cipher, 'agents', fixture('agents.csv'))).rejected).toEqual([]);
}

/** Every row of the tables an import writes, in a stable order: to prove a re-import wrote nothing. */
type Rows = Record<string, unknown>[];

async function snapshot(t: TestDatabase): Promise<Record<string, Rows>> {
  const tables: [string, string][] = [
    ['branches', 'code'],
    ['teams', 'code'],
    ['products', 'code'],
    ['agents', 'code'],
    ['customers', 'id'],
    ['contact_points', 'id'],
    ['policies', 'policy_no'],
    ['mandates', 'id'],
    ['premium_dues', 'id'],
    ['import_fingerprints', 'row_key'],
  ];
  const result: Record<string, Rows> = {};
  for (const [table, order] of tables) result[table] = await t.db(table).orderBy(order).select();
  return result;
}

const withoutRejected = ({ rejected: _rejected, ...counts }: ImportReport) => counts;

describe('importing the good files (UTF-8)', () => {
  let t: TestDatabase;
  let first: ImportReport;

  beforeAll(async () => {
    t = await database();
    await importReferenceData(t);
    first = await importFile(t.db, cipher, 'policies', fixture('policies.csv'));
  });

  it('imports every row and reports the counts', () => {
    expect(first).toEqual({ kind: 'policies', file: fixture('policies.csv'), encoding: 'utf-8', rows: 5, inserted: 5, updated: 0, unchanged: 0, rejected: [], contactFlags: { flagged: 0, cleared: 0 } });
  });

  it('creates branches and teams named by their codes, products with defaults for empty columns', async () => {
    expect(await t.db('branches').orderBy('code').select('code', 'name')).toEqual([
      { code: '3201', name: '3201' },
      { code: '3202', name: '3202' },
    ]);
    expect(await t.db('teams').orderBy('code').select('code', 'branch_code', 'leader_code')).toEqual([
      { code: 'T01', branch_code: '3201', leader_code: 'L001' },
      { code: 'T02', branch_code: '3202', leader_code: null },
    ]);
    expect(await t.db('products').where({ code: 'EDU5' }).first()).toEqual({
      code: 'EDU5',
      name: 'Education annuity, 5-pay',
      grace_days: 60,
      reinstatement_years: 2,
      plan_code: 'standard-60',
      reinstatement_interest_bp: 500, // not in products.csv: the assumed default
    });
    const agent = await t.db('agents').where({ code: 'B007' }).first();
    expect(agent).toMatchObject({ name_masked: '周**', mobile_masked: '139****0007', team_code: 'T02', status: 'active', leader_code: null });
    expect(cipher.decrypt(agent.mobile_enc)).toBe('13900000007');
    expect(agent.mobile_hash).toBe(cipher.hash('13900000007'));
  });

  it('writes each policy with its holder, contact points, mandate and premium due; one customer per holder', async () => {
    expect(await t.db('policies').count({ n: '*' })).toEqual([{ n: 5 }]);
    // P…101 and P…105 share their holder (same ID number).
    const holders = await t.db('policies').whereIn('policy_no', ['P3201000101', 'P3201000105']).pluck('holder_customer_id');
    expect(new Set(holders).size).toBe(1);
    expect(await t.db('customers').count({ n: '*' })).toEqual([{ n: 4 }]);

    const p103 = await t.db('policies').where({ policy_no: 'P3201000103' }).first();
    expect(p103).toMatchObject({
      product_code: 'WL20',
      channel: 'bancassurance',
      branch_code: '3201',
      agent_code: null,
      preferred_channel: 'wechat',
      issue_date: '2024-04-01',
      payment_frequency: 'monthly',
      premium_fen: 45_050,
      next_due_date: '2026-03-01',
      next_installment_no: 24,
      apl_elected: false,
      cash_value_fen: 0,
      status: 'grace',
    });
    const points = await t.db('contact_points').where({ customer_id: p103.holder_customer_id }).orderBy('type').select();
    expect(points.map((p) => [p.type, p.value_masked, p.status, p.source])).toEqual([
      ['mobile', '139****0003', 'valid', 'policy_file'],
      ['email', 'z***@example.cn', 'valid', 'policy_file'],
      ['wechat', 'oAbC****', 'valid', 'policy_file'],
    ]);
    // "+86 139 1234 0003" is stored as the 11-digit number.
    expect(cipher.decrypt(points[0].value_enc)).toBe('13912340003');
    expect(points[0].value_hash).toBe(cipher.hash('13912340003'));
    expect(points.every((p) => p.verified_at instanceof Date)).toBe(true);

    const mandate = await t.db('mandates').where({ policy_no: 'P3201000103' }).first();
    expect(mandate).toMatchObject({ bank_code: 'ABC', account_masked: '622848******3333', account_name_masked: '张*', status: 'active' });
    expect(cipher.decrypt(mandate.account_enc)).toBe('6228480010003333');
    expect(mandate.account_hash).toBe(cipher.hash('ABC/6228480010003333'));

    expect(await t.db('premium_dues').where({ policy_no: 'P3201000101' }).select('due_date', 'installment_no', 'amount_fen', 'status')).toEqual([
      { due_date: '2026-03-15', installment_no: 4, amount_fen: 1_200_000, status: 'due' },
    ]);
    // An empty birth date is taken from the resident ID number.
    const p102 = await t.db('policies as p').join('customers as c', 'c.id', 'p.holder_customer_id').where('p.policy_no', 'P3201000102').first('c.*');
    expect(p102).toMatchObject({ name_masked: '李**', id_type: 'ID', id_no_masked: '320104********3455', birth_date: '1979-11-02' });
    expect(cipher.decrypt(p102.id_no_enc)).toBe('320104197911023455');
  });

  it('keeps personal data only encrypted or masked', async () => {
    const file = await readFile(fixture('policies.csv'), 'utf8');
    const personal = ['王建国', '李秀英', '320102198001011238', '13912340001', '6222020200001111', 'wang.jianguo@example.cn', 'oAbCdEfGhIjKlMnOpQrStUvWx'];
    for (const value of personal) expect(file).toContain(value);
    const stored = JSON.stringify(await snapshot(t));
    for (const value of personal) expect(stored).not.toContain(value);
  });

  it('records the run with the file hash, encoding and counts', async () => {
    const run = await t.db('import_runs').where({ kind: 'policies' }).orderBy('id', 'desc').first();
    const sha256 = createHash('sha256')
      .update(await readFile(fixture('policies.csv')))
      .digest('hex');
    expect(run).toMatchObject({ file_name: 'policies.csv', sha256, encoding: 'utf-8', status: 'finished', rows: 5, inserted: 5, updated: 0, unchanged: 0, rejected_rows: 0, rejected: [] });
    expect(run.finished_at).toBeInstanceOf(Date);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await snapshot(t);
    const again = [
      await importFile(t.db, cipher, 'products', fixture('products.csv')),
      await importFile(t.db, cipher, 'agents', fixture('agents.csv')),
      await importFile(t.db, cipher, 'policies', fixture('policies.csv'), { batchSize: 2 }),
    ];
    expect(again.map(withoutRejected)).toEqual([
      { kind: 'products', file: fixture('products.csv'), encoding: 'utf-8', rows: 3, inserted: 0, updated: 0, unchanged: 3 },
      { kind: 'agents', file: fixture('agents.csv'), encoding: 'utf-8', rows: 4, inserted: 0, updated: 0, unchanged: 4, contactFlags: { flagged: 0, cleared: 0 } },
      { kind: 'policies', file: fixture('policies.csv'), encoding: 'utf-8', rows: 5, inserted: 0, updated: 0, unchanged: 5, contactFlags: { flagged: 0, cleared: 0 } },
    ]);
    // Same rows, same ciphertexts (no re-encryption), same updated_at.
    expect(await snapshot(t)).toEqual(before);
  });

  it('updates only the changed policy: a new account replaces its mandate', async () => {
    const before = await snapshot(t);
    const changed = (await readFile(fixture('policies.csv'), 'utf8')).replace('BOC,6216610010004444', 'BOC,6216610010009999');
    const path = join(dir, 'policies-new-account.csv');
    await writeFile(path, changed);
    const report = await importFile(t.db, cipher, 'policies', path);
    expect(withoutRejected(report)).toMatchObject({ rows: 5, inserted: 0, updated: 1, unchanged: 4 });

    const mandates = await t.db('mandates').where({ policy_no: 'P3201000104' }).orderBy('id').select();
    expect(mandates.map((m) => [m.status, m.account_masked])).toEqual([
      ['replaced', '621661******4444'],
      ['active', '621661******9999'],
    ]);
    const after = await snapshot(t);
    // The policy row itself did not change (only its account did); nothing else was touched.
    expect(after.policies).toEqual(before.policies);
    expect(after.customers).toEqual(before.customers);
    expect(after.contact_points).toEqual(before.contact_points);
    expect(after.premium_dues).toEqual(before.premium_dues);
    expect(after.mandates!.filter((m) => m.policy_no !== 'P3201000104')).toEqual(before.mandates!.filter((m) => m.policy_no !== 'P3201000104'));

    // Importing the changed file again is a no-op too.
    const again = await importFile(t.db, cipher, 'policies', path);
    expect(withoutRejected(again)).toMatchObject({ inserted: 0, updated: 0, unchanged: 5 });
    expect(await snapshot(t)).toEqual(after);
  });

  it('a new mobile becomes the holder’s newest point; a changed premium updates the policy and its not-yet-started due', async () => {
    const text = (await readFile(join(dir, 'policies-new-account.csv'), 'utf8')).replace('13912340002', '13812349999').replace('CI10,agency,3201,A043,', 'CI10,agency,3201,A042,');
    const path = join(dir, 'policies-new-mobile.csv');
    await writeFile(path, text.replace('annual,8600,2026-03-20', 'annual,8800,2026-03-20'));
    const before = await t.db('policies').where({ policy_no: 'P3201000102' }).first();
    const report = await importFile(t.db, cipher, 'policies', path);
    expect(withoutRejected(report)).toMatchObject({ inserted: 0, updated: 1, unchanged: 4 });

    const after = await t.db('policies').where({ policy_no: 'P3201000102' }).first();
    expect(after).toMatchObject({ agent_code: 'A042', premium_fen: 880_000 });
    expect((after.updated_at as Date).getTime()).toBeGreaterThan((before.updated_at as Date).getTime());
    expect(await t.db('premium_dues').where({ policy_no: 'P3201000102' }).select('amount_fen')).toEqual([{ amount_fen: 880_000 }]);
    const mobiles = await t.db('contact_points').where({ customer_id: after.holder_customer_id, type: 'mobile' }).orderBy('updated_at', 'desc').select('value_masked');
    expect(mobiles.map((m) => m.value_masked)).toEqual(['138****9999', '139****0002']);
  });
});

describe('a file with bad rows', () => {
  let t: TestDatabase;
  let report: ImportReport;

  beforeAll(async () => {
    t = await database();
    await importReferenceData(t);
    report = await importFile(t.db, cipher, 'policies', fixture('policies-bad.csv'));
  });

  it('imports the valid rows and reports every bad one by row number (as in Excel) and column', async () => {
    expect(withoutRejected(report)).toEqual({ kind: 'policies', file: fixture('policies-bad.csv'), encoding: 'utf-8', rows: 8, inserted: 2, updated: 0, unchanged: 0, contactFlags: { flagged: 0, cleared: 0 } });
    // Each problem names the row, its policy number (also for a row too short to read, when it comes first) and the column.
    expect(report.rejected.map((r) => [r.row, r.key, r.column])).toEqual([
      [3, 'P3201000201', 'product_code'],
      [4, 'P3201000202', 'agent_code'],
      [5, 'P3201000203', 'holder_id_no'],
      [5, 'P3201000203', 'holder_mobile'],
      [5, 'P3201000203', 'holder_email'],
      [5, 'P3201000203', 'premium'],
      [5, 'P3201000203', 'next_due_date'],
      [5, 'P3201000203', 'status'],
      [7, 'P3201000204', '(row)'],
      [8, 'P3201000101', 'policy_no'],
      [9, 'P3201000205', 'preferred_channel'],
      [9, 'P3201000205', 'next_due_date'],
      [9, 'P3201000205', 'installment_no'],
      [9, 'P3201000205', 'apl_elected'],
    ]);
    expect(report.rejected.find((r) => r.row === 8)!.reason).toBe('policy_no repeats row 2: only the first is imported');
    expect(report.rejected.find((r) => r.row === 3)!.reason).toBe('product_code is not a known product (import products.csv first)');
    expect(await t.db('policies').orderBy('policy_no').pluck('policy_no')).toEqual(['P3201000101', 'P3201000102']);
    // The first of the duplicated rows stands (premium 12000.00, not the repeat's 13000.00).
    expect(await t.db('policies').where({ policy_no: 'P3201000101' }).first('premium_fen')).toEqual({ premium_fen: 1_200_000 });
  });

  it('leaves no trace of a rejected policy: no holder, contact, mandate or due', async () => {
    expect(await t.db('customers').count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(await t.db('mandates').count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(await t.db('premium_dues').count({ n: '*' })).toEqual([{ n: 2 }]);
    expect(await t.db('contact_points').count({ n: '*' })).toEqual([{ n: 3 }]);
  });

  it('never repeats a personal value in a reason, and stores the rejections without values', async () => {
    const personalColumns = ['holder_name', 'holder_id_no', 'holder_birth_date', 'holder_mobile', 'holder_email', 'account_no', 'account_name'];
    const rows = parse<Record<string, string>>(await readFile(fixture('policies-bad.csv')), { columns: true, relax_column_count: true });
    const values = new Set(rows.flatMap((row) => personalColumns.map((c) => row[c] ?? '')).filter((v) => v !== ''));
    expect(values.size).toBeGreaterThan(10);
    for (const { reason } of report.rejected) for (const value of values) expect(reason).not.toContain(value);
    const run = await t.db('import_runs').where({ kind: 'policies' }).first();
    expect(run).toMatchObject({ rows: 8, inserted: 2, rejected_rows: 6, rejected_count: 14 });
    expect(run.rejected).toEqual(report.rejected);
  });
});

describe('encodings', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await database();
  });

  it('reads GBK files (Chinese names), products and agents too', async () => {
    for (const kind of ['products', 'agents', 'policies'] as const) {
      const path = join(dir, `${kind}-gbk.csv`);
      await writeFile(path, iconv.encode(await readFile(fixture(`${kind}.csv`), 'utf8'), 'gbk'));
      const report = await importFile(t.db, cipher, kind, path);
      expect(report.encoding).toBe('gbk');
      expect(report.rejected).toEqual([]);
    }
    const product = await t.db('products').where({ code: 'WL20' }).first('name');
    expect(product.name).toBe('终身寿险（20年交）');
    const holder = await t.db('policies as p').join('customers as c', 'c.id', 'p.holder_customer_id').where('p.policy_no', 'P3201000104').first('c.name_enc', 'c.name_masked');
    expect(cipher.decrypt(holder.name_enc)).toBe('陈静');
    expect(holder.name_masked).toBe('陈*');
  });

  it('re-importing the UTF-8 file with BOM after the GBK one changes nothing: the encoding does not matter', async () => {
    const before = await snapshot(t);
    const path = join(dir, 'policies-bom.csv');
    await writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), await readFile(fixture('policies.csv'))]));
    const report = await importFile(t.db, cipher, 'policies', path);
    expect(withoutRejected(report)).toMatchObject({ encoding: 'utf-8-bom', rows: 5, inserted: 0, updated: 0, unchanged: 5 });
    expect(await snapshot(t)).toEqual(before);
  });

  it('decides late when the file starts with a long ASCII stretch, and keeps characters split across chunks', async () => {
    // 3,000 agents with Latin names first (≈ 150 KB, more than one 64 KiB read), then Chinese ones.
    const rows = ['agent_code,name,mobile,team_code,branch_code,status,leader_code'];
    for (let i = 0; i < 3000; i++) rows.push(`X${i},Agent Number Placeholder Name,139${String(i).padStart(8, '0')},T09,3209,active,`);
    const names = ['欧阳娜娜', '司马光', '王䶮', '诸葛亮'];
    names.forEach((name, i) => rows.push(`Y${i},${name},,T09,3209,active,`));
    const text = `${rows.join('\r\n')}\r\n`;
    const gbkPath = join(dir, 'agents-late.csv');
    // GB18030 (GBK's superset) so the rarer 䶮 survives.
    await writeFile(gbkPath, iconv.encode(text, 'gb18030'));
    const gbk = await importFile(t.db, cipher, 'agents', gbkPath);
    expect(withoutRejected(gbk)).toMatchObject({ encoding: 'gbk', rows: 3004, inserted: 3004 });
    const stored = await t.db('agents').whereIn('code', ['Y0', 'Y1', 'Y2', 'Y3']).orderBy('code').pluck('name_enc');
    expect(stored.map((enc: string) => cipher.decrypt(enc))).toEqual(names);

    // The same content in UTF-8, many 3-byte characters: some straddle the 64 KiB read boundaries.
    const utf8Rows = ['agent_code,name,mobile,team_code,branch_code,status,leader_code'];
    for (let i = 0; i < 6000; i++) utf8Rows.push(`Z${i},${names[i % 4]},,T09,3209,active,`);
    const utf8Path = join(dir, 'agents-utf8.csv');
    await writeFile(utf8Path, `${utf8Rows.join('\n')}\n`);
    const utf8 = await importFile(t.db, cipher, 'agents', utf8Path, { batchSize: 2500 });
    expect(utf8.rejected).toEqual([]);
    expect(withoutRejected(utf8)).toMatchObject({ encoding: 'utf-8', rows: 6000, inserted: 6000 });
  });

  it('reports bytes that are not valid in the detected encoding on the row and column', async () => {
    // A UTF-8 file (decided on its first 4 KiB of Chinese names) with one Latin-1 byte (é as 0xE9) on row 302.
    const lines = ['agent_code,name,mobile,team_code,branch_code,status,leader_code'];
    for (let i = 0; i < 300; i++) lines.push(`W${i},欧阳娜娜,,T08,3208,active,`);
    const head = Buffer.from(`${lines.join('\n')}\nW300,Ren`, 'utf8');
    const broken = Buffer.concat([head, Buffer.from([0xe9]), Buffer.from(',,T08,3208,active,\nW301,司马光,,T08,3208,active,\n', 'utf8')]);
    const path = join(dir, 'agents-broken.csv');
    await writeFile(path, broken);
    const report = await importFile(t.db, cipher, 'agents', path);
    expect(report.encoding).toBe('utf-8');
    expect(report.rejected).toEqual([{ row: 302, key: 'W300', column: 'name', reason: "name has bytes that are not valid text in the file's encoding" }]);
    expect(report).toMatchObject({ rows: 302, inserted: 301 });
  });
});

describe('files that cannot be imported at all', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await database();
  });

  it('names the missing and unknown columns of the header, and records the failed run', async () => {
    const text = (await readFile(fixture('agents.csv'), 'utf8')).replace('agent_code,name,mobile,', 'agent_code,name,phone,');
    const path = join(dir, 'agents-header.csv');
    await writeFile(path, text);
    await expect(importFile(t.db, cipher, 'agents', path)).rejects.toThrow(new ImportFileError(`${path}: header row: missing column mobile; unknown column phone`));
    expect(await t.db('agents').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await t.db('import_runs').where({ kind: 'agents' }).first('status', 'failure')).toEqual({
      status: 'failed',
      failure: `${path}: header row: missing column mobile; unknown column phone`,
    });
  });

  it('accepts the columns in any order and in any case, skips blank lines but keeps Excel row numbers', async () => {
    const path = join(dir, 'products-reordered.csv');
    await writeFile(path, 'Plan_Code,NAME,product_code,grace_days,reinstatement_years\r\nstandard-60,Term life,TL1,60,2\r\n\r\n,Bad grace,TL2,20,2\r\n');
    const report = await importFile(t.db, cipher, 'products', path);
    expect(report).toMatchObject({ rows: 2, inserted: 1, rejected: [{ row: 4, column: 'grace_days', reason: 'grace_days must be a whole number from 30 to 365' }] });
  });

  it('stores text exactly, whatever characters it holds (quotes, backslashes, braces, the word NULL)', async () => {
    const path = join(dir, 'products-odd-names.csv');
    const names = ['Life "Plus", {5-pay}', 'C:\\plans\\a\\"b"', 'NULL', '{}'];
    await writeFile(path, `product_code,name,grace_days,reinstatement_years,plan_code\n${names.map((n, i) => `ODD${i},"${n.replaceAll('"', '""')}",60,2,`).join('\n')}\n`);
    const report = await importFile(t.db, cipher, 'products', path);
    expect(report).toMatchObject({ inserted: 4, rejected: [] });
    expect(await t.db('products').where('code', 'like', 'ODD%').orderBy('code').pluck('name')).toEqual(names);
  });

  it('an empty file, a missing file and an unclosed quote are file errors', async () => {
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '');
    await expect(importFile(t.db, cipher, 'products', empty)).rejects.toThrow(/is empty: the first row must name the columns/);
    await expect(importFile(t.db, cipher, 'products', join(dir, 'nope.csv'))).rejects.toThrow(`cannot read ${join(dir, 'nope.csv')}: no such file`);
    const quote = join(dir, 'quote.csv');
    await writeFile(quote, 'product_code,name,grace_days,reinstatement_years,plan_code\nTL3,"Term, life,60,2,standard-60\n');
    await expect(importFile(t.db, cipher, 'products', quote)).rejects.toThrow(/a quoted value opened near line \d+ is never closed/);
  });

  it('decodes the same when the bytes arrive one at a time (BOM, sniffing and characters split at every point)', async () => {
    const text = 'product_code,name\r\n甲,"乙,丙"\r\n';
    const cases: [Buffer, string][] = [
      [iconv.encode(text, 'gbk'), 'gbk'],
      [Buffer.from(text, 'utf8'), 'utf-8'],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), 'utf-8-bom'],
    ];
    for (const [bytes, encoding] of cases) {
      const sniffer = new EncodingSniffer();
      const out: Buffer[] = [];
      sniffer.on('data', (chunk: Buffer) => out.push(chunk));
      const ended = new Promise((done) => sniffer.on('end', done));
      for (const byte of bytes) sniffer.write(Buffer.from([byte]));
      sniffer.end();
      await ended;
      expect(Buffer.concat(out).toString('utf8')).toBe(text);
      expect(sniffer.encoding).toBe(encoding);
    }
    const path = join(dir, 'tiny-gbk.csv');
    await writeFile(path, iconv.encode(text, 'gbk'));
    const file = new CsvFile(path, ['product_code', 'name']);
    const rows = [];
    for await (const row of file.rows()) rows.push(row);
    expect(rows).toEqual([{ rowNo: 2, values: { product_code: '甲', name: '乙,丙' } }]);
  });
});

describe('renewals import (CLI)', () => {
  let t: TestDatabase;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, RENEWALS_DATA_KEY: process.env.RENEWALS_DATA_KEY };

  beforeAll(async () => {
    t = await database();
    process.env.DATABASE_URL = t.url;
    process.env.RENEWALS_DATA_KEY = KEY;
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { code, out, err } = await runCliCaptured(args);
    return { code, stdout: out, stderr: err };
  }

  it('imports the files in order and exits 0 when every row is valid', async () => {
    const products = await cli(['import', 'products', fixture('products.csv')]);
    expect(products).toMatchObject({ code: 0, stderr: '' });
    expect(products.stdout).toMatch(/inserted\s+3/);
    expect(products.stdout).toMatch(/rejectedRows\s+0/);
    expect((await cli(['import', 'agents', fixture('agents.csv')])).code).toBe(0);
    const policies = await cli(['import', 'policies', fixture('policies.csv'), '--json', '--batch-size', '2']);
    expect(policies.code).toBe(0);
    expect(JSON.parse(policies.stdout)).toEqual({ kind: 'policies', file: fixture('policies.csv'), encoding: 'utf-8', rows: 5, inserted: 5, updated: 0, unchanged: 0, rejected: [], contactFlags: { flagged: 0, cleared: 0 } });
  });

  it('exits 3 when rows were rejected, printing them as a table (the valid rows are in)', async () => {
    const result = await cli(['import', 'policies', fixture('policies-bad.csv')]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe('renewals: 6 rows rejected; the other rows were imported\n');
    expect(result.stdout).toMatch(/unchanged\s+2/);
    expect(result.stdout).toContain('rejected rows:');
    expect(result.stdout).toMatch(/│ row\s+│ policy_no\s+│ column\s+│ reason/);
    expect(result.stdout).toMatch(/│ 3\s+│ P3201000201\s+│ product_code\s+│ product_code is not a known product/);

    const json = await cli(['import', 'policies', fixture('policies-bad.csv'), '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).rejected).toHaveLength(14);
  });

  it('exits 1 with one line for a file it cannot read or a wrong header, 2 for a bad option', async () => {
    const missing = await cli(['import', 'agents', join(dir, 'nope.csv')]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `renewals: cannot read ${join(dir, 'nope.csv')}: no such file\n` });

    const path = join(dir, 'agents-no-status.csv');
    await writeFile(path, (await readFile(fixture('agents.csv'), 'utf8')).replace(',status,', ',state,'));
    const header = await cli(['import', 'agents', path]);
    expect(header).toEqual({ code: 1, stdout: '', stderr: `renewals: ${path}: header row: missing column status; unknown column state\n` });

    const option = await cli(['import', 'agents', fixture('agents.csv'), '--batch-size', 'many']);
    expect(option).toMatchObject({ code: 2, stderr: 'renewals: --batch-size must be a whole number from 1 to 20000, got "many"\n' });

    const kind = await cli(['import', 'claims', fixture('agents.csv')]);
    expect(kind.code).not.toBe(0);
  });
});
