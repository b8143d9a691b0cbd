import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { buildConsole, LANGUAGE_COOKIE, SESSION_COOKIE } from '../../console/server';
import { POLICY_NOTICE_COOKIE } from '../../console/policy-routes';
import type { PolicyRecord } from '../../db/repositories/policies';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { createLogger } from '../../observability/logger';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { seedReferenceData } from '../../scripts/seed';
import { statusQuery } from '../../workflows/messages';
import { consolePerson, type ConsoleRig, consoleRig, csrfOf, getAs, setCookie, signedIn, TEST_LIMITER_KEY } from '../support/console';
import { dueIn, seedFundedPolicy, startCycleRig, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * The console's policy page (docs/architecture.md#console) through app.inject(), on real PostgreSQL
 * and the time-skipping Temporal server: the search answers with an opaque URL, the page shows the
 * masked policy, scope and role are enforced, and actions reach the running cycle signed by the person.
 *
 * | policy    | branch | agent (team) |
 * | PP-0001   | 3201   | A001 (T1)    | (no cycle started)
 * | PP-0002   | 3202   | A003 (T2)    | (out of the 3201 people's scope)
 * | PP-0003   | 3201   | A001 (T1)    | a running cycle (the action tests)
 */
const taskQueue = 'console-policy';
/** The counter line of these tests: PP-0003's premium (12,345 yuan) is above it. */
const COUNTER_LINE_FEN = 1_000_000;
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ConsoleRig;
const seeded: PolicyRecord[] = [];
const people: Record<string, string> = {};

const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function seed(n: number, branchCode: string, agentCode: string, nextDueDate: string): Promise<PolicyRecord> {
  const policy = await seedFundedPolicy(rig, {
    policyNo: `PP-000${n}`,
    branchCode,
    agentCode,
    holderName: `欧阳${n}号`,
    holderIdNo: `32010219800101660${n}`,
    holderMobile: `1381234660${n}`,
    holderEmail: `policy${n}@example.cn`,
    accountNo: `622202000000000660${n}`,
    accountName: `欧阳${n}号`,
    nextDueDate,
    preferredChannel: 'sms',
  });
  seeded.push(policy);
  return policy;
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
    { code: 'A003', name_masked: '赵*', name_enc: 'x', team_code: 'T2', branch_code: '3202', status: 'active' },
  ]);
  const today = shanghaiDate(await env.currentTimeMs());
  await seed(1, '3201', 'A001', addDays(today, 10));
  await seed(2, '3202', 'A003', addDays(today, 10));
  people.ops = userRef(await consolePerson(db, 'ops-lead', ['operations_lead']));
  people.collector = userRef(await consolePerson(db, 'collector-3201', ['collector'], [{ kind: 'branch', value: '3201' }]));
  people.cashier = userRef(await consolePerson(db, 'cashier-3201', ['cashier'], [{ kind: 'branch', value: '3201' }]));
  people.admin = userRef(await consolePerson(db, 'admin', ['administrator']));
  const lines: string[] = [];
  const logger = createLogger('console', { destination: { write: (line: string) => void lines.push(line) } });
  const app = await buildConsole({
    db,
    logger,
    settings: { environment: 'demo', idleMinutes: 30, absoluteHours: 8, secureCookies: false, trustProxy: false },
    limiterKey: TEST_LIMITER_KEY,
    temporal: { client: env.client, updateTimeoutMs: 20_000 },
    policyRules: { counterConfirmAboveFen: COUNTER_LINE_FEN, temporalUiUrl: 'http://temporal-ui.test:8233' },
  });
  console_ = { app, lines };
});

afterAll(async () => {
  await console_?.app.close();
  await rig?.close();
  await env?.teardown();
});

const get = (login: string, url: string, language?: string) => getAs(console_.app, login, url, language);

/** Searches as the person does: the search page's CSRF token, the number in the form body. */
async function search(login: string, policyNo: string): Promise<{ session: string; response: Awaited<ReturnType<typeof console_.app.inject>> }> {
  const { session, response: page } = await get(login, '/policies');
  const response = await console_.app.inject({ method: 'POST', url: '/policies', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), policyNo }) });
  return { session, response };
}

async function premiumIdOf(policyNo: string): Promise<number> {
  return Number((await rig.database.db('premium_dues').where({ policy_no: policyNo }).orderBy('due_date', 'desc').first<{ id: number }>('id')).id);
}

