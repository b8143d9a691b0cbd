/**
 * The console's one script (docs/architecture.md#console), served as /console.js under
 * `script-src 'self'`: on a run's page it asks /runs/:month/progress every 2 s (same session cookie)
 * and writes the figures in place; without it the page shows the figures as served. Kept as text in a
 * TypeScript file so the project's lint and type check cover every file (the browser gets plain ES5).
 */
export const CONSOLE_SCRIPT = String.raw`(function () {
  'use strict';
  var box = document.getElementById('run-figures');
  var url = box && box.getAttribute('data-progress');
  if (!url) return;
  var EVERY_MS = 2000;

  function show(run) {
    Array.prototype.forEach.call(box.querySelectorAll('[data-field]'), function (element) {
      var value = run[element.getAttribute('data-field')];
      if (value !== undefined && element.textContent !== String(value)) element.textContent = String(value);
    });
    var state = document.getElementById('run-state');
    if (state) state.setAttribute('data-state', run.state);
    var bar = document.getElementById('run-bar');
    if (bar) {
      bar.max = Math.max(run.total, run.found, 1);
      bar.value = run.found;
    }
    // Pause shows while running, resume while paused; neither once the run is over.
    Array.prototype.forEach.call(document.querySelectorAll('form[data-when]'), function (form) {
      form.hidden = form.getAttribute('data-when') !== run.state;
    });
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (response) {
        // Signed out, session ended or no longer allowed: stop asking; a reload shows why.
        if (!response.ok) return null;
        return response.json();
      })
      .then(function (run) {
        if (!run) return;
        show(run);
        if (run.state === 'running' || run.state === 'paused') setTimeout(poll, EVERY_MS);
      })
      .catch(function () {
        // The network blinked: try again at the next tick.
        setTimeout(poll, EVERY_MS);
      });
  }

  setTimeout(poll, EVERY_MS);
})();
`;
