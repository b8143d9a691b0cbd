import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { verifyAuditChain } from '../../db/repositories/audit';
import { contactPointFor, markContactPointInvalid, wrongNumberReported } from '../../db/repositories/contacts';
import { upsertPolicy } from '../../db/repositories/policies';
import { escalateOverdueTasks, listTasks, openAuditedTask, settleOpenTasks, type NewTask } from '../../db/repositories/tasks';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

let t: TestDatabase;
const cipher = new PiiCipher('44'.repeat(32));
const workflowId = 'renewal-P202600001-2026-12-24';
const opened = new Date('2026-12-10T02:00:00Z');

function task(over: Partial<NewTask>): NewTask {
  return {
    kind: 'call',
    step: 'grace_call_d+7',
    policyNo: 'P202600001',
    dueDate: '2026-12-24',
    assigneeAgentCode: 'A001',
    assigneeRole: 'agent',
    dueAt: new Date(opened.getTime() + 2 * 86_400_000),
    workflowId,
    runId: 'run-1',
    activityId: '11',
    ...over,
  };
}

const audit = { actor: 'renewal-cycle', policyNo: 'P202600001', dueDate: '2026-12-24', workflowId, runId: 'run-1', activityId: '11' };

beforeAll(async () => {
  t = await freshDatabase();
  await seedPolicy(t.db, cipher, samplePolicy());
  await t.owner('teams').insert({ code: 'T01', branch_code: '3201', leader_code: 'L001' });
  await t.owner('agents').insert([
    { code: 'L001', name_masked: '李*', name_enc: cipher.encrypt('李四'), team_code: 'T01', branch_code: '3201', status: 'active' },
    { code: 'A001', name_masked: '王*', name_enc: cipher.encrypt('王五'), team_code: 'T01', branch_code: '3201', status: 'active', leader_code: 'L001' },
  ]);
  await t.owner('policies').where({ policy_no: 'P202600001' }).update({ agent_code: 'A001' });
});

afterAll(async () => {
  await t?.drop();
});

describe('a wrong number (migration 018 on real PostgreSQL)', () => {
  it('marks the mobile a call dials invalid, flags the policy lost contact, and a valid number on import clears it', async () => {
    const before = await contactPointFor(t.db, 'P202600001', 'mobile');
    expect(before).toMatchObject({ status: 'valid', valueMasked: '138****8000' });

    const reported = await t.db.transaction((trx) => wrongNumberReported(trx, 'P202600001', 41));
    expect(reported).toEqual({ point: { id: before!.id, masked: '138****8000' }, lostContact: ['P202600001'] });
    const point = await t.db('contact_points').where({ id: before!.id }).first<{ status: string; flags: Record<string, unknown> }>('status', 'flags');
    expect(point).toMatchObject({ status: 'invalid', flags: { wrong_number_task: 41 } });
    const flagged = await t.db('policies').where({ policy_no: 'P202600001' }).first<{ lost_contact_at: Date | null }>('lost_contact_at');
    expect(flagged?.lost_contact_at).toBeInstanceOf(Date);

    // Reported again: nothing valid left to invalidate, the flag already set (not moved).
    expect(await wrongNumberReported(t.db, 'P202600001', 42)).toEqual({ lostContact: [] });
    // The same wrong number in a later file stays invalid, and the policy stays lost contact.
    await upsertPolicy(t.db, cipher, samplePolicy());
    expect((await t.db('policies').where({ policy_no: 'P202600001' }).first<{ lost_contact_at: Date | null }>('lost_contact_at'))?.lost_contact_at).toEqual(flagged?.lost_contact_at);
    // A new, valid number: reachable again.
    await upsertPolicy(t.db, cipher, samplePolicy({ holderMobile: '13912349000' }));
    expect((await t.db('policies').where({ policy_no: 'P202600001' }).first<{ lost_contact_at: Date | null }>('lost_contact_at'))?.lost_contact_at).toBeNull();
    expect(await contactPointFor(t.db, 'P202600001', 'mobile')).toMatchObject({ status: 'valid', valueMasked: '139****9000' });
  });

  it("a provider's bad-address refusal goes through the same writer", async () => {
    const point = await contactPointFor(t.db, 'P202600001', 'mobile');
    expect(await markContactPointInvalid(t.db, point!.id, { providerRejected: 'alibaba-sms:isv.MOBILE_NUMBER_ILLEGAL' })).toEqual({ lostContact: ['P202600001'] });
    expect(await t.db('contact_points').where({ id: point!.id }).first('status', 'flags')).toMatchObject({
      status: 'invalid',
      flags: { provider_rejected: 'alibaba-sms:isv.MOBILE_NUMBER_ILLEGAL' },
    });
  });
});

