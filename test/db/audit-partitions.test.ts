import knex from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_AUDIT_KEY } from '../../config/audit-keys';
import { AUDIT_POLICY_PARTITIONS, AuditHeadKey, auditPartitionOf, SYSTEM_PARTITION } from '../../db/audit-chain';
import { connect, migrateLatest, type Db } from '../../db/connection';
import { ident, rolesOf } from '../../db/database-roles';
import { migrationSource } from '../../db/migrations';
import { appendAudit, inspectAuditChain, resignAuditHeads, type AuditChainReport, type PartitionReport } from '../../db/repositories/audit';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The audit chain per partition of policies (migration 023, docs/architecture.md#the-audit-chain):
 * what each kind of tampering behind the application's back looks like per partition, the signed
 * heads, writers of different partitions not waiting on each other, and a trail written before the
 * migration still verifying as the legacy chain every partition starts from.
 */

const DUE = '2026-12-24';
const A = 'P202600001';
const B = 'P202600002';
const PA = auditPartitionOf(A);
const PB = auditPartitionOf(B);
const DEV = new AuditHeadKey(DEVELOPMENT_AUDIT_KEY);

let t: TestDatabase;

const row = (policyNo: string | null, n: number) => ({
  kind: 'stage_changed' as const,
  actor: 'test',
  ...(policyNo ? { policyNo, dueDate: DUE } : {}),
  detail: { stage: `S${n}` },
});

function partition(report: AuditChainReport, p: number): PartitionReport {
  return report.partitions.find((r) => r.partition === p)!;
}

/** As the table's owner with every trigger off: what the application cannot do, and verify must still see. */
async function behindTheBack(sql: string, bindings: readonly unknown[] = []) {
  await t.owner.transaction(async (trx) => {
    await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER ALL');
    await trx.raw(sql, bindings as never);
    await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER ALL');
  });
}

/** Takes a copy of the trail and its heads, and puts them back after `work`, so each test starts intact. */
async function thenRestore(work: () => Promise<void>) {
  await t.owner.raw('DROP TABLE IF EXISTS events_copy, heads_copy');
  await t.owner.raw('CREATE TABLE events_copy AS SELECT * FROM audit_events');
  await t.owner.raw('CREATE TABLE heads_copy AS SELECT * FROM audit_chain_heads');
  try {
    await work();
  } finally {
    await t.owner.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER ALL');
      await trx.raw('DELETE FROM audit_events');
      await trx.raw('INSERT INTO audit_events SELECT * FROM events_copy');
      await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER ALL');
      await trx.raw('DELETE FROM audit_chain_heads');
      await trx.raw('INSERT INTO audit_chain_heads SELECT * FROM heads_copy');
    });
  }
  expect(await inspectAuditChain(t.db)).toMatchObject({ problems: 0, headProblems: 0 });
}

beforeAll(async () => {
  t = await freshDatabase();
  expect(PA).not.toBe(PB);
  for (let n = 1; n <= 4; n += 1) {
    await appendAudit(t.db, row(A, n));
    await appendAudit(t.db, row(B, n));
  }
  await appendAudit(t.db, row(null, 1));
});

afterAll(async () => {
  await t.drop();
});

