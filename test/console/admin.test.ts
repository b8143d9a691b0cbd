import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken, createToken, IdentityError, userRef } from '../../application/identity';
import { ADMIN_NOTICE_COOKIE } from '../../console/admin-routes';
import { SESSION_COOKIE } from '../../console/server';
import { PERMISSIONS } from '../../domain/permissions';
import { CONSOLE_PASSWORD, consolePerson, consoleRig, csrfOf, getAs, postSignIn, setCookie, signedIn, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The console's administration pages (docs/architecture.md#console) through app.inject() on real
 * PostgreSQL: administrators only; a user made on the page signs in with the password shown once;
 * role changes, disabling and revoked tokens count from the changed person's next request; every
 * change goes through application/identity.ts signed by the administrator; no secret in a URL,
 * Location, log line or audit row.
 */
let t: TestDatabase;
let rig: ConsoleRig;
let adminRef: string;
let adminId: number;
/** Every answer of this file, to look for secrets in their Location headers at the end. */
const answers: LightMyRequestResponse[] = [];
/** Every password and token the pages showed once. */
const secrets: string[] = [];

const form = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

async function get(session: string, url: string): Promise<LightMyRequestResponse> {
  const response = await rig.app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: session } });
  answers.push(response);
  return response;
}

const csrfTokens = new Map<string, string>();
/** The CSRF token of a session's forms, read once from the cheapest page that carries it (an unknown one). */
async function csrfOfSession(session: string): Promise<string> {
  const known = csrfTokens.get(session);
  if (known) return known;
  const token = csrfOf((await get(session, '/admin/none')).body);
  csrfTokens.set(session, token);
  return token;
}

/** A POST with the CSRF token of the session's own page (as a browser sends the form). */
async function post(session: string, url: string, fields: Record<string, string>, csrf?: string): Promise<LightMyRequestResponse> {
  const token = csrf ?? (await csrfOfSession(session));
  const response = await rig.app.inject({ method: 'POST', url, cookies: { [SESSION_COOKIE]: session }, ...form({ csrf: token, ...fields }) });
  answers.push(response);
  return response;
}

/** Follows a 303 as a browser does, carrying the notice cookie the answer set. */
async function follow(session: string, redirect: LightMyRequestResponse): Promise<LightMyRequestResponse> {
  const notice = setCookie(redirect, ADMIN_NOTICE_COOKIE);
  const response = await rig.app.inject({ method: 'GET', url: String(redirect.headers.location), cookies: { [SESSION_COOKIE]: session, ...(notice ? { [ADMIN_NOTICE_COOKIE]: notice.value } : {}) } });
  answers.push(response);
  return response;
}

async function userId(login: string): Promise<number> {
  return (await t.db('users').where({ login }).first<{ id: number }>('id')).id;
}

/** The secret the one-time page shows. */
function shownSecret(response: LightMyRequestResponse): string {
  const match = /<code id="one-time-secret">([^<]+)<\/code>/.exec(response.body);
  if (!match) throw new Error(`no one-time secret on the page (${response.statusCode})`);
  secrets.push(match[1]!);
  return match[1]!;
}

beforeAll(async () => {
  t = await freshDatabase();
  adminId = await consolePerson(t.db, 'admin-qian', ['administrator']);
  adminRef = userRef(adminId);
  await consolePerson(t.db, 'admin-sun', ['administrator']);
  await consolePerson(t.db, 'ops-zhou', ['operations_lead']);
  await consolePerson(t.db, 'compliance-wu', ['compliance']);
  await consolePerson(t.db, 'collector-zheng', ['collector'], [{ kind: 'team', value: 'T01' }]);
  rig = await consoleRig(t.db);
});

afterAll(async () => {
  await rig?.app.close();
  await t?.drop();
});

