import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRig, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage } from '../support/console-browser';
import { freshDatabase, type TestDatabase } from '../support/database';
import { seedReportsConsole } from '../support/reports-console';

/**
 * The reports page and the home page's charts in a real Chromium (as the other console browser tests),
 * on real PostgreSQL with the rows of test/support/reports-console.ts (docs/architecture.md#console): an
 * operations lead signs in, sees the charts on home, opens reports, picks a month by keyboard and sees
 * its collection curve. No page may break the content security policy (Chromium reports each breach
 * as a console error). Screenshots go to the git-ignored screenshots/console/.
 */

let t: TestDatabase;
let rig: ConsoleRig;
let browser: Browser | undefined;
let origin: string;

beforeAll(async () => {
  t = await freshDatabase();
  await seedReportsConsole(t.db);
  // Targets as an insurer sets them (CONSOLE_COLLECTION_TARGETS=85,92,95), so the screenshot shows them.
  rig = await consoleRig(t.db, { collectionTargets: { due_month: 85, next_month: 92, grace_end_month: 95 } });
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.app.close();
  await t?.drop();
});

describe('the reports page in Chromium', () => {
  it('an operations lead sees the six home charts, opens reports, picks a month by keyboard and sees its curve', async () => {
    browser = await launchChromium();
    const { page, problems } = await consolePage(browser);

    await signInByKeyboard(page, origin, 'ops-lead');
    for (const id of ['chart-collection', 'chart-curve', 'chart-debits', 'chart-debit-banks', 'chart-contacts', 'chart-task-ages']) {
      const size = (await page.evaluate(
        `(() => { const svg = document.querySelector('#${id} svg'); const box = svg.getBoundingClientRect(); return { width: box.width, height: box.height, texts: svg.querySelectorAll('text').length, label: svg.getAttribute('aria-labelledby') }; })()`,
      )) as { width: number; height: number; texts: number; label: string };
      expect(size.width, id).toBeGreaterThan(300);
      expect(size.height, id).toBeGreaterThan(150);
      expect(size.texts, id).toBeGreaterThan(3);
      expect(size.label, id).toBe(`${id}-summary`);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'home-charts.png'), fullPage: true });
    await (await page.$('#chart-collection'))!.screenshot({ path: join(SCREENSHOTS, 'home-collection-chart.png') });

    // To the reports by keyboard: Tab from the top of the page to the nav link, Enter.
    await page.focus('.skip');
    for (let i = 0; i < 20 && (await page.evaluate('document.activeElement?.getAttribute("href")')) !== '/reports'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('报表');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toBe('/reports');
    await page.screenshot({ path: join(SCREENSHOTS, 'reports.png'), fullPage: true });

    // The monthly report's form: the month typed, the as-of day, Enter.
    await page.focus('#monthly-month');
    await page.keyboard.type('2026-01');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2026-03-31');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    const url = new URL(page.url());
    expect(url.pathname).toBe('/reports/monthly');
    expect(url.search).toBe('?month=2026-01&asOf=2026-03-31');
    expect(await page.$eval('#report-title', (element) => element.textContent)).toBe('续期收费月报 Monthly renewal collection report 2026-01');
    const curve = (await page.evaluate("(() => { const svg = document.querySelector('#chart-curve svg'); return { width: svg.getBoundingClientRect().width, paths: svg.querySelectorAll('path').length }; })()")) as { width: number; paths: number };
    expect(curve.width).toBeGreaterThan(300);
    expect(curve.paths).toBeGreaterThan(5);
    const firstRow = (await page.evaluate("[...document.querySelectorAll('#section-collection tbody tr:first-child > *')].map((cell) => cell.textContent)")) as string[];
    expect(firstRow).toEqual(['当月 end of due month', '2026-01-31', 'yes', '3', '1', '33.33%', '6000.00', '1000.00', '16.67%']);
    await (await page.$('#chart-curve'))!.screenshot({ path: join(SCREENSHOTS, 'report-curve.png') });
    // The chart's table opens by keyboard too.
    await page.focus('#chart-curve summary');
    await page.keyboard.press('Enter');
    expect(await page.evaluate("document.querySelector('#chart-curve details').open")).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-monthly.png'), fullPage: true });
    const downloads = (await page.evaluate("[...document.querySelectorAll('#downloads a')].map((link) => link.getAttribute('href'))")) as string[];
    expect(downloads).toEqual(['/reports/monthly.xlsx?month=2026-01&asOf=2026-03-31', '/reports/monthly.csv?month=2026-01&asOf=2026-03-31']);

    expect(problems).toEqual([]);
  });
});