describe('partitions', () => {
  it('the database and db/audit-chain.ts put a policy in the same partition', async () => {
    const policies = [null, A, B, 'P1', '保单-001', ...Array.from({ length: 200 }, (_, i) => `P2027${String(i).padStart(5, '0')}`)];
    const { rows } = await t.db.raw<{ rows: { p: number }[] }>('SELECT audit_partition_of(x) AS p FROM unnest(?::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i', [policies as string[]]);
    expect(rows.map((r) => r.p)).toEqual(policies.map((p) => auditPartitionOf(p)));
    const used = new Set(rows.slice(1).map((r) => r.p));
    expect(Math.min(...used)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...used)).toBeLessThanOrEqual(AUDIT_POLICY_PARTITIONS);
    expect(used.size).toBeGreaterThan(40); // 200 policies spread over most of the 64
  });

  it('links each row to the previous row of its partition, numbers it there without gaps, and signs the head', async () => {
    const rows = await t.db('audit_events').orderBy('seq').select<{ seq: number; chain_partition: number; chain_seq: number; prev_hash: string; hash: string }[]>();
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ofA = rows.filter((r) => r.chain_partition === PA);
    expect(ofA.map((r) => r.chain_seq)).toEqual([1, 2, 3, 4]);
    expect(ofA[0]!.prev_hash).toBe('0'.repeat(64)); // the legacy chain is empty here
    for (let i = 1; i < ofA.length; i += 1) expect(ofA[i]!.prev_hash).toBe(ofA[i - 1]!.hash);
    expect(rows[8]).toMatchObject({ chain_partition: SYSTEM_PARTITION, chain_seq: 1 });

    const head = await t.db('audit_chain_heads').where({ chain_partition: PA }).first<{ chain_seq: number; seq: number; hash: string; key_id: string; mac: string }>();
    expect(head).toMatchObject({ chain_seq: 4, seq: ofA[3]!.seq, hash: ofA[3]!.hash, key_id: DEV.id });
    // The trigger's HMAC is the one node computes.
    expect(head.mac).toBe(DEV.mac(`renewals audit head v1|${PA}|4|${ofA[3]!.seq}|${ofA[3]!.hash}`));

    const report = await inspectAuditChain(t.db);
    expect(report).toMatchObject({ rows: 9, problems: 0, headProblems: 0, legacy: { rows: 0 } });
    expect(report.partitions).toHaveLength(AUDIT_POLICY_PARTITIONS + 1);
    expect(partition(report, PA)).toMatchObject({ rows: 4, head: { result: 'matches', keyId: DEV.id } });
    expect(partition(report, SYSTEM_PARTITION)).toMatchObject({ rows: 1, head: { result: 'matches' } });
    expect(report.partitions.filter((p) => p.rows === 0).every((p) => p.head.result === 'matches' && p.head.chainSeq === 0)).toBe(true);
  });

  it('refuses an append from a session that was not handed the audit key', async () => {
    const bare = knex({ client: 'pg', connection: t.url, pool: { min: 0, max: 1 } });
    try {
      await expect(bare('audit_events').insert({ seq: 0, kind: 'stage_changed', actor: 'x', prev_hash: '', hash: '' })).rejects.toThrow(
        /this session was not handed the audit key/,
      );
    } finally {
      await bare.destroy();
    }
    expect(await inspectAuditChain(t.db)).toMatchObject({ rows: 9, problems: 0, headProblems: 0 });
  });
});

