import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { simpleParser } from 'mailparser';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { upsertAgent, type PolicyRecord } from '../../db/repositories/policies';
import { openTask, taskRoutingFor } from '../../db/repositories/tasks';
import { shanghaiDate, shanghaiInstant } from '../../domain/civil-date';
import { orphanNoticeWorkflowId, spreadOverAgents } from '../../domain/orphans';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import type { OrphanNoticeResult } from '../../workflows/orphan-notice';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * Orphan policies end to end (docs/business-rules.md#orphan-policies): `renewals agents depart`
 * starts one orphanNotice per policy, which goes within 30 days through the contact path (rules,
 * suppressions recorded), and repeating the departure starts nothing; `renewals policies reassign`
 * moves servicing and open tasks, audited, and tells the running cycle. Time-skipping server, real
 * PostgreSQL and SMTP, through the CLI.
 */
const taskQueue = 'orphans';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
const printed: string[] = [];
const { cli, json } = recordingCli(printed);

const AGENTS = [
  { code: 'L1', name: '李大海', mobile: '13900001001', leaderCode: null },
  { code: 'A1', name: '王小明', mobile: '13900001002', leaderCode: 'L1' },
  { code: 'A2', name: '赵六一', mobile: '13900001003', leaderCode: 'L1' },
  { code: 'A3', name: '孙七七', mobile: '13900001004', leaderCode: 'L1' },
];

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('TASK_QUEUE', taskQueue);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rig?.close();
  await env?.teardown();
});

/** Set RECORD_HISTORIES=1 to store a run's history as a replay fixture. */
function maybeRecord(name: string, history: Parameters<typeof historyToJSON>[0]): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  writeFileSync(join(__dirname, '..', 'fixtures', 'histories', name), `${historyToJSON(history)}\n`);
}

async function seedTeam(): Promise<void> {
  const db = rig.database.db;
  await seedFundedPolicy(rig, { policyNo: 'P-OR-0000', holderIdNo: '310101198001090000' }); // branch and product first
  await db('teams').insert({ code: 'T1', branch_code: '3201', leader_code: 'L1' }).onConflict('code').ignore();
  for (const a of AGENTS) await upsertAgent(db, rig.cipher, { ...a, teamCode: 'T1', branchCode: '3201', status: 'active' });
}

async function seed(overrides: Partial<PolicyRecord>): Promise<PolicyRecord> {
  return seedFundedPolicy(rig, { agentCode: 'A1', ...overrides });
}

/** Waits until the cycle has opened (its status query is set once the premium is loaded). */
async function untilAnswering(handle: { query: (q: typeof statusQuery) => Promise<unknown> }): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await handle.query(statusQuery);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('the cycle never answered its status query');
}