function personalValues(): string[] {
  return seeded.flatMap((p) => [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]).filter((value): value is string => typeof value === 'string' && value !== '');
}

describe('the policy search', () => {
  it('answers a search with a 303 to an opaque URL: the premium number, never the policy number', async () => {
    const { response } = await search('ops-lead', ' PP-0001 ');
    expect(response.statusCode).toBe(303);
    const location = String(response.headers.location);
    expect(location).toBe(`/policies/${await premiumIdOf('PP-0001')}`);
    expect(location).not.toContain('PP-0001');
    expect(location).not.toContain('0001');
  });

  it('the search page is a keyboard form with its label, and the nav link shows for readers only', async () => {
    const { response } = await get('collector-3201', '/policies');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<form method="post" action="/policies" id="policy-search">');
    expect(response.body).toContain('<label for="policy-no">保单号</label>');
    expect(response.body).toContain('<a href="/policies" aria-current="page">保单</a>');
    expect((await get('admin', '/')).response.body).not.toContain('href="/policies"');
  });

  it('an unknown policy and one outside the scope get the same 404 answer', async () => {
    const outside = await search('collector-3201', 'PP-0002');
    const unknown = await search('collector-3201', 'PP-9999');
    expect(outside.response.statusCode).toBe(404);
    expect(unknown.response.statusCode).toBe(404);
    expect(outside.response.body).toContain('您的范围内没有此保单，或此保单尚无应缴保费记录。');
    const strip = (body: string) => body.replace(/value="[^"]+"/g, '');
    expect(strip(outside.response.body)).toBe(strip(unknown.response.body));
    const empty = await search('collector-3201', '');
    expect(empty.response.statusCode).toBe(400);
    expect(empty.response.body).toContain('请输入保单号（policyNo）。');
  });

  it('refuses a search POST without the CSRF token', async () => {
    const session = await signedIn(console_.app, 'ops-lead');
    for (const csrf of [undefined, 'forged']) {
      const response = await console_.app.inject({ method: 'POST', url: '/policies', cookies: { [SESSION_COOKIE]: session }, ...form({ ...(csrf ? { csrf } : {}), policyNo: 'PP-0001' }) });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('请求无法验证');
      expect(response.headers.location).toBeUndefined();
    }
  });

  it('a role without `policy show` gets 403 on the search and on a policy page', async () => {
    expect((await get('admin', '/policies')).response.statusCode).toBe(403);
    const page = await get('admin', `/policies/${await premiumIdOf('PP-0001')}`);
    expect(page.response.statusCode).toBe(403);
    expect(page.response.body).toContain('您的角色无权进行此操作。');
    expect(page.response.body).not.toContain('PP-0001');
  });
});

