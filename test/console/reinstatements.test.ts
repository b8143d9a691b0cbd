import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { reinstatementView } from '../../application/reinstatements';
import { REINSTATEMENT_NOTICE_COOKIE } from '../../console/reinstatement-routes';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from '../../console/server';
import type { PolicyRecord } from '../../db/repositories/policies';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { formatYuan } from '../../domain/money';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { seedReferenceData } from '../../scripts/seed';
import { reinstatementStatusQuery } from '../../workflows/reinstatement-messages';
import { consolePerson, csrfOf, getAs, setCookie, signedIn } from '../support/console';
import { dueIn, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { applied, consoleOnServerClock, lapsingPolicy, type ServerClockConsole } from '../support/reinstatement-console';

/**
 * The console's reinstatement queue and application page (docs/architecture.md#console) through
 * app.inject(), on real PostgreSQL and the time-skipping Temporal server with a renewal worker.
 *
 * | policy  | branch | application                                   |
 * | R-0001  | 3201   | taken and declaration captured by uw-a        |
 * | R-0002  | 3202   | taken a day later by uw-a, declaration awaited |
 * | R-0003  | 3201   | lapsed, no application                         |
 */
const taskQueue = 'console-reinstatements';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ServerClockConsole;
let stopWorker: (() => void) | undefined;
let workerDone: Promise<void> | undefined;
const seeded: PolicyRecord[] = [];
const applicationOf: Record<string, number> = {};
const people: Record<string, string> = {};
const db = () => rig.database.db;

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const one of [value].flat()) body.append(key, one);
  return { payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
};

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  await seedReferenceData(db());
  await db()('branches').insert({ code: '3202', name: '苏州分公司' });
  for (const [login, roles, scopes] of [
    ['uw-a', ['underwriter'], []],
    ['uw-b', ['underwriter'], []],
    ['uw-3202', ['underwriter'], [{ kind: 'branch', value: '3202' }]],
    ['collector-3201', ['collector'], [{ kind: 'branch', value: '3201' }]],
  ] as const) {
    people[login] = userRef(await consolePerson(db(), login, [...roles], [...scopes]));
  }
  workerDone = rig.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
  const { dueDate } = await dueIn(env, 5);
  for (const [n, branchCode] of [
    [1, '3201'],
    [2, '3202'],
    [3, '3201'],
  ] as const) {
    seeded.push(
      await lapsingPolicy(rig, env, taskQueue, { policyNo: `R-000${n}`, branchCode, nextDueDate: dueDate, holderIdNo: `32010219800101660${n}`, holderMobile: `1381234660${n}`, holderEmail: `reinstate${n}@example.cn`, accountNo: `622202000000000660${n}` }),
    );
  }
  // Suspended at 00:00 of D+61; applications on D+62 and D+63, at half past (no timer falls then).
  await sleepUntil(env, addDays(dueDate, 62), '10:30');
  applicationOf.r1 = await applied(db(), env, 'R-0001', people['uw-a']!, people['uw-a']);
  await sleepUntil(env, addDays(dueDate, 63), '10:30');
  applicationOf.r2 = await applied(db(), env, 'R-0002', people['uw-a']!);
  console_ = await consoleOnServerClock(db(), env);
}, 120_000);

afterAll(async () => {
  await console_?.app.close();
  stopWorker?.();
  await workerDone;
  await rig?.close();
  await env?.teardown();
});

const get = (login: string, url: string, language?: string) => getAs(console_.app, login, url, language);

async function post(login: string, id: number, fields: Record<string, string | string[]>, language?: string) {
  const { session, response: page } = await get(login, `/reinstatements/${id}`);
  return console_.app.inject({ method: 'POST', url: `/reinstatements/${id}/decision`, cookies: { [SESSION_COOKIE]: session, ...(language ? { [LANGUAGE_COOKIE]: language } : {}) }, ...form({ csrf: csrfOf(page.body), ...fields }) });
}

/** The application numbers the queue lists, in its order. */
function listed(body: string): number[] {
  return [...body.matchAll(/<tr data-application="(\d+)">/g)].map((m) => Number(m[1]));
}

