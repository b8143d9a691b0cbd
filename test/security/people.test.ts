import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { changeGrants } from '../../application/identity';
import { buildProgram } from '../../cli/program';
import { commandPath } from '../../cli/sign-in';
import { PiiCipher } from '../../db/pii-cipher';
import { OPEN_COMMANDS, PERMISSIONS } from '../../domain/permissions';
import { ROLES, type Role } from '../../domain/roles';
import { runCliCaptured, signInOperatorByDefault, type CliRun } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';
import { actAs, restoreSignIn, signInAs, type SignedInPerson } from '../support/people';

/**
 * People (docs/architecture.md#people) through the CLI against PostgreSQL: the permission table
 * covers every command; each role allowed, refused by role (5) and by scope (5); not signed in (4);
 * bootstrap, login and logout with the 0600 token file; revocation and disabling count at once; no
 * password or token in any output or audit row.
 */
let t: TestDatabase;
let config: string;
const printed: string[] = [];
const secrets: string[] = [];

const IN_SCOPE = 'P-PPL-IN';
const OUT_OF_SCOPE = 'P-PPL-OUT';
const BRANCH = '3201';

async function cli(...args: string[]): Promise<CliRun> {
  const run = await runCliCaptured(args);
  printed.push(run.out, run.err);
  return run;
}

/** Runs the CLI with `input` as its standard input (for --password-stdin). */
async function cliWithStdin(input: string, ...args: string[]): Promise<CliRun> {
  const stdin = vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([Buffer.from(input)]) as unknown as typeof process.stdin);
  try {
    return await cli(...args);
  } finally {
    stdin.mockRestore();
  }
}

beforeAll(async () => {
  t = await freshDatabase();
  config = await mkdtemp(join(tmpdir(), 'renewals-people-'));
  vi.stubEnv('DATABASE_URL', t.url);
  vi.stubEnv('XDG_CONFIG_HOME', config);
  delete process.env.RENEWALS_TOKEN;
  // This file is about who is signed in: no default operator.
  signInOperatorByDefault(false);
  const cipher = new PiiCipher('33'.repeat(32));
  await seedPolicy(t.db, cipher, samplePolicy({ policyNo: IN_SCOPE }));
  await seedPolicy(t.db, cipher, samplePolicy({ policyNo: OUT_OF_SCOPE }));
  // The same branch for both; "out of scope" is made by a scope naming another branch.
  const task = { kind: 'call', step: 'due_call', due_date: '2026-12-24', assignee_role: 'agent', due_at: new Date(), workflow_id: 'wf', run_id: 'run', activity_id: '1' };
  await t.db('tasks').insert([{ ...task, policy_no: IN_SCOPE, workflow_id: 'wf-in' }]);
});

afterAll(async () => {
  restoreSignIn();
  vi.unstubAllEnvs();
  await rm(config, { recursive: true, force: true });
  await t?.drop();
});

function allPaths(command: CommandUnknownOpts): string[] {
  if (command.commands.length === 0) return [commandPath(command)];
  return command.commands.flatMap((sub) => allPaths(sub));
}

describe('the permission table', () => {
  it('has an entry for every command of renewals', () => {
    const paths = allPaths(buildProgram());
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => !(path in PERMISSIONS))).toEqual([]);
  });

  it('names only known roles, and gives the administrator and the engineer no business action', () => {
    for (const [path, permission] of Object.entries(PERMISSIONS)) {
      for (const role of permission.roles) expect(ROLES, path).toContain(role);
      if (OPEN_COMMANDS.has(path)) expect(permission.roles, path).toEqual([]);
    }
    for (const action of ['pay', 'promise', 'refuse', 'hold', 'release', 'reinstate decide', 'run start', 'bank export', 'tasks complete']) {
      expect(PERMISSIONS[action]!.roles, action).not.toContain('administrator');
      expect(PERMISSIONS[action]!.roles, action).not.toContain('engineer');
    }
  });
});

