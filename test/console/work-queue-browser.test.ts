import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { consolePerson, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage } from '../support/console-browser';
import { consoleWithTemporal } from '../support/console-temporal';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';

/**
 * The work queue in a real Chromium (as test/console/browser.test.ts), against a running cycle on the
 * time-skipping server (docs/architecture.md#console): a collector signs in, opens the queue and the
 * task, records a promise with a date by keyboard, and the cycle's status query shows it; the task is
 * closed and the queue no longer lists it. Screenshots go to the git-ignored screenshots/console/.
 */
const taskQueue = 'console-queue-browser';

let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ConsoleRig;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  await consolePerson(rig.database.db, 'collector-chen', ['collector'], [{ kind: 'branch', value: '3201' }]);
  console_ = await consoleWithTemporal(rig.database.db, env.client);
  await console_.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(console_.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await console_?.app.close();
  await rig?.close();
  await env?.teardown();
});

describe('the work queue in Chromium', () => {
  it('a collector records a promise from the task page; the cycle holds it, the task closes and leaves the queue', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-WQ-0001', holderIdNo: '320102198001018801', holderMobile: '13812348801', holderEmail: 'wq1@example.cn', accountNo: '6222020000000008801', nextDueDate: dueDate, preferredChannel: 'sms' });

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await sleepUntil(env, addDays(dueDate, -15), '12:30');
      const task = await rig.database.db('tasks').where({ policy_no: policy.policyNo, step: 'call_d-15', status: 'open' }).first<{ id: number } | undefined>('id');
      expect(task, 'the cycle opened no call_d-15 task').toBeDefined();
      const id = Number(task!.id);

      browser = await launchChromium();
      const { page, problems } = await consolePage(browser);

      await signInByKeyboard(page, origin, 'collector-chen');

      await Promise.all([page.waitForNavigation(), page.click('nav a[href="/tasks"]')]);
      expect(new URL(page.url()).pathname).toBe('/tasks');
      expect(await page.$$('#queue tbody tr')).toHaveLength(1);
      const cells = (await page.evaluate("[...document.querySelectorAll('#queue tbody td')].map((td) => td.textContent.trim())")) as string[];
      expect(cells).toEqual([`#${id}`, 'call_d-15', policy.policyNo, expect.any(String), expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/), '运营']);
      await page.screenshot({ path: join(SCREENSHOTS, 'work-queue.png'), fullPage: true });

      await Promise.all([page.waitForNavigation(), page.click(`a[href="/tasks/${id}"]`)]);
      expect(new URL(page.url()).pathname).toBe(`/tasks/${id}`);
      expect(await page.$eval('#cycle-stage', (element) => element.textContent)).toBe('PRE_DUE');
      expect(await page.$eval('#contact-mobile', (element) => element.textContent)).toBe('138****8801 (有效)');
      expect(await page.$eval('main', (element) => element.textContent ?? '')).toContain('缴费前提醒电话（高额保单）');
      await page.screenshot({ path: join(SCREENSHOTS, 'task-page.png'), fullPage: true });

      // By keyboard: the date field, then Tab to its own button, Enter submits that form.
      const promised = addDays(dueDate, -2);
      await page.focus('#promised-date');
      await page.$eval('#promised-date', (element, value) => ((element as unknown as { value: string }).value = value), promised);
      // Chromium's date field takes Tab between its own parts (year, month, day) before leaving it.
      for (let i = 0; i < 4 && (await page.evaluate('document.activeElement?.id')) === 'promised-date'; i++) await page.keyboard.press('Tab');
      expect(await page.evaluate("document.activeElement?.closest('form')?.dataset.outcome + ':' + document.activeElement?.tagName")).toBe('promised:BUTTON');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

      expect(new URL(page.url()).pathname).toBe('/tasks');
      expect(new URL(page.url()).search).toBe('');
      expect(await page.$eval('#notice', (element) => element.textContent)).toBe(`任务 #${id} 已记录结果：承诺缴费。`);
      expect(await page.$('#queue')).toBeNull();
      expect(await page.$eval('#queue-empty', (element) => element.textContent)).toBe('您的范围内没有待办任务。');

      expect(await handle.query(statusQuery)).toMatchObject({ promiseUntil: promised });
      expect(await rig.database.db('tasks').where({ id }).first('status', 'outcome_code')).toEqual({ status: 'done', outcome_code: 'promised' });
      // The task page, opened again, shows the cycle holding the promise and offers no outcome.
      await page.goto(`${origin}/tasks/${id}`);
      expect(await page.$eval('#cycle-promise', (element) => element.textContent)).toBe(promised);
      expect(await page.$('form[data-outcome]')).toBeNull();
      expect(problems).toEqual([]);
      await page.close();
      await handle.terminate('test done');
    });
  });
});
