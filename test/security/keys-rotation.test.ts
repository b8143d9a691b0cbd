import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { importFile } from '../../application/import-files';
import { rotateDataKeys, type RotationReport } from '../../application/key-rotation';
import type { KeyStatus } from '../../application/key-status';
import { DataKey } from '../../db/data-key';
import { openKeyRing } from '../../db/key-ring';
import { CREDENTIAL_HASH_COLUMNS, ENCRYPTED_TABLES } from '../../db/personal-data-columns';
import { PiiCipher } from '../../db/pii-cipher';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { legacyEncrypt, legacyHash } from '../support/legacy-cipher';
import { writePortfolioFiles, type PortfolioFiles } from '../support/portfolio-files';
import { restoreSignIn, signInAs } from '../support/people';
import { finished, startChild } from '../support/run-child';

/**
 * A database written before key ids (v1 values, blind indexes under the master key) is moved to a
 * new key by `renewals keys rotate`, killed mid-way and run again: every value ends under the new
 * key, decrypts with it alone, and lookups by keyed hash still find every customer.
 */
const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const C = 'c3'.repeat(32);
const idOf = (hex: string) => new DataKey(hex).id;
const POLICIES = 1200;

let database: TestDatabase;
let dir: string;
let files: PortfolioFiles;

beforeAll(async () => {
  database = await freshDatabase();
  dir = mkdtempSync(join(tmpdir(), 'renewals-keys-'));
  files = writePortfolioFiles(dir, POLICIES);
  // Written as today's code does, then turned into what the code before key ids left behind.
  const writer = new PiiCipher(A);
  for (const kind of ['products', 'agents', 'policies'] as const) {
    const report = await importFile(database.db, writer, kind, files[kind]);
    expect(report.rejected, kind).toEqual([]);
  }
  await asWrittenBeforeKeyIds(writer);
  // The engineer who rotates (and imports to check the result); the CLI children inherit the token.
  await signInAs(database.db, { roles: ['engineer', 'operations_lead'] });
}, 180_000);

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  restoreSignIn();
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every value re-encrypted in the v1 format under A itself, every blind index an HMAC under A, fingerprints without a key id. */
async function asWrittenBeforeKeyIds(reader: PiiCipher): Promise<void> {
  await database.db.transaction(async (trx) => {
    for (const spec of ENCRYPTED_TABLES) {
      const rows = await trx(spec.table).select('*');
      for (const row of rows) {
        const change: Record<string, string | null> = {};
        const clear: Record<string, string | null> = {};
        for (const column of spec.encrypted) {
          clear[column] = row[column] === null ? null : reader.decrypt(row[column]);
          change[column] = clear[column] === null ? null : legacyEncrypt(A, clear[column]);
        }
        const input = spec.index!.input(clear, row);
        change[spec.index!.column] = input === null ? null : legacyHash(A, input);
        await trx(spec.table).where(spec.key, row[spec.key]).update(change);
      }
    }
    await trx('import_fingerprints').update({ key_id: null });
  });
}

async function valuesByKey(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const spec of ENCRYPTED_TABLES) {
    for (const column of spec.encrypted) {
      const values = await database.db(spec.table).whereNotNull(column).pluck(column);
      for (const value of values as string[]) {
        const id = value.startsWith('v1:') ? 'v1' : value.split(':')[1]!;
        counts[id] = (counts[id] ?? 0) + 1;
      }
    }
  }
  return counts;
}

function useKeys(current: string, previous: string[] = []): void {
  vi.stubEnv('DATABASE_URL', database.url);
  vi.stubEnv('RENEWALS_DATA_KEY', current);
  vi.stubEnv('RENEWALS_DATA_KEYS_PREVIOUS', previous.join(','));
}