describe('tasks settle with their cycle', () => {
  it('closes every open task of the cycle as settled, audited, once; a payment to confirm outlives a lapse', async () => {
    const call = await openAuditedTask(t.db, task({}), audit);
    const confirm = await openAuditedTask(t.db, task({ kind: 'payment_confirmation', step: 'payment_confirmation', assigneeRole: 'operations', assigneeAgentCode: null }), audit);
    const other = await openAuditedTask(t.db, task({ workflowId: 'renewal-P202600001-2025-12-24', dueDate: '2025-12-24' }), audit);

    const at = new Date('2026-12-20T03:00:00Z');
    expect(await t.db.transaction((trx) => settleOpenTasks(trx, workflowId, at, audit, 'lapsed', ['payment_confirmation']))).toEqual([call.id]);
    expect(await t.db.transaction((trx) => settleOpenTasks(trx, workflowId, at, audit, 'premium_paid'))).toEqual([confirm.id]);
    expect(await settleOpenTasks(t.db, workflowId, at, audit, 'premium_paid')).toEqual([]);

    const settled = await listTasks(t.db, { status: 'settled' });
    expect(settled.map((r) => [r.id, r.status, r.outcome_code])).toEqual(
      expect.arrayContaining([
        [call.id, 'settled', 'lapsed'],
        [confirm.id, 'settled', 'premium_paid'],
      ]),
    );
    expect((await listTasks(t.db, { status: 'open' })).map((r) => r.id)).toEqual([other.id]);
    const rows = await t.db('audit_events').where({ kind: 'task_settled' }).orderBy('seq').select<{ detail: Record<string, unknown>; policy_no: string }[]>('detail', 'policy_no');
    expect(rows.map((r) => r.detail)).toEqual([
      { taskId: call.id, step: 'grace_call_d+7', task: 'call', because: 'lapsed' },
      { taskId: confirm.id, step: 'payment_confirmation', task: 'payment_confirmation', because: 'premium_paid' },
    ]);
    expect(rows.every((r) => r.policy_no === 'P202600001')).toBe(true);
  });
});

describe('overdue tasks escalate', () => {
  it("sends an agent's overdue task to the team lead, audited, once; tasks within their deadline stay", async () => {
    // (The import in the first test wrote the policy again, without an agent.)
    await t.owner('policies').where({ policy_no: 'P202600001' }).update({ agent_code: 'A001' });
    const wf = 'renewal-P202600001-2027-12-24';
    const late = await openAuditedTask(t.db, task({ workflowId: wf, dueAt: new Date('2026-12-12T02:00:00Z') }), audit);
    const lateLead = await openAuditedTask(t.db, task({ workflowId: wf, step: 'grace_call_d+20', assigneeRole: 'team_lead', assigneeAgentCode: 'L001', dueAt: new Date('2026-12-12T03:00:00Z') }), audit);
    const onTime = await openAuditedTask(t.db, task({ workflowId: wf, step: 'grace_call_d+25', dueAt: new Date('2026-12-14T02:00:00Z') }), audit);

    const now = new Date('2026-12-13T00:30:00Z');
    const sweep = await escalateOverdueTasks(t.db, now, 'overdue-task-sweep');
    expect(sweep.escalated.filter((e) => [late.id, lateLead.id, onTime.id].includes(e.taskId))).toEqual([
      { taskId: late.id, step: 'grace_call_d+7', policyNo: 'P202600001', toRole: 'team_lead', toAgent: 'L001' },
      { taskId: lateLead.id, step: 'grace_call_d+20', policyNo: 'P202600001', toRole: 'team_lead', toAgent: 'L001' },
    ]);
    // Idempotent: a second sweep (or one running at the same time) escalates nothing again.
    expect((await escalateOverdueTasks(t.db, now, 'overdue-task-sweep')).escalated).toEqual([]);

    const rows = await listTasks(t.db, { status: 'open', policyNo: 'P202600001' });
    const lateRow = rows.find((r) => r.id === late.id)!;
    expect(lateRow).toMatchObject({ assignee_role: 'team_lead', assignee_agent_code: 'L001', escalated_from: 'A001' });
    expect(lateRow.escalated_at?.toISOString()).toBe(now.toISOString());
    expect(rows.find((r) => r.id === onTime.id)).toMatchObject({ assignee_role: 'agent', assignee_agent_code: 'A001', escalated_at: null });
    const trail = await t.db('audit_events').where({ kind: 'task_escalated' }).whereRaw(`(detail->>'taskId')::bigint = ?`, [late.id]).select('actor', 'detail');
    expect(trail).toEqual([
      {
        actor: 'overdue-task-sweep',
        detail: { taskId: late.id, step: 'grace_call_d+7', task: 'call', dueAt: '2026-12-12T02:00:00.000Z', from: { role: 'agent', agent: 'A001' }, to: { role: 'team_lead', agent: 'L001' } },
      },
    ]);
    expect((await verifyAuditChain(t.db)).firstBreak).toBeUndefined();
  });
});
