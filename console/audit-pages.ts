import type { AuditExportRow } from '../db/repositories/audit-export';
import type { ChainBreak } from '../db/repositories/audit';
import type { UnmaskRequestRow } from '../db/repositories/audit-unmask';
import { shanghaiTime } from '../application/policy-view';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { layout } from './pages';
import { STORY_LIMIT, unmaskStatus, type ChainCheck } from './audit-page';
import type { ConsoleSession } from './sessions';

/**
 * The audit pages (docs/architecture.md#console): the search and the unmask requests, one policy's
 * story (masked, as the export writes it), and the chain check. URLs carry a premium's number only.
 */

export interface AuditMessages {
  notice?: string;
  problem?: string;
}

function messages(m: AuditMessages): Html {
  return html`${m.notice ? html`<p class="notice" role="status" id="notice">${m.notice}</p>` : ''}${m.problem ? html`<p class="error" role="alert" id="problem">${m.problem}</p>` : ''}`;
}

function filterText(filter: UnmaskRequestRow['filter']): string {
  return Object.entries(filter)
    .filter(([key]) => key !== 'throughSeq')
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
}

function unmaskRows(requests: readonly UnmaskRequestRow[], session: ConsoleSession, words: Words): Html {
  if (requests.length === 0) return html`<p id="unmask-empty">${words.unmaskNone}</p>`;
  const rows = requests.map((r) => {
    const status = unmaskStatus(r);
    let action: Html | string = '—';
    if (status === 'awaiting') {
      action =
        r.requested_by === session.ref
          ? words.ownRequest
          : html`<form method="post" action="/audit/unmask/${r.id}/approve" data-approve="${r.id}"><input type="hidden" name="csrf" value="${session.csrfToken}"><button type="submit">${words.approveUnmask} #${r.id}</button></form>`;
    }
    return html`<tr data-request="${r.id}"><td>#${r.id}</td><td>${r.requested_by}</td><td>${shanghaiTime(r.requested_at)}</td><td>${filterText(r.filter)}</td><td>${r.reason}</td><td>${r.approved_by ?? '—'}</td><td data-status="${status}">${words.unmaskStatuses[status] ?? status}</td><td>${action}</td></tr>`;
  });
  const headers = [words.requestNo, words.requestedBy, words.requestedAt, words.unmaskFilter, words.reason, words.approvedBy, words.status, words.actionsHeading];
  return html`<table id="unmask-requests"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function auditPage(language: Language, session: ConsoleSession, requests: readonly UnmaskRequestRow[], shown: AuditMessages = {}, mayVerify = true): string {
  const words = wordsFor(language);
  const body = html`<section class="card" aria-labelledby="audit-search-heading">
  <h2 id="audit-search-heading">${words.auditSearchHeading}</h2>
  <p class="muted">${words.auditSearchIntro}</p>
  ${messages(shown)}
  <form method="post" action="/audit" id="audit-search">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="audit-policy-no">${words.policyNo}</label>
    <input type="text" id="audit-policy-no" name="policyNo" autocomplete="off" spellcheck="false" maxlength="32" required>
    <div><button type="submit">${words.search}</button></div>
  </form>
</section>
${
  mayVerify
    ? html`<section class="card" aria-labelledby="verify-heading">
  <h2 id="verify-heading">${words.verifyHeading}</h2>
  <p class="muted">${words.verifyIntro}</p>
  <p><a href="/audit/verify" id="verify-link">${words.verifyRun}</a></p>
</section>`
    : ''
}
<section class="card" aria-labelledby="unmask-heading">
  <h2 id="unmask-heading">${words.unmaskHeading}</h2>
  <p class="muted">${words.unmaskIntro}</p>
  ${unmaskRows(requests, session, words)}
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/audit', session }, words.audit, body);
}