describe('the policy page', () => {
  it('shows the policy masked as `renewals policy show` does, with the timeline section and the Temporal link', async () => {
    const { response } = await get('collector-3201', `/policies/${await premiumIdOf('PP-0001')}`);
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain('<h2 id="policy-heading">保单 PP-0001</h2>');
    expect(body).toMatch(/<dd id="policy-holder">欧\*+<\/dd>/);
    expect(body).toMatch(/<dd id="policy-holder-id">ID 320102\*{8}6601<\/dd>/);
    expect(body).toContain('<dd id="cycle-execution">NOT_STARTED</dd>');
    expect(body).toContain('<dd id="cycle-next">cycle not started yet (the monthly run starts it)</dd>');
    expect(body).toContain('<p id="timeline-missing">尚无工作流历史（周期未启动，或历史已超过保留期）。</p>');
    expect(body).toMatch(/<a href="http:\/\/temporal-ui\.test:8233\/namespaces\/default\/workflows\/[^"]+" id="temporal-link" rel="noreferrer">/);
    // A collector may promise and say the account is updated; no counter payment, no hold.
    expect([...body.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(['promise', 'account_updated']);
    for (const value of personalValues()) expect(body).not.toContain(value);
    // The console's own links carry no policy number; the Temporal UI's names the workflow, whose ID does.
    for (const href of body.matchAll(/href="(\/[^"]*)"/g)) expect(href[1]).not.toMatch(/PP-0001/);
  });

  it('a policy outside the scope answers 404 exactly as an unknown one', async () => {
    const outside = await get('collector-3201', `/policies/${await premiumIdOf('PP-0002')}`);
    const unknown = await get('collector-3201', '/policies/99999999');
    const garbage = await get('collector-3201', '/policies/PP-0002');
    for (const answer of [outside, unknown, garbage]) expect(answer.response.statusCode).toBe(404);
    expect(outside.response.body).not.toContain('PP-0002');
    const strip = (body: string) => body.replace(/value="[^"]+"/g, '');
    expect(strip(outside.response.body)).toBe(strip(unknown.response.body));
    // Nor may they act on it.
    const own = await get('collector-3201', `/policies/${await premiumIdOf('PP-0001')}`);
    const post = await console_.app.inject({
      method: 'POST',
      url: `/policies/${await premiumIdOf('PP-0002')}/actions`,
      cookies: { [SESSION_COOKIE]: own.session },
      ...form({ csrf: csrfOf(own.response.body), action: 'account_updated' }),
    });
    expect(post.statusCode).toBe(404);
  });

  it('in English when the person chose it', async () => {
    const { body } = (await get('ops-lead', `/policies/${await premiumIdOf('PP-0001')}`, 'en')).response;
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<h2 id="policy-heading">Policy PP-0001</h2>');
    expect(body).toContain('Open this workflow in the Temporal UI');
    expect([...body.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(['hold', 'account_updated']);
  });

  it('checks the form before anything is sent, naming the field', async () => {
    const ref = await premiumIdOf('PP-0001');
    const { session, response: page } = await get('ops-lead', `/policies/${ref}`);
    const post = (fields: Record<string, string>) => console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), ...fields }) });
    const noKind = await post({ action: 'hold', kind: 'holiday' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('请选择暂停类型（kind）。');
    expect((await post({ action: 'explode' })).statusCode).toBe(400);
    // An operations lead takes no counter payment: that is the cashier's.
    expect((await post({ action: 'pay', via: 'counter', reference: 'R-1' })).statusCode).toBe(403);
    const cashier = await get('cashier-3201', `/policies/${ref}`);
    const bad = await console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: cashier.session }, ...form({ csrf: csrfOf(cashier.response.body), action: 'pay', via: 'counter', reference: 'no spaces' }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('收据号或银行流水号（reference）须为 1–64 位字母、数字、- 或 _。');
  });

  it('refuses an action POST without the CSRF token', async () => {
    const session = await signedIn(console_.app, 'ops-lead');
    const response = await console_.app.inject({ method: 'POST', url: `/policies/${await premiumIdOf('PP-0001')}/actions`, cookies: { [SESSION_COOKIE]: session }, ...form({ action: 'hold', kind: 'dispute' }) });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('请求无法验证');
  });
});

describe('without Temporal', () => {
  it('the page still shows, the cycle unknown and no timeline, and an action is refused with a clear message', async () => {
    const bare = await consoleRig(rig.database.db);
    try {
      const ref = await premiumIdOf('PP-0001');
      const session = await signedIn(bare.app, 'ops-lead');
      const page = await bare.app.inject({ method: 'GET', url: `/policies/${ref}`, cookies: { [SESSION_COOKIE]: session } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<dd id="cycle-execution">UNKNOWN</dd>');
      expect(page.body).toContain('<p id="timeline-missing">无法读取时间线：控制台未连接 Temporal，或 Temporal 未响应。</p>');
      const post = await bare.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), action: 'hold', kind: 'claim' }) });
      expect(post.statusCode).toBe(503);
      expect(post.body).toContain('控制台未连接续期周期服务（Temporal），结果未记录。');
    } finally {
      await bare.app.close();
    }
  });
});