describe('an agent departs: the orphan notice', () => {
  it('goes to each customer within 30 days, suppressed where no verified contact point, and only once', async () => {
    await seedTeam();
    await seed({ policyNo: 'P-OR-0001', holderIdNo: '310101198001090001', holderMobile: '13800009001', holderEmail: 'or1@example.cn' });
    await seed({ policyNo: 'P-OR-0002', holderIdNo: '310101198001090002', holderMobile: null, holderEmail: null, preferredChannel: 'sms' });
    const departedOn = shanghaiDate(await env.currentTimeMs());
    const db = rig.database.db;
    const ops1 = await actAs(db, { roles: ['operations_lead'] });

    await rig.withWorker(async () => {
      const first = await json('agents', 'depart', 'A1', '--on', departedOn);
      expect(first).toMatchObject({ agentCode: 'A1', departedOn, recorded: true, policies: 2, noticesStarted: 2, noticesExisting: 0, late: false });

      const results = new Map<string, OrphanNoticeResult>();
      for (const policyNo of ['P-OR-0001', 'P-OR-0002']) {
        const handle = env.client.workflow.getHandle(orphanNoticeWorkflowId(policyNo, 'A1', departedOn));
        results.set(policyNo, (await handle.result()) as OrphanNoticeResult);
        if (policyNo === 'P-OR-0001') maybeRecord('orphan-notice-sent.json', await handle.fetchHistory());
      }

      // Within 30 days: 10:00 on a business day after the departure, before the last day.
      for (const result of results.values()) {
        const day = shanghaiDate(Date.parse(result.sentAt));
        expect(day > departedOn).toBe(true);
        expect(day <= (first.lastDay as string)).toBe(true);
        const after = Date.parse(result.sentAt) - shanghaiInstant(day, '10:00');
        expect(after >= 0 && after < 60_000, `${result.sentAt} is not at 10:00`).toBe(true);
        expect(result.servicingRole).toBe('team_lead');
      }
      expect(results.get('P-OR-0001')).toMatchObject({ sent: ['letter', 'sms', 'email'], suppressed: [] });
      expect(results.get('P-OR-0002')).toMatchObject({
        sent: ['letter'],
        suppressed: [
          { channel: 'sms', rule: 'no_verified_contact' },
          { channel: 'email', rule: 'no_verified_contact' },
        ],
      });

      // Recorded like every contact: rows per channel, audit rows for sent and suppressed.
      const rows = await db('contact_attempts').whereIn('policy_no', ['P-OR-0001', 'P-OR-0002']).orderBy(['policy_no', 'channel']).select('policy_no', 'step', 'channel', 'status', 'template_code', 'template_version', 'suppressed_rule');
      expect(rows).toEqual([
        { policy_no: 'P-OR-0001', step: 'orphan_notice', channel: 'sms', status: 'sent', template_code: 'orphan_notice', template_version: 1, suppressed_rule: null },
        { policy_no: 'P-OR-0001', step: 'orphan_notice', channel: 'email', status: 'sent', template_code: 'orphan_notice', template_version: 1, suppressed_rule: null },
        { policy_no: 'P-OR-0001', step: 'orphan_notice', channel: 'letter', status: 'sent', template_code: 'orphan_notice', template_version: 1, suppressed_rule: null },
        { policy_no: 'P-OR-0002', step: 'orphan_notice', channel: 'sms', status: 'suppressed', template_code: 'orphan_notice', template_version: 1, suppressed_rule: 'no_verified_contact' },
        { policy_no: 'P-OR-0002', step: 'orphan_notice', channel: 'email', status: 'suppressed', template_code: 'orphan_notice', template_version: 1, suppressed_rule: 'no_verified_contact' },
        { policy_no: 'P-OR-0002', step: 'orphan_notice', channel: 'letter', status: 'sent', template_code: 'orphan_notice', template_version: 1, suppressed_rule: null },
      ]);
      const suppressed = await db('audit_events').where({ policy_no: 'P-OR-0002', kind: 'contact_suppressed' }).select('detail');
      expect(suppressed.map((r: { detail: { channel: string; step: string } }) => `${r.detail.step}:${r.detail.channel}`).sort()).toEqual(['orphan_notice:email', 'orphan_notice:sms']);

      // What the customer reads: the team lead by masked name and code; nobody's name in clear.
      const letter = rig.text.sent.find((m) => m.channel === 'letter' && m.text.includes('P-OR-0001'));
      expect(letter?.text).toContain('团队主管 李**（工号 L1）');
      const mail = await simpleParser(rig.smtp.messages.find((m) => m.to.includes('or1@example.cn'))!.raw);
      expect(mail.text).toContain('team lead 李** (agent code L1)');
      expect(mail.subject).toContain('服务人员变更通知');
      for (const a of AGENTS) {
        for (const text of [...rig.text.sent.map((m) => m.text), mail.text ?? '']) expect(text).not.toContain(a.name);
      }

      // The departure again: nothing recorded twice, no notice started twice.
      const again = await json('agents', 'depart', 'A1', '--on', departedOn);
      expect(again).toMatchObject({ recorded: false, policies: 2, noticesStarted: 0, noticesExisting: 2 });
      expect(await db('audit_events').where({ kind: 'agent_departed' }).select('actor', 'detail')).toEqual([{ actor: ops1.ref, detail: { agentCode: 'A1', departedOn } }]);
      expect(await db('agents').where({ code: 'A1' }).first('status')).toEqual({ status: 'departed' });
      expect(Number((await db('contact_attempts').where({ step: 'orphan_notice' }).count<{ count: string }[]>('* as count'))[0]!.count)).toBe(6);
    });
  });

  it('refuses bad input with one line naming the argument', async () => {
    const unknown = await cli('agents', 'depart', 'NOBODY');
    expect(unknown).toMatchObject({ code: 2, err: 'renewals: no agent NOBODY on file\n' });
    const badDate = await cli('agents', 'depart', 'A1', '--on', '2026-02-30');
    expect(badDate.code).toBe(2);
    expect(badDate.err).toMatch(/--on must be a date YYYY-MM-DD/);
    const selfDeclared = await cli('agents', 'depart', 'A1', '--operator', 'ops-1');
    expect(selfDeclared.code).not.toBe(0);
    expect(selfDeclared.err).toMatch(/--operator/); // the person is who runs the command, not a name typed in
  });
});