export function storyPage(language: Language, session: ConsoleSession, ref: number, policyNo: string, story: { rows: readonly AuditExportRow[]; more: boolean }, shown: AuditMessages = {}): string {
  const words = wordsFor(language);
  const headers = [words.seqNo, words.time, words.premiumDue, words.kind, words.actor, words.step, words.channel, words.template, words.recipient, words.outcome, words.suppressedBy];
  const rows = story.rows.map(
    (r) =>
      html`<tr data-seq="${r.seq}" data-kind="${r.kind}"><td class="number">${r.seq}</td><td>${r.at_shanghai}</td><td>${r.due_date ?? '—'}</td><td>${r.kind}</td><td>${r.actor}</td><td>${r.step ?? '—'}</td><td>${r.channel ?? '—'}</td><td>${r.template ?? '—'}</td><td>${r.recipient ?? '—'}</td><td>${r.outcome ?? '—'}</td><td>${r.suppression_rule ?? '—'}</td></tr>`,
  );
  const body = html`<p><a href="/audit">${words.backToAudit}</a></p>
<section class="card" aria-labelledby="story-heading">
  <h2 id="story-heading">${words.storyHeading(policyNo)}</h2>
  <p class="muted">${words.storyIntro}</p>
  ${messages(shown)}
  ${
    rows.length === 0
      ? html`<p id="story-empty">${words.storyEmpty}</p>`
      : html`<div class="scroll" tabindex="0" role="group" aria-labelledby="story-heading"><table id="story"><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`
  }
  ${story.more ? html`<p class="muted">${words.storyMore(STORY_LIMIT)}</p>` : ''}
</section>
<section class="card" aria-labelledby="unmask-request-heading">
  <h2 id="unmask-request-heading">${words.unmaskRequestHeading}</h2>
  <p class="muted">${words.unmaskIntro}</p>
  <form method="post" action="/audit/policies/${ref}/unmask" id="unmask-request">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    <label for="unmask-reason">${words.unmaskReason}</label>
    <textarea id="unmask-reason" name="reason" minlength="4" maxlength="500" rows="3" cols="60" required></textarea>
    <div><button type="submit">${words.unmaskRequestButton}</button></div>
  </form>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: `/audit/policies/${ref}`, session }, words.storyHeading(policyNo), body);
}

function breakText(problem: ChainBreak, words: Words): string {
  const where = problem.partition === undefined ? words.legacyChain : words.partitionName(problem.partition);
  return words.chainBreakText(problem.seq, where, words.breakProblems[problem.problem] ?? problem.problem);
}

export function verifyPage(language: Language, session: ConsoleSession, check: ChainCheck): string {
  const words = wordsFor(language);
  const { report } = check;
  const holding = report.partitions.length - report.headProblems;
  const notHolding = report.partitions.filter((p) => p.head.result !== 'matches').map((p) => `${words.partitionName(p.partition)}: ${p.head.result}`);
  const body = html`<p><a href="/audit">${words.backToAudit}</a></p>
<section class="card" aria-labelledby="verify-heading">
  <h2 id="verify-heading">${words.verifyHeading}</h2>
  <p id="chain-result" class="${check.intact ? 'notice' : 'error'}" role="status">${check.intact ? words.chainIntact : words.chainBroken}</p>
  <dl>
    <dt>${words.chainRows}</dt><dd id="chain-rows">${report.rows}</dd>
    <dt>${words.chainHead}</dt><dd id="chain-head"><code>${report.head ? `${report.head.seq}:${report.head.hash}` : words.chainEmpty}</code></dd>
    <dt>${words.chainProblems}</dt><dd id="chain-problems">${report.problems}</dd>
    ${report.firstBreak ? html`<dt>${words.chainFirstBreak}</dt><dd id="chain-first-break">${breakText(report.firstBreak, words)}</dd>` : ''}
    <dt>${words.signedHeads}</dt><dd id="chain-heads">${words.headsHolding(holding, report.partitions.length)}${notHolding.length === 0 ? '' : `; ${words.headsNotHolding}: ${notHolding.join(', ')}`}</dd>
  </dl>
</section>`;
  return layout({ language, csrfToken: session.csrfToken, path: '/audit/verify', session }, words.verifyHeading, body);
}