describe('tampering behind the application’s back, per partition', () => {
  it('an edited row: altered, on its partition only', async () => {
    await thenRestore(async () => {
      await behindTheBack(`UPDATE audit_events SET detail = '{"stage":"PAID"}' WHERE chain_partition = ? AND chain_seq = 2`, [PA]);
      const report = await inspectAuditChain(t.db);
      expect(report).toMatchObject({ problems: 1, headProblems: 0, firstBreak: { partition: PA, chainSeq: 2, problem: 'altered' } });
      expect(partition(report, PB)).toMatchObject({ problems: 0, head: { result: 'matches' } });
    });
  });

  it('a deleted middle row: the gap in its partition', async () => {
    await thenRestore(async () => {
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ? AND chain_seq = 2', [PB]);
      const report = await inspectAuditChain(t.db);
      expect(partition(report, PB)).toMatchObject({ rows: 3, problems: 1, firstBreak: { chainSeq: 3, problem: 'missing_rows', missing: { from: 2, to: 2 } } });
      expect(report.headProblems).toBe(0);
    });
  });

  it('a deleted tail row: every link holds, the signed head counts it', async () => {
    await thenRestore(async () => {
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ? AND chain_seq = 4', [PA]);
      const report = await inspectAuditChain(t.db);
      expect(report).toMatchObject({ problems: 0, headProblems: 1 });
      expect(partition(report, PA).head).toMatchObject({ result: 'cut_off', chainSeq: 4 });
      // A whole partition emptied shows the same way.
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ?', [SYSTEM_PARTITION]);
      expect(partition(await inspectAuditChain(t.db), SYSTEM_PARTITION).head).toMatchObject({ result: 'cut_off', chainSeq: 1 });
    });
  });

  it('reordered rows: two rows swapped in their partition are both altered, and the next no longer links', async () => {
    await thenRestore(async () => {
      await behindTheBack(
        `UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_partition = ${PA} AND chain_seq IN (2, 3);
         UPDATE audit_events SET chain_seq = CASE chain_seq WHEN -2 THEN 3 ELSE 2 END WHERE chain_partition = ${PA} AND chain_seq IN (-2, -3)`,
      );
      const report = await inspectAuditChain(t.db);
      expect(partition(report, PA)).toMatchObject({ problems: 3, firstBreak: { chainSeq: 2, problem: 'altered' } });
    });
  });

  it('a partition rewritten with fresh hashes: the links hold, the head names another last row', async () => {
    await thenRestore(async () => {
      await behindTheBack(
        `UPDATE audit_events SET detail = '{"stage":"PAID"}' WHERE chain_partition = ${PA} AND chain_seq = 3;
         DO $$ DECLARE r record; prev text; BEGIN
           SELECT prev_hash INTO prev FROM audit_events WHERE chain_partition = ${PA} AND chain_seq = 3;
           FOR r IN SELECT seq FROM audit_events WHERE chain_partition = ${PA} AND chain_seq >= 3 ORDER BY chain_seq LOOP
             UPDATE audit_events a SET prev_hash = prev, hash = audit_event_digest(prev, a) WHERE seq = r.seq RETURNING hash INTO prev;
           END LOOP;
         END $$`,
      );
      const report = await inspectAuditChain(t.db);
      expect(report).toMatchObject({ problems: 0, headProblems: 1 });
      expect(partition(report, PA).head.result).toBe('differs');
    });
  });

  it('a forged head: moved back over a cut tail, or re-signed without the key, or under an unknown key', async () => {
    await thenRestore(async () => {
      // Tail cut and the head moved back to the new last row, keeping the old MAC.
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ? AND chain_seq = 4', [PA]);
      await t.owner.raw(
        `UPDATE audit_chain_heads h SET chain_seq = a.chain_seq, seq = a.seq, hash = a.hash FROM audit_events a
          WHERE h.chain_partition = ? AND a.chain_partition = h.chain_partition AND a.chain_seq = 3`,
        [PA],
      );
      let report = await inspectAuditChain(t.db);
      expect(report).toMatchObject({ problems: 0, headProblems: 1 });
      expect(partition(report, PA).head).toMatchObject({ result: 'bad_signature', chainSeq: 3 });

      // Signed with a key of the forger's own: not one the verifier knows.
      const forger = new AuditHeadKey('ab'.repeat(32));
      const h = await t.db('audit_chain_heads').where({ chain_partition: PA }).first<{ chain_seq: number; seq: number; hash: string }>();
      await t.owner('audit_chain_heads')
        .where({ chain_partition: PA })
        .update({ key_id: forger.id, mac: forger.mac(`renewals audit head v1|${PA}|${h.chain_seq}|${h.seq}|${h.hash}`) });
      report = await inspectAuditChain(t.db);
      expect(partition(report, PA).head).toMatchObject({ result: 'unknown_key', keyId: forger.id });
      // ... and claiming the real key's id does not help.
      await t.owner('audit_chain_heads').where({ chain_partition: PA }).update({ key_id: DEV.id });
      expect(partition(await inspectAuditChain(t.db), PA).head.result).toBe('bad_signature');

      // A head row deleted.
      await t.owner('audit_chain_heads').where({ chain_partition: PB }).delete();
      expect(partition(await inspectAuditChain(t.db), PB).head.result).toBe('missing');
    });
  });

  it('a row appended with the trigger off: past its partition’s signed head', async () => {
    await thenRestore(async () => {
      const head = await t.db('audit_chain_heads').where({ chain_partition: PB }).first<{ chain_seq: number; hash: string }>();
      await behindTheBack(
        `INSERT INTO audit_events (seq, chain_partition, chain_seq, kind, actor, policy_no, detail, prev_hash, hash) VALUES (500, ?, ?, 'stage_changed', 'x', ?, '{}', ?, '')`,
        [PB, head.chain_seq + 1, B, head.hash],
      );
      await behindTheBack('UPDATE audit_events a SET hash = audit_event_digest(prev_hash, a) WHERE seq = 500');
      const report = await inspectAuditChain(t.db);
      expect(report).toMatchObject({ problems: 0, headProblems: 1 });
      expect(partition(report, PB).head.result).toBe('ahead');
    });
  });

  it('what a signed head cannot tell: a partition cut back to an older head that was signed, that head put back; an anchor can', async () => {
    await thenRestore(async () => {
      const older = await t.db('audit_chain_heads').where({ chain_partition: PA }).first<Record<string, unknown>>();
      const anchor = await t.db('audit_events').where({ chain_partition: PA }).orderBy('chain_seq', 'desc').first<{ seq: number; hash: string }>('seq', 'hash');
      await appendAudit(t.db, row(A, 5));
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ? AND chain_seq = 5', [PA]);
      await t.owner('audit_chain_heads').where({ chain_partition: PA }).update(older);
      expect(await inspectAuditChain(t.db)).toMatchObject({ problems: 0, headProblems: 0 });
      // The newest row of the trail, kept outside the database after the append, is gone.
      const newer = { seq: anchor.seq, hash: anchor.hash };
      expect((await inspectAuditChain(t.db, { anchor: newer })).anchor?.result).toBe('matches');
    });
  });
});