describe('actions reach the running cycle', () => {
  it("a hold placed from the page is in the cycle's status, signed by the person; a refusal is shown in the person's words", async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(3, '3201', 'A001', dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      // No clock moved: the cycle has sent its first reminder and waits for its next step.
      await untilIdle(handle);
      const { response: searched } = await search('ops-lead', policy.policyNo);
      const ref = Number(/^\/policies\/(\d+)$/.exec(String(searched.headers.location))![1]);
      const { session, response: page } = await get('ops-lead', `/policies/${ref}`);
      expect(page.body).toContain('<dd id="cycle-execution">RUNNING</dd>');
      expect(page.body).toContain('<table id="timeline">');
      const post = (who: string, fields: Record<string, string>, language?: string) =>
        console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: who, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) }, ...form({ csrf: csrfOf(page.body), ...fields }) });

      const placed = await post(session, { action: 'hold', kind: 'dispute' });
      expect(placed.statusCode).toBe(303);
      expect(placed.headers.location).toBe(`/policies/${ref}`);
      const notice = setCookie(placed, POLICY_NOTICE_COOKIE)!;
      expect(decodeURIComponent(notice.value)).toBe(`${ref}.hold.dispute`);
      expect((await handle.query(statusQuery)).holds).toEqual(['dispute']);
      // The cycle writes its audit row from its next turn (an activity).
      await untilIdle(handle);
      const audit = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'hold_placed' }).select('actor');
      expect(audit).toEqual([{ actor: people.ops }]);

      const after = await console_.app.inject({ method: 'GET', url: `/policies/${ref}`, cookies: { [SESSION_COOKIE]: session, [POLICY_NOTICE_COOKIE]: notice.value } });
      expect(after.body).toContain('<p class="notice" role="status" id="notice">已设置暂停：争议。</p>');
      expect(after.body).toContain('<dd id="cycle-holds">争议</dd>');
      expect(after.body).toContain('<option value="dispute">争议</option></select>');
      expect(setCookie(after, POLICY_NOTICE_COOKIE)?.header).toMatch(/Expires=Thu, 01 Jan 1970/);

      // A promise past the last grace day: the cycle's validator refuses, the page says so in the person's words.
      const collector = await get('collector-3201', `/policies/${ref}`);
      const late = addDays(dueDate, 90);
      const collectorPost = (language?: string) =>
        console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: collector.session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) }, ...form({ csrf: csrfOf(collector.response.body), action: 'promise', date: late }) });
      const refused = await collectorPost();
      expect(refused.statusCode).toBe(409);
      expect(refused.body).toMatch(/<p class="error" role="alert" id="problem">操作未执行：the cycle of PP-0003 due \S+ refused promiseToPay: promised date must be from .* to the last grace day/);
      expect((await collectorPost('en')).body).toContain('Not done: the cycle of PP-0003');
      expect((await handle.query(statusQuery)).promiseUntil ?? null).toBeNull();

      // Released from the page by the same person, as `renewals release` would.
      const released = await post(session, { action: 'release', kind: 'dispute' });
      expect(released.statusCode).toBe(303);
      expect((await handle.query(statusQuery)).holds).toEqual([]);
      await untilIdle(handle);
      expect(await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'hold_released' }).select('actor')).toEqual([{ actor: people.ops }]);
      await handle.terminate('test done');
    });
  });

  it('a counter payment above the line waits for a second cashier, as `renewals pay` applies it', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seed(4, '3201', 'A001', dueDate);
    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await untilIdle(handle);
      const ref = await premiumIdOf(policy.policyNo);
      const { session, response: page } = await get('cashier-3201', `/policies/${ref}`);
      expect([...page.body.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(['pay']);
      expect(page.body).toContain('柜面缴费超过 10000.00 元时，须由另一位收银员确认');
      const paid = await console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), action: 'pay', via: 'counter', reference: 'CTR-0004' }) });
      expect(paid.statusCode).toBe(303);
      const waiting = await rig.database.db('counter_payments').where({ policy_no: policy.policyNo }).first<{ id: number; status: string; recorded_by: string }>('id', 'status', 'recorded_by');
      expect(waiting).toMatchObject({ status: 'awaiting', recorded_by: people.cashier });
      expect(decodeURIComponent(setCookie(paid, POLICY_NOTICE_COOKIE)!.value)).toBe(`${ref}.awaiting.${waiting.id}`);
      expect((await handle.query(statusQuery)).holds).toEqual(['payment_review']);
      const shown = await console_.app.inject({ method: 'GET', url: `/policies/${ref}`, cookies: { [SESSION_COOKIE]: session, [POLICY_NOTICE_COOKIE]: setCookie(paid, POLICY_NOTICE_COOKIE)!.value } });
      expect(shown.body).toContain(`柜面缴费 #${waiting.id} 已登记`);
      // The same payment again: the application refuses, the page says so.
      const again = await console_.app.inject({ method: 'POST', url: `/policies/${ref}/actions`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), action: 'pay', via: 'counter', reference: 'CTR-0004B' }) });
      expect(again.statusCode).toBe(409);
      expect(again.body).toContain(`操作未执行：counter payment #${waiting.id} (reference CTR-0004) for PP-0004`);
      await handle.terminate('test done');
    });
  });

  it('writes no personal data to the log', () => {
    const logs = console_.lines.join('');
    expect(logs).toContain('console request');
    for (const value of personalValues()) expect(logs).not.toContain(value);
    expect(logs).not.toContain('PP-000');
  });
});
