import { formatYuan } from '../domain/money';
import { DECLINE_REASONS, EVIDENCE_KINDS } from '../domain/reinstatement-application';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout } from './pages';
import { awaitsUnderwriter, type ApplicationLine } from './reinstatement-queue';
import type { ConsoleSession } from './sessions';

/**
 * The reinstatement queue and one application with its decision forms (docs/architecture.md#console).
 * Links carry the application number only; people appear as opaque refs (`user:42`), never names.
 */

function statusName(status: string, words: Words): string {
  return words.applicationStatuses[status] ?? status;
}

function declarationText(line: ApplicationLine, words: Words): string {
  if (line.declaration === null) return words.unknown;
  return line.declaration === 'captured' ? words.declarationCaptured(line.declarationBy ?? words.unknown) : words.declarationAwaited;
}

function evidenceText(line: ApplicationLine, words: Words): string {
  return line.evidenceRequested.length === 0 ? words.none : line.evidenceRequested.map((kind) => words.evidenceKinds[kind] ?? kind).join(', ');
}

function quoteText(line: ApplicationLine, words: Words): string {
  return line.quote ? words.quoteText(formatYuan(line.quote.totalFen), formatYuan(line.quote.premiumsFen), formatYuan(line.quote.interestFen)) : words.noQuote;
}

export function reinstatementQueuePage(language: Language, session: ConsoleSession, lines: readonly ApplicationLine[], notice?: string): string {
  const words = wordsFor(language);
  const rows = lines.map(
    (line) => html`<tr data-application="${line.id}">
      <td><a href="/reinstatements/${line.id}">#${line.id}</a></td>
      <td>${line.policyNo}</td>
      <td>${line.receivedDate}</td>
      <td>${statusName(line.status, words)}</td>
      <td>${declarationText(line, words)}</td>
      <td>${evidenceText(line, words)}</td>
      <td class="number">${quoteText(line, words)}</td>
    </tr>`,
  );
  const body = html`<section class="card" aria-labelledby="reinstatements-heading">
  <h2 id="reinstatements-heading">${words.reinstatements}</h2>
  ${notice ? html`<p class="notice" role="status" id="notice">${notice}</p>` : ''}
  ${
    lines.length === 0
      ? html`<p id="reinstatements-empty">${words.reinstatementQueueEmpty}</p>`
      : html`<table id="reinstatements">
    <thead><tr><th scope="col">${words.applicationNo}</th><th scope="col">${words.policyNo}</th><th scope="col">${words.appliedOn}</th><th scope="col">${words.status}</th><th scope="col">${words.declaration}</th><th scope="col">${words.evidenceRequested}</th><th scope="col" class="number">${words.quoteOfDay}</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>`
  }
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/reinstatements', session }, words.reinstatements, body);
}

/** Approve, decline with a reason from the domain's list, request evidence: one form each, with the CSRF token. */
function decisionForms(line: ApplicationLine, csrfToken: string, words: Words): Html {
  const action = `/reinstatements/${line.id}/decision`;
  const hidden = (decision: string) => html`<input type="hidden" name="csrf" value="${csrfToken}"><input type="hidden" name="decision" value="${decision}">`;
  const reasons = Object.keys(DECLINE_REASONS).map((code) => html`<option value="${code}">${words.declineReasons[code] ?? code}</option>`);
  const kinds = EVIDENCE_KINDS.map(
    (kind) => html`<label class="inline"><input type="checkbox" name="evidence" value="${kind}" id="evidence-${kind}"> ${words.evidenceKinds[kind] ?? kind}</label>`,
  );
  return html`<div class="outcomes">
    <form method="post" action="${action}" data-decision="approve">${hidden('approve')}<button type="submit">${words.approve}</button></form>
    <form method="post" action="${action}" data-decision="decline">${hidden('decline')}
      <label for="decline-reason">${words.declineReason}</label><select id="decline-reason" name="reason" required><option value="">${words.chooseReason}</option>${reasons}</select>
      <button type="submit">${words.decline}</button>
    </form>
    <form method="post" action="${action}" data-decision="request_evidence">${hidden('request_evidence')}
      <fieldset><legend>${words.evidenceToRequest}</legend>${kinds}</fieldset>
      <button type="submit">${words.requestEvidence}</button>
    </form>
  </div>`;
}

export function applicationPage(language: Language, session: ConsoleSession, line: ApplicationLine, problem?: string): string {
  const words = wordsFor(language);
  const status = statusName(line.status, words);
  const decision = awaitsUnderwriter(line) ? decisionForms(line, session.csrfToken, words) : html`<p id="decision-closed">${words.applicationClosed(status)}</p>`;
  const body = html`<p><a href="/reinstatements">${words.backToReinstatements}</a></p>
<section class="card" aria-labelledby="application-heading">
  <h2 id="application-heading">${words.applicationHeading(line.id)}</h2>
  ${problem ? html`<p class="error" role="alert" id="problem">${problem}</p>` : ''}
  <dl>
    <dt>${words.policyNo}</dt><dd id="application-policy">${line.policyNo}</dd>
    <dt>${words.workflowId}</dt><dd>${line.workflowId}</dd>
    <dt>${words.status}</dt><dd id="application-status">${status}</dd>
    <dt>${words.appliedOn}</dt><dd>${line.receivedDate}</dd>
    <dt>${words.decideBy}</dt><dd>${line.decisionDueDate}</dd>
    <dt>${words.appliedBy}</dt><dd id="application-applied-by">${line.appliedBy ?? words.unknown}</dd>
    <dt>${words.declaration}</dt><dd id="application-declaration">${declarationText(line, words)}</dd>
    <dt>${words.evidenceRequested}</dt><dd id="application-evidence">${evidenceText(line, words)}</dd>
    <dt>${words.decidedBy}</dt><dd id="application-decided-by">${line.decidedBy ?? words.none}</dd>
    <dt>${words.payBy}</dt><dd>${line.payBy ?? '—'}</dd>
    <dt>${words.declineReason}</dt><dd>${line.declineReason ? (words.declineReasons[line.declineReason] ?? line.declineReason) : '—'}</dd>
    <dt>${words.quoteOfDay}</dt><dd id="application-quote">${quoteText(line, words)}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="decision-heading">
  <h2 id="decision-heading">${words.decisionHeading}</h2>
  ${decision}
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: `/reinstatements/${line.id}`, session }, words.applicationHeading(line.id), body);
}
