import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkOidcIdentity } from '../../application/identity';
import { consolePerson, consoleRig, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS } from '../support/console-browser';
import { freshDatabase, type TestDatabase } from '../support/database';
import { PUBLIC_CLIENT_ID, startOidcProvider, type TestOidcProvider } from '../support/oidc-provider';

/**
 * The company-account sign-in in a real Chromium (docs/architecture.md#console): the person clicks the
 * button, types their subject at the test identity provider's own page and lands on the console home
 * signed in as the linked user; an unlinked subject lands on the sign-in page with the reason. The
 * console is opened as http://localhost:<port> and the provider is at 127.0.0.1, two sites, so the
 * provider's redirect back is cross-site as in production and SameSite cookies behave as they would.
 */
const LINKED = '7c1d9e-collector-browser';
const UNLINKED = '9e8d7c-nobody-browser';

let t: TestDatabase;
let provider: TestOidcProvider;
let rig: ConsoleRig;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  t = await freshDatabase();
  provider = await startOidcProvider('', { loginForm: true });
  await consolePerson(t.db, 'collector-browser', ['collector'], [{ kind: 'branch', value: '3201' }]);
  await linkOidcIdentity(t.db, 'test:setup', 'collector-browser', { issuer: provider.issuer, subject: LINKED });
  // No CONSOLE_PUBLIC_URL: in the demo the redirect URI is the request's own host.
  rig = await consoleRig(t.db, { oidc: { issuer: provider.issuer, clientId: PUBLIC_CLIENT_ID, redirectPort: 0, timeoutMs: 20_000 } });
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://localhost:${(rig.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await rig?.app.close();
  await provider?.close();
  await t?.drop();
});

/** From the console's sign-in page through the provider's login page, as `subject`. */
async function signInWithCompanyAccount(page: Page, subject: string, screenshot?: string): Promise<void> {
  await page.goto(`${origin}/sign-in`);
  const button = await page.$eval('#company-account', (element) => element.textContent);
  expect(button).toBe('使用企业账号登录');
  if (screenshot) await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click('#company-account')]);
  expect(new URL(page.url()).origin).toBe(provider.issuer);
  await page.waitForSelector('#subject');
  await page.type('#subject', subject);
  // The provider's redirects, the console's callback and its onward page: wait for where it ends.
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  await page.waitForFunction(`location.origin === ${JSON.stringify(origin)} && ['/', '/sign-in'].includes(location.pathname) && document.readyState === 'complete' && document.querySelector('main h2') !== null`, { timeout: 20_000 });
}

describe('company-account sign-in in Chromium', () => {
  it('a linked person lands on the home page signed in; an unlinked one on the sign-in page with the reason', async () => {
    // In the test, not in a hook, so a missing browser fails it rather than skipping it.
    browser = await launchChromium();
    const page = await browser.newPage();
    // Errors on the console's pages; the provider's own (it has no favicon) are not ours.
    const problems: string[] = [];
    const watch = (watched: Page) =>
      watched.on('console', (message) => {
        const at = message.location().url ?? '';
        if (message.type() === 'error' && !at.startsWith(provider.issuer)) problems.push(`${message.text()} at ${new URL(at).pathname}`);
      });
    watch(page);

    await signInWithCompanyAccount(page, LINKED, 'sign-in-oidc.png');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.$eval('#who', (element) => element.textContent)).toContain('collector-browser');
    expect(await page.$eval('#scope', (element) => element.textContent)).toBe('branch:3201');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-oidc-home.png'), fullPage: true });
    await page.close();

    // A fresh browser profile, so the provider has no session and asks again.
    const other = await browser.createBrowserContext();
    const stranger = await other.newPage();
    watch(stranger);
    await signInWithCompanyAccount(stranger, UNLINKED);
    expect(new URL(stranger.url()).pathname).toBe('/sign-in');
    expect(new URL(stranger.url()).search).toBe('');
    expect(await stranger.$eval('main [role="alert"]', (element) => element.textContent)).toContain('此企业账号尚未关联控制台用户');
    expect(await stranger.$('#who')).toBeNull();
    await stranger.screenshot({ path: join(SCREENSHOTS, 'sign-in-oidc-unlinked.png'), fullPage: true });
    await other.close();

    const logs = rig.lines.join('');
    expect(logs).not.toContain(LINKED);
    expect(logs).not.toContain(UNLINKED);
    // The refusal itself answers 401 (Chromium reports the status of the page); nothing else failed.
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized) at /sign-in/oidc/callback']);
  });
});