describe('who may administer', () => {
  it('a non-administrator gets 403 on every admin route and no nav link; an administrator gets the link', async () => {
    const target = await userId('collector-zheng');
    const gets = ['/admin', '/admin/users', `/admin/users/${target}`, '/admin/roles'];
    const posts = ['/admin/users', `/admin/users/${target}/grants`, `/admin/users/${target}/disable`, `/admin/users/${target}/enable`, `/admin/users/${target}/password`, `/admin/users/${target}/oidc`, `/admin/users/${target}/tokens`, `/admin/users/${target}/tokens/1/revoke`];
    for (const login of ['ops-zhou', 'compliance-wu', 'collector-zheng']) {
      const session = await signedIn(rig.app, login);
      const home = await get(session, '/');
      expect(home.body).not.toContain('href="/admin');
      for (const url of gets) expect((await get(session, url)).statusCode, `${login} GET ${url}`).toBe(403);
      for (const url of posts) expect((await post(session, url, { login: 'x-y', name: 'X', change: 'grant', role: 'administrator' })).statusCode, `${login} POST ${url}`).toBe(403);
    }
    expect(await t.db('users').where({ login: 'x-y' })).toHaveLength(0);
    expect(await t.db('user_roles').where({ user_id: target, role: 'administrator' })).toHaveLength(0);

    const { response } = await getAs(rig.app, 'admin-qian', '/');
    expect(response.body).toContain('<li><a href="/admin/users">管理</a></li>');
    const { response: english } = await getAs(rig.app, 'admin-qian', '/admin/users', 'en');
    expect(english.body).toContain('<li><a href="/admin/users" aria-current="page">Administration</a></li>');
    expect(english.body).toContain('<h2 id="users-heading">Users</h2>');
    expect(english.body).toContain('<h2 id="create-heading">New user</h2>');
    // No Chinese word but the language switch's own name for Chinese.
    expect(english.body.replace('>中文<', '')).not.toMatch(/[\u4e00-\u9fff]/u);
  });

  it('the pages admit by the permission table entries of the CLI', () => {
    for (const command of ['users list', 'users add', 'users grant', 'users revoke', 'users disable', 'users enable', 'users reset-password', 'users link-oidc']) expect(PERMISSIONS[command]?.roles).toEqual(['administrator']);
  });
});

