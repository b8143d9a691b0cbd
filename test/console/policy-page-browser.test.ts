import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { consolePerson, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage } from '../support/console-browser';
import { consoleWithTemporal } from '../support/console-temporal';
import { dueIn, seedFundedPolicy, startCycleRig, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * The policy page in a real Chromium (as test/console/work-queue-browser.test.ts), against a running
 * cycle on the time-skipping server (docs/architecture.md#console): an operations lead signs in,
 * searches a policy by its number (the address bar never shows it), places a dispute hold by
 * keyboard, and the page and the cycle's status list it. Screenshots go to the git-ignored
 * screenshots/console/.
 */
const taskQueue = 'console-policy-browser';

let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ConsoleRig;
let browser: Browser | undefined;
let origin: string;
let lead: string;

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  lead = userRef(await consolePerson(rig.database.db, 'ops-zhou', ['operations_lead']));
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

describe('the policy page in Chromium', () => {
  it('an operations lead searches a policy, places a hold by keyboard and sees it listed', async () => {
    const { dueDate } = await dueIn(env, 20);
    const policy = await seedFundedPolicy(rig, { policyNo: 'P-PP-0001', holderIdNo: '320102198001015501', holderMobile: '13812345501', holderEmail: 'pp1@example.cn', accountNo: '6222020000000005501', nextDueDate: dueDate, preferredChannel: 'sms' });

    await rig.withWorker(async () => {
      const { handle } = await startRenewalCycle(env.client, { policyNo: policy.policyNo, dueDate }, taskQueue);
      await untilIdle(handle);

      browser = await launchChromium();
      const { page, problems } = await consolePage(browser);

      await signInByKeyboard(page, origin, 'ops-zhou');
      await Promise.all([page.waitForNavigation(), page.click('nav a[href="/policies"]')]);
      expect(new URL(page.url()).pathname).toBe('/policies');

      // By keyboard: the number into the focused field, Enter submits the search.
      await page.focus('#policy-no');
      await page.keyboard.type(policy.policyNo);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const found = new URL(page.url());
      expect(found.pathname).toMatch(/^\/policies\/\d+$/);
      expect(found.href).not.toContain(policy.policyNo);
      expect(await page.$eval('#policy-heading', (element) => element.textContent)).toBe(`保单 ${policy.policyNo}`);
      expect(await page.$eval('#policy-holder', (element) => element.textContent)).toBe('张**');
      expect(await page.$eval('#cycle-execution', (element) => element.textContent)).toBe('RUNNING');
      expect(await page.$eval('#cycle-holds', (element) => element.textContent)).toBe('无');
      expect(await page.$$('#timeline tbody tr')).not.toHaveLength(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'policy-page.png'), fullPage: true });

      // The hold kind chosen from the keyboard (the select takes the arrow keys), Tab to its button, Enter.
      await page.focus('#hold-kind');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      expect(await page.$eval('#hold-kind', (element) => (element as unknown as { value: string }).value)).toBe('dispute');
      await page.keyboard.press('Tab');
      expect(await page.evaluate("document.activeElement?.closest('form')?.dataset.action + ':' + document.activeElement?.tagName")).toBe('hold:BUTTON');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

      expect(new URL(page.url()).pathname).toBe(found.pathname);
      expect(new URL(page.url()).search).toBe('');
      expect(await page.$eval('#notice', (element) => element.textContent)).toBe('已设置暂停：争议。');
      expect(await page.$eval('#cycle-holds', (element) => element.textContent)).toBe('争议');
      expect(await page.$eval('#release-kind', (element) => (element as unknown as { value: string }).value)).toBe('dispute');
      await page.screenshot({ path: join(SCREENSHOTS, 'policy-held.png'), fullPage: true });

      expect(await handle.query(statusQuery)).toMatchObject({ holds: ['dispute'] });
      await untilIdle(handle);
      expect(await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'hold_placed' }).select('actor')).toEqual([{ actor: lead }]);
      expect(problems).toEqual([]);
      await page.close();
      await handle.terminate('test done');
    });
  });
});
