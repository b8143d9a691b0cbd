import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knex } from 'knex';
import { addUser, changeGrants, createToken, disableUser, enableUser, IdentityError, linkOidcIdentity, newPassword, resetPassword, revokeTokenAs } from '../application/identity';
import { mayRun } from '../domain/permissions';
import { ADMIN_COMMANDS, grantChangeOf, mayAdminister, newTokenOf, newUserOf, oidcIdentityOf, userDetails, userListing, type AdminForm, type UserDetails } from './admin-page';
import { rolesPage, secretPage, userPage, usersPage, type AdminMessages } from './admin-pages';
import { adminWordsFor } from './admin-words';
import { wordsFor, type Language } from './i18n';
import { messagePage } from './pages';
import type { ConsoleSession } from './sessions';

/** The one-line confirmation a user's page shows once after a change: `<user>.<what>`, numbers and codes only. */
export const ADMIN_NOTICE_COOKIE = 'renewals_admin_notice';

export interface AdminRouteDeps {
  db: Knex;
  languageOf: (request: FastifyRequest) => Language;
  page: (reply: FastifyReply, status: number, body: string) => FastifyReply;
  cookieFlags: { httpOnly: boolean; sameSite: 'strict'; secure: boolean; path: string };
}

type Notice = 'granted' | 'revoked' | 'disabled' | 'enabled' | 'oidc_linked' | 'token_revoked';

