import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { LANGUAGE_COOKIE, NOTICE_COOKIE, SESSION_COOKIE } from '../../console/server';
import type { PolicyRecord } from '../../db/repositories/policies';
import { openTask } from '../../db/repositories/tasks';
import { addDays, daysBetween, shanghaiDate } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { seedReferenceData } from '../../scripts/seed';
import { consolePerson, type ConsoleRig, consoleRig, csrfOf, getAs, setCookie, signedIn } from '../support/console';
import { consoleWithTemporal } from '../support/console-temporal';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The console's work queue and task page (docs/architecture.md#console) through app.inject(), on real
 * PostgreSQL and the time-skipping Temporal server: who sees which task, what a URL may open, the
 * CSRF check, and an outcome the running cycle refuses, then one it takes.
 *
 * | policy  | branch | agent (team)   | task (priority)        |
 * | Q-0001  | 3201   | A001 (T1)      | call_d+7 (30)          |
 * | Q-0002  | 3201   | A002 (T1)      | call_d+7 (50)          |
 * | Q-0003  | 3202   | A003 (T2)      | call_d+7 (70)          |
 * | Q-0004  | 3201   | A001 (T1)      | call_d+30 (50), due sooner to lapse than Q-0002 |
 * | Q-0005  | 3201   | —              | the running cycle's call_d-15 (added in the last tests) |
 */
const taskQueue = 'console-queue';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ConsoleRig;
const seeded: PolicyRecord[] = [];
const taskOf: Record<string, number> = {};
const today = shanghaiDate(Date.now());

const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function seed(n: number, branchCode: string, agentCode: string | null, nextDueDate: string): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, {
    policyNo: `Q-000${n}`,
    branchCode,
    agentCode,
    holderIdNo: `32010219800101770${n}`,
    holderMobile: `1381234770${n}`,
    holderEmail: `queue${n}@example.cn`,
    accountNo: `622202000000000770${n}`,
    nextDueDate,
    preferredChannel: 'sms',
  });
  seeded.push(policy);
  return policy;
}

async function directTask(policy: PolicyRecord, step: string, priority: number, agent: string | null, dueInHours: number): Promise<number> {
  const { id } = await openTask(rig.database.db, {
    kind: 'call',
    step,
    policyNo: policy.policyNo,
    dueDate: policy.nextDueDate,
    assigneeAgentCode: agent,
    assigneeRole: agent ? 'agent' : 'team_lead',
    dueAt: new Date(Date.now() + dueInHours * 3_600_000),
    workflowId: `console-queue-${policy.policyNo}`,
    runId: 'run-1',
    activityId: 'task-1',
    priority,
  });
  return id;
}

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  const db = rig.database.db;
  await seedReferenceData(db);
  await db('branches').insert({ code: '3202', name: '苏州分公司' });
  await db('teams').insert([
    { code: 'T1', branch_code: '3201' },
    { code: 'T2', branch_code: '3202' },
  ]);
  await db('agents').insert([
    { code: 'A001', name_masked: '李*', name_enc: 'x', team_code: 'T1', branch_code: '3201', status: 'active' },
    { code: 'A002', name_masked: '王*', name_enc: 'x', team_code: 'T1', branch_code: '3201', status: 'active' },
    { code: 'A003', name_masked: '赵*', name_enc: 'x', team_code: 'T2', branch_code: '3202', status: 'active' },
  ]);
  // Due 10 days ago (in grace, 50 days to lapse) and 40 days ago (20 days to lapse).
  const q1 = await seed(1, '3201', 'A001', addDays(today, -10));
  const q2 = await seed(2, '3201', 'A002', addDays(today, -10));
  const q3 = await seed(3, '3202', 'A003', addDays(today, -10));
  const q4 = await seed(4, '3201', 'A001', addDays(today, -40));
  // Q-0001's debit failed for lack of funds: its call script says what that means.
  const due1 = await db('premium_dues').where({ policy_no: q1.policyNo }).first<{ id: number }>('id');
  await db('debit_attempts').insert({ premium_due_id: due1.id, attempt_no: 1, idempotency_key: 'RNW-console-queue-1', bank_code: 'ICBC', amount_fen: q1.premiumFen, collection_date: q1.nextDueDate, status: 'failed', raw_code: 'AM04', reason: 'INSUFFICIENT_FUNDS', workflow_id: 'console-queue-Q-0001', run_id: 'run-1', activity_id: 'debit-1' });
  taskOf.q1 = await directTask(q1, 'call_d+7', 30, 'A001', 5);
  taskOf.q2 = await directTask(q2, 'call_d+7', 50, 'A002', 1);
  taskOf.q3 = await directTask(q3, 'call_d+7', 70, 'A003', 5);
  taskOf.q4 = await directTask(q4, 'call_d+30', 50, 'A001', 9);
  await consolePerson(db, 'collector-3201', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(db, 'agent-a001', ['agent'], [{ kind: 'own', value: 'A001' }]);
  await consolePerson(db, 'lead-t2', ['team_lead'], [{ kind: 'team', value: 'T2' }]);
  await consolePerson(db, 'cashier-3201', ['cashier'], [{ kind: 'branch', value: '3201' }]);
  console_ = await consoleWithTemporal(db, env.client);
});