describe('a database written before key ids', () => {
  it('still reads its v1 values with the key that wrote them', async () => {
    const [policyNo, holder] = [...files.holders][0]!;
    const customer = await database.db('customers as c').join('policies as p', 'p.holder_customer_id', 'c.id').where('p.policy_no', policyNo).first('c.name_enc', 'c.id_no_enc');
    expect(customer.id_no_enc).toMatch(/^v1:/);
    expect(new PiiCipher(A).decrypt(customer.id_no_enc)).toBe(holder.idNo);
    expect(new PiiCipher(B, [A]).decrypt(customer.name_enc)).toBe(holder.name);
  });

  it('is recognised at the first start-up: its key is registered and a rotation is owed, so imports wait for it', async () => {
    expect(await openKeyRing(database.db, new PiiCipher(A))).toEqual({ currentKeyId: idOf(A), retiring: ['v1'], change: 'registered' });
    useKeys(A);
    const refused = await runCliCaptured(['import', 'policies', files.policies]);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe('renewals: a key rotation is under way (rows may still be under key v1): finish it with `renewals keys rotate` first, so that lookups by keyed hash find every row\n');
    expect(await runCliCaptured(['contacts', 'check-quality'])).toEqual({ code: 1, out: '', err: refused.err });
  });
});

describe('renewals keys rotate', () => {
  it('killed mid-way, then run again: every row ends under the new key', async () => {
    const total = Object.values(await valuesByKey()).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(5_000);

    // The operator gives the new key and keeps the old one for decryption, and rotates in small batches.
    const child = startChild('cli', ['keys', 'rotate', '--batch-size', '10'], { ...process.env, DATABASE_URL: database.url, RENEWALS_DATA_KEY: B, RENEWALS_DATA_KEYS_PREVIOUS: A });
    const exited = finished(child);
    let underB = 0;
    for (let waited = 0; underB === 0 && waited < 60_000; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
      underB = (await database.db('agents').where('name_enc', 'like', `v2:${idOf(B)}:%`).count<{ n: number }[]>('* as n'))[0]!.n;
    }
    expect(underB).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const killed = await exited;
    expect(killed.signal).toBe('SIGKILL');

    const midway = await valuesByKey();
    expect(midway[idOf(B)]).toBeGreaterThan(0);
    expect(midway.v1).toBeGreaterThan(0);
    useKeys(B, [A]);
    const status = JSON.parse((await runCliCaptured(['keys', 'status', '--json'])).out) as KeyStatus;
    expect(status).toMatchObject({ configuredKeyId: idOf(B), previousKeyIds: [idOf(A)], databaseKeyId: idOf(B) });
    expect(status.toRotate).toBe(total - midway[idOf(B)]!);
    expect(Object.fromEntries(status.keys.map((k) => [k.keyId, k.state]))).toEqual({ [idOf(A)]: 'retiring', v1: 'retiring', [idOf(B)]: 'current' });

    // Half-way, everything still reads with the ring (the worker meanwhile); the second run finishes the job.
    const ring = new PiiCipher(B, [A]);
    for (const row of await database.db('customers').select('name_enc', 'id_no_enc')) expect(() => [ring.decrypt(row.name_enc), ring.decrypt(row.id_no_enc)]).not.toThrow();
    const resumed = await runCliCaptured(['keys', 'rotate', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    const report = JSON.parse(resumed.out) as RotationReport;
    expect(report).toMatchObject({ currentKeyId: idOf(B), skipped: [], remaining: 0, stopped: false });
    expect(report.retired.sort()).toEqual([idOf(A), 'v1'].sort());
    expect(report.fingerprintsDropped).toBe(POLICIES + 40);
    expect(await valuesByKey()).toEqual({ [idOf(B)]: total });
  });

  it('leaves every value readable with the new key alone, and every blind index under it', async () => {
    const onlyB = new PiiCipher(B);
    const rows = await database.db('policies as p')
      .join('customers as c', 'c.id', 'p.holder_customer_id')
      .join('mandates as m', 'm.policy_no', 'p.policy_no')
      .select('p.policy_no', 'c.name_enc', 'c.id_no_enc', 'c.id_no_hash', 'm.account_enc', 'm.account_hash', 'm.account_name_enc');
    expect(rows).toHaveLength(POLICIES);
    for (const row of rows) {
      const holder = files.holders.get(row.policy_no)!;
      expect(onlyB.decrypt(row.name_enc)).toBe(holder.name);
      expect(onlyB.decrypt(row.id_no_enc)).toBe(holder.idNo);
      expect(row.id_no_hash).toBe(onlyB.hash(holder.idNo));
      expect(onlyB.decrypt(row.account_enc)).toBe(holder.accountNo);
      expect(onlyB.decrypt(row.account_name_enc)).toBe(holder.name);
      expect(row.account_hash).toBe(onlyB.hash(`${holder.bankCode}/${holder.accountNo}`));
    }
    for (const point of await database.db('contact_points').select('value_enc', 'value_hash')) expect(point.value_hash).toBe(onlyB.hash(onlyB.decrypt(point.value_enc)));
    for (const agent of await database.db('agents').select('mobile_enc', 'mobile_hash')) expect(agent.mobile_hash).toBe(onlyB.hash(onlyB.decrypt(agent.mobile_enc)));
  });

  it('lookups by keyed hash still find every customer: re-importing the files with the new key alone changes nothing', async () => {
    const customersBefore = await database.db('customers').count<{ n: number }[]>('* as n');
    const pointsBefore = await database.db('contact_points').orderBy('id').select('id', 'value_enc');
    useKeys(B);
    const agents = await runCliCaptured(['import', 'agents', files.agents, '--json']);
    expect(agents.code, agents.err).toBe(0);
    expect(JSON.parse(agents.out)).toMatchObject({ inserted: 0, updated: 0, unchanged: 40 });
    const policies = await runCliCaptured(['import', 'policies', files.policies, '--json']);
    expect(policies.code, policies.err).toBe(0);
    expect(JSON.parse(policies.out)).toMatchObject({ inserted: 0, updated: 0, unchanged: POLICIES });
    expect(await database.db('customers').count<{ n: number }[]>('* as n')).toEqual(customersBefore);
    expect(await database.db('contact_points').orderBy('id').select('id', 'value_enc')).toEqual(pointsBefore);
    const quality = await runCliCaptured(['contacts', 'check-quality', '--json']);
    expect(quality.code, quality.err).toBe(0);
  });

  it('says which key every value is under once done, and nothing is left to rotate', async () => {
    useKeys(B);
    const status = JSON.parse((await runCliCaptured(['keys', 'status', '--json'])).out) as KeyStatus;
    expect(status).toMatchObject({ databaseKeyId: idOf(B), toRotate: 0, staleFingerprints: 0 });
    expect(Object.fromEntries(status.keys.map((k) => [k.keyId, k.state]))).toEqual({ [idOf(A)]: 'retired', v1: 'retired', [idOf(B)]: 'current' });
    expect(new Set(status.columns.map((c) => c.keyId))).toEqual(new Set([idOf(B)]));
    const table = await runCliCaptured(['keys', 'status']);
    expect(table.out).toMatch(new RegExp(`databaseKey +${idOf(B)}\n`));
  });

  it('stopped between batches and resumed, from the batch function: the same result', async () => {
    const ring = new PiiCipher(C, [B]);
    await openKeyRing(database.db, ring);
    let batches = 0;
    const first = await rotateDataKeys(database.db, ring, { batchSize: 100, shouldStop: () => ++batches > 3 });
    expect(first).toMatchObject({ stopped: true, retired: [] });
    expect(first.remaining).toBeGreaterThan(0);
    const progress: number[] = [];
    const second = await rotateDataKeys(database.db, ring, { batchSize: 500, onProgress: (done) => progress.push(done) });
    expect(second).toMatchObject({ stopped: false, remaining: 0, retired: [idOf(B)], skipped: [] });
    expect(progress.at(-1)).toBe(first.remaining);
    const values = await valuesByKey();
    expect(Object.keys(values)).toEqual([idOf(C)]);
  });
});

describe('the personal data a rotation covers', () => {
  it('is every encrypted column and every blind index in the schema', async () => {
    const { rows } = await database.db.raw<{ rows: { table_name: string; column_name: string }[] }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND (column_name LIKE '%\\_enc' OR column_name LIKE '%\\_hash') ORDER BY 1, 2`,
    );
    const inSchema = rows.map((r) => `${r.table_name}.${r.column_name}`).filter((c) => !c.startsWith('audit_events.') && !CREDENTIAL_HASH_COLUMNS.includes(c));
    const covered = ENCRYPTED_TABLES.flatMap((t) => [...t.encrypted, ...(t.index ? [t.index.column] : [])].map((c) => `${t.table}.${c}`));
    expect(inSchema.sort()).toEqual(covered.sort());
  });
});