describe('the users', () => {
  it('lists login, name, roles, scope, status, the OIDC issuer with a masked subject and the last sign-in', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('collector-zheng');
    const linked = await post(admin, `/admin/users/${target}/oidc`, { issuer: 'https://id.example.cn/realms/insurer', subject: 'f3a9c1d2-7b44-4e0e-9d55-1c2b3a4d5e6f' });
    expect(linked.statusCode).toBe(303);
    expect(linked.headers.location).toBe(`/admin/users/${target}`);
    const after = await follow(admin, linked);
    expect(after.body).toContain('<p class="notice" role="status" id="notice">OIDC 身份已关联。</p>');

    const list = await get(admin, '/admin/users');
    expect(list.statusCode).toBe(200);
    const row = new RegExp(`<tr data-user="${target}" data-login="collector-zheng">(.*?)</tr>`).exec(list.body)![1]!;
    expect(row).toContain(`<td>${userRef(target)}</td><td>collector-zheng</td><td>Test collector-zheng</td>`);
    expect(row).toContain('<td data-field="roles">collector</td><td data-field="scopes">team:T01</td>');
    expect(row).toContain('<td data-field="status" data-status="active">启用</td>');
    expect(row).toContain('<td data-field="oidc">https://id.example.cn/realms/insurer · f3a9****</td>');
    expect(list.body).not.toContain('f3a9c1d2-7b44');
    // collector-zheng signed in above: the time of that sign-in, not "none recorded".
    expect(row).toMatch(/<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}<\/td><td><a href="\/admin\/users\//);
    const audit = await t.db('audit_events').where({ kind: 'user_oidc_linked', actor: adminRef }).first<{ detail: Record<string, unknown> }>('detail');
    expect(audit.detail).toEqual({ user: userRef(target), issuer: 'https://id.example.cn/realms/insurer' });

    // The same identity for another user is the application's refusal, said on the page; a bad issuer is named.
    const other = await userId('ops-zhou');
    const twice = await post(admin, `/admin/users/${other}/oidc`, { issuer: 'https://id.example.cn/realms/insurer', subject: 'f3a9c1d2-7b44-4e0e-9d55-1c2b3a4d5e6f' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain(`操作未执行：that identity is already linked to ${userRef(target)}`);
    const badIssuer = await post(admin, `/admin/users/${other}/oidc`, { issuer: 'id.example.cn', subject: 'abc' });
    expect(badIssuer.statusCode).toBe(400);
    expect(badIssuer.body).toContain('Issuer（issuer）：须为 http(s) 地址');
    expect(await t.db('users').where({ id: other }).whereNotNull('oidc_subject')).toHaveLength(0);
  });

  it('creates a user who signs in with the password shown once, never in a Location, log line or audit row', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const created = await post(admin, '/admin/users', { login: 'li.na', name: '李娜', role: 'collector', scopeKind: 'branch', scopeValue: '3201' });
    expect(created.statusCode).toBe(200);
    expect(created.headers.location).toBeUndefined();
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('用户 li.na 已创建');
    const password = shownSecret(created);
    expect(password.length).toBeGreaterThanOrEqual(20);

    const signIn = await postSignIn(rig.app, 'li.na', password);
    expect(signIn.statusCode).toBe(303);
    const session = setCookie(signIn, SESSION_COOKIE)!.value;
    const home = await get(session, '/');
    expect(home.body).toContain('<dd id="scope">branch:3201</dd>');

    const id = await userId('li.na');
    const rows = await t.db('audit_events').whereIn('kind', ['user_added', 'role_granted', 'scope_granted']).whereRaw("detail->>'user' = ?", [userRef(id)]).select('kind', 'actor');
    expect(rows.map((r: { kind: string }) => r.kind).sort()).toEqual(['role_granted', 'scope_granted', 'user_added']);
    for (const r of rows as { actor: string }[]) expect(r.actor).toBe(adminRef);
  });

  it('refuses bad fields naming the field, and a taken login, without making anyone', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const before = (await t.db('users').count<{ count: string }[]>('* as count'))[0]!.count;
    const badLogin = await post(admin, '/admin/users', { login: 'Li Na!', name: '李娜' });
    expect(badLogin.statusCode).toBe(400);
    expect(badLogin.body).toContain('用户名（login）：须为 1–64 个 a-z、0-9、. _ - 字符');
    const badScope = await post(admin, '/admin/users', { login: 'wang.fang', name: '王芳', scopeKind: 'branch', scopeValue: '' });
    expect(badScope.statusCode).toBe(400);
    expect(badScope.body).toContain('范围（scope）');
    expect(badScope.body).toContain('name="login" maxlength="64" autocomplete="off" spellcheck="false" required value="wang.fang"');
    const badRole = await post(admin, '/admin/users', { login: 'wang.fang', name: '王芳', role: 'wizard' });
    expect(badRole.body).toContain('角色（role）');
    const noName = await post(admin, '/admin/users', { login: 'wang.fang', name: '  ' });
    expect(noName.body).toContain('显示名称（name）');
    const taken = await post(admin, '/admin/users', { login: 'li.na', name: '另一个李娜' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('操作未执行：login &quot;li.na&quot; is taken');
    expect((await t.db('users').count<{ count: string }[]>('* as count'))[0]!.count).toBe(before);
  });

  it('a POST without the CSRF token, or with another session\'s, is refused and changes nothing', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const other = await signedIn(rig.app, 'admin-sun');
    const target = await userId('li.na');
    const none = await rig.app.inject({ method: 'POST', url: '/admin/users', cookies: { [SESSION_COOKIE]: admin }, ...form({ login: 'no-csrf', name: 'X' }) });
    expect(none.statusCode).toBe(403);
    const foreign = await post(admin, `/admin/users/${target}/disable`, {}, csrfOf((await get(other, '/')).body));
    expect(foreign.statusCode).toBe(403);
    expect(await t.db('users').where({ login: 'no-csrf' })).toHaveLength(0);
    expect((await t.db('users').where({ id: target }).first<{ status: string }>('status')).status).toBe('active');
  });
});