afterAll(async () => {
  await console_?.app.close();
  await rig?.close();
  await env?.teardown();
});

const get = (login: string, url: string, language?: string) => getAs(console_.app, login, url, language);

/** The task numbers the queue lists, in its order. */
function listed(body: string): number[] {
  return [...body.matchAll(/<tr data-task="(\d+)">/g)].map((m) => Number(m[1]));
}

describe('the work queue', () => {
  it("a branch collector sees the branch's open tasks, highest priority first, then fewest days to lapse", async () => {
    const { response } = await get('collector-3201', '/tasks');
    expect(response.statusCode).toBe(200);
    // Q-0004 and Q-0002 share priority 50: Q-0004 has 20 days to lapse, Q-0002 50 (its task is due sooner).
    expect(listed(response.body)).toEqual([taskOf.q4, taskOf.q2, taskOf.q1]);
    const row = /<tr data-task="\d+">[\s\S]*?<\/tr>/.exec(response.body.slice(response.body.indexOf(`data-task="${taskOf.q4}"`) - 9))![0];
    expect(row).toContain(`<a href="/tasks/${taskOf.q4}">#${taskOf.q4}</a>`);
    expect(row).toContain('<td>call_d+30</td>');
    expect(row).toContain('<td>Q-0004</td>');
    expect(row).toContain(`<td class="number">${daysBetween(today, addDays(addDays(today, -40), 60))}</td>`);
    expect(row).toContain('<td class="number">50</td>');
    expect(row).toContain('<td>A001</td>');
    expect(response.body).toContain('<a href="/tasks" aria-current="page">工作队列</a>');
  });

  it('an agent sees only their own policies; a team lead only the team', async () => {
    expect(listed((await get('agent-a001', '/tasks')).response.body)).toEqual([taskOf.q4, taskOf.q1]);
    expect(listed((await get('lead-t2', '/tasks')).response.body)).toEqual([taskOf.q3]);
  });

  it('links by task number only and shows no personal data', async () => {
    const { body } = (await get('collector-3201', '/tasks')).response;
    for (const href of body.matchAll(/href="([^"]+)"/g)) expect(href[1]).toMatch(/^(\/|\/tasks|\/tasks\/\d+|\/policies|\/console\.css|#main)$/);
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) expect(body).not.toContain(value);
  });

  it('a role without `tasks list` gets 403 and no link to the queue', async () => {
    const { response } = await get('cashier-3201', '/tasks');
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('您的角色无权进行此操作。');
    expect((await get('cashier-3201', '/')).response.body).not.toContain('href="/tasks"');
    expect((await get('collector-3201', '/')).response.body).toContain('href="/tasks"');
    const task = await get('cashier-3201', `/tasks/${taskOf.q1}`);
    expect(task.response.statusCode).toBe(403);
  });

  it('sends people who are not signed in to the sign-in page', async () => {
    const response = await console_.app.inject({ method: 'GET', url: `/tasks/${taskOf.q1}` });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
  });
});

