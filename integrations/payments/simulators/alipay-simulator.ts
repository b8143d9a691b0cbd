import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { formatYuan, yuanToFen } from '../../../domain/money';
import { beijingTimestamp } from '../port';
import { requestSigned, signedAnswer, signNotification } from './alipay-signing';
import { DEMO_ALIPAY_APP_KEY, DEMO_ALIPAY_PLATFORM_KEY } from './demo-keys';
import { cashierPage, serve, type RunningPaymentSimulator, type SentNotification, type SimRequest, type SimResponse } from './sim-server';

export const ALIPAY_SIMULATOR_DEFAULTS = {
  appId: '2021000000000001',
  appPrivateKeyPem: DEMO_ALIPAY_APP_KEY,
  alipayPrivateKeyPem: DEMO_ALIPAY_PLATFORM_KEY,
} as const;

export interface SimulatedAlipayTrade {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  notifyUrl: string;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS';
  tradeNo?: string;
  paidAt?: Date;
}

/**
 * Alipay's open API gateway as a merchant sees it: alipay.trade.wap.pay (the payer's browser opens the
 * signed URL and gets a cashier page), alipay.trade.query (a signed JSON answer) and the asynchronous
 * notification (a signed form, answered `success`), with its own key pair. Requests not signed with
 * the app's key are refused. Paying at the cashier (GET or POST /cashier/pay) sends the notification,
 * unless loseNotifications() says the next ones are lost.
 */
export class AlipaySimulator {
  readonly trades = new Map<string, SimulatedAlipayTrade>();
  readonly notifications: SentNotification[] = [];
  readonly settings = ALIPAY_SIMULATOR_DEFAULTS;
  private readonly appKey: KeyObject = createPublicKey(createPrivateKey(ALIPAY_SIMULATOR_DEFAULTS.appPrivateKeyPem));
  private readonly alipayKey: KeyObject = createPrivateKey(ALIPAY_SIMULATOR_DEFAULTS.alipayPrivateKeyPem);
  private lost = 0;
  /** When a payer pays: the wall clock, or a simulated month's clock (`npm run demo`). */
  paidClock: () => number = () => Date.now();

  /** Alipay's public key (PEM) a merchant verifies with. */
  get alipayPublicKeyPem(): string {
    return createPublicKey(this.alipayKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  loseNotifications(count: number): this {
    this.lost += count;
    return this;
  }

  start(port = 0): Promise<RunningPaymentSimulator> {
    return serve((request) => this.route(request), port);
  }

  /** Sends the notification of a paid trade (again). */
  async notify(outTradeNo: string): Promise<SentNotification> {
    const trade = this.trades.get(outTradeNo);
    if (!trade?.tradeNo || !trade.paidAt) throw new Error(`trade ${outTradeNo} is not paid at the simulator`);
    const params = signNotification(
      {
        notify_time: beijingTimestamp(new Date()),
        notify_type: 'trade_status_sync',
        notify_id: randomBytes(16).toString('hex'),
        app_id: this.settings.appId,
        charset: 'utf-8',
        version: '1.0',
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        trade_status: trade.status,
        total_amount: formatYuan(trade.amountFen),
        receipt_amount: formatYuan(trade.amountFen),
        subject: trade.subject,
        gmt_create: beijingTimestamp(trade.paidAt),
        gmt_payment: beijingTimestamp(trade.paidAt),
      },
      this.alipayKey,
    );
    const response = await fetch(trade.notifyUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(params).toString() });
    const sent = { outTradeNo, status: response.status, body: await response.text() };
    this.notifications.push(sent);
    return sent;
  }

  private async route(request: SimRequest): Promise<SimResponse> {
    if (request.url.pathname === '/cashier/pay') return this.pay(request.url.searchParams.get('out_trade_no') ?? '');
    if (request.url.pathname !== '/gateway.do') return { status: 404, body: '{}' };
    const params: Record<string, string> = Object.fromEntries(request.url.searchParams);
    if (request.method === 'POST') Object.assign(params, Object.fromEntries(new URLSearchParams(request.body)));
    if (params.app_id !== this.settings.appId || !requestSigned(params, this.appKey)) return this.error(params.method, '40002', 'isv.invalid-signature');
    // The gateway reads timestamp as Beijing time, 'yyyy-MM-dd HH:mm:ss'.
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(params.timestamp ?? '')) return this.error(params.method, '40002', 'isv.invalid-timestamp');
    let biz: Record<string, string>;
    try {
      biz = JSON.parse(params.biz_content ?? '') as Record<string, string>;
    } catch {
      return this.error(params.method, '40002', 'isv.invalid-biz-content');
    }
    if (params.method === 'alipay.trade.wap.pay') return this.cashier(params, biz);
    if (params.method === 'alipay.trade.query') return this.query(biz.out_trade_no ?? '');
    return this.error(params.method, '40002', 'isv.invalid-method');
  }