function cellsOf(body: string, id: number): string[] {
  const row = new RegExp(`<tr data-application="${id}">([\\s\\S]*?)</tr>`).exec(body)![1]!;
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.trim());
}

const liveStatus = (id: number) => db()('reinstatement_applications').where({ id }).first<{ workflow_id: string }>('workflow_id').then((r) => env.client.workflow.getHandle(r.workflow_id).query(reinstatementStatusQuery));

describe('the reinstatement queue', () => {
  it("an underwriter without a scope sees the insurer's open applications, oldest first, with declaration, evidence and quote", async () => {
    const { response } = await get('uw-b', '/reinstatements');
    expect(response.statusCode).toBe(200);
    expect(listed(response.body)).toEqual([applicationOf.r1, applicationOf.r2]);
    const r1 = cellsOf(response.body, applicationOf.r1!);
    expect(r1).toEqual([`<a href="/reinstatements/${applicationOf.r1}">#${applicationOf.r1}</a>`, 'R-0001', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), '审核中', `已录入（${people['uw-a']}）`, '无', '批准后报价']);
    expect(cellsOf(response.body, applicationOf.r2!)[4]).toBe('待录入');
    expect(cellsOf(response.body, applicationOf.r1!)[2]! < cellsOf(response.body, applicationOf.r2!)[2]!).toBe(true);
    expect(response.body).toContain('<a href="/reinstatements" aria-current="page">复效审核</a>');
  });

  it('an underwriter with a branch sees only its applications; links carry the number only; no personal data', async () => {
    const { body } = (await get('uw-3202', '/reinstatements')).response;
    expect(listed(body)).toEqual([applicationOf.r2]);
    for (const href of body.matchAll(/href="([^"]+)"/g)) expect(href[1]).toMatch(/^(\/|\/tasks|\/reinstatements|\/reinstatements\/\d+|\/policies|\/console\.css|#main)$/);
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) expect(body).not.toContain(value);
  });

  it('a role that may not decide gets 403 and no link', async () => {
    const queue = await get('collector-3201', '/reinstatements');
    expect(queue.response.statusCode).toBe(403);
    expect(queue.response.body).toContain('您的角色无权进行此操作。');
    expect((await get('collector-3201', `/reinstatements/${applicationOf.r1}`)).response.statusCode).toBe(403);
    expect((await get('collector-3201', '/')).response.body).not.toContain('href="/reinstatements"');
    expect((await get('uw-a', '/')).response.body).toContain('<a href="/reinstatements">复效审核</a>');
  });
});