describe('writers of different partitions', () => {
  /** Resolves to 'done' if the promise settles within ms, 'waiting' otherwise. */
  const within = (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => 'done'), new Promise<string>((resolve) => setTimeout(() => resolve('waiting'), ms))]);

  it('do not wait for each other: two open transactions on two partitions both append and both commit', async () => {
    const before = await inspectAuditChain(t.db);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appendedA!: () => void;
    const aIn = new Promise<void>((resolve) => (appendedA = resolve));
    const first = t.db.transaction(async (trx) => {
      await appendAudit(trx, row(A, 10));
      appendedA();
      await held; // holds A's partition until released
    });
    await aIn;
    const second = t.db.transaction(async (trx) => {
      await appendAudit(trx, row(B, 10));
      await appendAudit(trx, row(null, 10));
    });
    // B's and the system partition's appends commit while A's transaction is still open.
    expect(await within(second, 5_000)).toBe('done');
    release();
    await first;
    expect(await inspectAuditChain(t.db)).toMatchObject({ rows: before.rows + 3, problems: 0, headProblems: 0 });
  });

  it('of the same partition wait: the second appends once the first commits, onto its row', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let appendedFirst!: () => void;
    const firstIn = new Promise<void>((resolve) => (appendedFirst = resolve));
    const first = t.db.transaction(async (trx) => {
      await appendAudit(trx, row(A, 11));
      appendedFirst();
      await held;
    });
    await firstIn;
    const second = appendAudit(t.db, row(A, 12));
    expect(await within(second, 1_000)).toBe('waiting');
    release();
    await first;
    await second;
    const [last, previous] = await t.db('audit_events').where({ chain_partition: PA }).orderBy('chain_seq', 'desc').limit(2).select<{ chain_seq: number; prev_hash: string; hash: string; detail: { stage: string } }[]>();
    expect(last!.detail.stage).toBe('S12');
    expect(last!.prev_hash).toBe(previous!.hash);
    expect(await inspectAuditChain(t.db)).toMatchObject({ problems: 0, headProblems: 0 });
  });

  it('a rolled-back append leaves no gap in its partition (seq may skip, chain_seq does not)', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await appendAudit(trx, row(B, 13));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await appendAudit(t.db, row(B, 14));
    expect(await inspectAuditChain(t.db)).toMatchObject({ problems: 0, headProblems: 0 });
  });
});

describe('key rotation', () => {
  it('verifies heads under a previous key, and sign-heads moves every head to the current one', async () => {
    const next = 'cd'.repeat(32);
    const K2 = new AuditHeadKey(next);
    const rotated = connect(t.url, { max: 2, auditKey: next });
    try {
      await appendAudit(rotated, row(A, 20)); // A's head now under K2, the others under the development key
      expect(partition(await inspectAuditChain(t.db, { keys: [DEV] }), PA).head.result).toBe('unknown_key');
      const both = await inspectAuditChain(t.db, { keys: [K2, DEV] });
      expect(both).toMatchObject({ problems: 0, headProblems: 0 });
      expect(partition(both, PA).head.keyId).toBe(K2.id);

      expect(await resignAuditHeads(rotated, [K2, DEV])).toEqual({ signed: AUDIT_POLICY_PARTITIONS, current: 1, refused: [] });
      const after = await inspectAuditChain(t.db, { keys: [K2] });
      expect(after).toMatchObject({ problems: 0, headProblems: 0 });
      expect(after.partitions.every((p) => p.head.keyId === K2.id)).toBe(true);
      // Back to the development key for the rest of the file's connections.
      expect(await resignAuditHeads(t.db, [DEV, K2])).toMatchObject({ signed: AUDIT_POLICY_PARTITIONS + 1, refused: [] });
    } finally {
      await rotated.destroy();
    }
  });

  it('sign-heads leaves a head that does not hold alone', async () => {
    await thenRestore(async () => {
      await behindTheBack('DELETE FROM audit_events WHERE chain_partition = ? AND chain_seq = 1', [SYSTEM_PARTITION]);
      const result = await resignAuditHeads(t.db, [DEV]);
      expect(result.refused).toEqual([SYSTEM_PARTITION]);
    });
  });
});

