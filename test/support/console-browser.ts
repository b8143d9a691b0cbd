import type { Page } from 'puppeteer-core';
import { expect } from 'vitest';
import { CONSOLE_PASSWORD } from './console';

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