describe('the application page', () => {
  it('outside the scope an application answers 404, as one that does not exist, and takes no decision', async () => {
    const other = await get('uw-3202', `/reinstatements/${applicationOf.r1}`);
    const missing = await get('uw-3202', '/reinstatements/999999');
    expect(other.response.statusCode).toBe(404);
    expect(missing.response.statusCode).toBe(404);
    expect(other.response.body).not.toContain('R-0001');
    expect(other.response.body.replace(/value="[^"]+"/g, '')).toBe(missing.response.body.replace(/value="[^"]+"/g, ''));
    const own = await console_.app.inject({ method: 'GET', url: `/reinstatements/${applicationOf.r2}`, cookies: { [SESSION_COOKIE]: other.session } });
    const decision = await console_.app.inject({ method: 'POST', url: `/reinstatements/${applicationOf.r1}/decision`, cookies: { [SESSION_COOKIE]: other.session }, ...form({ csrf: csrfOf(own.body), decision: 'decline', reason: 'RISK_INCREASED_OTHER' }) });
    expect(decision.statusCode).toBe(404);
    expect((await liveStatus(applicationOf.r1!)).status).toBe('under_review');
    expect((await get('uw-3202', '/reinstatements/abc')).response.statusCode).toBe(404);
  });

  it('shows the application, its declaration and the three decision forms, every field labelled', async () => {
    const { response } = await get('uw-b', `/reinstatements/${applicationOf.r1}`);
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain(`<h2 id="application-heading">复效申请 #${applicationOf.r1}</h2>`);
    expect(body).toContain('<dd id="application-policy">R-0001</dd>');
    expect(body).toContain('<dd id="application-status">审核中</dd>');
    expect(body).toContain(`<dd id="application-declaration">已录入（${people['uw-a']}）</dd>`);
    expect(body).toContain(`<dd id="application-applied-by">${people['uw-a']}</dd>`);
    const decisions = [...body.matchAll(/<form method="post" action="\/reinstatements\/(\d+)\/decision" data-decision="(\w+)">/g)].map((m) => [Number(m[1]), m[2]]);
    expect(decisions).toEqual(['approve', 'decline', 'request_evidence'].map((d) => [applicationOf.r1, d]));
    expect(body).toContain('<option value="EVIDENCE_NOT_PROVIDED">未在期限前提供所要求的材料</option>');
    for (const match of body.matchAll(/<(?:input|select)[^>]*>/g)) {
      if (match[0].includes('type="hidden"') || match[0].includes('type="checkbox"')) continue;
      expect(body).toContain(`<label for="${/id="([^"]+)"/.exec(match[0])![1]}"`);
    }
    expect(body).toMatch(/<label class="inline"><input type="checkbox" name="evidence" value="medical_exam" id="evidence-medical_exam"> 体检<\/label>/);
  });

  it('the language switch returns to the reinstatement pages, and only to them', async () => {
    const { session, response: page } = await get('uw-b', `/reinstatements/${applicationOf.r1}`);
    expect(page.body).toContain(`<input type="hidden" name="back" value="/reinstatements/${applicationOf.r1}">`);
    const back = async (to: string) => (await console_.app.inject({ method: 'POST', url: '/language', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), language: 'en', back: to }) })).headers.location;
    expect(await back(`/reinstatements/${applicationOf.r1}`)).toBe(`/reinstatements/${applicationOf.r1}`);
    expect(await back('/reinstatements')).toBe('/reinstatements');
    expect(await back('/reinstatements/1/decision')).toBe('/sign-in');
    expect(await back('//elsewhere.example/reinstatements')).toBe('/sign-in');
  });

  it('refuses a decision POST without the CSRF token', async () => {
    const session = await signedIn(console_.app, 'uw-b');
    for (const csrf of [undefined, 'forged']) {
      const response = await console_.app.inject({ method: 'POST', url: `/reinstatements/${applicationOf.r1}/decision`, cookies: { [SESSION_COOKIE]: session }, ...form({ ...(csrf ? { csrf } : {}), decision: 'approve' }) });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('请求无法验证');
    }
    expect((await liveStatus(applicationOf.r1!)).status).toBe('under_review');
  });

  it('names the missing field before anything is sent: a decline needs its reason, a request its evidence', async () => {
    const noReason = await post('uw-b', applicationOf.r1!, { decision: 'decline' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('<p class="error" role="alert" id="problem">请选择拒绝原因（reason）。</p>');
    const english = await post('uw-b', applicationOf.r1!, { decision: 'decline', reason: '' }, 'en');
    expect(english.body).toContain('Choose the reason for declining (field &quot;reason&quot;).');
    const badReason = await post('uw-b', applicationOf.r1!, { decision: 'decline', reason: 'TOO_OLD' });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.body).toContain('决定未记录：--decline must be one of RISK_INCREASED_HEALTH');
    expect(badReason.body).toContain('TOO_OLD');
    expect((await post('uw-b', applicationOf.r1!, { decision: 'request_evidence' })).body).toContain('请至少选择一项需要补充的材料（evidence）。');
    expect((await post('uw-b', applicationOf.r1!, { decision: 'waive' })).statusCode).toBe(400);
    expect((await liveStatus(applicationOf.r1!)).status).toBe('under_review');
  });

  it("an approval before the declaration is captured is the workflow's refusal, shown on the page; evidence may be requested", async () => {
    const early = await post('uw-b', applicationOf.r2!, { decision: 'approve' });
    expect(early.statusCode).toBe(409);
    expect(early.body).toMatch(/<p class="error" role="alert" id="problem">决定未记录：the decision for the application reinstatement-R-0002-\S+ refused: the health and risk declaration is not captured yet/);
    const requested = await post('uw-b', applicationOf.r2!, { decision: 'request_evidence', evidence: ['medical_exam', 'medical_records'] });
    expect(requested.statusCode).toBe(303);
    expect(await liveStatus(applicationOf.r2!)).toMatchObject({ status: 'evidence_requested', evidenceRequested: ['medical_exam', 'medical_records'], signedBy: { decided: people['uw-b'] } });
    const queue = await get('uw-b', '/reinstatements');
    expect(cellsOf(queue.response.body, applicationOf.r2!).slice(3, 6)).toEqual(['待补充材料', '待录入', '体检, 病历']);
  });
});