describe('the task page', () => {
  it("an agent opening another agent's task by URL gets 404, as for a task that does not exist", async () => {
    const other = await get('agent-a001', `/tasks/${taskOf.q2}`);
    const missing = await get('agent-a001', '/tasks/999999');
    expect(other.response.statusCode).toBe(404);
    expect(missing.response.statusCode).toBe(404);
    expect(other.response.body).not.toContain('Q-0002');
    expect(other.response.body.replace(/value="[^"]+"/g, '')).toBe(missing.response.body.replace(/value="[^"]+"/g, ''));
    // Nor can they record an outcome on it.
    const own = await console_.app.inject({ method: 'GET', url: `/tasks/${taskOf.q1}`, cookies: { [SESSION_COOKIE]: other.session } });
    const post = await console_.app.inject({ method: 'POST', url: `/tasks/${taskOf.q2}/outcome`, cookies: { [SESSION_COOKIE]: other.session }, ...form({ csrf: csrfOf(own.body), outcome: 'no_answer' }) });
    expect(post.statusCode).toBe(404);
    expect(await rig.database.db('tasks').where({ id: taskOf.q2 }).first('status')).toEqual({ status: 'open' });
    expect((await get('agent-a001', '/tasks/not-a-number')).response.statusCode).toBe(404);
  });

  it('shows the task, the call script with every objection, the masked contact, and one CSRF form per outcome', async () => {
    const { response } = await get('collector-3201', `/tasks/${taskOf.q1}`);
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain(`<h2 id="task-heading">任务 #${taskOf.q1}</h2>`);
    expect(body).toContain('<dd id="task-policy">Q-0001</dd>');
    expect(body).toContain('宽限期首次跟进电话');
    expect(body).toContain('上次扣款因余额不足未成功');
    expect(body).not.toContain('原服务人员已离职'); // A001 is active: no orphan notice
    for (const objection of ['1', '8', '12', 'forgot', 'wants_to_surrender', 'already_paid']) expect(body).toContain(`<details data-objection="${objection}">`);
    expect(body).toContain('<summary>8 暂时经济困难</summary>');
    expect(body).toContain('<dd id="contact-mobile">138****7701 (有效)</dd>');
    expect(body).toContain('<dd id="contact-holder">张**</dd>');
    expect(body).toContain('尚无按角色、经审计的查看功能');
    expect(body).toContain('<dd id="cycle-execution">NOT_STARTED</dd>');
    const outcomes = [...body.matchAll(/<form method="post" action="\/tasks\/(\d+)\/outcome" data-outcome="(\w+)">/g)].map((m) => [Number(m[1]), m[2]]);
    expect(outcomes).toEqual(['reached', 'no_answer', 'wrong_number', 'promised', 'refused', 'account_fixed', 'done', 'paid_elsewhere'].map((o) => [taskOf.q1, o]));
    expect(body).toContain('<label for="promised-date">承诺缴费日期</label><input type="date" id="promised-date" name="date" required>');
    expect(body).toContain('<option value="12">12 无法联系</option>');
    for (const match of body.matchAll(/<(?:input|select)[^>]*>/g)) {
      if (match[0].includes('type="hidden"')) continue;
      expect(body).toContain(`<label for="${/id="([^"]+)"/.exec(match[0])![1]}"`);
    }
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) expect(body).not.toContain(value);
  });

  it('in English when the person chose it', async () => {
    const { body } = (await get('collector-3201', `/tasks/${taskOf.q1}`, 'en')).response;
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('First grace-period call');
    expect(body).toContain('<summary>8 Temporary financial difficulty</summary>');
    expect(body).toContain('<button type="submit">Promised to pay</button>');
  });

  it("the language switch returns to the task page, and only to the console's own pages", async () => {
    const { session, response: page } = await get('collector-3201', `/tasks/${taskOf.q1}`);
    expect(page.body).toContain(`<input type="hidden" name="back" value="/tasks/${taskOf.q1}">`);
    const back = async (to: string) => (await console_.app.inject({ method: 'POST', url: '/language', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), language: 'en', back: to }) })).headers.location;
    expect(await back(`/tasks/${taskOf.q1}`)).toBe(`/tasks/${taskOf.q1}`);
    expect(await back('/tasks')).toBe('/tasks');
    expect(await back('https://elsewhere.example/tasks/1')).toBe('/sign-in');
    expect(await back('/tasks/1/../../x')).toBe('/sign-in');
  });

  it('refuses an outcome POST without the CSRF token, and the task stays open', async () => {
    const session = await signedIn(console_.app, 'collector-3201');
    for (const csrf of [undefined, 'forged']) {
      const response = await console_.app.inject({ method: 'POST', url: `/tasks/${taskOf.q1}/outcome`, cookies: { [SESSION_COOKIE]: session }, ...form({ ...(csrf ? { csrf } : {}), outcome: 'no_answer' }) });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('请求无法验证');
    }
    expect(await rig.database.db('tasks').where({ id: taskOf.q1 }).first('status')).toEqual({ status: 'open' });
  });

  it('checks the form before anything is sent: a promise needs its date, a refusal a reason 1–12', async () => {
    const { session, response: page } = await get('collector-3201', `/tasks/${taskOf.q1}`);
    const post = (fields: Record<string, string>) => console_.app.inject({ method: 'POST', url: `/tasks/${taskOf.q1}/outcome`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), ...fields }) });
    const noDate = await post({ outcome: 'promised' });
    expect(noDate.statusCode).toBe(400);
    expect(noDate.body).toContain('请填写承诺缴费日期（YYYY-MM-DD）。');
    const past = await post({ outcome: 'promised', date: addDays(today, -1) });
    expect(past.statusCode).toBe(400);
    expect(past.body).toContain('承诺缴费日期不能早于今天。');
    expect((await post({ outcome: 'promised', date: '2026-02-30' })).body).toContain('请填写承诺缴费日期（YYYY-MM-DD）。');
    const badReason = await post({ outcome: 'refused', reason: '13' });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.body).toContain('请选择未缴原因（1–12）。');
    expect((await post({ outcome: 'retry_debit' })).statusCode).toBe(400);
    expect(await rig.database.db('tasks').where({ id: taskOf.q1 }).first('status')).toEqual({ status: 'open' });
  });
});