describe('the first start', () => {
  it('prints a one-time setup token without RENEWALS_ADMIN_*, which makes the administrator once', async () => {
    vi.stubEnv('RENEWALS_ADMIN_LOGIN', '');
    vi.stubEnv('RENEWALS_ADMIN_PASSWORD', '');
    const issued = await cli('users', 'bootstrap', '--json');
    expect(issued, issued.err).toMatchObject({ code: 0, err: '' });
    const { setupToken } = JSON.parse(issued.out) as { setupToken: string };
    expect(setupToken).toMatch(/^rnwsetup_/);
    secrets.push(setupToken);

    const password = 'first-admin-password-7';
    secrets.push(password);
    const redeemed = await cliWithStdin(`${password}\n`, 'users', 'bootstrap', '--setup-token', setupToken, '--login', 'boss', '--password-stdin', '--json');
    expect(redeemed, redeemed.err).toMatchObject({ code: 0 });
    expect(JSON.parse(redeemed.out)).toMatchObject({ login: 'boss', roles: ['administrator'] });

    const again = await cliWithStdin(`${password}\n`, 'users', 'bootstrap', '--setup-token', setupToken, '--login', 'boss2', '--password-stdin');
    expect(again.code).toBe(5);
    vi.stubEnv('RENEWALS_ADMIN_LOGIN', 'other');
    vi.stubEnv('RENEWALS_ADMIN_PASSWORD', 'another-long-password');
    const fromEnv = await cli('users', 'bootstrap');
    expect(fromEnv.code).toBe(5);
    expect(fromEnv.err).toMatch(/administrator exists already/);
    vi.stubEnv('RENEWALS_ADMIN_LOGIN', '');
    vi.stubEnv('RENEWALS_ADMIN_PASSWORD', '');
  });

  it('signs in with the password into a 0600 token file in a 0700 directory; logout revokes it', async () => {
    delete process.env.RENEWALS_TOKEN;
    const wrong = await cliWithStdin('not-the-password\n', 'login', 'boss', '--password-stdin');
    expect(wrong.code).toBe(4);
    const login = await cliWithStdin('first-admin-password-7\n', 'login', 'boss', '--password-stdin', '--json');
    expect(login, login.err).toMatchObject({ code: 0 });
    const file = join(config, 'renewals', 'token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(config, 'renewals'))).mode & 0o777).toBe(0o700);

    const whoami = await cli('whoami', '--json');
    expect(whoami, whoami.err).toMatchObject({ code: 0 });
    expect(JSON.parse(whoami.out)).toMatchObject({ login: 'boss', roles: ['administrator'] });

    expect((await cli('logout')).code).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    const after = await cli('whoami');
    expect(after.code).toBe(4);
    expect(after.err).toMatch(/not signed in/);
  });
});

describe('not signed in', () => {
  it('refuses every command that needs a person with exit code 4, naming it', async () => {
    delete process.env.RENEWALS_TOKEN;
    for (const args of [['tasks', 'list'], ['pay', IN_SCOPE, '--via', 'counter', '--reference', 'R1'], ['users', 'list'], ['audit', 'verify']]) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(4);
      expect(run.err).toContain(`renewals: ${args[0]}`);
    }
    const bogus = 'rnw_' + 'x'.repeat(43);
    process.env.RENEWALS_TOKEN = bogus;
    expect((await cli('tasks', 'list')).code).toBe(4);
    delete process.env.RENEWALS_TOKEN;
  });
});

const PAY = ['pay', IN_SCOPE, '--via', 'counter', '--reference', 'R1'];
const HOLD = ['hold', IN_SCOPE, '--kind', 'claim'];
const PROMISE = ['promise', IN_SCOPE, '--date', '2026-12-30'];

/** Per role: a command it may run (PostgreSQL only), one it may not, and a policy command of its own for the scope check. */
const MATRIX: Record<Role, { allowed: string[]; refused: string[]; scoped?: string[] }> = {
  collector: { allowed: ['tasks', 'list', '--json'], refused: PAY, scoped: ['promise', OUT_OF_SCOPE, '--date', '2026-12-30'] },
  agent: { allowed: ['tasks', 'list', '--json'], refused: HOLD, scoped: ['refuse', OUT_OF_SCOPE, '--reason', '1'] },
  team_lead: { allowed: ['report', 'lapsed', '--json'], refused: PAY, scoped: ['promise', OUT_OF_SCOPE, '--date', '2026-12-30'] },
  cashier: { allowed: ['tokens', 'list', '--json'], refused: PROMISE, scoped: ['pay', OUT_OF_SCOPE, '--via', 'counter', '--reference', 'R1'] },
  underwriter: { allowed: ['tasks', 'list', '--json'], refused: PAY, scoped: ['reinstate', 'decide', OUT_OF_SCOPE, '--approve'] },
  operations_lead: { allowed: ['providers', 'list', '--json'], refused: ['audit', 'verify'], scoped: ['hold', OUT_OF_SCOPE, '--kind', 'claim'] },
  compliance: { allowed: ['audit', 'verify', '--json'], refused: PAY },
  administrator: { allowed: ['users', 'list', '--json'], refused: PAY },
  engineer: { allowed: ['keys', 'status', '--json'], refused: PAY },
};