describe('four-eyes', () => {
  it('the underwriter who took the application and captured the declaration is refused in their language; a second approves', async () => {
    const own = await post('uw-a', applicationOf.r1!, { decision: 'approve' });
    expect(own.statusCode).toBe(409);
    expect(own.body).toContain('决定未记录：四眼原则：受理申请或录入健康声明的人不能批准此申请，须由另一位核保人员批准。');
    expect(own.body).toContain('four-eyes: the approval must come from a second person, not the one who applied');
    const ownEnglish = await post('uw-a', applicationOf.r1!, { decision: 'approve' }, 'en');
    expect(ownEnglish.body).toContain('The decision was not recorded: Four-eyes: whoever took the application or captured the declaration may not approve it');
    expect((await liveStatus(applicationOf.r1!)).status).toBe('under_review');

    const approved = await post('uw-b', applicationOf.r1!, { decision: 'approve' });
    expect(approved.statusCode).toBe(303);
    expect(approved.headers.location).toBe('/reinstatements');
    const notice = setCookie(approved, REINSTATEMENT_NOTICE_COOKIE)!;
    expect(notice.value).toBe(`${applicationOf.r1}.approve`);
    expect(await liveStatus(applicationOf.r1!)).toMatchObject({ status: 'approved', approvedBy: 'underwriter', signedBy: { applied: people['uw-a'], declaration: people['uw-a'], decided: people['uw-b'] } });

    const session = await signedIn(console_.app, 'uw-b');
    const queue = await console_.app.inject({ method: 'GET', url: '/reinstatements', cookies: { [SESSION_COOKIE]: session, [REINSTATEMENT_NOTICE_COOKIE]: notice.value } });
    expect(queue.body).toContain(`<p class="notice" role="status" id="notice">复效申请 #${applicationOf.r1} 已记录：批准。</p>`);
    expect(setCookie(queue, REINSTATEMENT_NOTICE_COOKIE)?.header).toMatch(/Expires=Thu, 01 Jan 1970/);
    // Approved: today's quote, as `renewals reinstate status` gives it for the server's day.
    const today = shanghaiDate(await env.currentTimeMs());
    const quote = (await reinstatementView(db(), env.client, 'R-0001', today)).application!.quote!;
    expect(quote.totalFen).toBeGreaterThan(0);
    expect(cellsOf(queue.body, applicationOf.r1!).slice(3)).toEqual(['已批准', `已录入（${people['uw-a']}）`, '无', `${formatYuan(quote.totalFen)}（保费 ${formatYuan(quote.premiumsFen)} + 利息 ${formatYuan(quote.interestFen)}）`]);

    const page = await get('uw-b', `/reinstatements/${applicationOf.r1}`);
    expect(page.response.body).toContain('<dd id="application-status">已批准</dd>');
    expect(page.response.body).toContain(`<dd id="application-decided-by">${people['uw-b']}</dd>`);
    expect(page.response.body).toContain('<p id="decision-closed">此申请为「已批准」，不再接受核保决定。</p>');
    expect(page.response.body).not.toContain('data-decision=');
    // A second decision is refused before the workflow is asked.
    expect((await post('uw-b', applicationOf.r1!, { decision: 'decline', reason: 'RISK_INCREASED_OTHER' })).statusCode).toBe(409);
    const decided = await db()('audit_events').where({ policy_no: 'R-0001', kind: 'reinstatement_approved' }).select('actor');
    expect(decided).toEqual([{ actor: people['uw-b'] }]);
  });

  it('writes no personal data to the log', () => {
    const logs = console_.lines.join('');
    expect(logs).toContain('console request');
    for (const p of seeded) for (const value of [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]) expect(logs).not.toContain(value);
  });
});
