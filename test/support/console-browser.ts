import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { CONSOLE_PASSWORD } from './console';

/** Where browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = join(__dirname, '..', '..', 'screenshots', 'console');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Debian's Chromium, headless and in zh-CN, with the screenshots folder ready. No browser is a
 * failure that says how to get one, never a skipped test.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'] });
}

/**
 * Signs in by keyboard as a person would: login, Tab, password, Enter; the home page follows. The
 * field has autofocus; it is focused here too, so a busy machine never types before it took effect.
 */
export async function signInByKeyboard(page: Page, origin: string, login: string): Promise<void> {
  await page.goto(`${origin}/sign-in`);
  await page.focus('#login');
  await page.keyboard.type(login);
  await page.keyboard.press('Tab');
  await page.keyboard.type(CONSOLE_PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  expect(new URL(page.url()).pathname).toBe('/');
}

/** The errors the page writes to its console, collected as they come: a page under test should write none. */
export function consoleErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  return problems;
}

/** A new page `width` pixels wide, with the errors its console writes collected (see consoleErrors). */
export async function consolePage(browser: Browser | BrowserContext, width = 1100): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  return { page, problems: consoleErrors(page) };
}

/** The trimmed text of the first element the selector finds (undefined when none). */
export function textOf(page: Page, selector: string): Promise<unknown> {
  return page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent.trim()`);
}
