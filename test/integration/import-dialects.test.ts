import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../application/import-files';
import { PiiCipher } from '../../db/pii-cipher';
import { loadCollectionPlans, loadCycleContext } from '../../db/repositories/cycles';
import { choosePlan, STANDARD_60 } from '../../domain/collection-plan';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';

const KEY = '33'.repeat(32);
const cipher = new PiiCipher(KEY);
const fixture = (name: string) => join(__dirname, '../fixtures/import', name);

let dir: string;
let t: TestDatabase;
const saved = { DATABASE_URL: process.env.DATABASE_URL, RENEWALS_DATA_KEY: process.env.RENEWALS_DATA_KEY };

/** A core system's policy extract: its own column names (one to skip), its own codes, and our aliases. */
const FOREIGN_HEADER =
  '保单号,险种代码,销售渠道,机构代码,业务员代码,投保人姓名,证件类型,证件号码,出生日期,手机号,邮箱,微信OPENID,首选渠道,生效日期,交费方式,期交保费,应交日期,期数,银行代码,账号,户名,自动垫交,现金价值,保单状态,客户分层,计划代码,备注';
const FOREIGN_ROWS = [
  // Row 2: the core system's own codes (0 = ID card, 1 = agency, 0102 = ICBC, 1 = in force); no segment: the rule gives A (¥12,000 a year).
  'P3301000001,WL20,1,3201,A042,王建国,0,320102198001011238,,13912340001,,,短信,2023-03-15,12,12000,2026-03-15,4,0102,6222020200001111,王建国,是,3500.5,1,,,首期银行转账',
  // Row 3: our aliases (身份证, 年交, 否, 有效), a segment from the file and a plan of its own.
  'P3301000002,CI10,3,3201,,李秀英,身份证,320104197911023455,,13912340002,,,SMS,2021-03-20,年交,8600,2026-03-20,6,0105,6217000010002222,李秀英,否,,有效,b,quick-60,',
  // Row 4: a passport by the system's code 1, in grace (C); its mobile is agent A042's: flagged by the import itself.
  'P3301000003,WL20,个险,3201,A042,张伟,1,E12345678,1988-07-14,13900000042,,,,2024-04-01,月交,450.5,2026-03-01,24,ABC,6228480010003333,张伟,N,,宽限期,,,',
  // Row 5: a plan nobody stored.
  'P3301000004,WL20,1,3201,A042,陈静,0,320105199203307890,,13912340004,,,,2022-06-30,6,3000,2026-06-30,8,BOC,6216610010004444,陈静,0,0,1,,gold-99,',
  // Row 6: an ID type neither the mapping nor the aliases know.
  'P3301000005,WL20,1,3201,A042,刘洋,军官证,110101197506150022,,,,,,2022-06-30,12,3000,2026-06-30,8,BOC,6216610010005555,刘洋,N,0,1,,,',
  // Row 7: no usable policy number: named by its row only.
  'P 3301,WL20,1,3201,A042,刘洋,0,110101197506150022,,,,,,2022-06-30,12,3000,2026-06-30,8,BOC,6216610010005555,刘洋,N,0,1,,,',
];