describe('each role through the CLI', () => {
  const people = new Map<Role, SignedInPerson>();
  const outOfScope = new Map<Role, SignedInPerson>();

  beforeAll(async () => {
    for (const role of ROLES) {
      people.set(role, await signInAs(t.db, { roles: [role], scopes: [{ kind: 'branch', value: BRANCH }] }));
      outOfScope.set(role, await signInAs(t.db, { roles: [role], scopes: [{ kind: 'branch', value: '9999' }] }));
    }
    for (const person of [...people.values(), ...outOfScope.values()]) secrets.push(person.token);
  });

  it.each(ROLES)('%s: allowed its command, refused another by role (5)', async (role) => {
    actAs(people.get(role)!);
    const { allowed, refused } = MATRIX[role];
    const ok = await cli(...allowed);
    expect(ok, ok.err).toMatchObject({ code: 0 });
    const no = await cli(...refused);
    expect(no.code).toBe(5);
    expect(no.err).toContain(`renewals: ${refused[0]}`);
    expect(no.err).toContain(`you hold ${role}`);
  });

  it.each(ROLES.filter((role) => MATRIX[role].scoped))('%s: its policy command refused outside its scope (5)', async (role) => {
    actAs(outOfScope.get(role)!);
    const scoped = MATRIX[role].scoped!;
    const run = await cli(...scoped);
    expect(run.code, run.err).toBe(5);
    expect(run.err).toContain(`policy ${OUT_OF_SCOPE} is outside your scope (branch:9999)`);
  });

  it('tasks list shows only the tasks of policies in scope', async () => {
    actAs(people.get('collector')!);
    const inside = JSON.parse((await cli('tasks', 'list', '--json')).out) as { policy_no: string }[];
    expect(inside.map((row) => row.policy_no)).toEqual([IN_SCOPE]);
    actAs(outOfScope.get('collector')!);
    const outside = JSON.parse((await cli('tasks', 'list', '--json')).out) as unknown[];
    expect(outside).toEqual([]);
  });
});

describe('reports and the scope', () => {
  it('a scoped report counts the policies of the scope and names it; a whole-insurer report is refused to a scoped person', async () => {
    // One call task done in December on the in-scope policy (branch 3201).
    await t.db('premium_dues').insert({ policy_no: IN_SCOPE, due_date: '2026-12-24', installment_no: 2, amount_fen: 1_234_500 }).onConflict(['policy_no', 'due_date']).ignore();
    await t.db('tasks').insert({
      kind: 'call', step: 'call_d-15', due_date: '2026-12-24', assignee_role: 'agent', policy_no: IN_SCOPE, workflow_id: 'wf-done', run_id: 'run', activity_id: '2',
      due_at: new Date('2026-12-10T01:00:00Z'), status: 'done', outcome_code: 'reached', completed_at: new Date('2026-12-09T02:00:00Z'),
    });
    const tasksReport = async () => {
      const run = await cli('report', 'tasks', '--month', '2026-12', '--as-of', '2026-12-31', '--json');
      expect(run, run.err).toMatchObject({ code: 0 });
      return JSON.parse(run.out) as { parameters: Record<string, string>; total: { completed: number } };
    };
    const inside = await signInAs(t.db, { roles: ['team_lead'], scopes: [{ kind: 'branch', value: BRANCH }] });
    const outside = await signInAs(t.db, { roles: ['team_lead'], scopes: [{ kind: 'team', value: 'T-NONE' }, { kind: 'branch', value: '9999' }] });
    const headOffice = await signInAs(t.db, { roles: ['operations_lead'] });
    secrets.push(inside.token, outside.token, headOffice.token);

    actAs(inside);
    expect(await tasksReport()).toMatchObject({ parameters: { scope: 'branch:3201' }, total: { completed: 1 } });
    actAs(outside);
    expect(await tasksReport()).toMatchObject({ parameters: { scope: 'branch:9999, team:T-NONE' }, total: { completed: 0 } });
    const daily = await cli('report', 'daily', '--date', '2026-12-09', '--json');
    expect(daily).toMatchObject({ code: 5, out: '' });
    expect(daily.err).toBe(
      `renewals: report daily: refused for ${outside.ref}: its figures are the whole insurer's, and your scope is branch:9999, team:T-NONE (computed for a scope: report reinstatement, report lapsed, report persistency, report tasks)\n`,
    );
    actAs(headOffice);
    const whole = await tasksReport();
    expect(whole.parameters.scope).toBeUndefined();
    expect(whole.total.completed).toBe(1);
    expect((await cli('report', 'daily', '--date', '2026-12-09', '--json')).code).toBe(0);
  });
});

