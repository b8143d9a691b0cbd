import type { Bilingual } from '../domain/bilingual';
import { NON_PAYMENT_REASON_CODES, NON_PAYMENT_REASONS } from '../domain/non-payment-reasons';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout } from './pages';
import type { ConsoleSession } from './sessions';
import { mayCompleteTasks, type QueueRow, type TaskPage } from './work-queue';

/**
 * The work queue and the task page (docs/architecture.md#console). Links carry the task number only,
 * never a policy number or a name; the contact shown is the stored masked value.
 */

function assigneeOf(row: Pick<QueueRow, 'assigneeAgentCode' | 'assigneeRole'>, words: Words): string {
  return row.assigneeAgentCode ?? words.assigneeRoles[row.assigneeRole] ?? row.assigneeRole;
}

function daysLeftText(daysLeft: number | null, words: Words): string {
  return daysLeft === null ? words.lapsed : String(daysLeft);
}

export function queuePage(language: Language, session: ConsoleSession, rows: readonly QueueRow[], notice?: string): string {
  const words = wordsFor(language);
  const lines = rows.map(
    (row) => html`<tr data-task="${row.id}">
      <td><a href="/tasks/${row.id}">#${row.id}</a></td>
      <td>${row.step}</td>
      <td>${row.policyNo ?? '—'}</td>
      <td>${row.dueAt}</td>
      <td class="number">${daysLeftText(row.daysLeft, words)}</td>
      <td class="number">${row.priority}</td>
      <td>${assigneeOf(row, words)}</td>
    </tr>`,
  );
  const body = html`<section class="card" aria-labelledby="queue-heading">
  <h2 id="queue-heading">${words.workQueue}</h2>
  ${notice ? html`<p class="notice" role="status" id="notice">${notice}</p>` : ''}
  ${
    rows.length === 0
      ? html`<p id="queue-empty">${words.queueEmpty}</p>`
      : html`<table id="queue">
    <thead><tr><th scope="col">${words.taskNo}</th><th scope="col">${words.step}</th><th scope="col">${words.policyNo}</th><th scope="col">${words.taskDue}</th><th scope="col" class="number">${words.daysLeft}</th><th scope="col" class="number">${words.priority}</th><th scope="col">${words.assignee}</th></tr></thead>
    <tbody>${lines}</tbody>
  </table>`
  }
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/tasks', session }, words.workQueue, body);
}

/** Chinese first, English alongside, as the scripts are written; the page's language leads. */
function say(text: Bilingual, language: Language): Html {
  return language === 'en' ? html`${text.en} <span class="muted" lang="zh-CN">${text.zh}</span>` : html`${text.zh} <span class="muted" lang="en">${text.en}</span>`;
}

function list(items: readonly Bilingual[], language: Language): Html {
  return html`<ul>${items.map((item) => html`<li>${say(item, language)}</li>`)}</ul>`;
}

function reasonName(code: number, language: Language): string {
  const reason = NON_PAYMENT_REASONS[code as keyof typeof NON_PAYMENT_REASONS];
  return `${code} ${language === 'en' ? reason.en : reason.zh}`;
}

function scriptSection(page: TaskPage, language: Language, words: Words): Html {
  if (!page.script) return html`<section class="card" aria-labelledby="script-heading"><h2 id="script-heading">${words.scriptHeading}</h2><p>${words.noScript}</p></section>`;
  const { script, objections } = page.script;
  const answers = objections.map(({ objection, handling, reason }) => {
    const name = typeof objection === 'number' ? reasonName(objection, language) : (words.commonObjections[objection] ?? objection);
    return html`<details data-objection="${String(objection)}"><summary>${name}</summary>${list(handling, language)}${reason !== undefined ? html`<p class="muted">${words.recordAsReason(reasonName(reason, language))}</p>` : ''}</details>`;
  });
  return html`<section class="card" aria-labelledby="script-heading">
  <h2 id="script-heading">${words.scriptHeading}: ${say(script.title, language)}</h2>
  <h3>${words.opening}</h3>${list(script.opening, language)}
  <h3>${words.keyPoints}</h3>${list(script.keyPoints, language)}
  <h3>${words.options}</h3>${list(script.options, language)}
  <h3>${words.objectionsHeading}</h3>${answers}
  <h3>${words.compliance}</h3>${list(script.compliance, language)}
</section>`;
}

/** One form per outcome, each with its CSRF token; a promise asks its date, a refusal its reason. */
function outcomeForms(page: TaskPage, csrfToken: string, words: Words, language: Language): Html {
  const id = page.task.id;
  const forms = page.outcomes.map((outcome) => {
    const label = words.outcomeNames[outcome] ?? outcome;
    let field: Html | '' = '';
    if (outcome === 'promised') {
      field = html`<label for="promised-date">${words.promisedDate}</label><input type="date" id="promised-date" name="date" required>`;
    } else if (outcome === 'refused') {
      const options = NON_PAYMENT_REASON_CODES.map((code) => html`<option value="${code}">${reasonName(code, language)}</option>`);
      field = html`<label for="refusal-reason">${words.refusalReason}</label><select id="refusal-reason" name="reason" required><option value="">${words.chooseReason}</option>${options}</select>`;
    }
    return html`<form method="post" action="/tasks/${id}/outcome" data-outcome="${outcome}">
      <input type="hidden" name="csrf" value="${csrfToken}">
      <input type="hidden" name="outcome" value="${outcome}">
      ${field}
      <button type="submit">${label}</button>
    </form>`;
  });
  return html`<div class="outcomes">${forms}</div>`;
}

export function taskPage(language: Language, session: ConsoleSession, page: TaskPage, problem?: string): string {
  const words = wordsFor(language);
  const { task, cycle, contact } = page;
  const status = words.taskStatuses[task.status] ?? task.status;
  const outcomes =
    task.status !== 'open'
      ? html`<p>${words.taskClosed(status)}</p>`
      : mayCompleteTasks(session)
        ? outcomeForms(page, session.csrfToken, words, language)
        : html`<p>${words.forbidden}</p>`;
  const body = html`<p><a href="/tasks">${words.backToQueue}</a></p>
<section class="card" aria-labelledby="task-heading">
  <h2 id="task-heading">${words.taskHeading(task.id)}</h2>
  ${problem ? html`<p class="error" role="alert" id="problem">${problem}</p>` : ''}
  <dl>
    <dt>${words.step}</dt><dd id="task-step">${task.step}</dd>
    <dt>${words.policyNo}</dt><dd id="task-policy">${task.policy_no ?? '—'}</dd>
    <dt>${words.premiumDue}</dt><dd>${task.due_date ?? '—'}</dd>
    <dt>${words.daysLeft}</dt><dd>${task.policy_no === null ? '—' : daysLeftText(page.daysLeft, words)}</dd>
    <dt>${words.priority}</dt><dd>${task.priority}</dd>
    <dt>${words.assignee}</dt><dd>${assigneeOf({ assigneeAgentCode: task.assignee_agent_code, assigneeRole: task.assignee_role }, words)}</dd>
    <dt>${words.status}</dt><dd id="task-status">${status}</dd>
  </dl>
</section>
${
  cycle
    ? html`<section class="card" aria-labelledby="cycle-heading">
  <h2 id="cycle-heading">${words.cycleHeading}</h2>
  <dl>
    <dt>${words.execution}</dt><dd id="cycle-execution">${cycle.execution}</dd>
    <dt>${words.stage}</dt><dd id="cycle-stage">${cycle.stage ?? '—'}</dd>
    <dt>${words.nextAction}</dt><dd>${cycle.nextAction}${cycle.nextActionAt ? ` (${cycle.nextActionAt})` : ''}</dd>
    <dt>${words.promiseUntil}</dt><dd id="cycle-promise">${cycle.promiseUntil ?? words.none}</dd>
    <dt>${words.holds}</dt><dd>${cycle.holds.length > 0 ? cycle.holds.join(', ') : words.none}</dd>
  </dl>
</section>`
    : ''
}
<section class="card" aria-labelledby="contact-heading">
  <h2 id="contact-heading">${words.contactHeading}</h2>
  <dl>
    <dt>${words.holder}</dt><dd id="contact-holder">${contact.holder ?? '—'}</dd>
    <dt>${words.mobile}</dt><dd id="contact-mobile">${contact.mobile ? `${contact.mobile} (${words.pointStatuses[contact.mobileStatus ?? ''] ?? contact.mobileStatus ?? ''})` : words.noMobile}</dd>
  </dl>
  <p class="muted">${words.noReveal}</p>
</section>
<section class="card" aria-labelledby="outcomes-heading">
  <h2 id="outcomes-heading">${words.outcomesHeading}</h2>
  ${outcomes}
</section>
${scriptSection(page, language, words)}`;
  return layout({ language, csrfToken: session.csrfToken, path: `/tasks/${task.id}`, session }, words.taskHeading(task.id), body);
}
