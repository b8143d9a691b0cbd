import type { Command } from '@commander-js/extra-typings';
import {
  addUser,
  bootstrap,
  changeGrants,
  createToken,
  disableUser,
  enableUser,
  IdentityError,
  linkOidcIdentity,
  logIn,
  oidcUserStore,
  parseRole,
  redeemSetup,
  resetPassword,
  revokeTokenAs,
  tokensOf,
  userRef,
} from '../../application/identity';
import { grantsOf, listUsers } from '../../db/repositories/users';
import { formatScope, parseScope, type Scope } from '../../domain/roles';
import { settings, withDatabase } from '../context';
import { CliError } from '../errors';
import { printRecord, printRows } from '../output';
import { readSecret } from '../password-input';
import { actingUser } from '../session';
import { NOT_SIGNED_IN, REFUSED } from '../sign-in';
import { deleteTokenFile, writeTokenFile } from '../token-file';
import { runOidcLogin } from './oidc-login';

/** Identity errors as CLI exits: 4 not signed in, 5 refused, 2 a bad value, 1 the state. */
async function asPerson<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof IdentityError) {
      const code = { unauthenticated: NOT_SIGNED_IN, refused: REFUSED, usage: 2, state: 1 }[error.reason];
      throw new CliError(error.message, code);
    }
    if (error instanceof Error && !(error instanceof CliError) && /^(role|scope) "/.test(error.message)) throw new CliError(error.message, 2);
    throw error;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function scopesOf(texts: readonly string[] | undefined): Scope[] {
  return (texts ?? []).map((text) => {
    try {
      return parseScope(text);
    } catch (error) {
      throw new CliError(`--scope: ${(error as Error).message}`, 2);
    }
  });
}

function signedInId(): number {
  const id = actingUser().userId;
  if (id === undefined) throw new CliError('not signed in', NOT_SIGNED_IN);
  return id;
}

/**
 * Signing in and people (docs/architecture.md#people): `login`, `logout`, `whoami`, `users …`,
 * `tokens …`. Secrets are read from a terminal or standard input, never from arguments; a token is
 * printed once, when it is made.
 */
export function registerPeopleCommands(program: Command): void {
  program
    .command('login')
    .description('sign in with your login and password, or through the identity provider (--oidc); keeps a new personal token in your config directory (0600)')
    .argument('[login]', 'your login (not with --oidc)')
    .option('--password-stdin', 'read the password from standard input instead of the terminal')
    .option('--oidc', "sign in through the insurer's identity provider (docs/architecture.md#oidc-sign-in)")
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      if (options.oidc) {
        if (login !== undefined) throw new CliError('login: give either a login or --oidc, not both', 2);
        const user = await withDatabase((db) => runOidcLogin(oidcUserStore(db), { saveToken: (token) => writeTokenFile(token) }));
        if (options.json) printRecord({ user: userRef(user.id), login: user.login }, options);
        return;
      }
      if (login === undefined) throw new CliError('login: give your login, or --oidc', 2);
      const password = await readSecret('password: ', options.passwordStdin === true);
      const { token, user } = await asPerson(() => withDatabase((db) => logIn(db, login, password, settings().environment, 'login')));
      const path = await writeTokenFile(token);
      printRecord({ user: userRef(user.id), login: user.login, tokenFile: path }, options);
    });

  program
    .command('logout')
    .description('revoke the token this command signed in with, and delete the token file')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const me = actingUser();
      if (me.tokenId !== undefined) await asPerson(() => withDatabase((db) => revokeTokenAs(db, { userId: signedInId(), roles: me.roles }, me.tokenId!)));
      await deleteTokenFile();
      printRecord({ user: me.ref, tokenRevoked: me.tokenId ?? null }, options);
    });

  program
    .command('whoami')
    .description('who you are signed in as: your reference, login, roles and scopes')
    .option('--json', 'print the result as JSON')
    .action((options) => {
      const me = actingUser();
      printRecord({ user: me.ref, login: me.login, roles: [...me.roles], scopes: (me.scopes ?? []).map(formatScope) }, options.json ? options : {});
    });

  const users = program.command('users').description('people who may use the system, their roles and scopes (administrators)');
  users
    .command('add')
    .description('add a user (audited); with --password-stdin the password is read from standard input')
    .argument('<login>', 'the login: a-z 0-9 . _ -')
    .requiredOption('--name <displayName>', 'the name shown to colleagues (kept out of the audit trail)')
    .option('--role <role>', 'a role to grant (repeatable)', collect)
    .option('--scope <scope>', 'branch:CODE, team:CODE or own:AGENTCODE (repeatable)', collect)
    .option('--password-stdin', 'set a password, read from standard input')
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      const roles = await asPerson(() => Promise.resolve((options.role ?? []).map(parseRole)));
      const scopes = scopesOf(options.scope);
      const password = options.passwordStdin ? await readSecret('password: ', true) : undefined;
      const id = await asPerson(() => withDatabase((db) => addUser(db, actingUser().ref, { login, displayName: options.name, roles, scopes, ...(password !== undefined ? { password } : {}) })));
      printRecord({ user: userRef(id), login, roles, scopes: scopes.map(formatScope) }, options);
    });

  users
    .command('list')
    .description('every user with status, roles and scopes')
    .option('--json', 'print the users as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => listUsers(db));
      const shown = rows.map((u) => ({ user: userRef(u.id), login: u.login, name: u.displayName, status: u.status, roles: u.roles, scopes: u.scopes.map(formatScope), createdAt: u.createdAt }));
      printRows(shown, [
        { header: 'user', value: (r) => r.user },
        { header: 'login', value: (r) => r.login },
        { header: 'name', value: (r) => r.name },
        { header: 'status', value: (r) => r.status },
        { header: 'roles', value: (r) => r.roles.join(', ') },
        { header: 'scopes', value: (r) => r.scopes.join(', ') },
      ], options);
    });

  users
    .command('disable')
    .description('disable a user and revoke all their tokens at once (audited)')
    .argument('<login>', 'the login')
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      const user = await asPerson(() => withDatabase((db) => disableUser(db, actingUser().ref, login)));
      printRecord({ user: userRef(user.id), login: user.login, status: user.status }, options);
    });

  users
    .command('enable')
    .description('let a disabled user sign in again (audited); their revoked tokens stay revoked')
    .argument('<login>', 'the login')
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      const user = await asPerson(() => withDatabase((db) => enableUser(db, actingUser().ref, login)));
      printRecord({ user: userRef(user.id), login: user.login, status: user.status }, options);
    });

  users
    .command('reset-password')
    .description("set a user's new password, read like `login` reads it (audited; the password is never stored or shown)")
    .argument('<login>', 'the login')
    .option('--password-stdin', 'read the new password from standard input instead of the terminal')
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      const password = await readSecret('new password: ', options.passwordStdin === true);
      const user = await asPerson(() => withDatabase((db) => resetPassword(db, actingUser().ref, login, password)));
      printRecord({ user: userRef(user.id), login: user.login, password: 'reset' }, options);
    });

  users
    .command('link-oidc')
    .description("link a user to the identity provider's subject, so they can `login --oidc` (audited)")
    .argument('<login>', 'the login')
    .requiredOption('--subject <subject>', 'the subject the provider vouches for (`login --oidc` prints it when unlinked)')
    .option('--issuer <url>', 'the issuer (default RENEWALS_OIDC_ISSUER)')
    .option('--json', 'print the result as JSON')
    .action(async (login, options) => {
      const issuer = options.issuer ?? process.env.RENEWALS_OIDC_ISSUER;
      if (!issuer) throw new CliError('users link-oidc: give --issuer or set RENEWALS_OIDC_ISSUER', 2);
      const user = await asPerson(() => withDatabase((db) => linkOidcIdentity(db, actingUser().ref, login, { issuer, subject: options.subject })));
      printRecord({ user: userRef(user.id), login: user.login, issuer }, options);
    });

  for (const change of ['grant', 'revoke'] as const) {
    users
      .command(change)
      .description(`${change} roles and scopes (audited, one row each)`)
      .argument('<login>', 'the login')
      .option('--role <role>', 'a role (repeatable)', collect)
      .option('--scope <scope>', 'branch:CODE, team:CODE or own:AGENTCODE (repeatable)', collect)
      .option('--json', 'print the result as JSON')
      .action(async (login, options) => {
        const roles = await asPerson(() => Promise.resolve((options.role ?? []).map(parseRole)));
        const scopes = scopesOf(options.scope);
        if (roles.length === 0 && scopes.length === 0) throw new CliError(`users ${change}: give at least one --role or --scope`, 2);
        const after = await asPerson(() =>
          withDatabase(async (db) => {
            const user = await changeGrants(db, actingUser().ref, login, change, { roles, scopes });
            return { user, grants: await grantsOf(db, user.id) };
          }),
        );
        printRecord({ user: userRef(after.user.id), login: after.user.login, roles: after.grants.roles, scopes: after.grants.scopes.map(formatScope) }, options);
      });
  }

  users
    .command('bootstrap')
    .description('first start: make the administrator from RENEWALS_ADMIN_LOGIN and RENEWALS_ADMIN_PASSWORD, or print a one-time setup token; refused once an administrator exists')
    .option('--setup-token <token>', 'redeem the setup token: make the administrator --login with a password read like `login` reads it')
    .option('--login <login>', 'with --setup-token: the administrator\'s login')
    .option('--password-stdin', 'with --setup-token: read the password from standard input')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      if (options.setupToken !== undefined) {
        if (options.login === undefined) throw new CliError('users bootstrap --setup-token needs --login', 2);
        const login = options.login;
        const password = await readSecret('password: ', options.passwordStdin === true);
        const id = await asPerson(() => withDatabase((db) => redeemSetup(db, options.setupToken!, { login, password })));
        printRecord({ user: userRef(id), login, roles: ['administrator'] }, options);
        return;
      }
      const env = process.env;
      const admin = { ...(env.RENEWALS_ADMIN_LOGIN ? { login: env.RENEWALS_ADMIN_LOGIN } : {}), ...(env.RENEWALS_ADMIN_PASSWORD ? { password: env.RENEWALS_ADMIN_PASSWORD } : {}) };
      const result = await asPerson(() => withDatabase((db) => bootstrap(db, admin)));
      if (result.kind === 'administrator') {
        printRecord({ user: userRef(result.userId), login: result.login, roles: ['administrator'] }, options);
        return;
      }
      if (options.json) {
        printRecord({ setupToken: result.setupToken, expiresAt: result.expiresAt }, options);
        return;
      }
      process.stdout.write(`No administrator yet. One-time setup token (shown once, valid until ${result.expiresAt.toISOString()}):\n${result.setupToken}\n`);
      process.stdout.write('Redeem it with: renewals users bootstrap --setup-token TOKEN --login LOGIN\n');
    });

  const tokens = program.command('tokens').description('your personal API tokens for scripts and automation (RENEWALS_TOKEN)');
  tokens
    .command('create')
    .description('make a personal token; it is shown once and only its hash is kept')
    .requiredOption('--name <name>', 'what the token is for (letters, digits, . _ -)')
    .option('--expires-days <days>', 'expire after this many days (default: never)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      let expiresAt: Date | null = null;
      if (options.expiresDays !== undefined) {
        if (!/^\d{1,4}$/.test(options.expiresDays) || Number(options.expiresDays) === 0) throw new CliError(`--expires-days must be a whole number of days 1–9999, got "${options.expiresDays}"`, 2);
        expiresAt = new Date(Date.now() + Number(options.expiresDays) * 86_400_000);
      }
      const made = await asPerson(() => withDatabase((db) => createToken(db, actingUser().ref, signedInId(), options.name, expiresAt)));
      if (options.json) {
        printRecord({ id: made.id, name: options.name, prefix: made.prefix, expiresAt, token: made.token }, options);
        return;
      }
      process.stdout.write(`token ${made.id} (${options.name}), shown once; keep it as a secret:\n${made.token}\n`);
    });

  tokens
    .command('list')
    .description('your tokens: id, name, prefix, when made and last used, expiry, revocation (never the secret)')
    .option('--json', 'print the tokens as JSON')
    .action(async (options) => {
      const rows = await withDatabase((db) => tokensOf(db, signedInId()));
      printRows(rows.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt })), [
        { header: 'id', value: (r) => r.id },
        { header: 'name', value: (r) => r.name },
        { header: 'prefix', value: (r) => r.prefix },
        { header: 'created', value: (r) => r.createdAt.toISOString() },
        { header: 'last used', value: (r) => r.lastUsedAt?.toISOString() ?? '' },
        { header: 'expires', value: (r) => r.expiresAt?.toISOString() ?? '' },
        { header: 'revoked', value: (r) => r.revokedAt?.toISOString() ?? '' },
      ], options);
    });

  tokens
    .command('revoke')
    .description('revoke a token at once (yours; an administrator may revoke anyone\'s)')
    .argument('<id>', 'the token id (tokens list)')
    .option('--json', 'print the result as JSON')
    .action(async (id, options) => {
      if (!/^\d{1,9}$/.test(id)) throw new CliError(`<id> must be a token number, got "${id}"`, 2);
      const me = actingUser();
      const token = await asPerson(() => withDatabase((db) => revokeTokenAs(db, { userId: signedInId(), roles: me.roles }, Number(id))));
      printRecord({ id: token.id, name: token.name, prefix: token.prefix, revokedAt: token.revokedAt }, options);
    });
}

