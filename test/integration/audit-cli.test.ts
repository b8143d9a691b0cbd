import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { DEVELOPMENT_AUDIT_KEY } from '../../config/audit-keys';
import { AuditHeadKey, auditPartitionOf } from '../../db/audit-chain';
import { appendAudit, inspectAuditChain } from '../../db/repositories/audit';
import { AUDIT_EXPORT_COLUMNS } from '../../db/repositories/audit-export';
import { markContactSent, markContactSuppressed, openContactAttempt } from '../../db/repositories/contacts';
import { shanghaiInstant } from '../../domain/civil-date';
import { runCli } from '../../cli/program';
import { actAs } from '../support/acting';
import { restoreSignIn } from '../support/people';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

const KEY = '11'.repeat(32);
const cipher = new PiiCipher(KEY);
const P1 = 'P202600001';
const P2 = 'P202600002';
const DUE = '2026-12-24';
const WF1 = `renewal-${P1}-${DUE}`;
const holder = samplePolicy();
const BIZ_ID = '900619746936498440^0';

let t: TestDatabase;
let dir: string;
const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, RENEWALS_DATA_KEY: process.env.RENEWALS_DATA_KEY };

/** A Shanghai wall-clock instant. */
const at = (date: string, time: string) => new Date(shanghaiInstant(date, time));

async function cli(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(Buffer.from(chunk));
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stdout: Buffer.concat(out), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** The real bin, in its own process, as an operator runs it. */
function spawned(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve('bin/renewals'), ...args], {
      env: { ...process.env, DATABASE_URL: t.url, RENEWALS_DATA_KEY: KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

type Row = Record<(typeof AUDIT_EXPORT_COLUMNS)[number], string>;

function csvRows(bytes: Buffer): Row[] {
  return parse<Row>(bytes, { bom: true, columns: true });
}

/** JSON rows as CSV text renders them (every value is a string, a number or null). */
function asText(rows: Record<string, string | number | null>[]): Row[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)])) as Row);
}

async function auditRows(kind?: string) {
  const query = t.db('audit_events').orderBy('seq');
  if (kind) void query.where({ kind });
  return query.select();
}

/** One reminder on one channel: the attempt row first, then its audit event, as the activity does. */
async function contact(
  policyNo: string,
  step: string,
  channel: 'sms' | 'email',
  when: Date,
  outcome: { sent: string } | { suppressed: string },
  recipientMasked: string,
) {
  const id = randomUUID();
  const workflowId = `renewal-${policyNo}-${DUE}`;
  await openContactAttempt(t.db, {
    id,
    policyNo,
    dueDate: DUE,
    step,
    channel,
    templateCode: 'reminder',
    templateVersion: 3,
    recipientMasked,
    workflowId,
    runId: 'run-1',
    activityId: '7',
    plannedAt: when,
  });
  const base = { actor: 'renewal-cycle', policyNo, dueDate: DUE, workflowId, runId: 'run-1', activityId: '7', occurredAt: when };
  if ('sent' in outcome) {
    await markContactSent(t.db, id, channel === 'sms' ? 'aliyun' : 'smtp', outcome.sent, when);
    await appendAudit(t.db, {
      ...base,
      kind: 'contact_sent',
      detail: { contactId: id, step, channel, template: 'reminder@3', recipient: recipientMasked, provider: channel === 'sms' ? 'aliyun' : 'smtp', providerMessageId: outcome.sent },
    });
  } else {
    await markContactSuppressed(t.db, id, outcome.suppressed);
    await appendAudit(t.db, { ...base, kind: 'contact_suppressed', detail: { contactId: id, step, channel, rule: outcome.suppressed } });
  }
  return id;
}

