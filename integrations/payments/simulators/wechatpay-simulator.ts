import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { rsaVerify } from '../rsa-sha256';
import { encryptResource, parseAuthorization, platformHeaders, requestMessage } from './wechatpay-signing';
import { WECHATPAY_TIMESTAMP_WINDOW_S } from '../wechatpay/notification';
import { DEMO_WECHATPAY_MERCHANT_KEY, DEMO_WECHATPAY_PLATFORM_KEY } from './demo-keys';
import { cashierPage, serve, type RunningPaymentSimulator, type SentNotification, type SimRequest, type SimResponse } from './sim-server';

export const WECHATPAY_SIMULATOR_DEFAULTS = {
  mchId: '1900000109',
  appId: 'wxd678efh567hg6787',
  merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  platformSerial: 'PUB_KEY_ID_0119000001092026120700000001',
  apiV3Key: 'demo-apiv3-key-0123456789abcdefg',
  merchantPrivateKeyPem: DEMO_WECHATPAY_MERCHANT_KEY,
  platformPrivateKeyPem: DEMO_WECHATPAY_PLATFORM_KEY,
} as const;

export interface SimulatedWechatOrder {
  outTradeNo: string;
  prepayId: string;
  amountFen: number;
  description: string;
  notifyUrl: string;
  state: 'NOTPAY' | 'SUCCESS';
  transactionId?: string;
  successTime?: string;
}

/**
 * WeChat Pay API v3 as a merchant sees it (H5 orders, queries by out_trade_no, signed notifications),
 * with its own platform key pair. A request is taken only when signed with the merchant's key; every
 * answer and notification is signed as WeChat Pay signs. Visiting an order's h5_url (GET or POST) pays
 * it and sends the notification, unless loseNotifications() says the next ones are lost.
 */
export class WechatPaySimulator {
  readonly orders = new Map<string, SimulatedWechatOrder>();
  readonly notifications: SentNotification[] = [];
  readonly settings = WECHATPAY_SIMULATOR_DEFAULTS;
  private readonly merchantKey: KeyObject = createPublicKey(createPrivateKey(WECHATPAY_SIMULATOR_DEFAULTS.merchantPrivateKeyPem));
  private readonly platformKey: KeyObject = createPrivateKey(WECHATPAY_SIMULATOR_DEFAULTS.platformPrivateKeyPem);
  private lost = 0;
  private running?: RunningPaymentSimulator;
  /** When a payer pays: the wall clock, or a simulated month's clock (`npm run demo`). */
  paidClock: () => number = () => Date.now();

  /** The platform public key (PEM) a merchant verifies with. */
  get platformPublicKeyPem(): string {
    return createPublicKey(this.platformKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The next `count` notifications are lost on the way (the order is paid all the same). */
  loseNotifications(count: number): this {
    this.lost += count;
    return this;
  }

  async start(port = 0): Promise<RunningPaymentSimulator> {
    this.running = await serve((request, base) => this.route(request, base), port);
    return this.running;
  }

  /** Sends the notification of a paid order again (WeChat Pay repeats until answered). */
  async notify(outTradeNo: string): Promise<SentNotification> {
    const order = this.orders.get(outTradeNo);
    if (!order || order.state !== 'SUCCESS') throw new Error(`order ${outTradeNo} is not paid at the simulator`);
    const body = JSON.stringify({
      id: randomBytes(16).toString('hex'),
      create_time: order.successTime,
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: encryptResource(JSON.stringify(this.transaction(order)), this.settings.apiV3Key),
    });
    const response = await fetch(order.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...platformHeaders(body, { serial: this.settings.platformSerial, privateKey: this.platformKey }) }, body });
    const sent = { outTradeNo, status: response.status, body: await response.text() };
    this.notifications.push(sent);
    return sent;
  }