const MAPPING = {
  $comment: 'Core system extract, policies',
  kind: 'policies',
  columns: {
    保单号: 'policy_no',
    险种代码: 'product_code',
    销售渠道: 'channel',
    机构代码: 'branch_code',
    业务员代码: 'agent_code',
    投保人姓名: 'holder_name',
    证件类型: 'holder_id_type',
    证件号码: 'holder_id_no',
    出生日期: 'holder_birth_date',
    手机号: 'holder_mobile',
    邮箱: 'holder_email',
    微信openid: 'holder_wechat_openid',
    首选渠道: 'preferred_channel',
    生效日期: 'issue_date',
    交费方式: 'payment_frequency',
    期交保费: 'premium',
    应交日期: 'next_due_date',
    期数: 'installment_no',
    银行代码: 'bank_code',
    账号: 'account_no',
    户名: 'account_name',
    自动垫交: 'apl_elected',
    现金价值: 'cash_value',
    保单状态: 'status',
    客户分层: 'segment',
    计划代码: 'plan_code',
  },
  ignore: ['备注'],
  codes: {
    holder_id_type: { '0': 'ID', '1': 'PASSPORT' },
    channel: { '1': 'agency', '3': 'bancassurance' },
    bank_code: { '0102': 'ICBC', '0105': 'CCB' },
    status: { '1': 'in_force', '2': 'grace' },
  },
};

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, out, err } = await runCliCaptured(args);
  return { code, stdout: out, stderr: err };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-dialects-'));
  t = await freshDatabase();
  process.env.DATABASE_URL = t.url;
  process.env.RENEWALS_DATA_KEY = KEY;
  // A plan of the operator's, and its segment B variant, for the policy that names it.
  for (const code of ['quick-60', 'quick-60-b']) {
    await t.db('collection_plans').insert({ code, version: 1, definition: JSON.stringify({ ...STANDARD_60, code, version: 1 }) });
  }
  expect((await importFile(t.db, cipher, 'products', fixture('products.csv'))).rejected).toEqual([]);
  expect((await importFile(t.db, cipher, 'agents', fixture('agents.csv'))).rejected).toEqual([]);
});

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('a core system’s policies file read through a mapping file', () => {
  let file: string;
  let mapping: string;
  let report: { rows: number; inserted: number; rejected: { row: number; key: string | null; column: string; reason: string }[]; contactFlags: { flagged: number } };
  let exit: number;

  beforeAll(async () => {
    file = join(dir, 'core-policies.csv');
    mapping = join(dir, 'core-mapping.json');
    await writeFile(file, `${FOREIGN_HEADER}\n${FOREIGN_ROWS.join('\n')}\n`);
    await writeFile(mapping, JSON.stringify(MAPPING, null, 2));
    const result = await cli(['import', 'policies', file, '--mapping', mapping, '--json']);
    exit = result.code;
    report = JSON.parse(result.stdout) as typeof report;
  });

  it('imports the rows it can and names every rejected one by row, policy number and column', () => {
    expect(exit).toBe(3);
    expect(report).toMatchObject({ rows: 6, inserted: 3 });
    expect(report.rejected).toEqual([
      { row: 5, key: 'P3301000004', column: 'plan_code', reason: 'plan_code is not a stored collection plan (store the plan first, or leave plan_code empty for the product’s)' },
      { row: 6, key: 'P3301000005', column: 'holder_id_type', reason: 'holder_id_type must be one of ID, PASSPORT, HKMO_PERMIT, TW_PERMIT, FOREIGN_PR' },
      { row: 7, key: null, column: 'policy_no', reason: "policy_no must be 1 to 32 letters, digits, '_', '.' or '-'" },
    ]);
    expect(report.contactFlags.flagged).toBe(1);
  });

  it('stores our codes, whichever way the file wrote them', async () => {
    const rows = await t.db('policies as p')
      .join('customers as c', 'c.id', 'p.holder_customer_id')
      .join('mandates as m', 'm.policy_no', 'p.policy_no')
      .orderBy('p.policy_no')
      .select('p.policy_no', 'p.channel', 'c.id_type', 'p.payment_frequency', 'p.apl_elected', 'p.status', 'p.preferred_channel', 'm.bank_code', 'p.segment', 'p.segment_source', 'p.plan_code');
    expect(rows).toEqual([
      { policy_no: 'P3301000001', channel: 'agency', id_type: 'ID', payment_frequency: 'annual', apl_elected: true, status: 'in_force', preferred_channel: 'sms', bank_code: 'ICBC', segment: 'A', segment_source: 'rule', plan_code: null },
      { policy_no: 'P3301000002', channel: 'bancassurance', id_type: 'ID', payment_frequency: 'annual', apl_elected: false, status: 'in_force', preferred_channel: 'sms', bank_code: 'CCB', segment: 'B', segment_source: 'file', plan_code: 'quick-60' },
      { policy_no: 'P3301000003', channel: 'agency', id_type: 'PASSPORT', payment_frequency: 'monthly', apl_elected: false, status: 'grace', preferred_channel: null, bank_code: 'ABC', segment: 'C', segment_source: 'rule', plan_code: null },
    ]);
    // Nothing of a rejected row was written.
    expect(await t.db('premium_dues').whereIn('policy_no', ['P3301000004', 'P3301000005']).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('flags the holder’s mobile that is an agent’s, with no check-quality run', async () => {
    const point = await t.db('contact_points as cp')
      .join('policies as p', 'p.holder_customer_id', 'cp.customer_id')
      .where({ 'p.policy_no': 'P3301000003', 'cp.type': 'mobile' })
      .first('cp.flags');
    expect(point.flags).toMatchObject({ same_as_agent: 'A042' });
  });

  it('records the mapping file with the run', async () => {
    const run = await t.db('import_runs').where({ kind: 'policies' }).orderBy('id', 'desc').first();
    expect(run).toMatchObject({ file_name: 'core-policies.csv', mapping_file: 'core-mapping.json', rows: 6, inserted: 3, rejected_rows: 3 });
    expect(run.mapping_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((run.rejected as { row: number; key: string | null }[]).map((r) => [r.row, r.key])).toEqual([
      [5, 'P3301000004'],
      [6, 'P3301000005'],
      [7, null],
    ]);
  });

  it('opens cycles on the stored segment and the policy’s own plan', async () => {
    const plans = await loadCollectionPlans(t.db);
    const own = (await loadCycleContext(t.db, 'P3301000002', '2026-03-20'))!;
    expect(own).toMatchObject({ planCode: 'quick-60', snapshot: { segment: 'B' } });
    expect(choosePlan(plans, { planCode: own.planCode }, own.snapshot.segment).code).toBe('quick-60-b');
    const product = (await loadCycleContext(t.db, 'P3301000001', '2026-03-15'))!;
    expect(product).toMatchObject({ planCode: 'standard-60', snapshot: { segment: 'A' } });
    expect(choosePlan(plans, { planCode: product.planCode }, product.snapshot.segment)).toBe(STANDARD_60);
  });

  it('changes nothing when the same file is imported again with the same mapping', async () => {
    const before = await t.db('policies').orderBy('policy_no').select();
    const again = await cli(['import', 'policies', file, '--mapping', mapping, '--json']);
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout)).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await t.db('policies').orderBy('policy_no').select()).toEqual(before);
  });

  it('prints the rejected rows as a table with their policy numbers', async () => {
    const table = await cli(['import', 'policies', file, '--mapping', mapping]);
    expect(table.code).toBe(3);
    expect(table.stderr).toBe('renewals: 3 rows rejected; the other rows were imported\n');
    expect(table.stdout).toMatch(/│ 5\s+│ P3301000004\s+│ plan_code\s+│ plan_code is not a stored collection plan/);
    expect(table.stdout).toMatch(/│ 6\s+│ P3301000005\s+│ holder_id_type\s+│/);
  });

  it('without the mapping, the header is refused, naming the columns', async () => {
    const result = await cli(['import', 'policies', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^renewals: .*core-policies\.csv: header row: missing columns policy_no, product_code, .*; unknown columns 保单号, 险种代码, /);
  });
});

describe('a bad mapping file', () => {
  it('is one line naming the file and the key at fault, before anything is imported', async () => {
    const runs = await t.db('import_runs').count({ n: '*' });
    const cases: [unknown, string][] = [
      [{ columns: { 保单号: 'policyno' } }, 'columns."保单号" must name a column of policies.csv (policy_no, product_code,'],
      [{ codes: { holder_id_type: { '0': 'IDENTITY' } } }, 'codes."holder_id_type"."0" must be one of ID, PASSPORT, HKMO_PERMIT, TW_PERMIT, FOREIGN_PR'],
      [{ kind: 'agents' }, '"kind" is agents but the file is imported as policies'],
      [{ colums: {} }, '"colums" is not a key of a mapping file'],
    ];
    for (const [json, message] of cases) {
      const path = join(dir, 'bad-mapping.json');
      await writeFile(path, JSON.stringify(json));
      const result = await cli(['import', 'policies', fixture('policies.csv'), '--mapping', path]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.startsWith(`renewals: mapping file ${path}: ${message}`), result.stderr).toBe(true);
      expect(result.stderr.split('\n')).toHaveLength(2);
    }
    const broken = join(dir, 'broken-mapping.json');
    await writeFile(broken, '{ "columns": ');
    expect((await cli(['import', 'policies', fixture('policies.csv'), '--mapping', broken])).stderr).toMatch(/^renewals: mapping file .*broken-mapping\.json is not JSON: /);
    expect((await cli(['import', 'policies', fixture('policies.csv'), '--mapping', join(dir, 'none.json')])).stderr).toBe(`renewals: cannot read mapping file ${join(dir, 'none.json')}: no such file\n`);
    expect(await t.db('import_runs').count({ n: '*' })).toEqual(runs);
  });
});

describe('aliases without a mapping file', () => {
  it('reads a GBK file writing 身份证, 年交, 是 and 有效, and computes each segment', async () => {
    const text = (await readFile(fixture('policies.csv'), 'utf8'))
      .replace(/,ID,/g, ',身份证,')
      .replace(/,annual,/g, ',年交,')
      .replace(/,monthly,/g, ',月交,')
      .replace(/,quarterly,/g, ',季交,')
      .replace(/,semiannual,/g, ',半年交,')
      .replace(/,N,/g, ',否,')
      .replace(/,Y,/g, ',是,')
      .replace(/,in_force$/gm, ',有效')
      .replace(/,grace$/gm, ',宽限期');
    expect(text).toContain('身份证');
    const path = join(dir, 'policies-gbk-aliases.csv');
    await writeFile(path, iconv.encode(text, 'gbk'));
    const report = await importFile(t.db, cipher, 'policies', path);
    expect(report).toMatchObject({ encoding: 'gbk', rows: 5, inserted: 5, rejected: [] });
    const rows = await t.db('policies as p')
      .join('customers as c', 'c.id', 'p.holder_customer_id')
      .whereLike('p.policy_no', 'P32010001%')
      .orderBy('p.policy_no')
      .select('p.policy_no', 'c.id_type', 'p.payment_frequency', 'p.apl_elected', 'p.status', 'p.segment', 'p.segment_source');
    expect(rows).toEqual([
      { policy_no: 'P3201000101', id_type: 'ID', payment_frequency: 'annual', apl_elected: false, status: 'in_force', segment: 'A', segment_source: 'rule' },
      { policy_no: 'P3201000102', id_type: 'ID', payment_frequency: 'annual', apl_elected: true, status: 'in_force', segment: 'B', segment_source: 'rule' },
      { policy_no: 'P3201000103', id_type: 'ID', payment_frequency: 'monthly', apl_elected: false, status: 'grace', segment: 'C', segment_source: 'rule' },
      { policy_no: 'P3201000104', id_type: 'ID', payment_frequency: 'semiannual', apl_elected: false, status: 'in_force', segment: 'B', segment_source: 'rule' },
      { policy_no: 'P3201000105', id_type: 'ID', payment_frequency: 'quarterly', apl_elected: false, status: 'in_force', segment: 'C', segment_source: 'rule' },
    ]);
    // The holder of P…101 is the holder of the mapped file's P3301000001: one customer, whichever way the ID type was written.
    const holders = await t.db('policies').whereIn('policy_no', ['P3201000101', 'P3301000001']).pluck('holder_customer_id');
    expect(new Set(holders).size).toBe(1);
  });
});

describe('plans named by products.csv', () => {
  it('refuses a plan nobody stored, naming the row, product code and column', async () => {
    const path = join(dir, 'products-plans.csv');
    await writeFile(path, 'product_code,name,grace_days,reinstatement_years,plan_code\nQK60,Quick,60,2,quick-60\nGOLD,Gold,60,2,gold-99\nPLAIN,Plain,,,\n');
    const report = await importFile(t.db, cipher, 'products', path);
    expect(report).toMatchObject({ rows: 3, inserted: 2 });
    expect(report.rejected).toEqual([
      { row: 3, key: 'GOLD', column: 'plan_code', reason: 'plan_code is not a stored collection plan (store the plan first, or leave plan_code empty for standard-60)' },
    ]);
    expect(await t.db('products').whereIn('code', ['QK60', 'GOLD', 'PLAIN']).orderBy('code').select('code', 'plan_code')).toEqual([
      { code: 'PLAIN', plan_code: 'standard-60' },
      { code: 'QK60', plan_code: 'quick-60' },
    ]);
  });
});
