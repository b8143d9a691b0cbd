import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, type Worker } from '@temporalio/worker';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestUnmask } from '../../application/audit-unmask';
import { userRef } from '../../application/identity';
import { startMonthlyRun } from '../../application/monthly-runs';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { findMonthlyRun } from '../../db/repositories/monthly-runs';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { addMonths, monthOf } from '../../domain/months';
import { isoWeekOf } from '../../domain/weeks';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { bundleRenewalWorkflows, createRenewalWorker } from '../../workers/renewal-worker';
import { consolePerson } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard } from '../support/console-browser';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilIdle, type CycleRig } from '../support/cycle-rig';
import { MonthSeeder } from '../support/monthly-runs';
import { applied, consoleOnServerClock, eventually, lapsingPolicy, type ServerClockConsole } from '../support/reinstatement-console';

/**
 * An accessibility check of every console page in a real Chromium (docs/architecture.md#console): axe-core
 * with the WCAG 2 A and AA rules and its best practices, run in each page as its role sees it (every
 * <details> opened), first in Chinese, then again after the language switch in English. Any serious or
 * critical violation fails the test, named by page, rule and element. axe is injected through
 * puppeteer's evaluate (DevTools), which the content security policy does not govern, so the console's
 * policy stays as production has it. A page the console gains is one line in PAGES.
 */
const taskQueue = 'console-accessibility';
/** WCAG 2.0, 2.1 and 2.2 at A and AA, and axe's best practices (landmarks, heading order), which seldom rate serious. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/** What the pages are opened on: numbers the setup learns. */
interface Seeded {
  task: number;
  premium: number;
  application: number;
  today: string;
  /** A user the administration pages open. */
  user: number;
}

/** A page, who opens it (undefined: no one signed in), its path, its status (200 unless given). */
interface ConsolePage {
  name: string;
  login?: string;
  path: (seeded: Seeded) => string;
  status?: number;
  /** An element the page must hold, so the state meant is the one checked. */
  shows?: string;
}

const PAGES: readonly ConsolePage[] = [
  { name: 'sign-in', path: () => '/sign-in' },
  { name: 'not found', path: () => '/no-such-page', status: 404 },
  { name: 'home (collector, scoped)', login: 'collector-chen', path: () => '/' },
  { name: 'home (operations lead, charts)', login: 'ops-lead-zhou', path: () => '/', shows: '#chart-curve svg' },
  { name: 'home (underwriter)', login: 'underwriter-li', path: () => '/' },
  { name: 'home (compliance)', login: 'compliance-zheng', path: () => '/' },
  { name: 'work queue', login: 'collector-chen', path: () => '/tasks', shows: '#queue' },
  { name: 'task', login: 'collector-chen', path: (s) => `/tasks/${s.task}`, shows: 'form[data-outcome="refused"]' },
  { name: 'forbidden', login: 'collector-chen', path: () => '/audit', status: 403 },
  { name: 'monthly runs', login: 'ops-lead-zhou', path: () => '/runs' },
  { name: 'monthly run (not started)', login: 'ops-lead-zhou', path: (s) => `/runs/${addMonths(monthOf(s.today), 1)}`, shows: '#start-run' },
  { name: 'monthly run (completed)', login: 'ops-lead-zhou', path: (s) => `/runs/${addMonths(monthOf(s.today), -1)}`, shows: '#run-state[data-state="completed"]' },
  { name: 'monthly run (running, live figures)', login: 'ops-lead-zhou', path: (s) => `/runs/${addMonths(monthOf(s.today), 2)}`, shows: '#run-figures[data-progress] ~ .outcomes #run-pause' },
  { name: 'policy search', login: 'ops-lead-zhou', path: () => '/policies' },
  { name: 'policy (operations lead: hold)', login: 'ops-lead-zhou', path: (s) => `/policies/${s.premium}`, shows: 'form[data-action="hold"]' },
  { name: 'policy (cashier: counter payment)', login: 'cashier-sun', path: (s) => `/policies/${s.premium}`, shows: 'form[data-action="pay"]' },
  { name: 'policy (collector: promise)', login: 'collector-chen', path: (s) => `/policies/${s.premium}`, shows: 'form[data-action="promise"]' },
  { name: 'reinstatement queue', login: 'underwriter-li', path: () => '/reinstatements', shows: '#reinstatements' },
  { name: 'reinstatement application', login: 'underwriter-li', path: (s) => `/reinstatements/${s.application}`, shows: 'form[data-decision="request_evidence"]' },
  { name: 'reports', login: 'ops-lead-zhou', path: () => '/reports' },
  { name: 'report daily', login: 'ops-lead-zhou', path: (s) => `/reports/daily?date=${s.today}` },
  { name: 'report weekly', login: 'ops-lead-zhou', path: (s) => `/reports/weekly?week=${isoWeekOf(s.today)}` },
  { name: 'report monthly', login: 'ops-lead-zhou', path: (s) => `/reports/monthly?month=${monthOf(s.today)}&asOf=${s.today}` },
  { name: 'report lapse-reasons', login: 'ops-lead-zhou', path: (s) => `/reports/lapse-reasons?month=${monthOf(s.today)}` },
  { name: 'report reinstatement', login: 'ops-lead-zhou', path: (s) => `/reports/reinstatement?from=${monthOf(s.today)}&to=${monthOf(s.today)}` },
  { name: 'report lapsed', login: 'ops-lead-zhou', path: () => '/reports/lapsed' },
  { name: 'report with a bad period', login: 'ops-lead-zhou', path: () => '/reports/monthly?month=2026-13', status: 400 },
  { name: 'audit', login: 'compliance-zheng', path: () => '/audit', shows: 'form[data-approve]' },
  { name: "a policy's story", login: 'compliance-zheng', path: (s) => `/audit/policies/${s.premium}`, shows: '#story' },
  { name: 'audit chain check', login: 'compliance-zheng', path: () => '/audit/verify' },
  { name: 'users', login: 'admin-qian', path: () => '/admin/users', shows: '#users' },
  { name: 'a user', login: 'admin-qian', path: (s) => `/admin/users/${s.user}`, shows: '#token-form' },
  { name: 'roles', login: 'admin-qian', path: () => '/admin/roles', shows: '#roles' },
];

interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe in the page; the findings of every impact. */
async function axeFindings(page: Page): Promise<Finding[]> {
  // Closed <details> (a chart's table, a call script's objections) are checked open, as a person opens them.
  await page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })");
  await page.evaluate(axe.source);
  return (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(AXE_TAGS)} }, resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact || 'unknown', help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as Finding[];
}

/** Holds a monthly run's page until its worker stops, heartbeating so the run neither times it out nor retries it. */
async function holdUntilCancelled(context: Context): Promise<never> {
  for (;;) {
    context.heartbeat();
    await sleep(5_000, undefined, { signal: context.cancellationSignal });
  }
}

let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ServerClockConsole;
let browser: Browser | undefined;
let origin: string;
let stopWorker: (() => void) | undefined;
let workerDone: Promise<void> | undefined;
let seeded: Seeded;
let runsWorker: Worker | undefined;
let runsWorkerDone: Promise<void> | undefined;
const runsQueue = `${taskQueue}-runs`;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  const db = rig.database.db;
  const wang = userRef(await consolePerson(db, 'underwriter-wang', ['underwriter']));
  await consolePerson(db, 'underwriter-li', ['underwriter']);
  const collector = await consolePerson(db, 'collector-chen', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await consolePerson(db, 'ops-lead-zhou', ['operations_lead']);
  await consolePerson(db, 'cashier-sun', ['cashier']);
  const wu = userRef(await consolePerson(db, 'compliance-wu', ['compliance']));
  await consolePerson(db, 'compliance-zheng', ['compliance']);
  await consolePerson(db, 'admin-qian', ['administrator']);
  workerDone = rig.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));

  // A lapsed policy with an application whose declaration Wang captured: Li may decide it.
  const lapsing = await dueIn(env, 5);
  await lapsingPolicy(rig, env, taskQueue, { policyNo: 'P-AX-0001', nextDueDate: lapsing.dueDate, holderIdNo: '320102198001019901', holderMobile: '13812349901', holderEmail: 'ax1@example.cn', accountNo: '6222020000000009901' });
  await sleepUntil(env, addDays(lapsing.dueDate, 62), '10:30');
  const application = await applied(db, env, 'P-AX-0001', wang, wang);

  // A running cycle with an open call task for the collector, a policy page and a story to show.
  const { dueDate } = await dueIn(env, 16);
  const policy = await seedFundedPolicy(rig, { policyNo: 'P-AX-0002', holderIdNo: '320102198001019902', holderMobile: '13812349902', holderEmail: 'ax2@example.cn', accountNo: '6222020000000009902', nextDueDate: dueDate, preferredChannel: 'sms' });
  const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
  await sleepUntil(env, addDays(dueDate, -15), '12:30');
  const task = await eventually(() => db('tasks').where({ policy_no: policy.policyNo, step: 'call_d-15', status: 'open' }).first<{ id: number } | undefined>('id'), (row) => row !== undefined, 'the call_d-15 task');
  await untilIdle(handle);
  const premium = await db('premium_dues').where({ policy_no: policy.policyNo, due_date: dueDate }).first<{ id: number }>('id');
  // Wu's request awaits a second officer: Zheng's audit page offers the approve form.
  await requestUnmask(db, { reason: '监管问询 2026-12', filter: { policyNo: policy.policyNo } }, wu);
  // Last month's run, over no premiums, completed: its page shows figures and no form.
  const lastMonth = addMonths(monthOf(shanghaiDate(Date.now())), -1);
  await startMonthlyRun(env.client, lastMonth, { taskQueue, cycleTaskQueue: taskQueue });
  await eventually(() => findMonthlyRun(db, lastMonth), (run) => run?.status === 'completed', `the run of ${lastMonth}`);
  // A run kept running: on its own worker whose first page waits until the worker stops, so its page is live.
  const liveMonth = addMonths(monthOf(shanghaiDate(Date.now())), 2);
  await new MonthSeeder(rig).seedMonth(liveMonth, 2, 'AXR');
  runsWorker = await createRenewalWorker(env.nativeConnection, { db, cipher: rig.cipher, bank: rig.bank, email: rig.email, text: rig.text }, {
    taskQueue: runsQueue,
    workflowBundle: await bundleRenewalWorkflows(new DefaultLogger('WARN')),
    interceptors: {
      activity: [(context) => ({ inbound: { execute: async (input, next) => (context.info.activityType === 'startCyclesPage' ? holdUntilCancelled(context) : next(input)) } })],
    },
  });
  runsWorkerDone = runsWorker.run();
  await startMonthlyRun(env.client, liveMonth, { taskQueue: runsQueue, cycleTaskQueue: taskQueue, pageSize: 1, concurrency: 1 });
  await eventually(() => findMonthlyRun(db, liveMonth), (run) => run?.status === 'running', `the run of ${liveMonth}`);

  console_ = await consoleOnServerClock(db, env);
  await console_.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(console_.app.server.address() as AddressInfo).port}`;
  seeded = { task: Number(task!.id), premium: Number(premium.id), application, today: shanghaiDate(Date.now()), user: collector };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await console_?.app.close();
  // Stopping cancels the held page, whose wait ends at once.
  runsWorker?.shutdown();
  await runsWorkerDone?.catch(() => undefined);
  stopWorker?.();
  await workerDone;
  await rig?.close();
  await env?.teardown();
});

/** Switches the page's language with the header's form, as a person would. */
async function switchLanguage(page: Page, language: string): Promise<void> {
  await page.select('#language', language);
  await Promise.all([page.waitForNavigation(), page.click('header form[action="/language"] button')]);
}

/** One browser context per person (and one signed out), signed in once. */
const pages = new Map<string, Page>();
async function pageOf(login: string | undefined): Promise<Page> {
  const key = login ?? '';
  const known = pages.get(key);
  if (known) return known;
  // Launched in a test, not in a hook, so a missing browser fails it rather than skipping it.
  browser ??= await launchChromium();
  const context: BrowserContext = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  if (login) await signInByKeyboard(page, origin, login);
  pages.set(key, page);
  return page;
}

/** The focused element's outline and its contrast with the background beside it. */
const FOCUS_RING = `(() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const rgb = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  const channel = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  // What shows just left of the element, where the ring is drawn: the first opaque background there.
  const box = element.getBoundingClientRect();
  const beside = document.elementsFromPoint(Math.max(0, box.left - 4), box.top + box.height / 2).find((node) => !element.contains(node));
  let around = [255, 255, 255];
  for (let node = beside; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { around = c; break; }
  }
  const a = luminance(rgb(style.outlineColor));
  const b = luminance(around);
  return { what: element.tagName + (element.id ? '#' + element.id : '') + ' ' + (element.textContent || '').trim().slice(0, 20), style: style.outlineStyle, width: parseFloat(style.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
})()`;

describe('accessibility of the console (axe, WCAG 2 A/AA)', () => {
  it('no page has a serious or critical violation, in Chinese or in English', async () => {
    const failures: string[] = [];
    const lesser: string[] = [];
    let checked = 0;
    for (const language of ['zh-CN', 'en']) {
      for (const entry of PAGES) {
        const page = await pageOf(entry.login);
        const path = entry.path(seeded);
        let response = await page.goto(`${origin}${path}`);
        // The English pass starts with each person's switch, made on the page it checks.
        if (language === 'en' && (await page.$eval('html', (element) => element.lang)) !== 'en') {
          await switchLanguage(page, 'en');
          response = await page.goto(`${origin}${path}`);
        }
        // The page meant, not a redirect or an error page in its place.
        expect(response?.status(), `${entry.name} in ${language}`).toBe(entry.status ?? 200);
        expect(new URL(page.url()).pathname, `${entry.name} in ${language}`).toBe(path.split('?')[0]);
        expect(await page.$eval('html', (element) => element.lang), `${entry.name} in ${language}`).toBe(language);
        if (entry.shows) expect(await page.$(entry.shows), `${entry.name} in ${language} shows ${entry.shows}`).not.toBeNull();
        for (const finding of await axeFindings(page)) {
          const line = `${entry.name} (${path}, ${language}): ${finding.impact} ${finding.id} — ${finding.help} — at ${finding.targets.join(' | ')}`;
          (FAILING_IMPACTS.has(finding.impact) ? failures : lesser).push(line);
        }
        checked++;
      }
    }
    // Moderate and minor findings do not fail the test; they are printed for the next person to look at.
    if (lesser.length > 0) console.info(`axe: ${lesser.length} moderate or minor finding(s):\n${lesser.join('\n')}`);
    expect(checked).toBe(PAGES.length * 2);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  // What axe does not look at: the focus ring as the keyboard moves (WCAG 2.4.7, 1.4.11) and reflow (1.4.10).
  it('every control the keyboard reaches shows a focus ring of 3:1, and home fits 320 px', async () => {
    const page = await pageOf('ops-lead-zhou');
    await page.goto(`${origin}/policies/${seeded.premium}`);
    const rings: { what: string; style: string; width: number; ratio: number }[] = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement === document.body')) as boolean) break;
      rings.push((await page.evaluate(FOCUS_RING)) as (typeof rings)[number]);
    }
    // The skip link, the header's switch and sign-out, the navigation, the page's links and forms.
    expect(rings.length).toBeGreaterThan(15);
    expect(rings.filter((ring) => ring.style === 'none' || ring.width < 2 || ring.ratio < 3)).toEqual([]);
    await page.focus('form[data-action="hold"] select');
    await page.keyboard.press('Tab');
    await page.screenshot({ path: join(SCREENSHOTS, 'focus-ring.png') });

    await page.setViewport({ width: 320, height: 800 });
    await page.goto(`${origin}/`);
    const overflowing = (await page.evaluate("['header', 'nav', 'nav ul'].filter((selector) => { const e = document.querySelector(selector); return e.scrollWidth > e.clientWidth; })")) as string[];
    expect(overflowing).toEqual([]);
    // Nothing on home is wider than the screen either (a long setting name in a chart's summary once was).
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    await page.screenshot({ path: join(SCREENSHOTS, 'home-320px.png'), fullPage: true });
    expect((await page.$$('nav a')).length).toBeGreaterThanOrEqual(4);
    await page.setViewport({ width: 1100, height: 900 });
  });
});