  private async route(request: SimRequest, base: string): Promise<SimResponse> {
    const path = request.url.pathname;
    if (path === '/h5/pay') return this.pay(request.url.searchParams.get('prepay_id') ?? '');
    if (!this.authorised(request)) return this.answer(401, { code: 'SIGN_ERROR', message: '签名错误' });
    if (request.method === 'POST' && path === '/v3/pay/transactions/h5') return this.createOrder(request.body, base);
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && query) {
      if (request.url.searchParams.get('mchid') !== this.settings.mchId) return this.answer(400, { code: 'PARAM_ERROR', message: 'mchid' });
      const order = this.orders.get(decodeURIComponent(query[1]!));
      return order ? this.answer(200, this.transaction(order)) : this.answer(404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    }
    return this.answer(404, { code: 'NOT_FOUND', message: 'no such API' });
  }

  private authorised(request: SimRequest): boolean {
    const auth = parseAuthorization(request.headers.authorization);
    if (!auth || auth.mchid !== this.settings.mchId || auth.serial_no !== this.settings.merchantSerial) return false;
    if (!auth.timestamp || Math.abs(Number(auth.timestamp) - Date.now() / 1000) > WECHATPAY_TIMESTAMP_WINDOW_S) return false;
    const message = requestMessage({ method: request.method, url: `${request.url.pathname}${request.url.search}`, body: request.body }, auth.timestamp, auth.nonce_str ?? '');
    return rsaVerify(message, auth.signature ?? '', this.merchantKey);
  }

  private createOrder(body: string, base: string): SimResponse {
    let order: { appid?: string; mchid?: string; description?: string; out_trade_no?: string; notify_url?: string; amount?: { total?: number } };
    try {
      order = JSON.parse(body) as typeof order;
    } catch {
      return this.answer(400, { code: 'PARAM_ERROR', message: 'body is not JSON' });
    }
    const total = order.amount?.total;
    if (order.appid !== this.settings.appId || order.mchid !== this.settings.mchId) return this.answer(400, { code: 'APPID_MCHID_NOT_MATCH', message: 'appid和mch_id不匹配' });
    if (!order.out_trade_no || !order.notify_url || !order.description || !Number.isSafeInteger(total) || (total as number) <= 0) {
      return this.answer(400, { code: 'PARAM_ERROR', message: '参数错误' });
    }
    const known = this.orders.get(order.out_trade_no);
    if (known && known.amountFen !== total) return this.answer(400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    const placed = known ?? { outTradeNo: order.out_trade_no, prepayId: `wx${randomBytes(14).toString('hex')}`, amountFen: total as number, description: order.description, notifyUrl: order.notify_url, state: 'NOTPAY' as const };
    this.orders.set(placed.outTradeNo, placed);
    return this.answer(200, { h5_url: `${base}/h5/pay?prepay_id=${placed.prepayId}` });
  }

  private async pay(prepayId: string): Promise<SimResponse> {
    const order = [...this.orders.values()].find((o) => o.prepayId === prepayId);
    if (!order) return cashierPage('订单不存在', '该订单不存在或已关闭');
    if (order.state === 'NOTPAY') {
      order.state = 'SUCCESS';
      order.transactionId = `4200${Date.now()}${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`.slice(0, 28);
      order.successTime = `${new Date(this.paidClock() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
      if (this.lost > 0) this.lost -= 1;
      else await this.notify(order.outTradeNo).catch(() => undefined);
    }
    return cashierPage('支付成功', `已支付 ${(order.amountFen / 100).toFixed(2)} 元`);
  }

  private transaction(order: SimulatedWechatOrder): Record<string, unknown> {
    return {
      appid: this.settings.appId,
      mchid: this.settings.mchId,
      out_trade_no: order.outTradeNo,
      trade_type: 'MWEB',
      trade_state: order.state,
      trade_state_desc: order.state === 'SUCCESS' ? '支付成功' : '订单未支付',
      amount: { total: order.amountFen, payer_total: order.state === 'SUCCESS' ? order.amountFen : 0, currency: 'CNY', payer_currency: 'CNY' },
      ...(order.transactionId ? { transaction_id: order.transactionId, bank_type: 'OTHERS', success_time: order.successTime, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } : {}),
    };
  }

  private answer(status: number, json: unknown): SimResponse {
    const body = JSON.stringify(json);
    return { status, headers: platformHeaders(body, { serial: this.settings.platformSerial, privateKey: this.platformKey }), body };
  }
}