describe('a trail written before migration 023', () => {
  let old: TestDatabase;
  let migrator: Db | undefined;

  afterAll(async () => {
    await migrator?.destroy();
    await old?.drop();
  });

  it('stays verifiable as the legacy chain, and every partition starts from its head', async () => {
    old = await freshDatabase({ migrate: false });
    // Every migration before 023, as migrateLatest runs them (after 014 as the owner role).
    migrator = connect(old.migrationUrl, { max: 1 });
    const before023: typeof migrationSource = {
      ...migrationSource,
      getMigrations: async (extensions) => (await migrationSource.getMigrations(extensions)).filter(([name]) => name < '023'),
    };
    const owner = (await rolesOf(migrator)).owner;
    await migrator.migrate.latest({
      migrationSource: before023,
      tableName: 'knex_migrations',
      beforeEach: async (conn: Db, migrations: unknown[]) => {
        const [name] = migrations[0] as [string];
        if (name > '014_database_roles') await conn.raw(`SET ROLE ${ident(owner)}`);
      },
      afterEach: async (conn: Db) => {
        await conn.raw('RESET ROLE');
      },
    });
    // The old trigger: one global chain.
    for (let n = 1; n <= 3; n += 1) await appendAudit(migrator, row(n === 2 ? null : A, n));
    const legacyRows = await migrator('audit_events').orderBy('seq').select<{ seq: number; hash: string }[]>('seq', 'hash');
    expect(legacyRows.map((r) => r.seq)).toEqual([1, 2, 3]);

    // Later migrations run too; 023 must be the first of them.
    expect((await migrateLatest(migrator))[0]).toBe('023_audit_partitions');
    const app = connect(old.migrationUrl, { max: 1 });
    try {
      await appendAudit(app, row(A, 4));
      await appendAudit(app, row(null, 5));
      const first = await app('audit_events').where({ chain_partition: PA, chain_seq: 1 }).first<{ seq: number; prev_hash: string }>();
      expect(first).toMatchObject({ seq: 4, prev_hash: legacyRows[2]!.hash });
      const report = await inspectAuditChain(app);
      expect(report).toMatchObject({ rows: 5, problems: 0, headProblems: 0, legacy: { rows: 3, last: { seq: 3, hash: legacyRows[2]!.hash }, problems: 0 } });
      expect(report.partitions.filter((p) => p.rows === 0).every((p) => p.head.result === 'matches' && p.head.hash === legacyRows[2]!.hash)).toBe(true);

      // The legacy chain's last row cut off: every partition's start no longer fits.
      await old.owner.transaction(async (trx) => {
        await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER ALL');
        await trx.raw('DELETE FROM audit_events WHERE seq = 3');
        await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER ALL');
      });
      const cut = await inspectAuditChain(app);
      expect(cut.legacy).toMatchObject({ rows: 2, problems: 0 });
      expect(partition(cut, PA).firstBreak).toMatchObject({ chainSeq: 1, problem: 'broken_link' });
      expect(cut.headProblems).toBe(AUDIT_POLICY_PARTITIONS - 1); // every empty partition's head names the old legacy head
    } finally {
      await app.destroy();
    }
  });
});

describe('the application login', () => {
  it('cannot reach the heads with a client of its own either', async () => {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      await expect(client.query('UPDATE audit_chain_heads SET chain_seq = 0')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await client.end();
    }
  });
});