describe('changes count from the next request', () => {
  it("a role change takes effect on the changed user's next request", async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('collector-zheng');
    const session = await signedIn(rig.app, 'collector-zheng');
    expect((await get(session, '/tasks')).statusCode).toBe(200);
    expect((await get(session, '/audit')).statusCode).toBe(403);

    const granted = await post(admin, `/admin/users/${target}/grants`, { change: 'grant', role: 'compliance' });
    expect(granted.statusCode).toBe(303);
    const revoked = await post(admin, `/admin/users/${target}/grants`, { change: 'revoke', role: 'collector' });
    expect(revoked.statusCode).toBe(303);
    const page = await follow(admin, revoked);
    expect(page.body).toContain('<dd id="user-roles">compliance</dd>');
    expect(page.body).toContain('已撤销。');

    expect((await get(session, '/tasks')).statusCode).toBe(403);
    expect((await get(session, '/audit')).statusCode).toBe(200);
    const kinds = await t.db('audit_events').whereIn('kind', ['role_granted', 'role_revoked']).where({ actor: adminRef }).whereRaw("detail->>'user' = ?", [userRef(target)]).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(['role_granted', 'role_revoked']);

    const nothing = await post(admin, `/admin/users/${target}/grants`, { change: 'grant' });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.body).toContain('请至少选择一个角色或填写一个范围（role / scope）。');
  });

  it("disabling ends the user's session and refuses their sign-in; enabling lets them in again", async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('compliance-wu');
    const session = await signedIn(rig.app, 'compliance-wu');
    expect((await get(session, '/audit')).statusCode).toBe(200);

    const disabled = await post(admin, `/admin/users/${target}/disable`, {});
    expect(disabled.statusCode).toBe(303);
    const gone = await get(session, '/audit');
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toBe('/sign-in');
    expect((await postSignIn(rig.app, 'compliance-wu', CONSOLE_PASSWORD, '10.9.0.1')).statusCode).toBe(401);
    const page = await get(admin, `/admin/users/${target}`);
    expect(page.body).toContain('<dd id="user-status" data-status="disabled">停用</dd>');
    expect(page.body).toContain('id="enable-user"');

    expect((await post(admin, `/admin/users/${target}/enable`, {})).statusCode).toBe(303);
    expect((await postSignIn(rig.app, 'compliance-wu', CONSOLE_PASSWORD, '10.9.0.2')).statusCode).toBe(303);
    const kinds = await t.db('audit_events').whereIn('kind', ['user_disabled', 'user_enabled']).where({ actor: adminRef }).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(['user_disabled', 'user_enabled']);
  });

  it('an administrator cannot disable themself: a clear message, and they stay active', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const own = await get(admin, `/admin/users/${adminId}`);
    expect(own.body).not.toContain('id="disable-user"');
    expect(own.body).toContain('这是您自己的账户：不能停用自己，请另一位管理员操作。');
    const refused = await post(admin, `/admin/users/${adminId}/disable`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('<p class="error" role="alert" id="problem">不能停用自己的账户：请另一位管理员操作。</p>');
    expect((await t.db('users').where({ id: adminId }).first<{ status: string }>('status')).status).toBe('active');
    expect((await get(admin, '/admin/users')).statusCode).toBe(200);
  });

  it('a password reset shows the new password once; the old one stops working', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('ops-zhou');
    const reset = await post(admin, `/admin/users/${target}/password`, {});
    expect(reset.statusCode).toBe(200);
    expect(reset.headers.location).toBeUndefined();
    const password = shownSecret(reset);
    expect((await postSignIn(rig.app, 'ops-zhou', CONSOLE_PASSWORD, '10.9.0.3')).statusCode).toBe(401);
    expect((await postSignIn(rig.app, 'ops-zhou', password)).statusCode).toBe(303);
    const row = await t.db('audit_events').where({ kind: 'user_password_reset', actor: adminRef }).first<{ detail: Record<string, unknown> }>('detail');
    expect(row.detail).toEqual({ user: userRef(target) });
  });
});

