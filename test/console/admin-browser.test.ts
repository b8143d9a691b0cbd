import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { consolePerson, consoleRig, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage, textOf } from '../support/console-browser';
import { freshDatabase, type TestDatabase } from '../support/database';

/**
 * The administration pages in a real Chromium (as test/console/audit-page-browser.test.ts), on real
 * PostgreSQL (docs/architecture.md#console): an administrator creates a user by keyboard, reads the
 * initial password shown once, grants the user another role and revokes the first; the new user then
 * signs in with that password and sees the pages of the new role. The screenshots admin-users.png,
 * admin-user.png and admin-roles.png go to the git-ignored screenshots/console/.
 */
let t: TestDatabase;
let rig: ConsoleRig;
let browser: Browser | undefined;
let origin: string;
let adminRef: string;

beforeAll(async () => {
  t = await freshDatabase();
  adminRef = userRef(await consolePerson(t.db, 'admin-qian', ['administrator']));
  await consolePerson(t.db, 'collector-zheng', ['collector'], [{ kind: 'team', value: 'T01' }]);
  rig = await consoleRig(t.db);
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await rig?.app.close();
  await t?.drop();
});

/** Chooses an option of a focused select by keyboard: Home to the first, then ArrowDown until its value. */
async function chooseByKeyboard(page: Page, selector: string, value: string): Promise<void> {
  await page.focus(selector);
  const values = (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(`${selector} option`)})].map((option) => option.value)`)) as string[];
  const steps = values.indexOf(value);
  expect(steps, `${selector} has no option ${value}`).toBeGreaterThan(0);
  await page.keyboard.press('Home');
  for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
  expect(await page.evaluate(`document.querySelector(${JSON.stringify(selector)}).value`)).toBe(value);
}

describe('the administration pages in Chromium', () => {
  it('an administrator creates a user and changes its role by keyboard; the user signs in with the shown password', async () => {
    browser = await launchChromium();
    const { page, problems } = await consolePage(browser, 1200);
    const text = (selector: string) => textOf(page, selector);

    await signInByKeyboard(page, origin, 'admin-qian');
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/admin/users"]')]);
    expect(new URL(page.url()).pathname).toBe('/admin/users');

    // The new user's form, field by field by keyboard; Enter in a text field submits it.
    await page.focus('#new-login');
    await page.keyboard.type('li.na');
    await page.keyboard.press('Tab');
    await page.keyboard.type('李娜');
    await chooseByKeyboard(page, '#new-role', 'collector');
    await chooseByKeyboard(page, '#new-scope-kind', 'team');
    await page.focus('#new-scope-value');
    await page.keyboard.type('T01');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    expect(await text('#secret-heading')).toBe('用户 li.na 已创建');
    const password = String(await text('#one-time-secret'));
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(page.url()).not.toContain(password);

    await page.focus('#to-user');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/users\/\d+$/);
    expect(await text('#user-roles')).toBe('collector');
    expect(await text('#user-scopes')).toBe('team:T01');
    expect(await page.$('#one-time-secret')).toBeNull();

    // Grant operations_lead, then revoke collector with its own button.
    await chooseByKeyboard(page, '#grant-role', 'operations_lead');
    await page.focus('#grant-form button[type=submit]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await text('#notice')).toBe('已授予。');
    expect(await text('#user-roles')).toBe('collector, operations_lead');
    await page.focus('#role-revokes form:has(input[name=role][value=collector]) button');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await text('#notice')).toBe('已撤销。');
    expect(await text('#user-roles')).toBe('operations_lead');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-user.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click('a[href="/admin/users"][aria-current="page"]')]);
    expect(await text('tr[data-login="li.na"] td[data-field="roles"]')).toBe('operations_lead');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-users.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click('a[href="/admin/roles"]')]);
    expect(await text('tr[data-role="administrator"] th')).toContain('系统管理员');
    await page.screenshot({ path: join(SCREENSHOTS, 'admin-roles.png'), fullPage: true });

    // The new person, in a browser context of their own, signs in with the password shown once.
    const theirs = await browser.createBrowserContext();
    const them = await theirs.newPage();
    await them.goto(`${origin}/sign-in`);
    await them.focus('#login');
    await them.keyboard.type('li.na');
    await them.keyboard.press('Tab');
    await them.keyboard.type(password);
    await Promise.all([them.waitForNavigation(), them.keyboard.press('Enter')]);
    expect(new URL(them.url()).pathname).toBe('/');
    expect(await them.$('nav a[href="/runs"]')).not.toBeNull();
    expect(await them.$('nav a[href="/tasks"]')).not.toBeNull();
    expect(await them.$('nav a[href="/admin/users"]')).toBeNull();
    await theirs.close();

    const kinds = await t.db('audit_events').where({ actor: adminRef }).whereIn('kind', ['user_added', 'role_granted', 'role_revoked', 'scope_granted']).orderBy('seq').pluck('kind');
    expect(kinds).toEqual(['user_added', 'role_granted', 'scope_granted', 'role_granted', 'role_revoked']);
    expect(problems).toEqual([]);
  });
});
