import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { noticePayLinks, paymentLinkFor } from '../../application/payment-links';
import { buildPaymentLinkServer } from '../../application/payment-links-server';
import { checkOpenOrders } from '../../application/payment-links-sweep';
import { sendOperatorEvent } from '../../application/operator-events';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays } from '../../domain/civil-date';
import type { PolicyRecord } from '../../db/repositories/policies';
import { signNotification } from '../../integrations/payments/simulators/alipay-signing';
import type { Alipay } from '../../integrations/payments/alipay/alipay-client';
import { AlipaySimulator } from '../../integrations/payments/simulators/alipay-simulator';
import { DEMO_WECHATPAY_PLATFORM_KEY, DEMO_WECHATPAY_MERCHANT_KEY } from '../../integrations/payments/simulators/demo-keys';
import type { RunningPaymentSimulator } from '../../integrations/payments/simulators/sim-server';
import { simulatorProviders } from '../../integrations/payments/simulators/simulator-providers';
import { WECHATPAY_SIMULATOR_DEFAULTS, WechatPaySimulator } from '../../integrations/payments/simulators/wechatpay-simulator';
import { encryptResource, platformHeaders } from '../../integrations/payments/simulators/wechatpay-signing';
import type { WechatPay } from '../../integrations/payments/wechatpay/wechatpay-client';
import { startTimeSkippingServer } from '../../scripts/temporal-env';
import { statusQuery } from '../../workflows/messages';
import { actAs } from '../support/acting';
import { recordingCli } from '../support/cli';
import { dueIn, seedFundedPolicy, sleepUntil, startCycleRig, untilClosed, untilIdle, type CycleRig } from '../support/cycle-rig';

/**
 * Payment links end to end (docs/architecture.md#online-payment), against the time-skipping server,
 * real PostgreSQL and the WeChat Pay and Alipay simulators: link → hosted page → order → the
 * simulator pays → its signed notification → the cycle is paid; forged and tampered notifications
 * refused; a lost notification recovered by the query sweep; an expired link that shows nothing.
 */
const taskQueue = 'payment-links';
let env: TestWorkflowEnvironment;
let rig: CycleRig;
let server: FastifyInstance;
let base: string;
const wxSim = new WechatPaySimulator();
const aliSim = new AlipaySimulator();
const running: RunningPaymentSimulator[] = [];
const providers: { wechatpay?: WechatPay; alipay?: Alipay } = {};
let dueDate: string;
const printed: string[] = [];
const { json } = recordingCli(printed);

beforeAll(async () => {
  env = (await startTimeSkippingServer()).env;
  // Notices carry the premium's link once the page server is up (as the stack wires it).
  const linkBase: { url?: string } = {};
  rig = await startCycleRig(env, taskQueue, { payLinkFor: (id) => noticePayLinks(rig.database.db, () => linkBase.url)(id) });
  const [wx, ali] = [await wxSim.start(), await aliSim.start()];
  running.push(wx, ali);
  server = await buildPaymentLinkServer({ db: rig.database.db, client: env.client, providers, payOrigins: [wx.url, ali.url] });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  linkBase.url = base;
  Object.assign(providers, simulatorProviders({ wechatpay: wx.url, alipay: ali.url }, base));
  vi.stubEnv('DATABASE_URL', rig.database.url);
  vi.stubEnv('TEMPORAL_ADDRESS', env.address);
  vi.stubEnv('PAY_LINK_BASE_URL', base);
  vi.stubEnv('WECHATPAY_URL', wx.url);
  vi.stubEnv('ALIPAY_GATEWAY', `${ali.url}/gateway.do`);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await server?.close();
  for (const sim of running) await sim.close();
  await rig?.close();
  await env?.teardown();
});

/** A policy due 20 days after the server's clock (earlier tests move it on). */
async function seed(n: number): Promise<PolicyRecord> {
  dueDate = (await dueIn(env, 20)).dueDate;
  return seedFundedPolicy(rig, {
    policyNo: `P32010${n}0077`,
    holderName: `王${n}明`,
    holderIdNo: `32010219800101770${n}`,
    holderMobile: `1391234770${n}`,
    holderEmail: `pl${n}@example.cn`,
    accountNo: `622202000000000770${n}`,
    nextDueDate: dueDate,
    premiumFen: 123_456,
  });
}

