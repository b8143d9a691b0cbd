import { shanghaiTime } from '../application/policy-view';
import { userRef } from '../application/identity';
import type { TokenRow } from '../db/repositories/tokens';
import { ROLE_PURPOSES, roleCommands } from '../domain/roles-table';
import { mayRun } from '../domain/permissions';
import { formatScope, ROLES, SCOPE_KINDS } from '../domain/roles';
import { ADMIN_COMMANDS, maskSubject, type UserDetails, type UserListing } from './admin-page';
import { adminWordsFor, type AdminWords } from './admin-words';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout } from './pages';
import type { ConsoleSession } from './sessions';

/**
 * The administration pages (docs/architecture.md#console): the users with the form that adds one,
 * one user with the forms that change them and their tokens, the page that shows a new password or
 * token once, and the roles with what each may run. URLs carry a user's number only.
 */

export interface AdminMessages {
  notice?: string;
  problem?: string;
}

function messages(m: AdminMessages): Html {
  return html`${m.notice ? html`<p class="notice" role="status" id="notice">${m.notice}</p>` : ''}${m.problem ? html`<p class="error" role="alert" id="problem">${m.problem}</p>` : ''}`;
}

/** The two pages of the area, the current one marked. */
function subNavigation(current: 'users' | 'roles', a: AdminWords): Html {
  const link = (href: string, name: 'users' | 'roles', label: string) => html`<li><a href="${href}"${current === name ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav aria-label="${a.administration}" class="sub-nav"><ul>${link('/admin/users', 'users', a.users)}${link('/admin/roles', 'roles', a.rolesPage)}</ul></nav>`;
}

const time = (at: Date | null, otherwise: string): string => (at ? shanghaiTime(at) : otherwise);

function oidcText(facts: UserListing['facts'], a: AdminWords): string {
  return facts?.oidcIssuer && facts.oidcSubject ? `${facts.oidcIssuer} · ${maskSubject(facts.oidcSubject)}` : a.notLinked;
}

function roleList(roles: readonly string[], words: Words): string {
  return roles.length === 0 ? words.none : roles.join(', ');
}

function scopeList(listing: UserListing, words: Words): string {
  return listing.user.scopes.length === 0 ? words.wholeInsurer : listing.user.scopes.map(formatScope).join(', ');
}

/** The role and scope fields the add and grant forms share; `prefix` keeps their ids apart on one page. */
function grantFields(prefix: string, a: AdminWords, words: Words): Html {
  const roles = ROLES.map((role) => html`<option value="${role}">${role} · ${a.roleNames[role] ?? role}</option>`);
  const kinds = SCOPE_KINDS.map((kind) => html`<option value="${kind}">${kind} · ${a.scopeKinds[kind] ?? kind}</option>`);
  return html`<label for="${prefix}-role">${words.roles}</label>
    <select id="${prefix}-role" name="role"><option value="">${a.noRole}</option>${roles}</select>
    <label for="${prefix}-scope-kind">${a.scopeKind}</label>
    <select id="${prefix}-scope-kind" name="scopeKind"><option value="">${a.noScope}</option>${kinds}</select>
    <label for="${prefix}-scope-value">${a.scopeValue}</label>
    <input type="text" id="${prefix}-scope-value" name="scopeValue" maxlength="64" autocomplete="off" spellcheck="false">`;
}

/** What the person typed into the new user's form, shown again beside a problem so nothing is typed twice. */
export interface TypedUser {
  login?: string;
  name?: string;
}