beforeAll(async () => {
  // The trail's rows lie in the past: the exports this file makes are audited at the real time,
  // and must not fall inside the date filters below.
  t = await freshDatabase();
  process.env.DATABASE_URL = t.url;
  process.env.RENEWALS_DATA_KEY = KEY;
  dir = await mkdtemp(join(tmpdir(), 'audit-cli-test-'));
  await seedPolicy(t.db, cipher, holder);
  await seedPolicy(t.db, cipher, samplePolicy({ policyNo: P2, holderIdNo: '320102198502023456', holderMobile: '13900001111', holderEmail: null }));

  const cycle = { actor: 'renewal-cycle', policyNo: P1, dueDate: DUE, workflowId: WF1, runId: 'run-1' };
  await appendAudit(t.db, { ...cycle, activityId: '1', occurredAt: at('2025-11-24', '08:00'), kind: 'cycle_opened', detail: { plan: 'standard-60@1' } }); // 1
  const sms = await contact(P1, 'reminder_d-30', 'sms', at('2025-11-24', '09:00'), { sent: BIZ_ID }, '138****8000'); // 2
  await contact(P1, 'reminder_d-30', 'email', at('2025-11-24', '23:59'), { sent: '<c1@renewals>' }, 'z***@example.cn'); // 3
  await contact(P2, 'reminder_d-30', 'sms', at('2025-11-25', '00:30'), { sent: 'biz-2' }, '139****1111'); // 4
  await contact(P1, 'reminder_d-15', 'sms', at('2025-12-09', '22:00'), { suppressed: 'quiet_hours' }, '138****8000'); // 5
  await appendAudit(t.db, { ...cycle, activityId: '9', occurredAt: at('2025-12-24', '06:00'), kind: 'stage_changed', detail: { stage: 'DEBITING' } }); // 6
  await appendAudit(t.db, {
    ...cycle,
    activityId: '10',
    occurredAt: at('2025-12-24', '17:00'),
    kind: 'debit_failed',
    detail: { attemptNo: 1, idempotencyKey: 'D1-01', rawCode: 'AM04', reason: 'INSUFFICIENT_FUNDS' },
  }); // 7
  await appendAudit(t.db, {
    ...cycle,
    activityId: '12',
    occurredAt: at('2025-12-31', '09:00'),
    kind: 'task_opened',
    detail: { taskId: 1, step: 'call_d+7', task: 'call', assigneeRole: 'agent', assignee: 'A001', orphan: false },
  }); // 8
  await appendAudit(t.db, {
    ...cycle,
    activityId: '15',
    occurredAt: at('2026-01-05', '10:00'),
    kind: 'premium_paid',
    detail: { via: 'debit', attemptNo: 2, idempotencyKey: 'D1-02', account: '622202*********0123' },
  }); // 9
  // The delivery receipt arrives after the event: the export shows the outcome as it stands.
  await t.db('contact_attempts').where({ id: sms }).update({ status: 'delivered', receipt_at: at('2025-11-24', '09:01') });
  // A compliance officer runs the exports (the spawned bin inherits the token); the unmasked ones below bring a second.
  await actAs(t.db, { roles: ['compliance'] });
});

afterAll(async () => {
  restoreSignIn();
  process.env.DATABASE_URL = savedEnv.DATABASE_URL;
  process.env.RENEWALS_DATA_KEY = savedEnv.RENEWALS_DATA_KEY;
  await rm(dir, { recursive: true, force: true });
  await t.drop();
});

