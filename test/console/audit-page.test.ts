import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { AUDIT_NOTICE_COOKIE } from '../../console/audit-routes';
import { SESSION_COOKIE } from '../../console/server';
import { PiiCipher } from '../../db/pii-cipher';
import { appendAudit, auditChainHead } from '../../db/repositories/audit';
import { markContactSent, markContactSuppressed, openContactAttempt } from '../../db/repositories/contacts';
import { shanghaiInstant } from '../../domain/civil-date';
import { consolePerson, consoleRig, csrfOf, getAs, setCookie, signedIn, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The console's audit page (docs/architecture.md#console) through app.inject() on real PostgreSQL: a
 * policy's story by an opaque URL, masked as the export writes it; the chain check with its head;
 * four-eyes on the unmasked export request (the requester's own approval refused, a second officer's
 * taken), each signed by the person.
 */
const cipher = new PiiCipher('22'.repeat(32));
const DUE = '2026-12-24';
const P1 = samplePolicy({ policyNo: 'AU-0001', holderName: '司马光明', holderIdNo: '320102198001014401', holderMobile: '13812344401', holderEmail: 'audit1@example.cn', accountNo: '6222020000000004401', nextDueDate: DUE });
const P2 = samplePolicy({ policyNo: 'AU-0002', branchCode: '3299', holderName: '诸葛亮亮', holderIdNo: '320102198001014402', holderMobile: '13812344402', holderEmail: 'audit2@example.cn', accountNo: '6222020000000004402', nextDueDate: DUE });
let t: TestDatabase;
let rig: ConsoleRig;
const people: Record<string, string> = {};

const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const at = (date: string, time: string) => new Date(shanghaiInstant(date, time));

/** One reminder: the attempt row, then its audit event, as the contact activity writes them. */
async function contact(policyNo: string, step: string, when: Date, outcome: { sent: string } | { suppressed: string }, recipientMasked: string): Promise<void> {
  const id = randomUUID();
  const workflowId = `renewal-${policyNo}-${DUE}`;
  await openContactAttempt(t.db, { id, policyNo, dueDate: DUE, step, channel: 'sms', templateCode: 'reminder', templateVersion: 3, recipientMasked, workflowId, runId: 'run-1', activityId: '7', plannedAt: when });
  const base = { actor: 'renewal-cycle', policyNo, dueDate: DUE, workflowId, runId: 'run-1', activityId: '7', occurredAt: when };
  if ('sent' in outcome) {
    await markContactSent(t.db, id, 'aliyun', outcome.sent, when);
    await appendAudit(t.db, { ...base, kind: 'contact_sent', detail: { contactId: id, step, channel: 'sms', template: 'reminder@3', recipient: recipientMasked, provider: 'aliyun', providerMessageId: outcome.sent } });
  } else {
    await markContactSuppressed(t.db, id, outcome.suppressed);
    await appendAudit(t.db, { ...base, kind: 'contact_suppressed', detail: { contactId: id, step, channel: 'sms', rule: outcome.suppressed } });
  }
}

beforeAll(async () => {
  t = await freshDatabase();
  await seedPolicy(t.db, cipher, P1);
  await t.db('branches').insert({ code: '3299', name: '无锡分公司' });
  await seedPolicy(t.db, cipher, P2);
  await appendAudit(t.db, { actor: 'renewal-cycle', policyNo: P1.policyNo, dueDate: DUE, workflowId: `renewal-${P1.policyNo}-${DUE}`, runId: 'run-1', activityId: '1', occurredAt: at('2026-11-24', '08:00'), kind: 'cycle_opened', detail: { plan: 'standard-60@2' } });
  await contact(P1.policyNo, 'reminder_d-30', at('2026-11-24', '09:00'), { sent: 'biz-1' }, '138****4401');
  await contact(P1.policyNo, 'reminder_d-15', at('2026-12-09', '22:00'), { suppressed: 'quiet_hours' }, '138****4401');
  await contact(P2.policyNo, 'reminder_d-30', at('2026-11-24', '09:05'), { sent: 'biz-2' }, '138****4402');
  people.wu = userRef(await consolePerson(t.db, 'compliance-wu', ['compliance']));
  people.zheng = userRef(await consolePerson(t.db, 'compliance-zheng', ['compliance']));
  people.branch = userRef(await consolePerson(t.db, 'compliance-3201', ['compliance'], [{ kind: 'branch', value: '3201' }]));
  await consolePerson(t.db, 'collector', ['collector']);
  await consolePerson(t.db, 'engineer', ['engineer']);
  rig = await consoleRig(t.db);
});

afterAll(async () => {
  await rig?.app.close();
  await t?.drop();
});

const get = (login: string, url: string) => getAs(rig.app, login, url);

async function premiumIdOf(policyNo: string): Promise<number> {
  return Number((await t.db('premium_dues').where({ policy_no: policyNo }).first<{ id: number }>('id')).id);
}

function personalValues(): string[] {
  return [P1, P2].flatMap((p) => [p.holderName, p.holderIdNo, p.holderMobile, p.holderEmail, p.accountNo]).filter((value): value is string => typeof value === 'string');
}

describe('the audit page', () => {
  it('compliance searches a policy and gets an opaque URL with its masked story', async () => {
    const { session, response: front } = await get('compliance-wu', '/audit');
    expect(front.statusCode).toBe(200);
    expect(front.body).toContain('<a href="/audit" aria-current="page">审计</a>');
    const found = await rig.app.inject({ method: 'POST', url: '/audit', cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(front.body), policyNo: P1.policyNo }) });
    expect(found.statusCode).toBe(303);
    const location = String(found.headers.location);
    expect(location).toBe(`/audit/policies/${await premiumIdOf(P1.policyNo)}`);
    expect(location).not.toContain(P1.policyNo);

    const story = await rig.app.inject({ method: 'GET', url: location, cookies: { [SESSION_COOKIE]: session } });
    expect(story.statusCode).toBe(200);
    expect(story.body).toContain(`<h2 id="story-heading">保单 ${P1.policyNo} 的审计记录</h2>`);
    const kinds = [...story.body.matchAll(/<tr data-seq="\d+" data-kind="(\w+)">/g)].map((m) => m[1]);
    expect(kinds).toEqual(['cycle_opened', 'contact_sent', 'contact_suppressed']);
    expect(story.body).toContain('<td>138****4401</td>');
    expect(story.body).toContain('<td>quiet_hours</td>');
    expect(story.body).not.toContain(P2.policyNo);
    for (const value of personalValues()) expect(story.body).not.toContain(value);
  });

  it("a policy outside a scoped officer's branch answers as an unknown one", async () => {
    const outside = await get('compliance-3201', `/audit/policies/${await premiumIdOf(P2.policyNo)}`);
    const unknown = await get('compliance-3201', '/audit/policies/99999999');
    expect(outside.response.statusCode).toBe(404);
    expect(unknown.response.statusCode).toBe(404);
    expect(outside.response.body.replace(/value="[^"]+"/g, '')).toBe(unknown.response.body.replace(/value="[^"]+"/g, ''));
  });

  it('other roles get 403 and no link; an engineer may run the chain check only', async () => {
    expect((await get('collector', '/audit')).response.statusCode).toBe(403);
    expect((await get('collector', '/audit/verify')).response.statusCode).toBe(403);
    expect((await get('collector', '/')).response.body).not.toContain('href="/audit"');
    expect((await get('engineer', '/audit')).response.statusCode).toBe(403);
    expect((await get('engineer', '/audit/verify')).response.statusCode).toBe(200);
  });

  it('the chain check says intact and shows the head as `audit verify` prints it', async () => {
    const { response } = await get('compliance-wu', '/audit/verify');
    expect(response.statusCode).toBe(200);
    const head = (await auditChainHead(t.db))!;
    expect(response.body).toContain('<p id="chain-result" class="notice" role="status">审计链完整</p>');
    expect(response.body).toContain(`<dd id="chain-head"><code>${head.seq}:${head.hash}</code></dd>`);
    expect(response.body).toContain('<dd id="chain-problems">0</dd>');
  });

  it('refuses an unmask request without the CSRF token or without a reason, naming the field', async () => {
    const ref = await premiumIdOf(P1.policyNo);
    const session = await signedIn(rig.app, 'compliance-wu');
    const forged = await rig.app.inject({ method: 'POST', url: `/audit/policies/${ref}/unmask`, cookies: { [SESSION_COOKIE]: session }, ...form({ reason: 'regulator inquiry 2026-12' }) });
    expect(forged.statusCode).toBe(403);
    const page = await rig.app.inject({ method: 'GET', url: `/audit/policies/${ref}`, cookies: { [SESSION_COOKIE]: session } });
    const short = await rig.app.inject({ method: 'POST', url: `/audit/policies/${ref}/unmask`, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: csrfOf(page.body), reason: 'no' }) });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('请填写原因（reason），4 到 500 个字。');
    expect(await t.db('audit_unmask_requests').select('id')).toEqual([]);
  });

  it("one officer requests an unmasked export, their own approval is refused, a second officer's is taken", async () => {
    const ref = await premiumIdOf(P1.policyNo);
    const wu = await get('compliance-wu', `/audit/policies/${ref}`);
    const asked = await rig.app.inject({ method: 'POST', url: `/audit/policies/${ref}/unmask`, cookies: { [SESSION_COOKIE]: wu.session }, ...form({ csrf: csrfOf(wu.response.body), reason: 'regulator inquiry 2026-12, call 13812344401' }) });
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/audit');
    const request = await t.db('audit_unmask_requests').first<{ id: number; requested_by: string; reason: string; filter: unknown }>('id', 'requested_by', 'reason', 'filter');
    expect(request).toMatchObject({ requested_by: people.wu, filter: { policyNo: P1.policyNo } });
    // The reason is free text: the number typed into it is masked before it is stored (application/audit-unmask.ts).
    expect(request.reason).not.toContain('13812344401');
    const notice = setCookie(asked, AUDIT_NOTICE_COOKIE)!.value;
    expect(notice).toBe(`requested.${request.id}`);

    const front = await rig.app.inject({ method: 'GET', url: '/audit', cookies: { [SESSION_COOKIE]: wu.session, [AUDIT_NOTICE_COOKIE]: notice } });
    expect(front.body).toContain(`<p class="notice" role="status" id="notice">未脱敏导出申请 #${request.id} 已提交，等待另一位合规人员批准。</p>`);
    expect(front.body).toContain('本人申请，须由另一位合规人员批准');
    expect(front.body).not.toContain(`action="/audit/unmask/${request.id}/approve"`);
    // Sent anyway, the requester's own approval is refused by the application, on the page.
    const own = await rig.app.inject({ method: 'POST', url: `/audit/unmask/${request.id}/approve`, cookies: { [SESSION_COOKIE]: wu.session }, ...form({ csrf: csrfOf(front.body) }) });
    expect(own.statusCode).toBe(409);
    expect(own.body).toContain('未批准：四眼原则：申请人不能批准自己的申请，须由另一位合规人员批准。');
    expect(await t.db('audit_unmask_requests').where({ id: request.id }).first('approved_by')).toEqual({ approved_by: null });

    const zheng = await get('compliance-zheng', '/audit');
    expect(zheng.response.body).toContain(`<form method="post" action="/audit/unmask/${request.id}/approve" data-approve="${request.id}">`);
    const approved = await rig.app.inject({ method: 'POST', url: `/audit/unmask/${request.id}/approve`, cookies: { [SESSION_COOKIE]: zheng.session }, ...form({ csrf: csrfOf(zheng.response.body) }) });
    expect(approved.statusCode).toBe(303);
    expect(setCookie(approved, AUDIT_NOTICE_COOKIE)!.value).toBe(`approved.${request.id}`);
    expect(await t.db('audit_unmask_requests').where({ id: request.id }).first('approved_by', 'used_at')).toEqual({ approved_by: people.zheng, used_at: null });
    const signed = await t.db('audit_events').whereIn('kind', ['audit_unmask_requested', 'audit_unmask_approved']).orderBy('seq').select('kind', 'actor');
    expect(signed).toEqual([
      { kind: 'audit_unmask_requested', actor: people.wu },
      { kind: 'audit_unmask_approved', actor: people.zheng },
    ]);
    const after = await rig.app.inject({ method: 'GET', url: '/audit', cookies: { [SESSION_COOKIE]: zheng.session } });
    expect(after.body).toContain(`<td data-status="approved">已批准，待导出</td>`);
    // The page never holds the unmasked rows: the file is the CLI's.
    for (const value of personalValues()) expect(after.body).not.toContain(value);
  });

  it("a row altered behind the application's back shows the chain broken, naming the row", async () => {
    const row = await t.db('audit_events').where({ policy_no: P1.policyNo, kind: 'contact_suppressed' }).first<{ seq: number }>('seq');
    // As the table's owner could, with the append-only guard off (test/integration/audit-cli.test.ts).
    await t.owner.transaction(async (trx) => {
      await trx.raw('ALTER TABLE audit_events DISABLE TRIGGER ALL');
      await trx.raw(`UPDATE audit_events SET detail = jsonb_set(detail, '{rule}', '"none"') WHERE seq = ?`, [row.seq]);
      await trx.raw('ALTER TABLE audit_events ENABLE TRIGGER ALL');
    });
    const { response } = await get('compliance-zheng', '/audit/verify');
    expect(response.body).toContain('<p id="chain-result" class="error" role="status">审计链已损坏</p>');
    expect(response.body).toMatch(new RegExp(`<dd id="chain-first-break">序号 ${row.seq}（分区 \\d+）：内容被改动</dd>`));
  });

  it('writes no personal data to the log', () => {
    const logs = rig.lines.join('');
    expect(logs).toContain('console request');
    for (const value of personalValues()) expect(logs).not.toContain(value);
    expect(logs).not.toContain('AU-000');
  });
});