export function usersPage(language: Language, session: ConsoleSession, listing: readonly UserListing[], shown: AdminMessages = {}, typed: TypedUser = {}): string {
  const words = wordsFor(language);
  const a = adminWordsFor(language);
  const headers = [a.userRef, words.login, a.displayName, words.roles, words.scope, words.status, a.oidcIdentity, a.lastSignIn, a.manage];
  const rows = listing.map(
    (entry) =>
      html`<tr data-user="${entry.user.id}" data-login="${entry.user.login}"><td>${userRef(entry.user.id)}</td><td>${entry.user.login}</td><td>${entry.user.displayName}</td><td data-field="roles">${roleList(entry.user.roles, words)}</td><td data-field="scopes">${scopeList(entry, words)}</td><td data-field="status" data-status="${entry.user.status}">${a.userStatuses[entry.user.status] ?? entry.user.status}</td><td data-field="oidc">${oidcText(entry.facts, a)}</td><td>${time(entry.facts?.lastSignedInAt ?? null, a.never)}</td><td><a href="/admin/users/${entry.user.id}" aria-label="${a.manage} ${entry.user.login}">${a.manage}</a></td></tr>`,
  );
  const mayAdd = mayRun(session.roles, ADMIN_COMMANDS.add);
  const body = html`${subNavigation('users', a)}
<section class="card" aria-labelledby="users-heading">
  <h2 id="users-heading">${a.users}</h2>
  <p class="muted">${a.usersIntro}</p>
  <div class="scroll" tabindex="0" role="group" aria-labelledby="users-heading"><table id="users"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>
</section>
${
  mayAdd
    ? html`<section class="card" aria-labelledby="create-heading">
  <h2 id="create-heading">${a.createHeading}</h2>
  <p class="muted">${a.createIntro}</p>
  ${messages(shown)}
  <form method="post" action="/admin/users" id="create-user">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="new-login">${words.login}</label>
    <input type="text" id="new-login" name="login" maxlength="64" autocomplete="off" spellcheck="false" required value="${typed.login ?? ''}">
    <label for="new-name">${a.displayName}</label>
    <input type="text" id="new-name" name="name" maxlength="128" autocomplete="off" required value="${typed.name ?? ''}">
    ${grantFields('new', a, words)}
    <div><button type="submit">${a.create}</button></div>
  </form>
</section>`
    : ''
}`;
  return layout({ language, csrfToken: session.csrfToken, path: '/admin/users', session }, a.users, body);
}

function tokenRows(details: UserDetails, session: ConsoleSession, a: AdminWords): Html {
  if (details.tokens.length === 0) return html`<p id="tokens-empty">${a.noTokens}</p>`;
  const row = (t: TokenRow) => {
    const revoke = t.revokedAt
      ? '—'
      : html`<form method="post" action="/admin/users/${details.user.id}/tokens/${t.id}/revoke"><input type="hidden" name="csrf" value="${session.csrfToken}"><button type="submit">${a.revokeToken(t.id)}</button></form>`;
    return html`<tr data-token="${t.id}"><td>#${t.id}</td><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${shanghaiTime(t.createdAt)}</td><td>${time(t.expiresAt, a.noExpiry)}</td><td>${time(t.lastUsedAt, '—')}</td><td data-field="revoked">${time(t.revokedAt, '—')}</td><td>${revoke}</td></tr>`;
  };
  const headers = [a.tokenId, a.tokenName, a.tokenPrefix, a.createdAt, a.expiresAt, a.lastUsedAt, a.revokedAt, a.manage];
  return html`<div class="scroll" tabindex="0" role="group" aria-labelledby="tokens-heading"><table id="tokens"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${details.tokens.map(row)}</tbody></table></div>`;
}

/** One button form posting to `action` with the session's CSRF token and optional hidden fields. */
function buttonForm(action: string, label: string, session: ConsoleSession, fields: Record<string, string> = {}, id?: string): Html {
  const hidden = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${action}"${id ? html` id="${id}"` : ''} class="inline-form"><input type="hidden" name="csrf" value="${session.csrfToken}">${hidden}<button type="submit">${label}</button></form>`;
}