describe('renewals audit export', () => {
  let csv: Row[];
  let csvFile: string;
  /** The last row before the first export: the policy's story, then the signing in of the officer. */
  let headSeq: number;

  it('writes one policy’s story as CSV with a BOM, a header, masked recipients, in seq order', async () => {
    csvFile = join(dir, 'p1.csv');
    const head = await t.db('audit_events').orderBy('seq', 'desc').first<{ seq: number; hash: string }>('seq', 'hash');
    headSeq = head.seq;
    const result = await cli(['audit', 'export', '--policy', P1, '--out', csvFile]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(/exported 8 audit rows \(csv, masked\)/);
    // The head the export reached, printed as `verify --anchor` takes it.
    expect(result.stdout.toString()).toContain(`; chain head ${head.seq}:${head.hash} → ${csvFile}`);

    const bytes = readFileSync(csvFile);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8').split('\n')[0]).toBe(AUDIT_EXPORT_COLUMNS.join(','));
    for (const secret of [holder.holderMobile!, holder.holderEmail!, holder.holderIdNo, holder.accountNo, holder.holderName]) {
      expect(bytes.toString('utf8')).not.toContain(secret);
    }

    csv = csvRows(bytes);
    expect(csv.map((r) => Number(r.seq))).toEqual([1, 2, 3, 5, 6, 7, 8, 9]);
    expect(csv.map((r) => r.kind)).toEqual([
      'cycle_opened',
      'contact_sent',
      'contact_sent',
      'contact_suppressed',
      'stage_changed',
      'debit_failed',
      'task_opened',
      'premium_paid',
    ]);
    const [, sms, email, suppressed, , debit, call] = csv;
    expect(sms).toMatchObject({
      at_shanghai: '2025-11-24 09:00:00',
      at_iso: '2025-11-24T01:00:00.000Z',
      policy_no: P1,
      due_date: DUE,
      step: 'reminder_d-30',
      channel: 'sms',
      template: 'reminder@3',
      recipient: '138****8000',
      provider: 'aliyun',
      provider_message_id: BIZ_ID,
      outcome: 'delivered',
      suppression_rule: '',
      workflow_id: WF1,
      run_id: 'run-1',
      activity_id: '7',
    });
    expect(sms!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(email).toMatchObject({ channel: 'email', recipient: 'z***@example.cn', outcome: 'sent', provider: 'smtp' });
    expect(suppressed).toMatchObject({ step: 'reminder_d-15', channel: 'sms', recipient: '138****8000', outcome: 'suppressed', suppression_rule: 'quiet_hours' });
    expect(debit).toMatchObject({ outcome: 'INSUFFICIENT_FUNDS (AM04)' });
    expect(call).toMatchObject({ channel: 'phone', step: 'call_d+7' });
    expect(JSON.parse(debit!.detail)).toEqual({ attemptNo: 1, idempotencyKey: 'D1-01', rawCode: 'AM04', reason: 'INSUFFICIENT_FUNDS' });
  });

  it('records the export itself in the audit trail, with the file’s sha256', async () => {
    const [event] = await auditRows('audit_exported');
    expect(event).toMatchObject({ seq: headSeq + 1, policy_no: P1 });
    expect(event.detail).toMatchObject({
      unmasked: false,
      rows: 8,
      format: 'csv',
      filters: { policyNo: P1 },
      sha256: createHash('sha256').update(readFileSync(csvFile)).digest('hex'),
      chainHead: { seq: headSeq },
    });
  });

  it('writes the same rows as a JSON array, and the earlier export shows up in the later one', async () => {
    const file = join(dir, 'p1.json');
    expect((await cli(['audit', 'export', '--policy', P1, '--format', 'json', '--out', file])).code).toBe(0);
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number | null>[];
    expect(Array.isArray(json)).toBe(true);
    expect(typeof json[0]!.seq).toBe('number');
    expect(asText(json.slice(0, csv.length))).toEqual(csv);
    expect(json.slice(csv.length).map((r) => [r.seq, r.kind])).toEqual([[headSeq + 1, 'audit_exported']]);
  });

  it('filters by Shanghai calendar day, inclusive at both ends', async () => {
    const result = await cli(['audit', 'export', '--from', '2025-11-24', '--to', '2025-11-24', '--format', 'json']);
    expect(result.code).toBe(0);
    // 23:59 on the 24th is in; 00:30 on the 25th (16:30 UTC on the 24th) is not.
    expect((JSON.parse(result.stdout.toString()) as { seq: number }[]).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(result.stderr).toMatch(/exported 3 audit rows \(json, masked\)/);

    const later = await cli(['audit', 'export', '--from', '2025-12-24', '--to', '2026-01-05', '--policy', P1, '--format', 'json']);
    expect((JSON.parse(later.stdout.toString()) as { seq: number }[]).map((r) => r.seq)).toEqual([6, 7, 8, 9]);
  });

  it('filters by channel, across policies; a call task is the phone channel', async () => {
    const sms = await cli(['audit', 'export', '--channel', 'sms', '--format', 'json']);
    const rows = JSON.parse(sms.stdout.toString()) as { seq: number; policy_no: string; recipient: string }[];
    expect(rows.map((r) => [r.seq, r.policy_no, r.recipient])).toEqual([
      [2, P1, '138****8000'],
      [4, P2, '139****1111'],
      [5, P1, '138****8000'],
    ]);
    const phone = await cli(['audit', 'export', '--channel', 'phone', '--format', 'json']);
    expect((JSON.parse(phone.stdout.toString()) as { seq: number }[]).map((r) => r.seq)).toEqual([8]);
  });

  it.each([
    [['--from', '2026-13-01'], /--from must be a date YYYY-MM-DD, got "2026-13-01"/],
    [['--from', '2026-12-02', '--to', '2026-12-01'], /--from 2026-12-02 is after --to 2026-12-01/],
    [['--channel', 'fax'], /--channel must be one of sms, wechat, email, letter, phone, got "fax"/],
    [['--format', 'xlsx'], /--format must be csv or json, got "xlsx"/],
    [['--unmasked'], /--unmasked needs --request <id>: an unmasked export needs a request approved by a second person/],
    [['--unmasked', '--request', '1', '--policy', 'P-X'], /--unmasked takes its filter and reason from the approved request/],
    [['--request', '1'], /--request goes with --unmasked/],
    [['--unmasked', '--request', 'one'], /--request must be an unmask request number, got "one"/],
  ])('refuses %j with one line naming the argument', async (args, message) => {
    const before = (await auditRows()).length;
    const result = await cli(['audit', 'export', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout.length).toBe(0);
    expect(await auditRows()).toHaveLength(before);
  });

  /** An unmask request by one compliance person, approved by another, who goes on acting. */
  async function approvedRequest(reason: string): Promise<{ id: string; requester: { ref: string }; approver: { ref: string } }> {
    const requester = await actAs(t.db, { roles: ['compliance'] });
    const asked = await cli(['audit', 'unmask', 'request', '--policy', P1, '--reason', reason, '--json']);
    expect(asked.stderr).toBe('');
    const id = String((JSON.parse(asked.stdout.toString()) as { id: number }).id);
    // Four-eyes: the requester cannot approve it, and nothing can be exported before a second person does.
    expect(await cli(['audit', 'unmask', 'approve', id])).toMatchObject({ code: 1, stderr: `renewals: four-eyes: the approval of unmask request #${id} must come from a second person, not the one who requested\n` });
    expect(await cli(['audit', 'export', '--unmasked', '--request', id])).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^renewals: unmask request #${id} is not approved yet`)) });
    const approver = await actAs(t.db, { roles: ['compliance'] });
    expect((await cli(['audit', 'unmask', 'approve', id])).code).toBe(0);
    return { id, requester, approver };
  }

  it('an unmasked export is audited first: no audit event, no file', async () => {
    const { id } = await approvedRequest('complaint review 2026-881');
    const file = join(dir, 'refused.csv');
    // A constraint that refuses the export's audit row: a schema change, so as the owner role.
    await t.owner.raw(`ALTER TABLE audit_events ADD CONSTRAINT test_no_exports CHECK (kind <> 'audit_exported') NOT VALID`);
    try {
      const result = await cli(['audit', 'export', '--unmasked', '--request', id, '--out', file]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/test_no_exports/);
    } finally {
      await t.owner.raw('ALTER TABLE audit_events DROP CONSTRAINT test_no_exports');
    }
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('refused'))).toEqual([]);
  });

  it('an unmasked export, requested and approved by two people, shows recipients in clear and records them, reason, filters, rows and hash', async () => {
    const { id, requester, approver } = await approvedRequest('complaint 2026-881: customer 13812348000 disputes reminders');
    const file = join(dir, 'p1-unmasked.csv');
    const result = await cli(['audit', 'export', '--unmasked', '--request', id, '--out', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rows = csvRows(readFileSync(file));
    expect(result.stdout.toString()).toContain(`exported ${rows.length} audit rows (csv, UNMASKED)`);
    expect(rows.filter((r) => r.recipient !== '').map((r) => [r.seq, r.channel, r.recipient])).toEqual([
      ['2', 'sms', holder.holderMobile],
      ['3', 'email', holder.holderEmail],
      ['5', 'sms', holder.holderMobile],
    ]);

    const events = await auditRows('audit_exported');
    const event = events[events.length - 1];
    expect(event.actor).toBe(approver.ref);
    expect(event.seq).toBeGreaterThan(Math.max(...rows.map((r) => Number(r.seq))));
    expect(event.detail).toMatchObject({
      operator: approver.ref,
      // The reason is kept, with the number typed into it masked.
      reason: 'complaint 2026-881: customer 138****8000 disputes reminders',
      filters: { policyNo: P1 },
      rows: rows.length,
      unmasked: true,
      unresolvedRecipients: 0,
      sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
      unmaskRequest: Number(id),
    });
    expect(JSON.stringify(events)).not.toContain(holder.holderMobile);
    // Request and approval were each audited, by their person, before the export.
    const request = (await auditRows('audit_unmask_requested')).find((r) => r.detail.request === Number(id));
    const approval = (await auditRows('audit_unmask_approved')).find((r) => r.detail.request === Number(id));
    expect(request).toMatchObject({ actor: requester.ref, detail: { reason: 'complaint 2026-881: customer 138****8000 disputes reminders', filters: { policyNo: P1 } } });
    expect(approval).toMatchObject({ actor: approver.ref, detail: { requestedBy: requester.ref } });
    expect(request!.seq).toBeLessThan(approval!.seq);
    expect(approval!.seq).toBeLessThan(event.seq);
    // Once: the approval is spent.
    const again = await cli(['audit', 'export', '--unmasked', '--request', id, '--out', join(dir, 'p1-again.csv')]);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^renewals: unmask request #${id} was used already`)) });
    expect(existsSync(join(dir, 'p1-again.csv'))).toBe(false);
    const listed = JSON.parse((await cli(['audit', 'unmask', 'list', '--json'])).stdout.toString()) as { id: number; status: string; approved_by: string }[];
    expect(listed.find((r) => r.id === Number(id))).toMatchObject({ status: 'used', approved_by: approver.ref });
  });

  it('works from the real bin in its own process, to stdout', async () => {
    const result = await spawned(['audit', 'export', '--policy', P2]);
    expect(result.stderr).toMatch(/exported 1 audit rows \(csv, masked\)/);
    expect(result.code).toBe(0);
    expect([...result.stdout.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvRows(result.stdout).map((r) => [r.seq, r.policy_no, r.recipient])).toEqual([['4', P2, '139****1111']]);
  });
});

describe('renewals audit verify', () => {
  /**
   * Runs SQL with every trigger off, as the table's owner (or a superuser) could: the append-only
   * guard and the chain both. The application's login cannot (test/security/database-roles.test.ts);
   * these tests prove that what the owner does behind its back still shows.
   */
  async function behindTheBack(sql: string, bindings: readonly unknown[] = []) {
    await t.owner.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER ALL');
      await trx.raw(sql, bindings as never);
      await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER ALL');
    });
  }

  async function expectSameWhenPaged() {
    expect(await inspectAuditChain(t.db, { pageSize: 2 })).toEqual(await inspectAuditChain(t.db));
  }

  /** P1's partition: every row of policy P1, in order (test/db/audit-partitions.test.ts covers partitions in depth). */
  const P1_PARTITION = auditPartitionOf(P1);

  it('says the chain is intact, with its row count and head, and each partition in use with its signed head', async () => {
    const rows = await auditRows();
    const last = rows[rows.length - 1];
    const result = await cli(['audit', 'verify']);
    expect(result.code).toBe(0);
    const lines = result.stdout.toString().split('\n');
    expect(lines[0]).toBe(`chain intact: ${rows.length} rows, head ${last.seq}:${last.hash}`);
    expect(lines[1]).toBe('legacy chain: 0 rows');
    const used = new Set(rows.map((r) => r.chain_partition));
    expect(lines[2]).toBe(`partitions: 65 (0 = rows without a policy), ${used.size} in use; signed heads holding: 65 of 65`);
    const p1 = rows.filter((r) => r.chain_partition === P1_PARTITION);
    expect(lines).toContain(`  partition ${P1_PARTITION}: ${p1.length} rows, last ${p1[p1.length - 1].seq}:${p1[p1.length - 1].hash}; head signed (key ${new AuditHeadKey(DEVELOPMENT_AUDIT_KEY).id})`);

    const json = await spawned(['audit', 'verify', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout.toString()) as { partitions: { partition: number; rows: number; head: { result: string } }[] };
    expect(report).toMatchObject({ intact: true, rows: rows.length, lastSeq: last.seq, headHash: last.hash, problems: 0, headProblems: 0, firstBreak: null, legacy: { rows: 0 } });
    expect(report.partitions).toHaveLength(65);
    expect(report.partitions.every((p) => p.head.result === 'matches')).toBe(true);
    expect(report.partitions.find((p) => p.partition === P1_PARTITION)).toMatchObject({ rows: p1.length, problems: 0, firstBreak: null });
    await expectSameWhenPaged();

    // Every head is under the current key already: nothing to sign again.
    const signed = await cli(['audit', 'sign-heads']);
    expect(signed).toMatchObject({ code: 0, stderr: '' });
    expect(signed.stdout.toString()).toBe('signed again: 0; already under the current key: 65; left alone (do not hold): none\n');
  });

  it('names a row whose detail a superuser changed, and is intact again when it is put back', async () => {
    await t.owner.raw('CREATE TABLE audit_backup AS SELECT * FROM audit_events');
    await behindTheBack(`UPDATE audit_events SET detail = jsonb_set(detail, '{rule}', '"daily_cap"') WHERE seq = 5`);

    const result = await spawned(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toMatch(new RegExp(`chain BROKEN: first at seq 5 \\(partition ${P1_PARTITION}, chain seq 4\\): altered content`));
    expect(result.stdout.toString()).toMatch(/1 of \d+ rows do not fit/);
    expect(result.stderr).toMatch(new RegExp(`^renewals: audit chain broken at seq 5 \\(partition ${P1_PARTITION}, chain seq 4\\): altered content`));
    await expectSameWhenPaged();

    await behindTheBack(`UPDATE audit_events a SET detail = b.detail FROM audit_backup b WHERE a.seq = b.seq AND a.seq = 5`);
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('names the gap a deleted middle row leaves in its partition', async () => {
    await behindTheBack('DELETE FROM audit_events WHERE seq = 3');
    const result = await cli(['audit', 'verify', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.toString())).toMatchObject({
      intact: false,
      problems: 1,
      headProblems: 0,
      firstBreak: { seq: 5, partition: P1_PARTITION, chainSeq: 4, problem: 'missing_rows', missing: { from: 3, to: 3 }, description: 'missing row: chain seq 3 is gone (deleted)' },
    });
    expect(result.stderr).toMatch(new RegExp(`audit chain broken at seq 5 \\(partition ${P1_PARTITION}, chain seq 4\\): missing row: chain seq 3 is gone`));
    await expectSameWhenPaged();

    await behindTheBack('INSERT INTO audit_events SELECT * FROM audit_backup WHERE seq = 3');
    expect((await cli(['audit', 'verify'])).code).toBe(0);
  });

  it('catches rows cut off the end by the signed head, and holds a row recorded earlier as an anchor', async () => {
    const recorded = JSON.parse((await cli(['audit', 'verify', '--json'])).stdout.toString()) as { lastSeq: number; headHash: string };
    const anchor = `${recorded.lastSeq}:${recorded.headHash}`;
    let result = await cli(['audit', 'verify', '--anchor', anchor]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(new RegExp(`anchor held: anchor seq ${recorded.lastSeq} matches\\n$`));

    // The newest row cut off: every remaining link is sound, but its partition's signed head counts it.
    const newest = await t.db('audit_events').where({ seq: recorded.lastSeq }).first<{ chain_partition: number; chain_seq: number }>('chain_partition', 'chain_seq');
    await behindTheBack('DELETE FROM audit_events WHERE seq = ?', [recorded.lastSeq]);
    result = await cli(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`audit chain heads do not hold: 1 partition\\(s\\), first partition ${newest.chain_partition}: rows cut off its end: the signed head counts ${newest.chain_seq} rows, the last one there is chain seq ${newest.chain_seq - 1}`),
    );
    result = await cli(['audit', 'verify', '--anchor', anchor, '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.toString())).toMatchObject({ intact: false, problems: 0, headProblems: 1, anchor: { seq: recorded.lastSeq, result: 'cut_off' } });
    await behindTheBack('INSERT INTO audit_events SELECT * FROM audit_backup WHERE seq = ?', [recorded.lastSeq]);
    expect((await cli(['audit', 'verify', '--anchor', anchor])).code).toBe(0);

    // Row 5 changed and every hash of its partition from there recomputed, as someone with the digest
    // function could: the links hold, the signed head does not (it names another last row).
    await behindTheBack(`UPDATE audit_events SET detail = jsonb_set(detail, '{rule}', '"daily_cap"') WHERE seq = 5`);
    await behindTheBack(
      `DO $$ DECLARE r record; prev text; BEGIN
         SELECT prev_hash INTO prev FROM audit_events WHERE seq = 5;
         FOR r IN SELECT seq FROM audit_events WHERE chain_partition = ${P1_PARTITION} AND seq >= 5 ORDER BY chain_seq LOOP
           UPDATE audit_events a SET prev_hash = prev, hash = audit_event_digest(prev, a) WHERE seq = r.seq RETURNING hash INTO prev;
         END LOOP;
       END $$`,
    );
    result = await cli(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toMatch(/^chain intact: /);
    expect(result.stdout.toString()).toMatch(new RegExp(`partition ${P1_PARTITION}: .*HEAD DOES NOT HOLD: its last row is not the one its signed head names`));
    await behindTheBack(`UPDATE audit_events a SET detail = b.detail, prev_hash = b.prev_hash, hash = b.hash FROM audit_backup b WHERE a.seq = b.seq`);
    expect((await cli(['audit', 'verify', '--anchor', anchor])).code).toBe(0);

    result = await cli(['audit', 'verify', '--anchor', '12:not-a-hash']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--anchor must be SEQ:HASH/);
  });

  it('names a row inserted with a made-up hash, and one whose hash is right but does not link', async () => {
    const head = await t.db('audit_chain_heads').where({ chain_partition: P1_PARTITION }).first<{ chain_seq: number; seq: number; hash: string }>();
    const forged = { seq: 1000, chainSeq: head.chain_seq + 1, kind: 'contact_sent', actor: 'renewal-cycle', policy_no: P1, detail: '{"channel":"sms"}' };
    await behindTheBack(
      `INSERT INTO audit_events (seq, chain_partition, chain_seq, kind, actor, policy_no, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
      [forged.seq, P1_PARTITION, forged.chainSeq, forged.kind, forged.actor, forged.policy_no, forged.detail, head.hash, 'f'.repeat(64)],
    );
    let result = await cli(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout.toString()).toMatch(new RegExp(`first at seq ${forged.seq} \\(partition ${P1_PARTITION}, chain seq ${forged.chainSeq}\\): altered content`));

    // A forger who computes the digest over a prev_hash of their choosing still breaks the link,
    // and the partition's signed head does not count the row either.
    await behindTheBack(`UPDATE audit_events a SET prev_hash = ?, hash = audit_event_digest(?, a) WHERE seq = ?`, ['a'.repeat(64), 'a'.repeat(64), forged.seq]);
    result = await cli(['audit', 'verify', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout.toString()) as { firstBreak: { description: string }; partitions: { partition: number; head: { result: string } }[] };
    expect(report.firstBreak).toMatchObject({ seq: forged.seq, problem: 'broken_link', description: `broken link (its prev_hash is not the hash of chain seq ${head.chain_seq} of partition ${P1_PARTITION})` });
    expect(report.partitions.find((p) => p.partition === P1_PARTITION)?.head.result).toBe('ahead');
    await expectSameWhenPaged();
  });
});