async function premiumIdOf(policy: PolicyRecord): Promise<number> {
  const row = await rig.database.db('premium_dues').where({ policy_no: policy.policyNo, due_date: dueDate }).first<{ id: string }>('id');
  return Number(row.id);
}

/** Cycles for these policies, waiting in PRE_DUE ten days before the due date. */
async function cyclesFor(policies: PolicyRecord[]): Promise<WorkflowHandle[]> {
  const handles = await Promise.all(policies.map(async (p) => (await startRenewalCycle(env.client, { policyNo: p.policyNo, dueDate }, taskQueue)).handle));
  await sleepUntil(env, addDays(dueDate, -10), '12:30');
  await Promise.all(handles.map(untilIdle));
  return handles;
}

async function linkOf(policy: PolicyRecord) {
  return paymentLinkFor(rig.database.db, await premiumIdOf(policy), { baseUrl: base, actor: 'system:test' });
}

/** Presses a button on the hosted page: the redirect to the provider's cashier. */
async function press(url: string, provider: 'wechatpay' | 'alipay'): Promise<Response> {
  return fetch(`${url}/${provider}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
}

function expectNoPersonalData(text: string, policy: PolicyRecord): void {
  for (const value of [policy.policyNo, policy.holderName, policy.holderMobile, policy.holderIdNo, policy.holderEmail, policy.accountNo]) expect(text).not.toContain(value);
}

async function ordersOf(policy: PolicyRecord) {
  return rig.database.db('payment_orders').where({ premium_due_id: await premiumIdOf(policy) }).orderBy('id');
}

describe('payment links', () => {
  it('WeChat Pay: the page shows the masked policy and amount, the order pays through the simulator and the cycle is paid', async () => {
    const policy = await seed(1);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const link = await linkOf(policy);
      expect(link.url).toMatch(new RegExp(`^${base}/p/[A-Za-z0-9_-]{43}$`));
      expect((await linkOf(policy)).token).toBe(link.token);

      const page = await fetch(link.url);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*form-action 'self'/);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(html).toContain('P32010*0077');
      expect(html).toContain('¥1234.56');
      expect(html).toContain(dueDate);
      expect(html).not.toContain('<script');
      expectNoPersonalData(html, policy);

      const pressed = await press(link.url, 'wechatpay');
      expect(pressed.status).toBe(303);
      const payUrl = pressed.headers.get('location')!;
      expectNoPersonalData(payUrl, policy);
      const [order] = await ordersOf(policy);
      expect(order).toMatchObject({ provider: 'wechatpay', status: 'open', amount_fen: 123_456 });
      expect(wxSim.orders.get(order.out_trade_no)).toMatchObject({ amountFen: 123_456, description: '续期保费' });

      // The payer confirms at WeChat: the simulator notifies, the cycle takes the payment.
      expect(await (await fetch(payUrl)).text()).toContain('支付成功');
      expect(wxSim.notifications.map((n) => n.status)).toEqual([204]);
      await untilClosed(handle!);
      expect(await handle!.result()).toMatchObject({ stage: 'PAID', paidVia: 'online' });
      const settled = (await ordersOf(policy))[0];
      expect(settled).toMatchObject({ status: 'applied', transaction_id: wxSim.orders.get(order.out_trade_no)!.transactionId });
      const reported = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'payment_reported' }).first('actor', 'detail');
      expect(reported).toMatchObject({ actor: 'system:wechatpay', detail: { via: 'online', reference: settled.transaction_id } });
      // What `renewals policy show` reads: the premium paid online, and the payment with its reference.
      expect(await rig.database.db('premium_dues').where({ id: await premiumIdOf(policy) }).first('status', 'paid_via')).toEqual({ status: 'paid', paid_via: 'online' });
      expect(await rig.database.db('payments').where({ premium_due_id: await premiumIdOf(policy) }).select('via', 'reference')).toEqual([{ via: 'online', reference: settled.transaction_id }]);

      // The same notification again is answered as received and changes nothing.
      expect((await wxSim.notify(order.out_trade_no)).status).toBe(204);
      expect(await rig.database.db('payment_notifications').where({ out_trade_no: order.out_trade_no }).orderBy('id').pluck('outcome')).toEqual(['applied', 'duplicate']);

      // Settled: the link now shows the neutral page, the same as a link never issued.
      const after = await fetch(link.url);
      const unknown = await fetch(`${base}/p/${'A'.repeat(43)}`);
      expect(after.status).toBe(404);
      expect(await after.text()).toBe(await unknown.text());
    });
  });

  it('paid at the counter while the order was open: the online money goes to the suspense ledger with a refund task', async () => {
    const policy = await seed(5);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const link = await linkOf(policy);
      const payUrl = (await press(link.url, 'wechatpay')).headers.get('location')!;
      const counter = { kind: 'paymentReceived' as const, via: 'counter' as const, reference: 'RC-PL-5' };
      await sendOperatorEvent(rig.database.db, env.client, policy.policyNo, counter, 'user:7001', dueDate);
      await untilClosed(handle!);

      await fetch(payUrl);
      const [order] = await ordersOf(policy);
      expect(order).toMatchObject({ status: 'not_applied' });
      const entries = await rig.database.db('suspense_entries').where({ policy_no: policy.policyNo }).select('amount_fen', 'via', 'reason', 'recorded_by', 'task_id');
      expect(entries).toMatchObject([{ amount_fen: 123_456, via: 'online', reason: 'already_paid', recorded_by: 'system:wechatpay' }]);
      expect(await rig.database.db('tasks').where({ id: entries[0].task_id }).first('kind', 'status')).toEqual({ kind: 'payment_refund', status: 'open' });
    });
  });

  it("the reminder email carries the premium's payment link, which opens its page", async () => {
    const policy = await seed(6);
    const before = rig.smtp.messages.length;
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const mails = await Promise.all(rig.smtp.messages.slice(before).map((m) => simpleParser(m.raw)));
      const reminder = mails.find((m) => m.subject?.includes('续期保费提醒') && JSON.stringify(m.to).includes(policy.holderEmail!));
      expect(reminder, 'the D-30 reminder by email').toBeDefined();
      const url = new RegExp(`${base}/p/[A-Za-z0-9_-]{43}`).exec(reminder!.text ?? '')?.[0];
      expect(url).toBeDefined();
      expect((await linkOf(policy)).url).toBe(url);
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('¥1234.56');
      await handle!.terminate('test done');
    });
  });

  it('Alipay: wap.pay to the cashier, the signed notification is answered success and the cycle is paid', async () => {
    const policy = await seed(2);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const link = await linkOf(policy);
      const pressed = await press(link.url, 'alipay');
      expect(pressed.status).toBe(303);
      const payUrl = pressed.headers.get('location')!;
      expect(new URL(payUrl).searchParams.get('method')).toBe('alipay.trade.wap.pay');
      expectNoPersonalData(decodeURIComponent(payUrl), policy);
      const cashier = await (await fetch(payUrl)).text();
      const action = /action="([^"]+)"/.exec(cashier)![1]!;
      await fetch(new URL(action.replace(/&amp;/g, '&'), payUrl), { method: 'POST' });
      expect(aliSim.notifications.map((n) => [n.status, n.body])).toEqual([[200, 'success']]);
      await untilClosed(handle!);
      expect(await handle!.result()).toMatchObject({ stage: 'PAID', paidVia: 'online' });
      const [order] = await ordersOf(policy);
      expect(order).toMatchObject({ provider: 'alipay', status: 'applied' });
      const reported = await rig.database.db('audit_events').where({ policy_no: policy.policyNo, kind: 'payment_reported' }).first('actor');
      expect(reported).toMatchObject({ actor: 'system:alipay' });
    });
  });

  it('refuses forged and tampered notifications, records them, and pays nothing', async () => {
    const policy = await seed(3);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const link = await linkOf(policy);
      await press(link.url, 'wechatpay');
      await press(link.url, 'alipay');
      const [wxOrder, aliOrder] = await ordersOf(policy);
      const wx = WECHATPAY_SIMULATOR_DEFAULTS;
      const transaction = JSON.stringify({ appid: wx.appId, mchid: wx.mchId, out_trade_no: wxOrder.out_trade_no, transaction_id: '4200000000000000000000000001', trade_state: 'SUCCESS', success_time: new Date().toISOString(), amount: { total: 123_456 } });
      const notice = (resource: object) => JSON.stringify({ id: 'n1', event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource', resource });
      const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${base}${path}`, { method: 'POST', headers, body });

      // Signed with a key that is not the platform's (the merchant's own, here).
      const forgedBody = notice(encryptResource(transaction, wx.apiV3Key));
      const forged = await post('/notify/wechatpay', forgedBody, { 'content-type': 'application/json', ...platformHeaders(forgedBody, { serial: wx.platformSerial, privateKey: DEMO_WECHATPAY_MERCHANT_KEY }) });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ code: 'FAIL' });

      // Signed by the platform, but the ciphertext was altered on the way.
      const resource = encryptResource(transaction, wx.apiV3Key);
      const bytes = Buffer.from(resource.ciphertext, 'base64');
      bytes[10] = bytes[10]! ^ 0xff;
      const tamperedBody = notice({ ...resource, ciphertext: bytes.toString('base64') });
      const tampered = await post('/notify/wechatpay', tamperedBody, { 'content-type': 'application/json', ...platformHeaders(tamperedBody, { serial: wx.platformSerial, privateKey: DEMO_WECHATPAY_PLATFORM_KEY }) });
      expect(tampered.status).toBe(401);

      // An Alipay notification signed with the app's own key, not Alipay's.
      const aliForged = signNotification({ app_id: aliSim.settings.appId, out_trade_no: aliOrder.out_trade_no, trade_no: '2026120722001', trade_status: 'TRADE_SUCCESS', total_amount: '1234.56', gmt_payment: '2026-12-07 10:00:00' }, aliSim.settings.appPrivateKeyPem);
      const refusedAli = await post('/notify/alipay', new URLSearchParams(aliForged).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(refusedAli.status).toBe(401);
      expect(await refusedAli.text()).toBe('fail');

      // Signed by Alipay for 0.01 yuan, then the amount raised on the way.
      const aliSigned = new URLSearchParams(signNotification({ ...aliForged, total_amount: '0.01' }, aliSim.settings.alipayPrivateKeyPem)).toString();
      const aliTampered = await post('/notify/alipay', aliSigned.replace('total_amount=0.01', 'total_amount=1234.56'), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(aliTampered.status).toBe(401);

      const rejected = await rig.database.db('audit_events').where({ kind: 'payment_notification_rejected' }).orderBy('seq').select('actor', 'detail');
      expect(rejected.map((r) => [r.actor, (r.detail as { reason: string }).reason])).toEqual([
        ['system:wechatpay', 'authentication'],
        ['system:wechatpay', 'authentication'],
        ['system:alipay', 'authentication'],
        ['system:alipay', 'authentication'],
      ]);
      expect(JSON.stringify(rejected)).toMatch(/does not verify with the platform key.*does not decrypt.*does not verify with the Alipay public key.*does not verify with the Alipay public key/);
      expect(await rig.database.db('payment_notifications').where({ outcome: 'refused' }).count<{ count: string }[]>('* as count')).toEqual([{ count: 4 }]);
      expect((await ordersOf(policy)).map((o) => o.status)).toEqual(['open', 'open']);
      expect((await handle!.query(statusQuery)).stage).toBe('PRE_DUE');
      await handle!.terminate('test done');
    });
  });

  it('recovers a lost notification by querying the order', async () => {
    const policy = await seed(4);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      // Issued by the CLI this time.
      await actAs(rig.database.db, { roles: ['operations_lead'] });
      const link = await json<{ url: string; expiresAt: string }>('payments', 'links', 'create', '--policy', policy.policyNo);
      expect(link.url).toMatch(new RegExp(`^${base}/p/[A-Za-z0-9_-]{43}$`));
      expect(link.expiresAt).toBe(new Date(`${addDays(dueDate, 61)}T00:00:00+08:00`).toISOString());
      wxSim.loseNotifications(1);
      const payUrl = (await press(link.url, 'wechatpay')).headers.get('location')!;
      await fetch(payUrl);
      const [order] = await ordersOf(policy);
      expect(order.status).toBe('open');
      // Not yet old enough to ask about.
      expect(await checkOpenOrders(rig.database.db, env.client, providers, { olderThanMinutes: 10 })).toMatchObject({ asked: 0 });
      // `renewals payments links check`, signed in as operations: the query finds it paid and applies it.
      await actAs(rig.database.db, { roles: ['operations_lead'] });
      const swept = await json<{ asked: number; applied: number; failed: number }>('payments', 'links', 'check', '--older-than', '0');
      // The two orders of the forged-notification test are asked too, and stay open: nobody paid them.
      expect(swept).toEqual({ asked: 3, applied: 1, unpaid: 2, other: 0, failed: 0 });
      expectNoPersonalData(printed.join('\n'), policy);
      await untilClosed(handle!);
      expect(await handle!.result()).toMatchObject({ stage: 'PAID', paidVia: 'online' });
      expect((await ordersOf(policy))[0]).toMatchObject({ status: 'applied', transaction_id: wxSim.orders.get(order.out_trade_no)!.transactionId });
      // The notification arriving late changes nothing.
      expect((await wxSim.notify(order.out_trade_no)).status).toBe(204);
      expect(await rig.database.db('payment_notifications').where({ out_trade_no: order.out_trade_no }).pluck('outcome')).toEqual(['duplicate']);
    });
  });

  it('Alipay: a lost notification is recovered by alipay.trade.query through the SDK', async () => {
    const policy = await seed(7);
    await rig.withWorker(async () => {
      const [handle] = await cyclesFor([policy]);
      const link = await linkOf(policy);
      aliSim.loseNotifications(1);
      const payUrl = (await press(link.url, 'alipay')).headers.get('location')!;
      const action = /action="([^"]+)"/.exec(await (await fetch(payUrl)).text())![1]!;
      await fetch(new URL(action.replace(/&amp;/g, '&'), payUrl), { method: 'POST' });
      const [order] = await ordersOf(policy);
      expect(order.status).toBe('open');
      expect(aliSim.notifications.filter((n) => n.outTradeNo === order.out_trade_no)).toEqual([]);
      // The orders of the forged-notification test are asked too and stay open: nobody paid them.
      expect(await checkOpenOrders(rig.database.db, env.client, providers, { olderThanMinutes: 0 })).toMatchObject({ applied: 1, failed: 0 });
      await untilClosed(handle!);
      expect(await handle!.result()).toMatchObject({ stage: 'PAID', paidVia: 'online' });
      expect((await ordersOf(policy))[0]).toMatchObject({ status: 'applied', transaction_id: aliSim.trades.get(order.out_trade_no)!.tradeNo });
      // The notification arriving late changes nothing, and is answered success.
      expect((await aliSim.notify(order.out_trade_no)).body).toBe('success');
      expect(await rig.database.db('payment_notifications').where({ out_trade_no: order.out_trade_no }).pluck('outcome')).toEqual(['duplicate']);
    });
  });

  it('asks for what is still due: the premium less the payments not reversed', async () => {
    const policy = await seed(6);
    const premiumId = await premiumIdOf(policy);
    await rig.database.db('payments').insert([
      { premium_due_id: premiumId, amount_fen: 23_456, via: 'counter', reference: 'CT-PL-0001', received_at: new Date() },
      { premium_due_id: premiumId, amount_fen: 50_000, via: 'debit', reference: 'DB-PL-0001', received_at: new Date(), reversed_at: new Date() },
    ]);
    const link = await linkOf(policy);
    expect(await (await fetch(link.url)).text()).toContain('¥1000.00');
    expect((await press(link.url, 'alipay')).status).toBe(303);
    const [order] = await ordersOf(policy);
    expect(order).toMatchObject({ provider: 'alipay', amount_fen: 100_000 });
    expect(aliSim.trades.get(order.out_trade_no)).toBeUndefined(); // the cashier is not opened yet: wap.pay is the payer's browser
  });

  it('an expired link shows the neutral page and creates no order', async () => {
    const policy = await seed(5);
    const link = await linkOf(policy);
    expect((await fetch(link.url)).status).toBe(200);
    await rig.database.db('payment_links').where({ token: link.token }).update({ expires_at: new Date(Date.now() - 1000) });
    const page = await fetch(link.url);
    expect(page.status).toBe(404);
    const html = await page.text();
    expect(html).toContain('链接已失效');
    expect(html).toBe(await (await fetch(`${base}/p/not-a-token`)).text());
    expectNoPersonalData(html, policy);
    expect((await press(link.url, 'wechatpay')).status).toBe(404);
    expect(await ordersOf(policy)).toEqual([]);
    // A new link is issued for the premium still due.
    expect((await linkOf(policy)).token).not.toBe(link.token);
  });
});
