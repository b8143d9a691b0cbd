import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { oidcUserStore } from '../../application/identity';
import { runOidcLogin } from '../../cli/commands/oidc-login';
import { runCliCaptured, signInOperatorByDefault } from '../support/cli';
import { freshDatabase, type TestDatabase } from '../support/database';
import { browse, PUBLIC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';
import { restoreSignIn, signInAs } from '../support/people';

const SUBJECT = 'f00d2b7e-underwriter';

/**
 * OIDC sign-in with the real users table: an administrator links a user to the provider's subject
 * with the CLI, the person signs in through the provider, and the token issued signs the CLI in.
 */
describe('renewals login --oidc against the users table', () => {
  let t: TestDatabase;
  let provider: TestOidcProvider;

  beforeAll(async () => {
    t = await freshDatabase();
    provider = await startOidcProvider(SUBJECT);
    vi.stubEnv('DATABASE_URL', t.url);
    vi.stubEnv('RENEWALS_OIDC_ISSUER', provider.issuer);
    signInOperatorByDefault(false);
  });
  afterAll(async () => {
    restoreSignIn();
    signInOperatorByDefault(true);
    vi.unstubAllEnvs();
    await provider.close();
    await t.drop();
  });

  it('signs a linked user in, refuses them once disabled, and audits the link', async () => {
    await signInAs(t.db, { roles: ['administrator'], login: 'admin-oidc' });
    expect((await runCliCaptured(['users', 'add', 'uw-oidc', '--name', 'Underwriter', '--role', 'underwriter'])).code).toBe(0);
    const linked = await runCliCaptured(['users', 'link-oidc', 'uw-oidc', '--subject', SUBJECT, '--json']);
    expect(linked, linked.err).toMatchObject({ code: 0 });
    const link = await t.db('audit_events').where({ kind: 'user_oidc_linked' }).first<{ detail: Record<string, unknown> }>();
    expect(link?.detail).toMatchObject({ issuer: provider.issuer });
    expect(JSON.stringify(link?.detail)).not.toContain(SUBJECT);

    const config = { issuer: provider.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 };
    const saved: string[] = [];
    const signIn = () =>
      runOidcLogin(oidcUserStore(t.db), {
        config,
        opener: async (url) => void (await browse(url)),
        saveToken: (token) => Promise.resolve(`memory:${saved.push(token)}`),
        out: new PassThrough(),
        err: new PassThrough(),
      });
    await expect(signIn()).resolves.toMatchObject({ login: 'uw-oidc' });
    expect(saved).toHaveLength(1);

    const admin = process.env.RENEWALS_TOKEN;
    process.env.RENEWALS_TOKEN = saved[0];
    const who = await runCliCaptured(['whoami', '--json']);
    expect(who, who.err).toMatchObject({ code: 0 });
    expect(JSON.parse(who.out)).toMatchObject({ login: 'uw-oidc', roles: ['underwriter'] });

    process.env.RENEWALS_TOKEN = admin;
    expect((await runCliCaptured(['users', 'disable', 'uw-oidc'])).code).toBe(0);
    await expect(signIn()).rejects.toMatchObject({ exitCode: 4 });
    process.env.RENEWALS_TOKEN = saved[0];
    expect((await runCliCaptured(['whoami'])).code).toBe(4);
  });

  it('refuses to link an identity already linked to someone else', async () => {
    await signInAs(t.db, { roles: ['administrator'], login: 'admin-oidc-2' });
    expect((await runCliCaptured(['users', 'add', 'other-oidc', '--name', 'Other', '--role', 'collector'])).code).toBe(0);
    const refused = await runCliCaptured(['users', 'link-oidc', 'other-oidc', '--subject', SUBJECT]);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/already linked/);
  });
});
