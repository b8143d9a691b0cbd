import { formatYuan } from '../domain/money';
import { formatScope } from '../domain/roles';
import type { MonthPremiums } from '../reports/console-home';
import { html, type Html } from './html';
import { LANGUAGE_NAMES, LANGUAGES, wordsFor, type Language, type Words } from './i18n';
import type { ConsoleSession } from './sessions';
import { mayListTasks } from './work-queue';
import { mayViewRuns } from './monthly-runs';
import { mayDecideReinstatements } from './reinstatement-queue';
import { mayShowPolicies } from './policy-page';
import { mayReadAudit } from './audit-page';
import { readableReports } from './report-kinds';
import { mayAdminister } from './admin-page';
import { adminWordsFor } from './admin-words';

/** The console's pages as plain functions of their values (docs/architecture.md#console). */

export interface Frame {
  language: Language;
  csrfToken: string;
  /** Where the language switch returns to (console/server.ts accepts only the console's own pages). */
  path: string;
  session?: ConsoleSession;
}

function languageSwitch(frame: Frame, words: Words): Html {
  const options = LANGUAGES.map((language) => html`<option value="${language}"${language === frame.language ? html` selected` : ''}>${LANGUAGE_NAMES[language]}</option>`);
  return html`<form method="post" action="/language">
      <input type="hidden" name="csrf" value="${frame.csrfToken}">
      <input type="hidden" name="back" value="${frame.path}">
      <label for="language" class="inline">${words.language}</label>
      <select id="language" name="language">${options}</select>
      <button type="submit">${words.switchLanguage}</button>
    </form>`;
}

/** The pages the person may open: the work queue only for the roles that may list tasks. */
function navigation(frame: Frame, words: Words): Html | '' {
  if (!frame.session) return '';
  const links = [html`<li><a href="/"${frame.path === '/' ? html` aria-current="page"` : ''}>${words.home}</a></li>`];
  if (mayListTasks(frame.session)) links.push(html`<li><a href="/tasks"${frame.path === '/tasks' ? html` aria-current="page"` : ''}>${words.workQueue}</a></li>`);
  if (mayViewRuns(frame.session)) links.push(html`<li><a href="/runs"${frame.path === '/runs' ? html` aria-current="page"` : ''}>${words.monthlyRuns}</a></li>`);
  if (mayDecideReinstatements(frame.session)) links.push(html`<li><a href="/reinstatements"${frame.path === '/reinstatements' ? html` aria-current="page"` : ''}>${words.reinstatements}</a></li>`);
  if (mayShowPolicies(frame.session)) links.push(html`<li><a href="/policies"${frame.path === '/policies' ? html` aria-current="page"` : ''}>${words.policies}</a></li>`);
  if (mayReadAudit(frame.session)) links.push(html`<li><a href="/audit"${frame.path === '/audit' ? html` aria-current="page"` : ''}>${words.audit}</a></li>`);
  if (readableReports(frame.session).length > 0) links.push(html`<li><a href="/reports"${frame.path.startsWith('/reports') ? html` aria-current="page"` : ''}>${words.reports}</a></li>`);
  if (mayAdminister(frame.session)) links.push(html`<li><a href="/admin/users"${frame.path.startsWith('/admin') ? html` aria-current="page"` : ''}>${adminWordsFor(frame.language).administration}</a></li>`);
  return html`<nav aria-label="${words.navigation}"><ul>${links}</ul></nav>`;
}

export function layout(frame: Frame, heading: string, body: Html): string {
  const words = wordsFor(frame.language);
  const signOut = frame.session
    ? html`<form method="post" action="/sign-out"><input type="hidden" name="csrf" value="${frame.csrfToken}"><button type="submit">${words.signOut}</button></form>`
    : '';
  return html`<!doctype html>
<html lang="${frame.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · ${words.title}</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<a class="skip" href="#main">${words.skipToContent}</a>
<header>
  <h1>${words.title}</h1>
  ${languageSwitch(frame, words)}
  ${signOut}
</header>
${navigation(frame, words)}
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>
`.text;
}

/** `companyAccount`: OIDC is configured, so the page offers the identity provider's sign-in (a link: it leaves the console). */
export function signInPage(language: Language, csrfToken: string, message?: string, companyAccount = false): string {
  const words = wordsFor(language);
  const body = html`<section class="card" aria-labelledby="sign-in-heading">
  <h2 id="sign-in-heading">${words.signInHeading}</h2>
  ${message ? html`<p class="error" role="alert">${message}</p>` : ''}
  <form method="post" action="/sign-in">
    <input type="hidden" name="csrf" value="${csrfToken}">
    <label for="login">${words.login}</label>
    <input type="text" id="login" name="login" autocomplete="username" required autofocus>
    <label for="password">${words.password}</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <div><button type="submit">${words.signIn}</button></div>
  </form>
  ${companyAccount ? html`<p><a class="company-account" id="company-account" href="/sign-in/oidc">${words.companyAccount}</a></p>` : ''}
</section>`;
  return layout({ language, csrfToken, path: '/sign-in' }, words.signInHeading, body);
}

export function scopeName(session: ConsoleSession, words: Words): string {
  return session.scopes.length === 0 ? words.wholeInsurer : session.scopes.map(formatScope).join(', ');
}

export function homePage(language: Language, session: ConsoleSession, premiums: MonthPremiums, charts?: Html): string {
  const words = wordsFor(language);
  const rows = (
    [
      ['due', words.due],
      ['paid', words.paid],
      ['inGrace', words.inGrace],
      ['lapsed', words.lapsed],
    ] as const
  ).map(
    ([key, label]) =>
      html`<tr data-figure="${key}"><th scope="row">${label}</th><td class="number">${premiums[key].cases}</td><td class="number">${formatYuan(premiums[key].premiumFen)}</td></tr>`,
  );
  const body = html`<section class="card" aria-labelledby="who">
  <h2 id="who">${words.signedInAs} ${session.user.login}</h2>
  <dl>
    <dt>${words.roles}</dt><dd>${session.roles.join(', ')}</dd>
    <dt>${words.scope}</dt><dd id="scope">${scopeName(session, words)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="month">
  <h2 id="month">${words.monthHeading(premiums.month)}</h2>
  <table>
    <thead><tr><th scope="col">${words.figure}</th><th scope="col" class="number">${words.cases}</th><th scope="col" class="number">${words.premium}</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>
${charts ?? ''}`;
  return layout({ language, csrfToken: session.csrfToken, path: '/', session }, words.home, body);
}

export function messagePage(language: Language, csrfToken: string, message: string): string {
  return layout({ language, csrfToken, path: '/sign-in' }, wordsFor(language).title, html`<section class="card"><p class="error" role="alert">${message}</p><p><a href="/">${wordsFor(language).title}</a></p></section>`);
}
