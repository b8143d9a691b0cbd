import { shanghaiTime } from '../application/policy-view';
import type { MonthlySchedule } from '../application/monthly-runs';
import { mayRun } from '../domain/permissions';
import { html, type Html } from './html';
import { wordsFor, type Language, type Words } from './i18n';
import { isLive, RUN_PAUSE, RUN_RESUME, RUN_START, type RunFigures, type RunsOverview } from './monthly-runs';
import { layout } from './pages';
import type { ConsoleSession } from './sessions';

/**
 * The monthly runs page and a run's page (docs/architecture.md#console). A run's figures carry
 * `data-field` names that /console.js fills from `/runs/:month/progress` every 2 s; without the script
 * the page shows them as they were when served.
 */

/** The next firings `renewals schedule show` prints: the first three. */
const FIRINGS_SHOWN = 3;

export interface RunMessages {
  notice?: string;
  problem?: string;
  /** What the person typed in the month field, shown again beside its error. */
  monthTyped?: string;
  /** The warning `renewals run start` prints for a month reaching a provisional business calendar. */
  calendarWarning?: string;
}

function messages(m: RunMessages): Html {
  return html`${m.notice ? html`<p class="notice" role="status" id="notice">${m.notice}</p>` : ''}${m.problem ? html`<p class="error" role="alert" id="problem">${m.problem}</p>` : ''}`;
}

function stateName(state: string, words: Words): string {
  return words.runStates[state] ?? state;
}

function monthField(id: string, label: string, typed: string | undefined, invalid: boolean): Html {
  return html`<label for="${id}">${label}</label><input type="text" id="${id}" name="month" inputmode="numeric" placeholder="2026-07" maxlength="16" required${typed !== undefined ? html` value="${typed}"` : ''}${invalid ? html` aria-invalid="true" aria-describedby="problem"` : ''}>`;
}

function scheduleSection(schedule: MonthlySchedule | undefined | null, words: Words): Html {
  let body: Html;
  if (schedule === undefined) body = html`<p id="schedule-none">${words.scheduleNone}</p>`;
  else if (schedule === null) body = html`<p class="error" id="schedule-unavailable">${words.scheduleUnavailable}</p>`;
  else {
    const firings = schedule.nextRuns.slice(0, FIRINGS_SHOWN).map((at) => html`<li>${shanghaiTime(at)}</li>`);
    body = html`<dl>
    <dt>${words.scheduleWhen}</dt><dd id="schedule-when">${words.scheduleFires(schedule.dayOfMonth, schedule.hour, schedule.timeZone)}</dd>
    <dt>${words.scheduleLead}</dt><dd>${words.scheduleLeadMonths(schedule.leadMonths)}</dd>
    <dt>${words.schedulePaused}</dt><dd id="schedule-state">${words.scheduleStates[String(schedule.paused)] ?? String(schedule.paused)}</dd>
  </dl>
  <h3>${words.nextFirings}</h3>
  <ul id="schedule-next">${firings}</ul>`;
  }
  return html`<section class="card" aria-labelledby="schedule-heading"><h2 id="schedule-heading">${words.scheduleHeading}</h2>${body}</section>`;
}

