import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEVELOPMENT_DATA_KEY } from '../../config/data-keys';
import { DataKey } from '../../db/data-key';
import { describeKeyRing } from '../../db/key-ring-description';
import { openKeyRing } from '../../db/key-ring';
import { PiiCipher } from '../../db/pii-cipher';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { envWithout, runChild } from '../support/run-child';

/**
 * Outside RENEWALS_ENV=demo nothing starts without a data key, and a key the database was not written
 * with is refused at start-up by the key ring's check (db/key-ring.ts), before anything is written.
 */
const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const C = 'c3'.repeat(32);
const idOf = (hex: string) => new DataKey(hex).id;
/** Nothing listens there: a start-up that got as far as connecting would say so instead. */
const NOWHERE = { DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:9/none', TEMPORAL_ADDRESS: '127.0.0.1:9' };
const AGENTS_CSV = 'test/fixtures/import/agents.csv';
const production = () => ({ ...envWithout('RENEWALS_ENV', 'RENEWALS_DATA_KEY', 'RENEWALS_DATA_KEYS_PREVIOUS'), ...NOWHERE });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('outside the demo, no data key: no start', () => {
  const MISSING = 'renewals: RENEWALS_DATA_KEY is not set: outside RENEWALS_ENV=demo personal data needs a 64-hex-character key of your own (see .env.example)\n';

  /** This process as a production shell: RENEWALS_ENV and the keys unset, servers unreachable. */
  function asProduction(): void {
    for (const name of ['RENEWALS_ENV', 'RENEWALS_DATA_KEY', 'RENEWALS_DATA_KEYS_PREVIOUS']) vi.stubEnv(name, '');
    for (const [name, value] of Object.entries(NOWHERE)) vi.stubEnv(name, value);
  }

  it('the real bin says so in one line and exits 1, before anything else', async () => {
    const run = await runChild('cli', ['tasks', 'list'], production());
    expect(run).toMatchObject({ code: 1, out: '', err: MISSING });
  });

  it('so does every command', async () => {
    asProduction();
    const commands = [
      ['db', 'migrate'],
      ['keys', 'status'],
      ['keys', 'rotate'],
      ['import', 'agents', 'agents.csv'],
      ['tasks', 'list'],
      ['run', 'status', '--month', '2027-01'],
      ['policy', 'show', 'P1'],
      ['report', 'daily', '--date', '2027-01-12'],
      ['audit', 'verify'],
      ['bank', 'export', '--date', '2027-01-12', '--out', 'never.xml'],
      ['contacts', 'check-quality'],
    ];
    for (const args of commands) expect(await runCliCaptured(args), args.join(' ')).toEqual({ code: 1, out: '', err: MISSING });
  });

  it('help and usage errors still work without a key', async () => {
    asProduction();
    const help = await runCliCaptured(['keys', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('rotate');
    expect(help.err).toBe('');
    const usage = await runCliCaptured(['tasks', 'list', '--no-such-option']);
    expect(usage.code).not.toBe(0);
    expect(usage.err).toContain("unknown option '--no-such-option'");
    expect(usage.err).not.toContain('RENEWALS_DATA_KEY');
  });

  it('the public development key is refused, and a malformed key is named without its value', async () => {
    asProduction();
    vi.stubEnv('RENEWALS_DATA_KEY', DEVELOPMENT_DATA_KEY);
    expect(await runCliCaptured(['tasks', 'list'])).toEqual({ code: 1, out: '', err: 'renewals: RENEWALS_DATA_KEY is the public development key: outside RENEWALS_ENV=demo set a key of your own\n' });
    vi.stubEnv('RENEWALS_DATA_KEY', 'secret-but-short');
    expect(await runCliCaptured(['tasks', 'list'])).toEqual({ code: 1, out: '', err: 'renewals: RENEWALS_DATA_KEY must be 64 hex characters (a 256-bit key)\n' });
  });

  it('the worker and the migrations refuse to start, naming the variable', async () => {
    const worker = await runChild('worker', [], production());
    expect(worker.code).toBe(1);
    expect(worker.err).toBe('worker failed: RENEWALS_DATA_KEY is not set: outside RENEWALS_ENV=demo personal data needs a 64-hex-character key of your own (see .env.example)\n');
    const migrate = await runChild('migrate', [], production());
    expect(migrate.code).toBe(1);
    expect(migrate.err).toContain('migrate failed: RENEWALS_DATA_KEY is not set');
  });

  it('the demo may run on the development key, and its start-up says so', () => {
    const line = describeKeyRing({ currentKeyId: idOf(DEVELOPMENT_DATA_KEY), retiring: [] }, { current: DEVELOPMENT_DATA_KEY, previous: [], development: true });
    expect(line).toBe(`data key ${idOf(DEVELOPMENT_DATA_KEY)} (the development key: demo only, never for real data)`);
  });
});

describe('a key the database was not written with is refused at start-up', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await freshDatabase();
    const underA = new PiiCipher(A);
    await seedPolicy(database.db, underA, samplePolicy());
    expect(await openKeyRing(database.db, underA)).toMatchObject({ currentKeyId: idOf(A), change: 'registered' });
  });

  afterAll(async () => {
    await database?.drop();
  });

  const customers = async () => database.db('customers').select('id', 'name_enc', 'id_no_hash').orderBy('id');
  const agents = async () => database.db('agents').count<{ n: number }[]>('* as n');

  it('a command refuses a wrong key in one line naming both key ids, and writes nothing', async () => {
    const before = await customers();
    const agentsBefore = await agents();
    vi.stubEnv('DATABASE_URL', database.url);
    vi.stubEnv('RENEWALS_DATA_KEY', B);
    const run = await runCliCaptured(['import', 'agents', AGENTS_CSV]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `renewals: RENEWALS_DATA_KEY (key ${idOf(B)}) is not the key this database is written under (key ${idOf(A)}): set that key; to rotate to a new key, put the current one in RENEWALS_DATA_KEYS_PREVIOUS\n`,
    );
    expect(await customers()).toEqual(before);
    expect(await agents()).toEqual(agentsBefore);
    expect(await database.db('data_keys').pluck('key_id')).toEqual([idOf(A)]);
  });

  it('the worker refuses it before it polls', async () => {
    // Configured in every other way (a bank, messages kept in memory, any free port for its endpoints).
    const run = await runChild('worker', [], { ...process.env, ...NOWHERE, DATABASE_URL: database.url, RENEWALS_DATA_KEY: B, BANK_MODE: 'files', SMS_PROVIDER: 'record', WORKER_HTTP_PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.err).toContain(`worker failed: RENEWALS_DATA_KEY (key ${idOf(B)}) is not the key this database is written under (key ${idOf(A)})`);
    expect(run.out).not.toContain('polling');
  });

  it('the stored check value decides: a key whose check value differs is refused', async () => {
    await database.db('data_keys').where({ key_id: idOf(A) }).update({ check_value: '0'.repeat(64) });
    try {
      vi.stubEnv('DATABASE_URL', database.url);
      vi.stubEnv('RENEWALS_DATA_KEY', A);
      const run = await runCliCaptured(['import', 'agents', AGENTS_CSV]);
      expect(run).toMatchObject({ code: 1, err: `renewals: RENEWALS_DATA_KEY does not match the check value stored for key ${idOf(A)}: it is not the key this database was written with\n` });
    } finally {
      await database.db('data_keys').where({ key_id: idOf(A) }).update({ check_value: new DataKey(A).checkValue });
    }
    vi.stubEnv('RENEWALS_DATA_KEY', A);
    expect((await runCliCaptured(['import', 'agents', AGENTS_CSV])).code).toBe(0);
  });

  it('the first start-up on a database refuses data under a key it is not given', async () => {
    const other = await freshDatabase();
    try {
      await seedPolicy(other.db, new PiiCipher(C), samplePolicy());
      await expect(openKeyRing(other.db, new PiiCipher(A))).rejects.toThrow(
        `personal data is under key ${idOf(C)}, which is neither RENEWALS_DATA_KEY nor in RENEWALS_DATA_KEYS_PREVIOUS: set the key it was written with`,
      );
      expect(await other.db('data_keys').count('* as n').first()).toEqual({ n: 0 });
      // Given as a previous key, it is accepted and a rotation is under way.
      expect(await openKeyRing(other.db, new PiiCipher(A, [C]))).toEqual({ currentKeyId: idOf(A), retiring: [idOf(C)], change: 'registered' });
      await expect(openKeyRing(other.db, new PiiCipher(A))).rejects.toThrow(`rows may still be under key ${idOf(C)} (a key rotation is under way): put that key in RENEWALS_DATA_KEYS_PREVIOUS`);
    } finally {
      await other.drop();
    }
  });

  it('a retired or replaced key cannot come back as the current one', async () => {
    const other = await freshDatabase();
    try {
      await openKeyRing(other.db, new PiiCipher(A));
      expect(await openKeyRing(other.db, new PiiCipher(B, [A]))).toMatchObject({ currentKeyId: idOf(B), retiring: [idOf(A)], change: 'rotation_started' });
      await expect(openKeyRing(other.db, new PiiCipher(A, [B]))).rejects.toThrow(
        `RENEWALS_DATA_KEY is key ${idOf(A)}, which this database has replaced; its current key is ${idOf(B)}: set RENEWALS_DATA_KEY to that key`,
      );
    } finally {
      await other.drop();
    }
  });
});
