import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCycleActivities } from '../../activities/cycle-activities';
import { retryPolicyChange } from '../../application/policy-admin-outbox';
import { relayPolicyChanges, startPolicyAdminRelay, type RelayOptions } from '../../application/policy-admin-relay';
import { PiiCipher } from '../../db/pii-cipher';
import { enqueuePolicyChange, RELAY_ACTOR } from '../../db/repositories/policy-admin-outbox';
import { escalateOverdueTasks } from '../../db/repositories/tasks';
import { shanghaiInstant } from '../../domain/civil-date';
import { policyChangeId } from '../../domain/policy-changes';
import { HttpPolicyAdmin } from '../../integrations/policy-admin/http-policy-admin';
import type { PolicyAdminPort } from '../../integrations/policy-admin/port';
import { startPolicyAdminReceiver, type PolicyAdminReceiver } from '../../integrations/policy-admin/receiver';
import { SimulatedPolicyAdmin } from '../../integrations/policy-admin/simulator';
import { signPolicyChange, SIGNATURE_HEADERS } from '../../integrations/policy-admin/signing';
import { actAs } from '../support/acting';
import { runCliCaptured } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The policy administration outbox on real PostgreSQL with the reference receiver in-process
 * (docs/architecture.md#policy-administration): the change commits with its fact or not at all, the
 * relay delivers it signed, once, retrying and dead-lettering as the rules say, and operations re-drive it.
 */
const SECRET = 'the-outbox-test-secret-0123456789abcdef';
const cipher = new PiiCipher('66'.repeat(32));
let database: TestDatabase;
let receiver: PolicyAdminReceiver;
let port: HttpPolicyAdmin;
let armed = 0;
let policies = 0;

/** Fast retries, so a test sees a whole backoff sequence in milliseconds. */
const FAST: RelayOptions = { maxAttempts: 5, backoff: { baseMs: 1, maxMs: 4 }, leaseMs: 60_000 };

beforeAll(async () => {
  database = await freshDatabase();
  vi.stubEnv('DATABASE_URL', database.url);
  receiver = await startPolicyAdminReceiver({ secret: SECRET });
  port = new HttpPolicyAdmin({ url: receiver.url, secret: SECRET, timeoutMs: 5_000 });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await receiver?.close();
  await database?.drop();
});

beforeEach(async () => {
  // Each test counts its own deliveries: what earlier tests left pending goes to the stand-in first.
  receiver.failNext(0);
  await relayUntilSettled(new SimulatedPolicyAdmin());
});

async function policy(overrides: Parameters<typeof samplePolicy>[0] = {}) {
  policies += 1;
  const n = String(policies).padStart(2, '0');
  const record = samplePolicy({ policyNo: `P-OB-${n}`, holderIdNo: `3101011980010900${n}`, nextDueDate: '2026-12-24', ...overrides });
  await seedPolicy(database.db, cipher, record);
  return { ref: { policyNo: record.policyNo, dueDate: '2026-12-24' }, workflowId: `renewal-${record.policyNo}-2026-12-24` };
}

function activity(workflowId: string, activityId: string, attempt = 1) {
  return new MockActivityEnvironment({
    activityId,
    attempt,
    currentAttemptScheduledTimestampMs: shanghaiInstant('2027-02-23', '00:00'),
    workflowExecution: { workflowId, runId: 'run-1' },
  });
}

/** The next audit row of this kind fails to insert, once (a trigger of the test's own, as the owner). */
async function failFirstAuditInsert(kind: string): Promise<void> {
  armed += 1;
  const db = database.owner;
  await db.raw(`CREATE SEQUENCE ob_fail_once_${armed}`);
  await db.raw(`
    CREATE FUNCTION ob_fail_once_${armed}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.kind = '${kind}' AND nextval('ob_fail_once_${armed}') = 1 THEN
        RAISE EXCEPTION 'audit insert failed on purpose (${kind})';
      END IF;
      RETURN NEW;
    END $$`);
  await db.raw(`CREATE TRIGGER a_ob_fail_once_${armed} BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ob_fail_once_${armed}()`);
}

const outboxOf = (policyNo: string) => database.db('policy_admin_outbox').where({ policy_no: policyNo }).orderBy('id');

/** A change written as an activity would, in its own transaction. */
async function change(policyNo: string, fact: string) {
  const eventId = policyChangeId('policy_suspended', `${policyNo}-${fact}`);
  await database.db.transaction((trx) => enqueuePolicyChange(trx, { eventId, kind: 'policy_suspended', policyNo, payload: { lapsedDueDate: '2026-12-24', fact } }));
  return eventId;
}

/** Relay passes until nothing is due, waiting out the (millisecond) backoffs. */
async function relayUntilSettled(relayPort: PolicyAdminPort, options: RelayOptions = FAST, passes = 20) {
  for (let i = 0; i < passes; i += 1) {
    await relayPolicyChanges(database.db, relayPort, options);
    const pending = await database.db('policy_admin_outbox').whereNull('delivered_at').whereNull('dead_at').count<{ count: string }[]>({ count: '*' });
    if (Number(pending[0]!.count) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the outbox row commits with its fact', () => {
  it('suspendPolicy: the audit insert fails, the suspension rolls back and no change is written; the retry writes one', async () => {
    const { ref, workflowId } = await policy();
    await failFirstAuditInsert('policy_suspended');
    const cycle = createCycleActivities({ db: database.db });
    const at = shanghaiInstant('2027-02-23', '00:00');
    await expect(activity(workflowId, '7').run(() => cycle.suspendPolicy(ref, 11, at))).rejects.toThrow(/failed on purpose/);
    expect(await database.db('policies').where({ policy_no: ref.policyNo }).first('status')).toEqual({ status: 'in_force' });
    expect(await outboxOf(ref.policyNo)).toEqual([]);

    await activity(workflowId, '7', 2).run(() => cycle.suspendPolicy(ref, 11, at));
    await activity(workflowId, '7', 3).run(() => cycle.suspendPolicy(ref, 11, at));
    const rows = await outboxOf(ref.policyNo);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'policy_suspended',
      attempts: 0,
      delivered_at: null,
      dead_at: null,
      payload: { lapsedDueDate: '2026-12-24', suspendedAt: new Date(at).toISOString(), nonPaymentReason: 11 },
    });
    expect(rows[0].event_id).toMatch(/^policy_suspended:\d+$/);
  });

  it('grantPremiumLoan: the loan booked is a change for the policy system, written once; a refused loan writes none', async () => {
    const granted = await policy({ aplElected: true, cashValueFen: 50_000_000 });
    const refused = await policy({ aplElected: false });
    const cycle = createCycleActivities({ db: database.db });
    expect(await activity(granted.workflowId, '11').run(() => cycle.grantPremiumLoan(granted.ref))).toBe(true);
    expect(await activity(granted.workflowId, '11', 2).run(() => cycle.grantPremiumLoan(granted.ref))).toBe(true);
    expect(await activity(refused.workflowId, '11').run(() => cycle.grantPremiumLoan(refused.ref))).toBe(false);
    const rows = await outboxOf(granted.ref.policyNo);
    expect(rows.map((r: { kind: string; payload: unknown }) => [r.kind, r.payload])).toEqual([
      ['premium_loan_booked', { dueDate: '2026-12-24', loanFen: 1_234_500, cashValueFen: 50_000_000, bookedOn: '2027-02-23' }],
    ]);
    expect(await outboxOf(refused.ref.policyNo)).toEqual([]);
  });
});

