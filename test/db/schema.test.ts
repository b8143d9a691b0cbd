import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateLatest, rollbackMigrations } from '../../db/connection';
import { PiiCipher } from '../../db/pii-cipher';
import { auditPartitionOf } from '../../db/audit-chain';
import { appendAudit, verifyAuditChain } from '../../db/repositories/audit';
import { newDebitKey } from '../../db/debit-keys';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

let t: TestDatabase;
const cipher = new PiiCipher('11'.repeat(32));

// Unmigrated: t.db is the migration login (the test server's superuser) until the migrations have
// made the roles. The audit tests below use the owner role: the triggers guard the trail against it too.
beforeAll(async () => {
  t = await freshDatabase({ migrate: false });
});
afterAll(async () => {
  await t.drop();
});

async function tables(): Promise<string[]> {
  const result = await t.db.raw<{ rows: { tablename: string }[] }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex_%' ORDER BY tablename`,
  );
  return result.rows.map((r) => r.tablename);
}

describe('migrations on real PostgreSQL', () => {
  it('apply, roll back completely, and apply again', async () => {
    const applied = await migrateLatest(t.db);
    expect(applied.length).toBeGreaterThanOrEqual(5);
    const created = await tables();
    expect(created).toEqual(
      expect.arrayContaining(['policies', 'premium_dues', 'debit_attempts', 'payments', 'contact_attempts', 'audit_events', 'tasks', 'monthly_runs', 'mandates', 'customers']),
    );

    await rollbackMigrations(t.db, true);
    expect(await tables()).toEqual([]);
    const types = await t.db.raw<{ rows: unknown[] }>(`SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`);
    expect(types.rows).toEqual([]);

    expect(await migrateLatest(t.db)).toEqual(applied);
    expect(await tables()).toEqual(created);
  });
});

describe('audit trail', () => {
  beforeAll(async () => {
    await appendAudit(t.owner, { kind: 'stage_changed', actor: 'test', policyNo: 'P1', dueDate: '2026-12-24', detail: { stage: 'PRE_DUE' } });
    await appendAudit(t.owner, { kind: 'contact_sent', actor: 'test', policyNo: 'P1', dueDate: '2026-12-24', detail: { channel: 'email' } });
    await appendAudit(t.owner, { kind: 'stage_changed', actor: 'test', policyNo: 'P1', dueDate: '2026-12-24', detail: { stage: 'PAID' } });
  });

  it('chains each row to the one before it on its policy’s partition, from the legacy chain’s (empty) head', async () => {
    const rows = await t.db('audit_events')
      .orderBy('seq')
      .select<{ seq: number; chain_partition: number; chain_seq: number; prev_hash: string; hash: string }[]>('seq', 'chain_partition', 'chain_seq', 'prev_hash', 'hash');
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows.map((r) => [r.chain_partition, r.chain_seq])).toEqual([1, 2, 3].map((n) => [auditPartitionOf('P1'), n]));
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(3);
    expect(await verifyAuditChain(t.db)).toEqual({ rows: 3, headProblems: 0 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE at the database level, even to the owner role', async () => {
    // The application role lacks these privileges (test/security/database-roles.test.ts); the
    // triggers refuse them to the table's owner as well.
    await expect(t.owner('audit_events').where({ seq: 2 }).update({ actor: 'mallory' })).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.owner('audit_events').where({ seq: 2 }).delete()).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.owner.raw('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await t.owner('audit_events').count<{ count: number }[]>('* as count')).toEqual([{ count: 3 }]);
  });

  it('names the first row altered behind the application’s back', async () => {
    // The owner (or a superuser) can switch the trigger off, which the application cannot; the chain still tells.
    await t.owner.raw('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await t.owner('audit_events').where({ seq: 2 }).update({ detail: JSON.stringify({ channel: 'sms' }) });
    await t.owner.raw('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    expect(await verifyAuditChain(t.owner)).toEqual({
      rows: 3,
      headProblems: 0,
      firstBreak: { seq: 2, partition: auditPartitionOf('P1'), chainSeq: 2, problem: 'altered' },
    });
  });
});

describe('debit attempts', () => {
  it('refuse a second attempt with the same idempotency key, and a second one in flight', async () => {
    await seedPolicy(t.db, cipher, samplePolicy());
    const due = await t.db('premium_dues').first<{ id: number }>('id');
    const row = (attemptNo: number, key: string, status: string) => ({
      premium_due_id: due.id,
      attempt_no: attemptNo,
      idempotency_key: key,
      bank_code: 'ICBC',
      amount_fen: 100,
      collection_date: '2026-12-24',
      status,
      workflow_id: 'wf',
      run_id: 'run',
      activity_id: '1',
    });
    const first = newDebitKey('RNW');
    await t.db('debit_attempts').insert(row(1, first, 'failed'));
    await expect(t.db('debit_attempts').insert(row(2, first, 'failed'))).rejects.toThrow(
      /debit_attempts_idempotency_key_unique/,
    );
    await t.db('debit_attempts').insert(row(2, newDebitKey('RNW'), 'submitted'));
    await expect(t.db('debit_attempts').insert(row(3, newDebitKey('RNW'), 'prepared'))).rejects.toThrow(
      /debit_attempts_one_in_flight/,
    );
  });

  it('keys fit an ISO 20022 EndToEndId (35 characters)', () => {
    expect(newDebitKey('RNW').length).toBeLessThanOrEqual(35);
  });
});

describe('personal data at rest', () => {
  it('is stored masked and encrypted, never in clear', async () => {
    const dump = JSON.stringify(await t.db('customers').select()) + JSON.stringify(await t.db('mandates').select()) +
      JSON.stringify(await t.db('contact_points').select());
    const policy = samplePolicy();
    for (const secret of [policy.holderIdNo, policy.accountNo, policy.holderMobile!, policy.holderEmail!, policy.holderName]) {
      expect(dump).not.toContain(secret);
    }
    expect(dump).toContain('138****8000');
    expect(dump).toContain('622202*********0123');
  });
});

describe('payments', () => {
  it('are unique per premium, channel and reference, not across premiums', async () => {
    await seedPolicy(t.db, cipher, samplePolicy({ policyNo: 'P-PAY-2', holderIdNo: '320102198001019999', nextDueDate: '2026-12-25' }));
    const dues = await t.db('premium_dues').orderBy('id').select<{ id: number }[]>('id');
    const payment = (premiumDueId: number) => ({ premium_due_id: premiumDueId, amount_fen: 100, via: 'counter', reference: 'RCPT-1', received_at: new Date() });
    await t.db('payments').insert(payment(dues[0]!.id));
    await t.db('payments').insert(payment(dues[1]!.id)); // same receipt number, another premium
    await expect(t.db('payments').insert(payment(dues[0]!.id))).rejects.toThrow(/payments_premium_due_id_via_reference_unique/);
  });
});
