import { HOLD_KINDS } from '../domain/holds';
import { formatYuan } from '../domain/money';
import { REPORTED_VIAS } from '../domain/payments';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout } from './pages';
import { mayTakeAction, type PolicyAction, type PolicyPage, type PolicyRules } from './policy-page';
import type { ConsoleSession } from './sessions';
import { mayListTasks } from './work-queue';

/**
 * The policy search and the policy page (docs/architecture.md#console). The page's URL carries the
 * premium's number only; everything shown is what `renewals policy show|history` print, masked.
 */

export function policySearchPage(language: Language, session: ConsoleSession, problem?: string): string {
  const words = wordsFor(language);
  const body = html`<section class="card" aria-labelledby="policy-search-heading">
  <h2 id="policy-search-heading">${words.policySearchHeading}</h2>
  <p class="muted">${words.policySearchIntro}</p>
  ${problem ? html`<p class="error" role="alert" id="problem">${problem}</p>` : ''}
  <form method="post" action="/policies" id="policy-search">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="policy-no">${words.policyNo}</label>
    <input type="text" id="policy-no" name="policyNo" autocomplete="off" spellcheck="false" maxlength="32" required autofocus>
    <div><button type="submit">${words.search}</button></div>
  </form>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/policies', session }, words.policies, body);
}

function holdName(kind: string, words: Words): string {
  return words.holdKinds[kind] ?? kind;
}

function table(id: string, headers: readonly string[], rows: readonly Html[], empty: string): Html {
  if (rows.length === 0) return html`<p id="${id}-empty">${empty}</p>`;
  return html`<table id="${id}"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

function cycleSection(page: PolicyPage, words: Words): Html {
  const { premium, cycle } = page.view;
  const paid = premium.paidOn ? ` (${words.paidOnVia(premium.paidOn, premium.paidVia ?? '?')})` : '';
  return html`<section class="card" aria-labelledby="cycle-heading">
  <h2 id="cycle-heading">${words.premiumHeadingOf(premium.dueDate, premium.installmentNo, premium.amount)}</h2>
  <dl>
    <dt>${words.status}</dt><dd id="premium-status">${premium.status}${paid}</dd>
    <dt>${words.workflowId}</dt><dd id="cycle-workflow">${cycle.workflowId}</dd>
    <dt>${words.execution}</dt><dd id="cycle-execution">${cycle.execution}</dd>
    <dt>${words.stage}</dt><dd id="cycle-stage">${cycle.stage ?? '—'}</dd>
    <dt>${words.nextAction}</dt><dd id="cycle-next">${cycle.nextAction}${cycle.nextActionAt ? ` (${cycle.nextActionAt})` : ''}</dd>
    <dt>${words.holds}</dt><dd id="cycle-holds">${cycle.holds.length > 0 ? cycle.holds.map((kind) => holdName(kind, words)).join(', ') : words.none}</dd>
    <dt>${words.promiseUntil}</dt><dd id="cycle-promise">${cycle.promiseUntil ?? words.none}</dd>
    <dt>${words.lastContact}</dt><dd>${cycle.lastContact ?? '—'}</dd>
    <dt>${words.plan}</dt><dd>${cycle.plan ?? '—'}</dd>
    <dt>${words.source}</dt><dd>${cycle.source}</dd>
    ${cycle.note ? html`<dt>${words.note}</dt><dd>${cycle.note}</dd>` : ''}
  </dl>
  <p><a href="${page.temporalLink}" id="temporal-link" rel="noreferrer">${words.openInTemporal}</a></p>
</section>`;
}

function recordSections(page: PolicyPage, session: ConsoleSession, words: Words): Html {
  const { debitAttempts, contacts, tasks } = page.view;
  const debits = debitAttempts.map((d) => html`<tr><td class="number">${d.no}</td><td>${d.date}</td><td>${d.status}</td><td>${d.reason ?? '—'}</td><td>${d.bankRef ?? '—'}</td><td>${d.resolvedAt ?? '—'}</td></tr>`);
  const contactRows = contacts.map((c) => html`<tr data-contact-status="${c.status}"><td>${c.step}</td><td>${c.channel}</td><td>${c.status}</td><td>${c.suppressedRule ?? '—'}</td><td>${c.at}</td></tr>`);
  const taskLinks = mayListTasks(session);
  const taskRows = tasks.map(
    (t) => html`<tr><td>${taskLinks ? html`<a href="/tasks/${t.id}">#${t.id}</a>` : `#${t.id}`}</td><td>${t.kind}</td><td>${t.step}</td><td>${t.assignee}</td><td>${t.status}</td><td>${t.outcome ?? '—'}</td><td>${t.dueAt}</td></tr>`,
  );
  return html`<section class="card" aria-labelledby="debits-heading">
  <h2 id="debits-heading">${words.debitsHeading}</h2>
  ${table('debits', [words.attemptNo, words.date, words.status, words.reason, words.bankRef, words.resolvedAt], debits, words.noDebits)}
</section>
<section class="card" aria-labelledby="contacts-heading">
  <h2 id="contacts-heading">${words.contactsHeading}</h2>
  ${table('contacts', [words.step, words.channel, words.status, words.suppressedBy, words.time], contactRows, words.noContacts)}
</section>
<section class="card" aria-labelledby="tasks-heading">
  <h2 id="tasks-heading">${words.tasksHeading}</h2>
  ${table('policy-tasks', [words.taskNo, words.kind, words.step, words.assignee, words.status, words.outcome, words.taskDue], taskRows, words.noTasks)}
</section>`;
}

function timelineSection(page: PolicyPage, words: Words): Html {
  let content: Html;
  if (page.timeline) {
    const multiple = page.timeline.runs.length > 1;
    const rows = page.timeline.entries.map((e) => html`<tr data-kind="${e.kind}"><td>${e.at}</td>${multiple ? html`<td class="number">${e.run}</td>` : ''}<td>${e.text}</td></tr>`);
    const runs = page.timeline.runs.map((run, i) => html`<li><a href="${run.uiUrl}" rel="noreferrer">${i + 1}: ${run.runId}</a></li>`);
    content = html`<p>${words.timelineRuns(page.timeline.runs.length)}</p><ul>${runs}</ul>
    ${table('timeline', [words.time, ...(multiple ? ['#'] : []), words.whatHappened], rows, words.timelineNotFound)}`;
  } else if (page.timelineMissing === 'temporal') content = html`<p id="timeline-missing">${words.timelineTemporalMissing}</p>`;
  else if (page.timelineMissing === 'not_found') content = html`<p id="timeline-missing">${words.timelineNotFound}</p>`;
  else return html``;
  return html`<section class="card" aria-labelledby="timeline-heading">
  <h2 id="timeline-heading">${words.timelineHeading}</h2>
  ${content}
</section>`;
}

/** One POST form per action the person's role allows, each with the CSRF token and the action's fields. */
function actionForms(page: PolicyPage, session: ConsoleSession, rules: PolicyRules, words: Words): Html {
  const action = `/policies/${page.ref}/actions`;
  const hidden = (name: PolicyAction) => html`<input type="hidden" name="csrf" value="${session.csrfToken}"><input type="hidden" name="action" value="${name}">`;
  const kindOptions = (kinds: readonly string[]) => kinds.map((kind) => html`<option value="${kind}">${holdName(kind, words)}</option>`);
  const forms: Html[] = [];
  if (mayTakeAction(session, 'pay')) {
    const vias = REPORTED_VIAS.map((via) => html`<option value="${via}">${words.viaNames[via] ?? via}</option>`);
    forms.push(html`<form method="post" action="${action}" data-action="pay">${hidden('pay')}
      <fieldset><legend>${words.payHeading}</legend>
      <label for="pay-via">${words.payVia}</label><select id="pay-via" name="via" required>${vias}</select>
      <label for="pay-reference">${words.payReference}</label><input type="text" id="pay-reference" name="reference" maxlength="64" pattern="[A-Za-z0-9_-]{1,64}" autocomplete="off" required>
      <p class="muted">${words.payFourEyes(formatYuan(rules.counterConfirmAboveFen))}</p>
      <button type="submit">${words.payButton}</button></fieldset>
    </form>`);
  }
  if (mayTakeAction(session, 'promise')) {
    forms.push(html`<form method="post" action="${action}" data-action="promise">${hidden('promise')}
      <fieldset><legend>${words.promiseHeading}</legend>
      <label for="promise-date">${words.promisedDate}</label><input type="date" id="promise-date" name="date" required>
      <button type="submit">${words.promiseButton}</button></fieldset>
    </form>`);
  }
  if (mayTakeAction(session, 'hold')) {
    forms.push(html`<form method="post" action="${action}" data-action="hold">${hidden('hold')}
      <fieldset><legend>${words.holdHeading}</legend>
      <label for="hold-kind">${words.holdKind}</label><select id="hold-kind" name="kind" required><option value="">${words.chooseReason}</option>${kindOptions(HOLD_KINDS)}</select>
      <button type="submit">${words.placeHold}</button></fieldset>
    </form>`);
  }
  const held = page.view.cycle.holds;
  if (mayTakeAction(session, 'release') && held.length > 0) {
    forms.push(html`<form method="post" action="${action}" data-action="release">${hidden('release')}
      <fieldset><legend>${words.releaseHold}</legend>
      <label for="release-kind">${words.releaseKind}</label><select id="release-kind" name="kind" required>${kindOptions(held)}</select>
      <button type="submit">${words.releaseHold}</button></fieldset>
    </form>`);
  }
  if (mayTakeAction(session, 'account_updated')) {
    forms.push(html`<form method="post" action="${action}" data-action="account_updated">${hidden('account_updated')}
      <fieldset><legend>${words.accountUpdatedHeading}</legend>
      <button type="submit">${words.accountUpdatedButton}</button></fieldset>
    </form>`);
  }
  return forms.length === 0 ? html`<p id="no-actions">${words.noActions}</p>` : html`<div class="outcomes">${forms}</div>`;
}

export interface PolicyPageMessages {
  notice?: string;
  problem?: string;
}

export function policyPage(language: Language, session: ConsoleSession, page: PolicyPage, rules: PolicyRules, messages: PolicyPageMessages = {}): string {
  const words = wordsFor(language);
  const p = page.view.policy;
  const body = html`<p><a href="/policies">${words.backToPolicySearch}</a></p>
<section class="card" aria-labelledby="policy-heading">
  <h2 id="policy-heading">${words.policyHeading(p.policyNo)}</h2>
  ${messages.notice ? html`<p class="notice" role="status" id="notice">${messages.notice}</p>` : ''}
  ${messages.problem ? html`<p class="error" role="alert" id="problem">${messages.problem}</p>` : ''}
  <dl>
    <dt>${words.holder}</dt><dd id="policy-holder">${p.holder}</dd>
    <dt>${words.idNo}</dt><dd id="policy-holder-id">${p.holderId}</dd>
    <dt>${words.product}</dt><dd>${p.product} (${p.plan})</dd>
    <dt>${words.channel}</dt><dd>${p.channel}</dd>
    <dt>${words.branch}</dt><dd>${p.branch}</dd>
    <dt>${words.agent}</dt><dd>${p.agent}</dd>
    <dt>${words.premium}</dt><dd>${p.premium} (${p.frequency})</dd>
    <dt>${words.mandate}</dt><dd>${p.mandate ?? words.noMandate}</dd>
    <dt>${words.policyStatus}</dt><dd id="policy-status">${p.status}</dd>
  </dl>
</section>
${cycleSection(page, words)}
<section class="card" aria-labelledby="actions-heading">
  <h2 id="actions-heading">${words.actionsHeading}</h2>
  ${actionForms(page, session, rules, words)}
</section>
${recordSections(page, session, words)}
${timelineSection(page, words)}`;
  return layout({ language, csrfToken: session.csrfToken, path: `/policies/${page.ref}`, session }, words.policyHeading(p.policyNo), body);
}