export function runsPage(language: Language, session: ConsoleSession, overview: RunsOverview, showSchedule: boolean, m: RunMessages = {}): string {
  const words = wordsFor(language);
  const rows = overview.runs.map(
    (run) => html`<tr data-month="${run.month}">
      <th scope="row"><a href="/runs/${run.month}">${run.month}</a></th>
      <td data-state="${run.state}">${stateName(run.state, words)}</td>
      <td class="number">${run.found}</td>
      <td class="number">${run.started}</td>
      <td class="number">${run.existing}</td>
      <td class="number">${run.total}</td>
    </tr>`,
  );
  const invalid = m.problem !== undefined && m.monthTyped !== undefined;
  const start = mayRun(session.roles, RUN_START)
    ? html`<section class="card" aria-labelledby="start-heading">
  <h2 id="start-heading">${words.startHeading}</h2>
  <form method="post" action="/runs" id="start-run">
    <input type="hidden" name="csrf" value="${session.csrfToken}">
    ${monthField('start-month', words.monthField, m.monthTyped, invalid)}
    <div><button type="submit">${words.startRun}</button></div>
  </form>
</section>`
    : html`<section class="card" aria-labelledby="open-heading">
  <h2 id="open-heading">${words.openMonth}</h2>
  <form method="get" action="/runs/open" id="open-run">
    ${monthField('open-month', words.monthField, m.monthTyped, invalid)}
    <div><button type="submit">${words.openRun}</button></div>
  </form>
</section>`;
  const body = html`<section class="card" aria-labelledby="runs-heading">
  <h2 id="runs-heading">${words.monthlyRuns}</h2>
  ${messages(m)}
  <p class="muted">${words.runsIntro}</p>
  <table id="runs">
    <thead><tr><th scope="col">${words.runMonth}</th><th scope="col">${words.runState}</th><th scope="col" class="number">${words.premiumsFound}</th><th scope="col" class="number">${words.cyclesStarted}</th><th scope="col" class="number">${words.cyclesExisting}</th><th scope="col" class="number">${words.duePremiums}</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>
${start}
${showSchedule ? scheduleSection(overview.schedule, words) : ''}`;
  return layout({ language, csrfToken: session.csrfToken, path: '/runs', session }, words.monthlyRuns, body);
}

/** Pause and resume, each for the roles the table allows; the one that does not apply is hidden (the script swaps them). */
function controls(session: ConsoleSession, run: RunFigures, words: Words): Html | '' {
  if (run.state === 'not_started') {
    if (!mayRun(session.roles, RUN_START)) return '';
    return html`<form method="post" action="/runs" id="start-run"><input type="hidden" name="csrf" value="${session.csrfToken}"><input type="hidden" name="month" value="${run.month}"><button type="submit">${words.startRun}</button></form>`;
  }
  if (!isLive(run.state)) return '';
  const form = (action: 'pause' | 'resume', when: string, label: string) =>
    html`<form method="post" action="/runs/${run.month}/${action}" data-when="${when}"${run.state === when ? '' : html` hidden`}><input type="hidden" name="csrf" value="${session.csrfToken}"><button type="submit" id="run-${action}">${label}</button></form>`;
  const forms = [mayRun(session.roles, RUN_PAUSE) ? form('pause', 'running', words.pauseRun) : '', mayRun(session.roles, RUN_RESUME) ? form('resume', 'paused', words.resumeRun) : ''];
  return html`<div class="outcomes">${forms.filter((f): f is Html => f !== '')}</div>`;
}

export function runPage(language: Language, session: ConsoleSession, run: RunFigures, m: RunMessages = {}): string {
  const words = wordsFor(language);
  const live = isLive(run.state);
  const figure = (field: keyof RunFigures, label: string) => html`<dt>${label}</dt><dd id="run-${field}" data-field="${field}">${String(run[field])}</dd>`;
  const body = html`<p><a href="/runs">${words.backToRuns}</a></p>
<section class="card" aria-labelledby="run-heading">
  <h2 id="run-heading">${words.runHeading(run.month)}</h2>
  ${messages(m)}
  <div id="run-figures" aria-live="polite"${live ? html` data-progress="/runs/${run.month}/progress"` : ''}>
    <dl>
      <dt>${words.runState}</dt><dd id="run-state" data-field="stateName" data-state="${run.state}">${stateName(run.state, words)}</dd>
      ${figure('found', words.premiumsFound)}
      ${figure('started', words.cyclesStarted)}
      ${figure('existing', words.cyclesExisting)}
      ${figure('pages', words.runPages)}
      ${figure('total', words.duePremiums)}
    </dl>
    <progress id="run-bar" max="${Math.max(run.total, run.found, 1)}" value="${run.found}" aria-label="${words.premiumsFound}">${run.found}/${run.total}</progress>
  </div>
  ${live ? html`<p class="muted">${words.liveNote}</p>` : ''}
  ${m.calendarWarning ? html`<p class="muted" id="calendar-warning">${words.calendarWarning} <span lang="en">${m.calendarWarning}</span></p>` : ''}
  ${controls(session, run, words)}
</section>
${live ? html`<script src="/console.js" defer></script>` : ''}`;
  return layout({ language, csrfToken: session.csrfToken, path: `/runs/${run.month}`, session }, words.runHeading(run.month), body);
}