function numberOf(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** An identity refusal as an answer: a bad value 400, anything else (taken, refused, gone) 409. */
function statusOf(error: IdentityError): number {
  return error.reason === 'usage' ? 400 : 409;
}

/**
 * `/admin/…` (docs/architecture.md#console), for the roles `renewals users list` admits (administrator;
 * 403 otherwise, and no nav link): the users, one user, the roles. Each change is a POST form with the
 * session's CSRF token, checked field by field, then the function of application/identity.ts the
 * CLI's command calls, under that command's permission and signed with the session's `ref`. A new
 * password or token is shown once in the answer to its POST, never in a redirect.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminRouteDeps): void {
  const { db, page, languageOf } = deps;
  const message = (request: FastifyRequest, reply: FastifyReply, status: number, text: string) => page(reply, status, messagePage(languageOf(request), request.consoleSession!.csrfToken, text));

  /** The session if the person may administer (and run `command`, when given), or the answer already sent. */
  const gate = (request: FastifyRequest, reply: FastifyReply, command?: string): ConsoleSession | undefined => {
    const session = request.consoleSession;
    if (!session) return void reply.redirect('/sign-in', 303);
    if (!mayAdminister(session) || (command !== undefined && !mayRun(session.roles, command))) return void message(request, reply, 403, wordsFor(languageOf(request)).forbidden);
    return session;
  };

  /** The gate, then the user the path names (404 when unknown). */
  const userOf = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, command?: string) => {
    const session = gate(request, reply, command);
    if (!session) return undefined;
    const id = numberOf(request.params.id);
    const details = id === undefined ? undefined : await userDetails(db, id);
    if (!details) return void message(request, reply, 404, wordsFor(languageOf(request)).notFound);
    return { session, details, language: languageOf(request), a: adminWordsFor(languageOf(request)) };
  };

  const showUser = async (reply: FastifyReply, language: Language, session: ConsoleSession, userId: number, status: number, shown: AdminMessages) =>
    page(reply, status, userPage(language, session, (await userDetails(db, userId))!, shown));
  const done = (reply: FastifyReply, details: UserDetails, notice: Notice) => {
    reply.setCookie(ADMIN_NOTICE_COOKIE, `${details.user.id}.${notice}`, { ...deps.cookieFlags, maxAge: 300 });
    return reply.redirect(`/admin/users/${details.user.id}`, 303);
  };
  /** Runs a change; an identity refusal is said on the user's page after a lead in the person's words. */
  const change = async (reply: FastifyReply, found: NonNullable<Awaited<ReturnType<typeof userOf>>>, work: () => Promise<unknown>, notice: Notice) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof IdentityError) return showUser(reply, found.language, found.session, found.details.user.id, statusOf(error), { problem: found.a.refused(error.message) });
      throw error;
    }
    return done(reply, found.details, notice);
  };

  app.get('/admin', async (request, reply) => {
    if (!gate(request, reply)) return reply;
    return reply.redirect('/admin/users', 303);
  });

  app.get('/admin/users', async (request, reply) => {
    const session = gate(request, reply);
    if (!session) return reply;
    return page(reply, 200, usersPage(languageOf(request), session, await userListing(db)));
  });

  // `users add`: the initial password is made here and shown once on the answer to this POST.
  app.post('/admin/users', async (request, reply) => {
    const session = gate(request, reply, ADMIN_COMMANDS.add);
    if (!session) return reply;
    const language = languageOf(request);
    const a = adminWordsFor(language);
    const form = request.body as AdminForm;
    const typed = { login: typeof form.login === 'string' ? form.login.slice(0, 64) : '', name: typeof form.name === 'string' ? form.name.slice(0, 128) : '' };
    const again = async (status: number, problem: string) => page(reply, status, usersPage(language, session, await userListing(db), { problem }, typed));
    const wanted = newUserOf(form);
    if ('problem' in wanted) return again(400, a.problems[wanted.problem]!);
    const password = newPassword();
    let id: number;
    try {
      id = await addUser(db, session.ref, { ...wanted, password });
    } catch (error) {
      if (error instanceof IdentityError) return again(statusOf(error), a.refused(error.message));
      throw error;
    }
    return page(reply, 200, secretPage(language, session, id, a.createdHeading(wanted.login), a.initialPassword, password));
  });

  app.get<{ Params: { id: string } }>('/admin/users/:id', async (request, reply) => {
    const found = await userOf(request, reply);
    if (!found) return reply;
    const { session, details, language, a } = found;
    const flash = /^(\d{1,9})\.([a-z_]{1,16})$/.exec(request.cookies[ADMIN_NOTICE_COOKIE] ?? '');
    if (request.cookies[ADMIN_NOTICE_COOKIE] !== undefined) reply.clearCookie(ADMIN_NOTICE_COOKIE, deps.cookieFlags);
    const notice = flash && Number(flash[1]) === details.user.id ? a.notices[flash[2]!] : undefined;
    return page(reply, 200, userPage(language, session, details, notice ? { notice } : {}));
  });

  // `users grant|revoke`, under the permission of the one asked for.
  app.post<{ Params: { id: string } }>('/admin/users/:id/grants', async (request, reply) => {
    const found = await userOf(request, reply);
    if (!found) return reply;
    const { session, details, language, a } = found;
    const wanted = grantChangeOf(request.body as AdminForm);
    if ('problem' in wanted) return showUser(reply, language, session, details.user.id, 400, { problem: a.problems[wanted.problem]! });
    if (!mayRun(session.roles, ADMIN_COMMANDS[wanted.change])) return message(request, reply, 403, wordsFor(language).forbidden);
    return change(reply, found, () => changeGrants(db, session.ref, details.user.login, wanted.change, wanted), wanted.change === 'grant' ? 'granted' : 'revoked');
  });

  // `users disable`: refused for oneself here in the person's words, and by the application for anyone.
  app.post<{ Params: { id: string } }>('/admin/users/:id/disable', async (request, reply) => {
    const found = await userOf(request, reply, ADMIN_COMMANDS.disable);
    if (!found) return reply;
    const { session, details, language, a } = found;
    if (details.user.id === session.user.id) return showUser(reply, language, session, details.user.id, 409, { problem: a.selfDisableRefused });
    return change(reply, found, () => disableUser(db, session.ref, details.user.login), 'disabled');
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/enable', async (request, reply) => {
    const found = await userOf(request, reply, ADMIN_COMMANDS.enable);
    if (!found) return reply;
    return change(reply, found, () => enableUser(db, found.session.ref, found.details.user.login), 'enabled');
  });

  // `users reset-password`: a new password made here, shown once on the answer to this POST.
  app.post<{ Params: { id: string } }>('/admin/users/:id/password', async (request, reply) => {
    const found = await userOf(request, reply, ADMIN_COMMANDS.resetPassword);
    if (!found) return reply;
    const { session, details, language, a } = found;
    const password = newPassword();
    await resetPassword(db, session.ref, details.user.login, password);
    return page(reply, 200, secretPage(language, session, details.user.id, a.passwordResetHeading(details.user.login), a.newPasswordLabel, password));
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/oidc', async (request, reply) => {
    const found = await userOf(request, reply, ADMIN_COMMANDS.linkOidc);
    if (!found) return reply;
    const { session, details, language, a } = found;
    const wanted = oidcIdentityOf(request.body as AdminForm);
    if ('problem' in wanted) return showUser(reply, language, session, details.user.id, 400, { problem: a.problems[wanted.problem]! });
    return change(reply, found, () => linkOidcIdentity(db, session.ref, details.user.login, wanted), 'oidc_linked');
  });

  // `tokens create` for the user, signed by the administrator; the token is shown once on the answer.
  app.post<{ Params: { id: string } }>('/admin/users/:id/tokens', async (request, reply) => {
    const found = await userOf(request, reply, 'tokens create');
    if (!found) return reply;
    const { session, details, language, a } = found;
    const wanted = newTokenOf(request.body as AdminForm, Date.now());
    if ('problem' in wanted) return showUser(reply, language, session, details.user.id, 400, { problem: a.problems[wanted.problem]! });
    let made: { token: string };
    try {
      made = await createToken(db, session.ref, details.user.id, wanted.name, wanted.expiresAt);
    } catch (error) {
      if (error instanceof IdentityError) return showUser(reply, language, session, details.user.id, statusOf(error), { problem: a.refused(error.message) });
      throw error;
    }
    return page(reply, 200, secretPage(language, session, details.user.id, a.tokenIssuedHeading(details.user.login), a.tokenSecret, made.token));
  });

  // `tokens revoke` as an administrator may: one of this user's tokens, else an unknown page.
  app.post<{ Params: { id: string; token: string } }>('/admin/users/:id/tokens/:token/revoke', async (request, reply) => {
    const found = await userOf(request, reply, 'tokens revoke');
    if (!found) return reply;
    const tokenId = numberOf(request.params.token);
    if (tokenId === undefined || !found.details.tokens.some((t) => t.id === tokenId)) return message(request, reply, 404, wordsFor(found.language).notFound);
    return change(reply, found, () => revokeTokenAs(db, { userId: found.session.user.id, roles: found.session.roles }, tokenId), 'token_revoked');
  });

  app.get('/admin/roles', async (request, reply) => {
    const session = gate(request, reply);
    if (!session) return reply;
    return page(reply, 200, rolesPage(languageOf(request), session));
  });
}