describe('renewals policies reassign', () => {
  it('spreads the policies over the team, audited, moves open tasks and tells the running cycle', async () => {
    const db = rig.database.db;
    const ops2 = await actAs(db, { roles: ['operations_lead'] });
    const { dueDate } = await dueIn(env, 45);
    const cycled = await seed({ policyNo: 'P-OR-0003', holderIdNo: '310101198001090003', holderMobile: '13800009003', holderEmail: null, preferredChannel: 'sms', nextDueDate: dueDate });
    await seed({ policyNo: 'P-OR-0004', holderIdNo: '310101198001090004' });
    await openTask(db, { kind: 'call', step: 'call_d+7', policyNo: 'P-OR-0004', dueDate, assigneeAgentCode: 'A1', assigneeRole: 'agent', dueAt: new Date(), workflowId: 'renewal-P-OR-0004-x', runId: 'r', activityId: '1' });

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: cycled.policyNo, dueDate }, taskQueue);
      await untilAnswering(handle); // the cycle is open and waiting for its first reminder

      const refused = await cli('policies', 'reassign', '--from', 'A1', '--to', 'A2', '--team', 'T1');
      expect(refused).toMatchObject({ code: 2, err: 'renewals: give exactly one of --to AGENT or --team TEAM\n' });
      const departed = await cli('policies', 'reassign', '--from', 'A2', '--to', 'A1');
      expect(departed).toMatchObject({ code: 2, err: 'renewals: --to: agent A1 has departed; choose an active agent\n' });

      const result = await json<{ from: string; moved: { policyNo: string; from: string; to: string; tasksMoved: number }[]; cyclesInformed: string[] }>(
        'policies', 'reassign', '--from', 'A1', '--team', 'T1',
      );
      const expected = spreadOverAgents(['P-OR-0001', 'P-OR-0002', 'P-OR-0003', 'P-OR-0004'], ['A2', 'A3', 'L1']);
      expect(result.moved.map((m) => [m.policyNo, m.to])).toEqual([...expected]);
      expect(result.moved.find((m) => m.policyNo === 'P-OR-0004')?.tasksMoved).toBe(1);
      expect(result.cyclesInformed).toEqual([handle.workflowId]);

      // Facts and their audit rows.
      const policies = await db('policies').whereIn('policy_no', [...expected.keys()]).orderBy('policy_no').select('policy_no', 'agent_code');
      expect(policies.map((p: { policy_no: string; agent_code: string }) => [p.policy_no, p.agent_code])).toEqual([...expected]);
      const audit = await db('audit_events').where({ kind: 'policy_reassigned' }).orderBy('seq').select('actor', 'policy_no', 'detail');
      expect(audit).toHaveLength(4);
      expect(audit.every((r: { actor: string; detail: { from: string } }) => r.actor === ops2.ref && r.detail.from === 'A1')).toBe(true);
      expect(await db('tasks').where({ policy_no: 'P-OR-0004', status: 'open' }).first('assignee_agent_code')).toEqual({ assignee_agent_code: expected.get('P-OR-0004') });

      // The running cycle heard it: its status, its trail, and the routing of its next task.
      const newAgent = expected.get('P-OR-0003')!;
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 100 && status.servicingAgent !== newAgent; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = await handle.query(statusQuery);
      }
      expect(status.servicingAgent).toBe(newAgent);
      let told: { workflow_id: string; detail: unknown } | undefined;
      for (let i = 0; i < 100 && !told; i++) {
        told = await db('audit_events').where({ kind: 'servicing_reassigned', policy_no: 'P-OR-0003' }).first('workflow_id', 'detail');
        if (!told) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(told).toEqual({ workflow_id: handle.workflowId, detail: { agentCode: newAgent, from: 'A1' } });
      expect(await taskRoutingFor(db, 'P-OR-0003')).toMatchObject({ agentCode: newAgent, agentStatus: 'active' });

      // Nothing left to move: a second run changes nothing.
      const again = await json<{ moved: unknown[] }>('policies', 'reassign', '--from', 'A1', '--team', 'T1');
      expect(again.moved).toEqual([]);

      // The cycle goes on to collect the premium as before.
      expect(await handle.result()).toMatchObject({ stage: 'PAID' });
      maybeRecord('renewal-cycle-servicing-reassigned.json', await handle.fetchHistory());
    });

    for (const a of AGENTS) for (const text of printed) expect(text).not.toContain(a.name);
  });
});