describe('the relay and the reference receiver', () => {
  it('delivers a change signed, as JSON with business facts only, and stores the reference it is answered with', async () => {
    const { ref } = await policy();
    const eventId = await change(ref.policyNo, 'signed');
    const counts = await relayPolicyChanges(database.db, port, FAST);
    expect(counts).toEqual({ claimed: 1, delivered: 1, retried: 0, dead: 0 });
    const got = receiver.accepted.find((c) => c.eventId === eventId)!;
    expect(got).toMatchObject({ kind: 'policy_suspended', policyNo: ref.policyNo, payload: { lapsedDueDate: '2026-12-24', fact: 'signed' } });
    const [row] = await outboxOf(ref.policyNo);
    expect(row).toMatchObject({ attempts: 1, dead_at: null, last_error: null, admin_reference: got.reference });
    expect(row.delivered_at).toBeInstanceOf(Date);
    // Nothing is due any more: a further pass claims nothing.
    expect(await relayPolicyChanges(database.db, port, FAST)).toEqual({ claimed: 0, delivered: 0, retried: 0, dead: 0 });
  });

  it('refuses a forged signature (401) and a stale one (403); the same event id again is answered with the same reference', async () => {
    const body = JSON.stringify({ eventId: 'policy_suspended:forged', kind: 'policy_suspended', policyNo: 'P-X', recordedAt: new Date().toISOString(), payload: {} });
    const post = (timestamp: number, signature: string, text = body) => fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADERS.eventId]: 'policy_suspended:forged', [SIGNATURE_HEADERS.timestamp]: String(timestamp), [SIGNATURE_HEADERS.signature]: signature },
      body: text,
    });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(now, signPolicyChange('not-the-secret-at-all-0123456789', now, body))).status).toBe(401);
    // Signed right, but the body changed after signing.
    expect((await post(now, signPolicyChange(SECRET, now, body), body.replace('P-X', 'P-Y'))).status).toBe(401);
    expect((await post(now - 3600, signPolicyChange(SECRET, now - 3600, body))).status).toBe(403);
    expect(receiver.accepted.some((c) => c.eventId === 'policy_suspended:forged')).toBe(false);
    expect(receiver.refused.filter((r) => r.eventId === 'policy_suspended:forged').map((r) => r.reason)).toEqual(['signature', 'signature', 'stale']);

    const first = await post(now, signPolicyChange(SECRET, now, body));
    const again = await post(now, signPolicyChange(SECRET, now, body));
    const [a, b] = [await first.json() as { reference: string; duplicate: boolean }, await again.json() as { reference: string; duplicate: boolean }];
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(b).toEqual({ eventId: 'policy_suspended:forged', reference: a.reference, duplicate: true });
    expect(receiver.accepted.filter((c) => c.eventId === 'policy_suspended:forged')).toHaveLength(1);
  });

  it('a wrong secret is a refusal: dead-lettered at once with the status, no retry', async () => {
    const { ref } = await policy();
    await change(ref.policyNo, 'wrong-secret');
    const wrong = new HttpPolicyAdmin({ url: receiver.url, secret: 'a-secret-the-receiver-does-not-know', timeoutMs: 5_000 });
    expect(await relayPolicyChanges(database.db, wrong, FAST)).toMatchObject({ claimed: 1, dead: 1, retried: 0 });
    const [row] = await outboxOf(ref.policyNo);
    expect(row).toMatchObject({ attempts: 1, delivered_at: null, last_error: 'refused: HTTP 401: x-renewals-signature does not match' });
    expect(row.last_error).not.toContain('a-secret-the-receiver-does-not-know');
  });

  it('fails twice then succeeds: delivered once, the row records 3 attempts', async () => {
    const { ref } = await policy();
    const eventId = await change(ref.policyNo, 'twice');
    const before = receiver.requests;
    // As the demo stack's operator would: over HTTP, on the receiver's control path.
    const told = await fetch(receiver.url.replace('/policy-changes', '/sim/fail-next?count=2&status=503'), { method: 'POST' });
    expect(await told.json()).toEqual({ failNext: 2, status: 503 });
    const first = await relayPolicyChanges(database.db, port, FAST);
    expect(first).toMatchObject({ claimed: 1, retried: 1 });
    expect((await outboxOf(ref.policyNo))[0]).toMatchObject({ attempts: 1, last_error: 'HTTP 503: failing on purpose', delivered_at: null });
    await relayUntilSettled(port);
    expect(receiver.requests - before).toBe(3);
    expect(receiver.accepted.filter((c) => c.eventId === eventId)).toHaveLength(1);
    expect(receiver.received.filter((id) => id === eventId)).toHaveLength(1);
    const [row] = await outboxOf(ref.policyNo);
    expect(row).toMatchObject({ attempts: 3, last_error: null, dead_at: null });
    expect(row.delivered_at).toBeInstanceOf(Date);
  });

  it('a 429 and no answer at all are retried too', async () => {
    const { ref } = await policy();
    await change(ref.policyNo, 'throttled');
    receiver.failNext(1, 429);
    expect(await relayPolicyChanges(database.db, port, FAST)).toMatchObject({ retried: 1 });
    // A port nothing listens on: a receiver started and closed again.
    const gone = await startPolicyAdminReceiver({ secret: SECRET });
    await gone.close();
    const nowhere = new HttpPolicyAdmin({ url: gone.url, secret: SECRET, timeoutMs: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await relayPolicyChanges(database.db, nowhere, FAST)).toMatchObject({ retried: 1 });
    expect((await outboxOf(ref.policyNo))[0]).toMatchObject({ attempts: 2, last_error: 'no answer: ECONNREFUSED' });
    await relayUntilSettled(port);
    expect((await outboxOf(ref.policyNo))[0].delivered_at).toBeInstanceOf(Date);
  });

  it('N failures dead-letter it with an operations task and an audit row; retry re-drives it, audited, and it is delivered', async () => {
    const { ref } = await policy();
    const eventId = await change(ref.policyNo, 'dead');
    receiver.failNext(100, 502);
    await relayUntilSettled(port, { ...FAST, maxAttempts: 3 });
    const [dead] = await outboxOf(ref.policyNo);
    expect(dead).toMatchObject({ attempts: 3, delivered_at: null, last_error: 'HTTP 502: failing on purpose (gave up after 3 attempts)' });
    expect(dead.dead_at).toBeInstanceOf(Date);
    const tasks = await database.db('tasks').where({ kind: 'policy_admin_undelivered', policy_no: ref.policyNo }).select('id', 'step', 'status', 'assignee_role', 'due_date');
    expect(tasks).toEqual([{ id: expect.anything(), step: 'undelivered_1', status: 'open', assignee_role: 'operations', due_date: null }]);
    const [audit] = await database.db('audit_events').where({ kind: 'policy_change_dead_lettered', policy_no: ref.policyNo });
    expect(audit).toMatchObject({ actor: RELAY_ACTOR, detail: { outboxId: Number(dead.id), eventId, change: 'policy_suspended', attempts: 3, taskId: Number(tasks[0].id) } });

    // Operations' technical task: the overdue sweep leaves it with them, never with a team lead.
    const sweep = await escalateOverdueTasks(database.db, new Date(Date.now() + 86_400_000), 'system:test');
    expect(sweep.escalated.map((e) => e.taskId)).not.toContain(Number(tasks[0].id));

    receiver.failNext(0);
    await expect(retryPolicyChange(database.db, 'x1', 'U-ops')).rejects.toThrow('<id> must be an outbox row number, got "x1"');
    await expect(retryPolicyChange(database.db, '999999', 'U-ops')).rejects.toThrow('no policy administration change #999999');
    const retried = await retryPolicyChange(database.db, String(dead.id), 'U-ops');
    expect(retried).toEqual({ id: Number(dead.id), eventId, kind: 'policy_suspended', policyNo: ref.policyNo, tasksDone: [Number(tasks[0].id)] });
    await expect(retryPolicyChange(database.db, String(dead.id), 'U-ops')).rejects.toThrow(`policy administration change #${dead.id} is pending, not dead: nothing to retry`);
    expect(await database.db('tasks').where({ id: tasks[0].id }).first('status', 'outcome_code')).toEqual({ status: 'done', outcome_code: 'redriven' });
    expect(await database.db('audit_events').where({ kind: 'policy_change_redriven', policy_no: ref.policyNo }).select('actor')).toEqual([{ actor: 'U-ops' }]);

    await relayPolicyChanges(database.db, port, FAST);
    const [delivered] = await outboxOf(ref.policyNo);
    expect(delivered).toMatchObject({ attempts: 1, dead_at: null, last_error: null });
    expect(delivered.delivered_at).toBeInstanceOf(Date);
    expect(receiver.accepted.filter((c) => c.eventId === eventId)).toHaveLength(1);
  });

  it('two relays at once never deliver a change twice, and each policy gets its changes in order', async () => {
    const owners = [await policy(), await policy(), await policy(), await policy()];
    const written: string[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const owner of owners) written.push(await change(owner.ref.policyNo, `race-${round}`));
    }
    // A slow endpoint, so the two relays' passes overlap.
    const slow: PolicyAdminPort = { deliver: async (c) => { await new Promise((resolve) => setTimeout(resolve, 15)); return port.deliver(c); } };
    const before = receiver.received.length;
    const relay = async () => {
      for (let i = 0; i < 40; i += 1) {
        const counts = await relayPolicyChanges(database.db, slow, { ...FAST, batchSize: 3 });
        if (counts.claimed === 0 && i > 8) return;
      }
    };
    await Promise.all([relay(), relay()]);
    const seen = receiver.received.slice(before);
    expect([...seen].sort()).toEqual([...written].sort());
    for (const owner of owners) {
      const mine = written.filter((id) => id.includes(`${owner.ref.policyNo}-`));
      expect(seen.filter((id) => mine.includes(id))).toEqual(mine);
    }
    const rows = await database.db('policy_admin_outbox').whereIn('event_id', written).select('attempts', 'delivered_at');
    expect(rows.every((r: { attempts: number; delivered_at: Date | null }) => r.attempts === 1 && r.delivered_at)).toBe(true);
  });

  it('runs as a timer loop: delivers what comes due, and stops after its pass in progress', async () => {
    const { ref } = await policy();
    const counts: number[] = [];
    const running = startPolicyAdminRelay(database.db, port, { ...FAST, everyMs: 20, onPass: (c) => counts.push(c.delivered) });
    const eventId = await change(ref.policyNo, 'loop');
    for (let i = 0; i < 100 && !receiver.accepted.some((c) => c.eventId === eventId); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    await running.stop();
    expect(receiver.accepted.filter((c) => c.eventId === eventId)).toHaveLength(1);
    expect(counts).toContain(1);
    const late = await change(ref.policyNo, 'after-stop');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(receiver.received).not.toContain(late);
  });
});

