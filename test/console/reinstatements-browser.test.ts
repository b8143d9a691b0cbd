import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { addDays } from '../../domain/civil-date';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { reinstatementStatusQuery } from '../../workflows/reinstatement-messages';
import { consolePerson } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard } from '../support/console-browser';
import { dueIn, sleepUntil, startCycleRig, type CycleRig } from '../support/cycle-rig';
import { applied, consoleOnServerClock, lapsingPolicy, type ServerClockConsole } from '../support/reinstatement-console';

/**
 * The reinstatement pages in a real Chromium (as test/console/work-queue-browser.test.ts), against a
 * running application on the time-skipping server (docs/architecture.md#console): the underwriter who
 * captured the declaration tries to approve and is refused on the page; a second underwriter approves
 * by keyboard and the application reads approved. Screenshots go to the git-ignored screenshots/console/.
 */
const taskQueue = 'console-reinstatements-browser';

let env: TestWorkflowEnvironment;
let rig: CycleRig;
let console_: ServerClockConsole;
let browser: Browser | undefined;
let origin: string;
let stopWorker: (() => void) | undefined;
let workerDone: Promise<void> | undefined;
let applicationId: number;
const refs: Record<string, string> = {};

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  rig = await startCycleRig(env, taskQueue);
  const db = rig.database.db;
  refs.wang = userRef(await consolePerson(db, 'underwriter-wang', ['underwriter']));
  refs.li = userRef(await consolePerson(db, 'underwriter-li', ['underwriter']));
  workerDone = rig.withWorker(() => new Promise<void>((resolve) => (stopWorker = resolve)));
  const { dueDate } = await dueIn(env, 5);
  await lapsingPolicy(rig, env, taskQueue, { policyNo: 'P-RB-0001', nextDueDate: dueDate, holderIdNo: '320102198001016701', holderMobile: '13812346701', holderEmail: 'rb1@example.cn', accountNo: '6222020000000006701' });
  await sleepUntil(env, addDays(dueDate, 62), '10:30');
  // Underwriter Wang takes the application at the counter and captures the declaration.
  applicationId = await applied(db, env, 'P-RB-0001', refs.wang, refs.wang);
  console_ = await consoleOnServerClock(db, env);
  await console_.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(console_.app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await console_?.app.close();
  stopWorker?.();
  await workerDone;
  await rig?.close();
  await env?.teardown();
});

/** Focuses the approve button by keyboard (Tab from the heading) and presses Enter. */
async function approveByKeyboard(page: Page): Promise<void> {
  await page.focus('#application-heading');
  for (let i = 0; i < 60 && (await page.evaluate("document.activeElement?.closest('form')?.dataset.decision + ':' + document.activeElement?.tagName")) !== 'approve:BUTTON'; i++) await page.keyboard.press('Tab');
  expect(await page.evaluate("document.activeElement?.closest('form')?.dataset.decision + ':' + document.activeElement?.tagName")).toBe('approve:BUTTON');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

describe('the reinstatement pages in Chromium', () => {
  it('four-eyes: the underwriter who captured the declaration is refused on the page; a second underwriter approves', async () => {
    browser = await launchChromium();
    const problems: string[] = [];

    const wang = await browser.createBrowserContext();
    const page = await wang.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await signInByKeyboard(page, origin, 'underwriter-wang');
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/reinstatements"]')]);
    expect(new URL(page.url()).pathname).toBe('/reinstatements');
    const cells = (await page.evaluate("[...document.querySelectorAll('#reinstatements tbody td')].map((td) => td.textContent.trim())")) as string[];
    expect(cells).toEqual([`#${applicationId}`, 'P-RB-0001', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), '审核中', `已录入（${refs.wang}）`, '无', '批准后报价']);
    await page.screenshot({ path: join(SCREENSHOTS, 'reinstatements.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click(`a[href="/reinstatements/${applicationId}"]`)]);
    expect(await page.$eval('#application-declaration', (element) => element.textContent)).toBe(`已录入（${refs.wang}）`);
    await page.screenshot({ path: join(SCREENSHOTS, 'reinstatement-application.png'), fullPage: true });
    await approveByKeyboard(page);
    expect(new URL(page.url()).pathname).toBe(`/reinstatements/${applicationId}/decision`);
    expect(await page.$eval('#problem', (element) => element.textContent)).toContain('四眼原则：受理申请或录入健康声明的人不能批准此申请');
    expect(await page.$eval('#application-status', (element) => element.textContent)).toBe('审核中');
    await page.screenshot({ path: join(SCREENSHOTS, 'reinstatement-four-eyes.png'), fullPage: true });

    const li = await browser.createBrowserContext();
    const second = await li.newPage();
    await second.setViewport({ width: 1100, height: 900 });
    second.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await signInByKeyboard(second, origin, 'underwriter-li');
    await second.goto(`${origin}/reinstatements/${applicationId}`);
    await approveByKeyboard(second);
    expect(new URL(second.url()).pathname).toBe('/reinstatements');
    expect(await second.$eval('#notice', (element) => element.textContent)).toBe(`复效申请 #${applicationId} 已记录：批准。`);
    const after = (await second.evaluate("[...document.querySelectorAll('#reinstatements tbody td')].map((td) => td.textContent.trim())")) as string[];
    expect(after[3]).toBe('已批准');
    expect(after[6]).toMatch(/^[\d,]+\.\d{2}（保费 [\d,]+\.\d{2} \+ 利息 [\d,]+\.\d{2}）$/);
    await second.screenshot({ path: join(SCREENSHOTS, 'reinstatements-approved.png'), fullPage: true });

    await second.goto(`${origin}/reinstatements/${applicationId}`);
    expect(await second.$eval('#application-status', (element) => element.textContent)).toBe('已批准');
    expect(await second.$eval('#application-decided-by', (element) => element.textContent)).toBe(refs.li);
    expect(await second.$('form[data-decision]')).toBeNull();
    const row = await rig.database.db('reinstatement_applications').where({ id: applicationId }).first<{ workflow_id: string }>('workflow_id');
    expect(await env.client.workflow.getHandle(row.workflow_id).query(reinstatementStatusQuery)).toMatchObject({ status: 'approved', signedBy: { declaration: refs.wang, decided: refs.li } });
    // Chromium reports the refused approval's 409 as a failed load; nothing else went wrong.
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
  });
});