describe('without Temporal', () => {
  it('the task page still shows, the cycle as unknown, and an outcome is refused with a clear message', async () => {
    const bare = await consoleRig(rig.database.db);
    try {
      const session = await signedIn(bare.app, 'collector-3201');
      const page = await bare.app.inject({ method: 'GET', url: `/tasks/${taskOf.q1}`, cookies: { [SESSION_COOKIE]: session } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<dd id="cycle-execution">UNKNOWN</dd>');
      const post = await bare.app.inject({ method: 'POST', url: `/tasks/${taskOf.q1}/outcome`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), outcome: 'no_answer' }) });
      expect(post.statusCode).toBe(503);
      expect(post.body).toContain('控制台未连接续期周期服务（Temporal），结果未记录。');
      expect(await rig.database.db('tasks').where({ id: taskOf.q1 }).first('status')).toEqual({ status: 'open' });
    } finally {
      await bare.app.close();
    }
  });
});

describe('outcomes reach the running cycle', () => {
  it("shows the cycle's refusal on the page in the person's language; a taken outcome closes the task and says so once", async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(5, '3201', null, dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      const task = await rig.database.db('tasks').where({ policy_no: policy.policyNo, step: 'call_d-15', status: 'open' }).first<{ id: number }>('id');
      expect(task).toBeDefined();
      const id = Number(task.id);

      const { session, response: page } = await get('collector-3201', `/tasks/${id}`);
      expect(page.body).toContain('<dd id="cycle-execution">RUNNING</dd>');
      expect(page.body).toContain('<dd id="cycle-stage">PRE_DUE</dd>');
      const post = (fields: Record<string, string>, language?: string) =>
        console_.app.inject({ method: 'POST', url: `/tasks/${id}/outcome`, cookies: { [SESSION_COOKIE]: session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) }, ...form({ csrf: csrfOf(page.body), ...fields }) });

      // A date past the last grace day: the cycle's validator refuses it, and the page says why.
      const tooLate = await post({ outcome: 'promised', date: addDays(dueDate, 90) });
      expect(tooLate.statusCode).toBe(409);
      expect(tooLate.body).toMatch(/<p class="error" role="alert" id="problem">结果未记录：the cycle of Q-0005 due \S+ refused the promise to pay by \S+ of task #\d+: promised date must be from .* to the last grace day/);
      expect(tooLate.body).toContain(`<form method="post" action="/tasks/${id}/outcome" data-outcome="promised">`);
      const english = await post({ outcome: 'promised', date: addDays(dueDate, 90) }, 'en');
      expect(english.body).toContain('The outcome was not recorded: the cycle of Q-0005');
      expect(await rig.database.db('tasks').where({ id }).first('status')).toEqual({ status: 'open' });

      const done = await post({ outcome: 'refused', reason: '8' });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/tasks');
      const notice = setCookie(done, NOTICE_COOKIE)!;
      expect(notice.value).toBe(`${id}.refused`);
      const queue = await console_.app.inject({ method: 'GET', url: '/tasks', cookies: { [SESSION_COOKIE]: session, [NOTICE_COOKIE]: notice.value } });
      expect(queue.body).toContain(`<p class="notice" role="status" id="notice">任务 #${id} 已记录结果：拒绝缴费。</p>`);
      expect(listed(queue.body)).not.toContain(id);
      expect(setCookie(queue, NOTICE_COOKIE)?.header).toMatch(/Expires=Thu, 01 Jan 1970/);

      const collector = (await rig.database.db('users').where({ login: 'collector-3201' }).first<{ id: number }>('id')).id;
      expect(await rig.database.db('tasks').where({ id }).first('status', 'outcome_code')).toEqual({ status: 'done', outcome_code: 'refused' });
      const signed = await rig.database.db('audit_events').where({ policy_no: policy.policyNo }).whereIn('kind', ['customer_refused', 'task_completed']).orderBy('seq').select('kind', 'actor');
      expect(signed).toEqual([
        { kind: 'customer_refused', actor: userRef(collector) },
        { kind: 'task_completed', actor: userRef(collector) },
      ]);
      // Closed now: the page offers no outcome, and a second POST is refused without reaching the cycle.
      const after = await get('collector-3201', `/tasks/${id}`);
      expect(after.response.body).toContain('此任务已关闭（已完成），无需再记录结果。');
      expect(after.response.body).not.toContain('data-outcome=');
      await handle.terminate('test done');
    });
  });

  it('writes no personal data to the log', () => {
    const logs = console_.lines.join('');
    expect(logs).toContain('console request');
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) expect(logs).not.toContain(value);
  });
});