describe('renewals policy-admin list|retry', () => {
  it('shows operations the dead change and why; retry re-drives it under the operator\'s name; the front line may not', async () => {
    const { ref } = await policy();
    const eventId = await change(ref.policyNo, 'cli');
    receiver.failNext(1, 422);
    await relayPolicyChanges(database.db, port, FAST);
    const lead = await actAs(database.db, { roles: ['operations_lead'] });
    const listed = await runCliCaptured(['policy-admin', 'list', '--state', 'dead', '--policy', ref.policyNo, '--json']);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as { id: number; event_id: string; last_error: string }[];
    expect(rows.map((r) => [r.event_id, r.last_error])).toEqual([[eventId, 'refused: HTTP 422: failing on purpose']]);
    expect((await runCliCaptured(['policy-admin', 'list', '--state', 'stuck'])).err).toBe('renewals: --state must be one of pending, delivered, dead, all, got "stuck"\n');

    await actAs(database.db, { roles: ['collector'] });
    expect((await runCliCaptured(['policy-admin', 'retry', String(rows[0]!.id)])).code).not.toBe(0);
    expect(await database.db('audit_events').where({ kind: 'policy_change_redriven', policy_no: ref.policyNo })).toEqual([]);

    await actAs(database.db, { roles: ['engineer'] });
    const retried = await runCliCaptured(['policy-admin', 'retry', String(rows[0]!.id)]);
    expect(retried.code).toBe(0);
    expect(retried.out).toMatch(new RegExp(`^change #${rows[0]!.id} \\(policy_suspended, ${ref.policyNo}\\) is due again`));
    const [audit] = await database.db('audit_events').where({ kind: 'policy_change_redriven', policy_no: ref.policyNo });
    expect(audit.actor).not.toBe(lead.ref);
    expect(audit.actor).toMatch(/^user:\d+$/);
    await relayPolicyChanges(database.db, port, FAST);
    expect((await outboxOf(ref.policyNo))[0].delivered_at).toBeInstanceOf(Date);
  });
});
