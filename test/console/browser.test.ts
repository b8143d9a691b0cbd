import type { AddressInfo } from 'node:net';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../domain/civil-date';
import { firstDayOf, monthOf } from '../../domain/months';
import { CONSOLE_PASSWORD, consolePerson, consoleRig, type ConsoleRig } from '../support/console';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedReportOrganisation } from '../support/report-organisation';
import { launchChromium, consoleErrors } from '../support/console-browser';

/**
 * The console in a real Chromium (Debian's `chromium`, installed by .ci/run), driven by puppeteer-core
 * through its executable (docs/architecture.md#console): a collector signs in by keyboard, sees the
 * home page in Chinese with their scope, switches to English, signs out, and the back button does not
 * show the page again. No browser is no pass: the test fails.
 */

let t: TestDatabase;
let rig: ConsoleRig;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  t = await freshDatabase();
  const customer = await seedReportOrganisation(t.db);
  await t.db('policies').insert({ policy_no: 'B01', product_code: 'WL20', branch_code: '3201', channel: 'agency', agent_code: 'A001', holder_customer_id: customer, issue_date: '2020-01-01', payment_frequency: 'annual', premium_fen: 1, next_installment_no: 2, status: 'in_force' });
  await t.db('premium_dues').insert({ policy_no: 'B01', due_date: firstDayOf(monthOf(shanghaiDate(Date.now()))), installment_no: 7, amount_fen: 123456, status: 'paid' });
  await consolePerson(t.db, 'collector-chen', ['collector'], [{ kind: 'branch', value: '3201' }]);
  rig = await consoleRig(t.db);
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await rig?.app.close();
  await t?.drop();
});

describe('the console in Chromium', () => {
  it('a collector signs in, sees their scope in Chinese, switches to English, signs out, and Back does not show the page', async () => {
    // In the test, not in a hook, so a missing browser fails it rather than skipping it.
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems = consoleErrors(page);

    await page.goto(`${origin}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await page.$eval('html', (element) => element.lang)).toBe('zh-CN');

    // By keyboard: the login field has the focus, Tab reaches the password, Enter submits.
    // Autofocus takes effect once the page has settled: waited for, not raced (a busy machine types early).
    await page.waitForFunction("document.activeElement?.id === 'login'", { timeout: 10_000 });
    expect(await page.evaluate('document.activeElement?.id')).toBe('login');
    await page.keyboard.type('collector-chen');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('password');
    await page.keyboard.type(CONSOLE_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

    expect(new URL(page.url()).pathname).toBe('/');
    expect(page.url()).not.toContain('collector-chen');
    const chinese = await page.$eval('main', (element) => element.textContent ?? '');
    expect(chinese).toContain('范围');
    expect(await page.$eval('#scope', (element) => element.textContent)).toBe('branch:3201');
    expect(await page.$eval('tr[data-figure="paid"] td:last-child', (element) => element.textContent)).toBe('1234.56');
    // The style sheet loaded under the content security policy.
    expect(await page.evaluate("getComputedStyle(document.querySelector('header')).display")).toBe('flex');

    await page.select('#language', 'en');
    await Promise.all([page.waitForNavigation(), page.click('header form[action="/language"] button')]);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.$eval('html', (element) => element.lang)).toBe('en');
    expect(await page.$eval('main', (element) => element.textContent ?? '')).toContain('Scope');

    await Promise.all([page.waitForNavigation(), page.click('header form[action="/sign-out"] button')]);
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    await page.goBack();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    const after = await page.content();
    expect(after).not.toContain('id="scope"');
    expect(after).not.toContain('1234.56');
    expect(problems).toEqual([]);
    await page.close();
  });
});
