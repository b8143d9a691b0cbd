import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMonthlyRun } from '../../db/repositories/monthly-runs';
import { shanghaiDate } from '../../domain/civil-date';
import { addMonths, monthOf } from '../../domain/months';
import { startDevServer } from '../../scripts/temporal-env';
import { monthlyRunWorkflowId } from '../../workflows/monthly-run-messages';
import { consolePerson, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage } from '../support/console-browser';
import { consoleForRuns, slowPagesWorker } from '../support/console-runs';
import { startCycleRig, type CycleRig } from '../support/cycle-rig';
import { MonthSeeder, until } from '../support/monthly-runs';

/**
 * The monthly runs in a real Chromium (as test/console/work-queue-browser.test.ts), on the Temporal
 * dev server (docs/architecture.md#console): an operations lead signs in, starts a month of a few
 * seeded policies by keyboard, watches the figures move without the page reloading (/console.js
 * polling the JSON progress), pauses the run and sees it paused. A worker slows each page of one
 * premium so there is time to watch. Screenshots go to the git-ignored screenshots/console/.
 */
const taskQueue = 'console-runs-browser';
const POLICIES = 8;

let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ConsoleRig;
let browser: Browser | undefined;
let origin: string;
let month: string;

beforeAll(async () => {
  env = (await startDevServer()).env;
  rig = await startCycleRig(env, taskQueue);
  month = addMonths(monthOf(shanghaiDate(Date.now())), 3);
  await new MonthSeeder(rig).seedMonth(month, POLICIES, 'CRB');
  await consolePerson(rig.database.db, 'ops-lead-wang', ['operations_lead']);
  console_ = await consoleForRuns(rig.database.db, env.client, { taskQueue, cycleTaskQueue: taskQueue, pageSize: 1, concurrency: 1 });
  await console_.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(console_.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await console_?.app.close();
  await rig?.close();
  await env?.teardown();
});

describe('the monthly runs in Chromium', () => {
  it('an operations lead starts a month, watches its progress move without reloading, pauses it and sees it paused', async () => {
    const worker = await slowPagesWorker(env, rig, taskQueue, 1_500);

    await worker.runUntil(async () => {
      browser = await launchChromium();
      const { page, problems } = await consolePage(browser);

      await signInByKeyboard(page, origin, 'ops-lead-wang');

      await Promise.all([page.waitForNavigation(), page.click('nav a[href="/runs"]')]);
      expect(new URL(page.url()).pathname).toBe('/runs');
      expect(await page.$$('#runs tbody tr')).toHaveLength(4);
      expect(await page.$eval('#schedule-none', (element) => element.textContent)).toBe('尚未安装月度排程（renewals schedule install）。');
      await page.screenshot({ path: join(SCREENSHOTS, 'runs.png'), fullPage: true });

      // By keyboard: the month field, Enter submits the start form.
      await page.focus('#start-month');
      await page.keyboard.type(month);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect(new URL(page.url()).pathname).toBe(`/runs/${month}`);
      expect(await page.$eval('#notice', (element) => element.textContent)).toBe(`已启动 ${month} 的月度批处理。`);
      expect(await page.evaluate("document.getElementById('run-figures').getAttribute('aria-live')")).toBe('polite');
      expect(await page.$eval('#run-total', (element) => element.textContent)).toBe(String(POLICIES));

      // A mark on this document: were the page reloaded, it would be gone.
      await page.evaluate('window.sameDocument = true');
      const found = async () => Number(await page.$eval('#run-found', (element) => element.textContent));
      await page.waitForFunction("Number(document.getElementById('run-found').textContent) >= 1", { timeout: 20_000 });
      const first = await found();
      await page.waitForFunction(`Number(document.getElementById('run-found').textContent) > ${first}`, { timeout: 20_000 });
      const second = await found();
      expect(second).toBeGreaterThan(first);
      expect(await page.evaluate('window.sameDocument')).toBe(true);
      expect(new URL(page.url()).pathname).toBe(`/runs/${month}`);
      expect(await page.$eval('#run-state', (element) => element.textContent)).toBe('运行中');
      expect(await page.$eval('#run-bar', (element) => (element as unknown as { value: number }).value)).toBe(second);
      await page.screenshot({ path: join(SCREENSHOTS, 'run-page.png'), fullPage: true });

      await Promise.all([page.waitForNavigation(), page.click('#run-pause')]);
      expect(await page.$eval('#notice', (element) => element.textContent)).toBe('已请求暂停：正在处理的一页完成后停止。');
      await page.waitForFunction("document.getElementById('run-state').dataset.state === 'paused'", { timeout: 20_000 });
      expect(await page.$eval('#run-state', (element) => element.textContent)).toBe('已暂停');
      expect(await page.$eval('form[data-when="paused"]', (element) => (element as unknown as { hidden: boolean }).hidden)).toBe(false);
      expect(await page.$eval('form[data-when="running"]', (element) => (element as unknown as { hidden: boolean }).hidden)).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, 'run-paused.png'), fullPage: true });

      const row = await until('run paused', () => findMonthlyRun(rig.database.db, month), (r) => r?.status === 'paused');
      expect(row!.started).toBeGreaterThanOrEqual(second);
      expect(row!.started).toBeLessThan(POLICIES);
      expect(problems).toEqual([]);
      await page.close();
      await env.client.workflow.getHandle(monthlyRunWorkflowId(month)).terminate('test done');
    });
  });
});