export function userPage(language: Language, session: ConsoleSession, details: UserDetails, shown: AdminMessages = {}): string {
  const words = wordsFor(language);
  const a = adminWordsFor(language);
  const { user, facts } = details;
  const base = `/admin/users/${user.id}`;
  const self = user.id === session.user.id;
  const roleRevokes = user.roles.map((role) => html`<li>${role} · ${a.roleNames[role] ?? role} ${buttonForm(`${base}/grants`, a.revokeRole(role), session, { change: 'revoke', role })}</li>`);
  const scopeRevokes = user.scopes.map((scope) => html`<li>${formatScope(scope)} ${buttonForm(`${base}/grants`, a.revokeScope(formatScope(scope)), session, { change: 'revoke', scopeKind: scope.kind, scopeValue: scope.value })}</li>`);
  let account: Html;
  if (self) account = html`<p class="muted" id="self-note">${a.selfNote}</p>`;
  else if (user.status === 'active') account = html`<p class="muted">${a.disableIntro}</p>${buttonForm(`${base}/disable`, a.disable, session, {}, 'disable-user')}`;
  else account = buttonForm(`${base}/enable`, a.enable, session, {}, 'enable-user');
  const body = html`${subNavigation('users', a)}
<p><a href="/admin/users">${a.toUsers}</a></p>
<section class="card" aria-labelledby="user-heading">
  <h2 id="user-heading">${user.login}</h2>
  ${messages(shown)}
  <dl>
    <dt>${a.userRef}</dt><dd>${userRef(user.id)}</dd>
    <dt>${a.displayName}</dt><dd>${user.displayName}</dd>
    <dt>${words.status}</dt><dd id="user-status" data-status="${user.status}">${a.userStatuses[user.status] ?? user.status}</dd>
    <dt>${words.roles}</dt><dd id="user-roles">${roleList(user.roles, words)}</dd>
    <dt>${words.scope}</dt><dd id="user-scopes">${scopeList(details, words)}</dd>
    <dt>${a.oidcIdentity}</dt><dd id="user-oidc">${oidcText(facts, a)}</dd>
    <dt>${a.lastSignIn}</dt><dd>${time(facts?.lastSignedInAt ?? null, a.never)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="grants-heading">
  <h2 id="grants-heading">${a.grantsHeading}</h2>
  <ul class="grants" id="role-revokes">${roleRevokes}</ul>
  <ul class="grants" id="scope-revokes">${scopeRevokes}</ul>
  <p class="muted">${a.grantIntro}</p>
  <form method="post" action="${base}/grants" id="grant-form">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <input type="hidden" name="change" value="grant">
    ${grantFields('grant', a, words)}
    <div><button type="submit">${a.grant}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="account-heading">
  <h2 id="account-heading">${a.accountHeading}</h2>
  ${account}
  <p class="muted">${a.resetIntro}</p>
  ${buttonForm(`${base}/password`, a.resetPassword, session, {}, 'reset-password')}
</section>
<section class="card" aria-labelledby="oidc-heading">
  <h2 id="oidc-heading">${a.oidcHeading}</h2>
  <p class="muted">${a.oidcIntro}</p>
  <form method="post" action="${base}/oidc" id="oidc-form">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="oidc-issuer">${a.issuer}</label>
    <input type="text" id="oidc-issuer" name="issuer" maxlength="512" autocomplete="off" spellcheck="false" required>
    <label for="oidc-subject">${a.subject}</label>
    <input type="text" id="oidc-subject" name="subject" maxlength="255" autocomplete="off" spellcheck="false" required>
    <div><button type="submit">${a.link}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="tokens-heading">
  <h2 id="tokens-heading">${a.tokensHeading}</h2>
  <p class="muted">${a.tokensIntro}</p>
  ${tokenRows(details, session, a)}
  <form method="post" action="${base}/tokens" id="token-form">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="token-name">${a.tokenName}</label>
    <input type="text" id="token-name" name="name" maxlength="64" autocomplete="off" spellcheck="false" required>
    <label for="token-days">${a.expiresDays}</label>
    <input type="text" id="token-days" name="expiresDays" inputmode="numeric" maxlength="4" autocomplete="off">
    <div><button type="submit">${a.issueToken}</button></div>
  </form>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: base, session }, user.login, body);
}

/**
 * A new password or token, shown this once in the answer to the POST that made it: never in a URL,
 * a cookie, a log line or an audit row, and the page itself is not kept (Cache-Control: no-store).
 */
export function secretPage(language: Language, session: ConsoleSession, userId: number, heading: string, label: string, secret: string): string {
  const a = adminWordsFor(language);
  const body = html`${subNavigation('users', a)}
<section class="card" aria-labelledby="secret-heading">
  <h2 id="secret-heading">${heading}</h2>
  <p>${a.shownOnce}</p>
  <dl>
    <dt>${label}</dt><dd><code id="one-time-secret">${secret}</code></dd>
  </dl>
  <p><a href="/admin/users/${userId}" id="to-user">${a.toUser}</a> · <a href="/admin/users">${a.toUsers}</a></p>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: `/admin/users/${userId}`, session }, heading, body);
}

/** README's roles table as a page: the same permission table, each role's purpose and commands. */
export function rolesPage(language: Language, session: ConsoleSession): string {
  const a = adminWordsFor(language);
  const rows = ROLES.map((role) => {
    const commands = roleCommands(role).map(({ command, scope }) => html`<li><code>${command}</code>${a.scopeRules[scope] ?? ''}</li>`);
    return html`<tr data-role="${role}"><th scope="row"><code>${role}</code><br>${a.roleNames[role] ?? role}</th><td>${ROLE_PURPOSES[role]}</td><td><ul class="commands">${commands}</ul></td></tr>`;
  });
  const body = html`${subNavigation('roles', a)}
<section class="card" aria-labelledby="roles-heading">
  <h2 id="roles-heading">${a.rolesPage}</h2>
  <p class="muted">${a.rolesIntro}</p>
  <table id="roles"><thead><tr><th scope="col">${a.role}</th><th scope="col">${a.purpose}</th><th scope="col">${a.commands}</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/admin/roles', session }, a.rolesPage, body);
}
