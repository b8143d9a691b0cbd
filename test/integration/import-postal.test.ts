import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '../../application/import-files';
import { PiiCipher } from '../../db/pii-cipher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { sendSampleLetter } from '../support/letters';

/**
 * policies.csv's optional holder_postal_address (docs/business-rules.md#import-files): stored as the
 * holder's `postal` contact point, encrypted, hashed and masked like the others; a bad value names
 * its row and column; a file without the column fingerprints as before; the letter step finds it.
 */
const cipher = new PiiCipher('22'.repeat(32));
const FIXTURES = join(__dirname, '../fixtures/import');
let database: TestDatabase;
let dir: string;
let rows: Record<string, string>[];

const ADDRESS = '江苏省南京市玄武区中山路 18 号 1201 室';

async function policiesFile(name: string, change: (row: Record<string, string>, i: number) => Record<string, string>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, stringify(rows.map(change), { header: true }));
  return path;
}

beforeAll(async () => {
  database = await freshDatabase();
  dir = await mkdtemp(join(tmpdir(), 'import-postal-'));
  rows = parse<Record<string, string>>(await readFile(join(FIXTURES, 'policies.csv')), { columns: true, bom: true });
  for (const kind of ['products', 'agents'] as const) expect((await importFile(database.db, cipher, kind, join(FIXTURES, `${kind}.csv`))).rejected).toEqual([]);
  // The file as it always was: no address column.
  expect((await importFile(database.db, cipher, 'policies', join(FIXTURES, 'policies.csv'))).rejected).toEqual([]);
});

afterAll(async () => {
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('holder_postal_address', () => {
  it('an empty column changes nothing: the rows fingerprint as they did without it', async () => {
    const report = await importFile(database.db, cipher, 'policies', await policiesFile('empty.csv', (row) => ({ ...row, holder_postal_address: '' })));
    expect(report).toMatchObject({ rows: rows.length, inserted: 0, updated: 0, unchanged: rows.length, rejected: [] });
    expect(await database.db('contact_points').where({ type: 'postal' })).toEqual([]);
  });

  it('is stored as the postal contact point, encrypted and masked; a bad one names its row and column, never the value', async () => {
    const file = await policiesFile('addresses.csv', (row, i) => ({
      ...row,
      holder_postal_address: i === 0 ? ADDRESS : i === 1 ? `上海市黄浦区南京东路\n100 号` : i === 2 ? '路'.repeat(201) : '',
    }));
    const report = await importFile(database.db, cipher, 'policies', file);
    expect(report.rejected).toEqual([
      { row: 3, key: rows[1]!.policy_no, column: 'holder_postal_address', reason: 'holder_postal_address contains control characters' },
      { row: 4, key: rows[2]!.policy_no, column: 'holder_postal_address', reason: 'holder_postal_address is longer than 200 characters' },
    ]);
    expect(report).toMatchObject({ updated: 1, unchanged: rows.length - 3 });
    const points = await database.db('contact_points').where({ type: 'postal' }).select<{ customer_id: number; value_masked: string; value_enc: string; value_hash: string; status: string; source: string }[]>();
    expect(points).toHaveLength(1);
    const [point] = points;
    // The letter's postal block: the holder's name over the address.
    const block = `${rows[0]!.holder_name}\n${ADDRESS}`;
    expect(point).toMatchObject({ value_masked: '江苏省南京市***', status: 'valid', source: 'policy_file', value_hash: cipher.hash(block) });
    expect(cipher.decrypt(point!.value_enc)).toBe(block);
    expect(JSON.stringify(points)).not.toContain('中山路');
    expect(JSON.stringify(await database.db('import_runs').select())).not.toMatch(/南京东路|路路路/); // the rejected rows are stored on the run
    const holder = await database.db('policies').where({ policy_no: rows[0]!.policy_no }).first<{ holder_customer_id: number }>('holder_customer_id');
    expect(point!.customer_id).toBe(holder.holder_customer_id);

    // The same file again: nothing written.
    expect(await importFile(database.db, cipher, 'policies', file)).toMatchObject({ inserted: 0, updated: 0 });
    expect(await database.db('contact_points').where({ type: 'postal' })).toHaveLength(1);
  });

  it('the letter step addresses the letter to it: the point is named on the letter, its mask on the contact', async () => {
    const policyNo = rows[0]!.policy_no!;
    const outcome = await sendSampleLetter(database.db, cipher, { policyNo, dueDate: rows[0]!.next_due_date!, step: 'lapse_letter', at: '2026-12-28 10:00', printHouse: 'PH-POSTAL' });
    expect(outcome).toEqual({ sent: ['letter'], suppressed: [] });
    const point = await database.db('contact_points').where({ type: 'postal' }).first<{ id: number }>('id');
    const letter = await database.db('letters').where({ policy_no: policyNo }).first<{ contact_point_id: number; contact_attempt_id: string }>('contact_point_id', 'contact_attempt_id');
    expect(letter.contact_point_id).toBe(point.id);
    expect(await database.db('contact_attempts').where({ id: letter.contact_attempt_id }).first()).toMatchObject({ status: 'sent', recipient_masked: '江苏省南京市***' });
  });
});