  private cashier(params: Record<string, string>, biz: Record<string, string>): SimResponse {
    let amountFen: number;
    try {
      amountFen = yuanToFen(biz.total_amount ?? '');
    } catch {
      return cashierPage('参数错误', 'total_amount');
    }
    if (!biz.out_trade_no || !biz.subject || !params.notify_url || biz.product_code !== 'QUICK_WAP_WAY') return cashierPage('参数错误', 'out_trade_no, subject, notify_url, product_code');
    const known = this.trades.get(biz.out_trade_no);
    if (known && known.amountFen !== amountFen) return cashierPage('交易信息被篡改', 'out_trade_no');
    const trade = known ?? { outTradeNo: biz.out_trade_no, amountFen, subject: biz.subject, notifyUrl: params.notify_url, status: 'WAIT_BUYER_PAY' as const };
    this.trades.set(trade.outTradeNo, trade);
    const action = `/cashier/pay?out_trade_no=${encodeURIComponent(trade.outTradeNo)}`;
    const body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>支付宝</title></head><body><p>${formatYuan(amountFen)} 元</p><form method="post" action="${action}"><button type="submit">确认付款</button></form></body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html;charset=utf-8' }, body };
  }

  private async pay(outTradeNo: string): Promise<SimResponse> {
    const trade = this.trades.get(outTradeNo);
    if (!trade) return cashierPage('交易不存在', '该交易不存在');
    if (trade.status === 'WAIT_BUYER_PAY') {
      trade.status = 'TRADE_SUCCESS';
      trade.tradeNo = `${beijingTimestamp(new Date()).replace(/\D/g, '').slice(0, 8)}2200${String(Math.floor(Math.random() * 1e16)).padStart(16, '0')}`;
      trade.paidAt = new Date(Math.floor(this.paidClock() / 1000) * 1000);
      if (this.lost > 0) this.lost -= 1;
      else await this.notify(outTradeNo).catch(() => undefined);
    }
    return cashierPage('支付成功', `已支付 ${formatYuan(trade.amountFen)} 元`);
  }

  private query(outTradeNo: string): SimResponse {
    const trade = this.trades.get(outTradeNo);
    const inner = trade
      ? {
          code: '10000',
          msg: 'Success',
          out_trade_no: trade.outTradeNo,
          trade_status: trade.status,
          total_amount: formatYuan(trade.amountFen),
          ...(trade.tradeNo && trade.paidAt ? { trade_no: trade.tradeNo, send_pay_date: beijingTimestamp(trade.paidAt), buyer_logon_id: 'fak***@example.cn' } : {}),
        }
      : { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在' };
    return this.signedAnswer('alipay.trade.query', inner);
  }

  private error(method: string | undefined, code: string, subCode: string): SimResponse {
    return this.signedAnswer(method ?? 'error', { code, msg: 'Invalid Arguments', sub_code: subCode });
  }

  private signedAnswer(method: string, inner: Record<string, unknown>): SimResponse {
    return { status: 200, body: signedAnswer(method, inner, this.alipayKey) };
  }
}
