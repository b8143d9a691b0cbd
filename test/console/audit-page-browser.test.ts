import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userRef } from '../../application/identity';
import { PiiCipher } from '../../db/pii-cipher';
import { appendAudit } from '../../db/repositories/audit';
import { consolePerson, consoleRig, type ConsoleRig } from '../support/console';
import { launchChromium, SCREENSHOTS, signInByKeyboard, consolePage, textOf } from '../support/console-browser';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The audit page in a real Chromium (as test/console/work-queue-browser.test.ts), on real PostgreSQL
 * (docs/architecture.md#console): a compliance officer finds a policy's story by keyboard and requests
 * an unmasked export; the page offers them no approval of their own; a second officer approves it by
 * keyboard, then checks the chain. Screenshots go to the git-ignored screenshots/console/.
 */
const POLICY = samplePolicy({ policyNo: 'AB-0001', holderIdNo: '320102198001013301', holderMobile: '13812343301', holderEmail: 'ab1@example.cn', accountNo: '6222020000000003301' });

let t: TestDatabase;
let rig: ConsoleRig;
let browser: Browser | undefined;
let origin: string;
const refs: Record<string, string> = {};

beforeAll(async () => {
  t = await freshDatabase();
  await seedPolicy(t.db, new PiiCipher('33'.repeat(32)), POLICY);
  const workflowId = `renewal-${POLICY.policyNo}-${POLICY.nextDueDate}`;
  await appendAudit(t.db, { actor: 'renewal-cycle', policyNo: POLICY.policyNo, dueDate: POLICY.nextDueDate, workflowId, runId: 'run-1', activityId: '1', kind: 'cycle_opened', detail: { plan: 'standard-60@2' } });
  await appendAudit(t.db, { actor: 'renewal-cycle', policyNo: POLICY.policyNo, dueDate: POLICY.nextDueDate, workflowId, runId: 'run-1', activityId: '2', kind: 'stage_changed', detail: { stage: 'GRACE' } });
  refs.wu = userRef(await consolePerson(t.db, 'compliance-wu', ['compliance']));
  refs.zheng = userRef(await consolePerson(t.db, 'compliance-zheng', ['compliance']));
  rig = await consoleRig(t.db);
  await rig.app.listen({ host: '127.0.0.1', port: 0 });
  origin = `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await rig?.app.close();
  await t?.drop();
});

describe('the audit page in Chromium', () => {
  it('one officer requests an unmasked export, a second approves it, and the chain check shows its head', async () => {
    browser = await launchChromium();
    const { page, problems } = await consolePage(browser);
    const text = (selector: string) => textOf(page, selector);

    await signInByKeyboard(page, origin, 'compliance-wu');
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/audit"]')]);
    await page.focus('#audit-policy-no');
    await page.keyboard.type(POLICY.policyNo);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toMatch(/^\/audit\/policies\/\d+$/);
    expect(page.url()).not.toContain(POLICY.policyNo);
    expect(await page.evaluate("[...document.querySelectorAll('#story tbody tr')].map((row) => row.dataset.kind)")).toEqual(['cycle_opened', 'stage_changed']);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-story.png'), fullPage: true });

    // The reason typed, Tab to the request's button, Enter.
    await page.focus('#unmask-reason');
    await page.keyboard.type('监管问询 2026-12');
    await page.keyboard.press('Tab');
    expect(await page.evaluate("document.activeElement?.closest('form')?.id + ':' + document.activeElement?.tagName")).toBe('unmask-request:BUTTON');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toBe('/audit');
    const id = Number((await t.db('audit_unmask_requests').first<{ id: number }>('id')).id);
    expect(await text('#notice')).toBe(`未脱敏导出申请 #${id} 已提交，等待另一位合规人员批准。`);
    expect(await page.$(`form[data-approve="${id}"]`)).toBeNull();
    expect(await text(`tr[data-request="${id}"] td:last-child`)).toBe('本人申请，须由另一位合规人员批准');
    await page.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });

    await Promise.all([page.waitForNavigation(), page.click('header form[action="/sign-out"] button')]);
    await signInByKeyboard(page, origin, 'compliance-zheng');
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/audit"]')]);
    await page.focus(`form[data-approve="${id}"] button`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await text('#notice')).toBe(`未脱敏导出申请 #${id} 已批准：申请人可用 renewals audit export --unmasked --request ${id} 生成文件。`);
    expect(await page.evaluate(`document.querySelector('tr[data-request="${id}"] td[data-status]').dataset.status`)).toBe('approved');
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-approved.png'), fullPage: true });
    expect(await t.db('audit_unmask_requests').where({ id }).first('requested_by', 'approved_by')).toEqual({ requested_by: refs.wu, approved_by: refs.zheng });

    await Promise.all([page.waitForNavigation(), page.click('#verify-link')]);
    expect(await text('#chain-result')).toBe('审计链完整');
    expect(await text('#chain-head')).toMatch(/^\d+:[0-9a-f]{64}$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'audit-verify.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