describe('tokens', () => {
  it('lists a user\'s tokens without their secrets; a revoked token no longer authenticates', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('admin-sun');
    const made = await createToken(t.db, userRef(target), target, 'nightly-run', null);
    secrets.push(made.token);
    expect((await authenticateToken(t.db, made.token, 'demo')).user.id).toBe(target);

    const page = await get(admin, `/admin/users/${target}`);
    expect(page.body).toContain(`<tr data-token="${made.id}"><td>#${made.id}</td><td>nightly-run</td><td><code>${made.prefix}…</code></td>`);
    expect(page.body).not.toContain(made.token);

    const revoked = await post(admin, `/admin/users/${target}/tokens/${made.id}/revoke`, {});
    expect(revoked.statusCode).toBe(303);
    await expect(authenticateToken(t.db, made.token, 'demo')).rejects.toBeInstanceOf(IdentityError);
    const after = await get(admin, `/admin/users/${target}`);
    expect(after.body).not.toContain(`action="/admin/users/${target}/tokens/${made.id}/revoke"`);
    const row = await t.db('audit_events').where({ kind: 'token_revoked', actor: adminRef }).first<{ detail: Record<string, unknown> }>('detail');
    expect(row.detail).toMatchObject({ user: userRef(target), token: made.id });

    // Another user's token by this user's page is an unknown page.
    const other = await createToken(t.db, 'test:setup', adminId, 'mine', null);
    secrets.push(other.token);
    expect((await post(admin, `/admin/users/${target}/tokens/${other.id}/revoke`, {})).statusCode).toBe(404);
    expect((await authenticateToken(t.db, other.token, 'demo')).user.id).toBe(adminId);
  });

  it('issues a token shown once that authenticates as the user, signed by the administrator', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const target = await userId('admin-sun');
    const bad = await post(admin, `/admin/users/${target}/tokens`, { name: 'report job', expiresDays: '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('令牌名称（name）');
    const days = await post(admin, `/admin/users/${target}/tokens`, { name: 'report-job', expiresDays: '0' });
    expect(days.body).toContain('有效天数（expiresDays）');

    const issued = await post(admin, `/admin/users/${target}/tokens`, { name: 'report-job', expiresDays: '30' });
    expect(issued.statusCode).toBe(200);
    expect(issued.headers.location).toBeUndefined();
    const token = shownSecret(issued);
    expect((await authenticateToken(t.db, token, 'demo')).user.id).toBe(target);
    const row = await t.db('audit_events').where({ kind: 'token_created', actor: adminRef }).first<{ detail: Record<string, unknown> }>('detail');
    expect(row.detail).toMatchObject({ user: userRef(target), name: 'report-job' });
    expect(JSON.stringify(row)).not.toContain(token);
  });
});

describe('the roles page', () => {
  it('shows every role with its purpose and the commands the permission table gives it', async () => {
    const admin = await signedIn(rig.app, 'admin-qian');
    const page = await get(admin, '/admin/roles');
    expect(page.statusCode).toBe(200);
    const row = /<tr data-role="administrator">(.*?)<\/tr>/.exec(page.body)![1]!;
    expect(row).toContain('users, roles, scopes and tokens; no business actions');
    expect([...row.matchAll(/<li><code>([^<]+)<\/code>/g)].map((m) => m[1])).toEqual(
      Object.entries(PERMISSIONS)
        .filter(([command, p]) => p.roles.includes('administrator') && command !== 'login')
        .map(([command]) => command)
        .sort(),
    );
    expect(/<tr data-role="agent">(.*?)<\/tr>/.exec(page.body)![1]).toContain('<li><code>tasks list</code>（列表按范围）</li>');
  });
});

describe('secrets', () => {
  it('no password or token shown once is in a Location header, a log line or an audit row', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const locations = answers.map((a) => String(a.headers.location ?? '')).join('\n');
    const logs = rig.lines.join('');
    const audit = JSON.stringify(await t.db('audit_events').select('kind', 'actor', 'detail'));
    const cookies = answers.flatMap((a) => [a.headers['set-cookie'] ?? []].flat()).join('\n');
    for (const secret of secrets) {
      expect(locations).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
      expect(cookies).not.toContain(secret);
    }
    expect(logs).toContain('console request');
  });
});