describe('tokens and users', () => {
  it('a revoked token is refused at the very next command; a disabled user at once', async () => {
    const admin = await signInAs(t.db, { roles: ['administrator'] });
    const clerk = await signInAs(t.db, { roles: ['collector'] });
    secrets.push(admin.token, clerk.token);

    const made = await cli('tokens', 'create', '--name', 'script', '--json');
    expect(made, made.err).toMatchObject({ code: 0 });
    const second = JSON.parse(made.out) as { id: number; token: string; prefix: string };
    secrets.push(second.token);
    const listed = await cli('tokens', 'list', '--json');
    expect(listed.out).toContain(second.prefix);
    expect(listed.out).not.toContain(second.token);

    process.env.RENEWALS_TOKEN = second.token;
    expect((await cli('whoami')).code).toBe(0);
    expect((await cli('tokens', 'revoke', String(second.id))).code).toBe(0);
    expect((await cli('whoami')).code).toBe(4);

    actAs(clerk);
    expect((await cli('tasks', 'list')).code).toBe(0);
    actAs(admin);
    const disabled = await cli('users', 'disable', clerk.login, '--json');
    expect(disabled, disabled.err).toMatchObject({ code: 0 });
    actAs(clerk);
    const refused = await cli('tasks', 'list');
    expect(refused.code).toBe(4);
  });

  it('a token past its expiry is refused like a revoked one; --expires-days takes whole days only', async () => {
    const clerk = await signInAs(t.db, { roles: ['collector'] });
    secrets.push(clerk.token);
    const soon = await cli('tokens', 'create', '--name', 'short-lived', '--expires-days', '1', '--json');
    expect(soon, soon.err).toMatchObject({ code: 0 });
    const made = JSON.parse(soon.out) as { id: number; token: string; expiresAt: string };
    secrets.push(made.token);
    expect(Date.parse(made.expiresAt) - Date.now()).toBeGreaterThan(86_000_000);
    process.env.RENEWALS_TOKEN = made.token;
    expect((await cli('whoami')).code).toBe(0);
    // The day passes: the same token, its expiry now behind it.
    await t.db('api_tokens').where({ id: made.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await cli('whoami')).toMatchObject({
      code: 4,
      err: 'renewals: whoami: not signed in: the token is unknown, revoked or expired (run `renewals login`, or set RENEWALS_TOKEN)\n',
    });
    actAs(clerk);
    for (const days of ['0', '1.5', 'soon']) {
      expect(await cli('tokens', 'create', '--name', 'bad', '--expires-days', days)).toMatchObject({ code: 2, err: `renewals: --expires-days must be a whole number of days 1–9999, got "${days}"\n` });
    }
  });

  it('administrators add users and grant and revoke roles and scopes, each an audit row with the actor', async () => {
    const admin = await signInAs(t.db, { roles: ['administrator'] });
    secrets.push(admin.token);
    const password = 'new-colleague-password';
    secrets.push(password);
    const added = await cliWithStdin(`${password}\n`, 'users', 'add', 'li.si', '--name', '李四', '--role', 'collector', '--scope', 'team:T1', '--password-stdin', '--json');
    expect(added, added.err).toMatchObject({ code: 0 });
    expect((await cli('users', 'grant', 'li.si', '--role', 'cashier', '--scope', 'branch:3201', '--json')).code).toBe(0);
    const revoked = await cli('users', 'revoke', 'li.si', '--role', 'collector', '--json');
    expect(JSON.parse(revoked.out)).toMatchObject({ roles: ['cashier'], scopes: ['branch:3201', 'team:T1'] });
    expect((await cli('users', 'grant', 'li.si', '--role', 'wizard')).code).toBe(2);
    expect((await cli('users', 'grant', 'li.si', '--scope', 'city:X')).code).toBe(2);

    const rows = await t.db('audit_events').whereIn('kind', ['user_added', 'role_granted', 'role_revoked', 'scope_granted']).where({ actor: admin.ref }).select('kind', 'chain_partition', 'detail');
    expect(rows.map((r: { kind: string }) => r.kind).sort()).toEqual(['role_granted', 'role_granted', 'role_revoked', 'scope_granted', 'scope_granted', 'user_added']);
    for (const row of rows as { chain_partition: number; detail: unknown }[]) {
      expect(row.chain_partition).toBe(0);
      expect(JSON.stringify(row.detail)).not.toContain('李四');
    }
  });

  it('nobody revokes their own administrator role, and no revocation leaves the system without an administrator', async () => {
    const admin = await signInAs(t.db, { roles: ['administrator'] });
    secrets.push(admin.token);
    const self = await cli('users', 'revoke', admin.login, '--role', 'administrator');
    expect(self.code).toBe(5);
    expect(self.err).toContain('cannot revoke their own administrator role');
    expect(await t.db('user_roles as r').join('users as u', 'u.id', 'r.user_id').where({ 'u.login': admin.login, 'r.role': 'administrator' }).first()).toBeDefined();

    // Another administrator's role goes while one stays; the last one's cannot, whoever asks.
    const other = await signInAs(t.db, { roles: ['administrator'] });
    secrets.push(other.token);
    actAs(admin);
    expect((await cli('users', 'revoke', other.login, '--role', 'administrator', '--json')).code).toBe(0);
    const admins = await t.db('user_roles as r').join('users as u', 'u.id', 'r.user_id').where({ 'r.role': 'administrator', 'u.status': 'active' }).pluck<string[]>('u.login');
    for (const login of admins.filter((l) => l !== admin.login)) await changeGrants(t.db, 'test:setup', login, 'revoke', { roles: ['administrator'], scopes: [] });
    await expect(changeGrants(t.db, 'test:setup', admin.login, 'revoke', { roles: ['administrator'], scopes: [] })).rejects.toThrow('would leave no active administrator');
    expect(await t.db('user_roles as r').join('users as u', 'u.id', 'r.user_id').where({ 'u.login': admin.login, 'r.role': 'administrator' }).first()).toBeDefined();
  });

  it('administrators reset a password, disable and enable a user, but never disable themselves', async () => {
    const admin = await signInAs(t.db, { roles: ['administrator'] });
    secrets.push(admin.token);
    const reset = 'reset-by-admin-password';
    secrets.push(reset);
    const done = await cliWithStdin(`${reset}\n`, 'users', 'reset-password', 'li.si', '--password-stdin', '--json');
    expect(done, done.err).toMatchObject({ code: 0 });
    expect(JSON.parse(done.out)).toMatchObject({ login: 'li.si', password: 'reset' });
    const signedIn = await cliWithStdin(`${reset}\n`, 'login', 'li.si', '--password-stdin', '--json');
    expect(signedIn, signedIn.err).toMatchObject({ code: 0 });

    const self = await cli('users', 'disable', admin.login);
    expect(self.code).toBe(5);
    expect(self.err).toContain('cannot disable themself');
    expect((await t.db('users').where({ login: admin.login }).first<{ status: string }>('status')).status).toBe('active');

    expect(JSON.parse((await cli('users', 'disable', 'li.si', '--json')).out)).toMatchObject({ status: 'disabled' });
    expect((await cliWithStdin(`${reset}\n`, 'login', 'li.si', '--password-stdin')).code).toBe(4);
    expect(JSON.parse((await cli('users', 'enable', 'li.si', '--json')).out)).toMatchObject({ status: 'active' });
    expect((await cliWithStdin(`${reset}\n`, 'login', 'li.si', '--password-stdin', '--json')).code).toBe(0);
    const kinds = await t.db('audit_events').whereIn('kind', ['user_password_reset', 'user_disabled', 'user_enabled']).where({ actor: admin.ref }).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(['user_password_reset', 'user_disabled', 'user_enabled']);
  });

  it('no password, token or setup token appears in any output but its own once, nor in any audit row', async () => {
    const audit = JSON.stringify(await t.db('audit_events').select('actor', 'detail'));
    const stored = JSON.stringify(await t.db('api_tokens').select());
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(stored).not.toContain(secret);
      // A made token and the setup token are printed once, when made; passwords never.
      expect(printed.filter((text) => text.includes(secret)).length).toBeLessThanOrEqual(1);
    }
    for (const password of ['first-admin-password-7', 'new-colleague-password']) expect(printed.join('\n')).not.toContain(password);
  });
});
