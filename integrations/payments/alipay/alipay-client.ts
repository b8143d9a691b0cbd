import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { AlipayEnv } from '../../../config/online-payment';
import { formatYuan, yuanToFen } from '../../../domain/money';
import { beijingTimestamp, parseBeijingTimestamp, PaymentProviderError, PaymentVerifyError, type OnlineOrder, type PaymentProvider, type ProviderAnswer, type ProviderTransaction } from '../port';
import { signRequest, verifiedAnswer, verifyNotification } from './rsa2';

export const ALIPAY_GATEWAY_URL = 'https://openapi.alipay.com/gateway.do';

/** The application's credentials as configured (config/online-payment.ts), with where to call and be called. */
export interface AlipaySettings extends Omit<AlipayEnv, 'gatewayUrl'> {
  /** https://openapi.alipay.com/gateway.do, or a simulator's gateway. */
  gatewayUrl: string;
  notifyUrl: string;
  timeoutMs?: number;
}

/** trade_status values that mean the money is ours. */
const PAID_STATES = ['TRADE_SUCCESS', 'TRADE_FINISHED'];

/**
 * Alipay's open API with RSA2, using node:crypto (docs/architecture.md#online-payment): a mobile-site
 * payment (alipay.trade.wap.pay) is a signed URL on the gateway that the payer's browser opens; a
 * query (alipay.trade.query) is a signed POST whose answer is verified.
 */
export class Alipay implements PaymentProvider {
  readonly name = 'alipay' as const;
  /** Alipay stops sending once it reads exactly `success`. */
  readonly received: ProviderAnswer = { status: 200, contentType: 'text/plain', body: 'success' };
  private readonly privateKey: KeyObject;
  private readonly alipayKey: KeyObject;

  constructor(private readonly settings: AlipaySettings) {
    this.privateKey = createPrivateKey(settings.privateKeyPem);
    this.alipayKey = createPublicKey(settings.alipayPublicKeyPem);
  }

  refused(status: number): ProviderAnswer {
    return { status, contentType: 'text/plain', body: 'fail' };
  }

  createOrder(order: OnlineOrder): Promise<{ payUrl: string }> {
    const params = this.signed('alipay.trade.wap.pay', {
      out_trade_no: order.outTradeNo,
      total_amount: formatYuan(order.amountFen),
      subject: order.description,
      product_code: 'QUICK_WAP_WAY',
      time_expire: beijingTimestamp(order.expiresAt),
    });
    return Promise.resolve({ payUrl: `${this.settings.gatewayUrl}?${new URLSearchParams(params).toString()}` });
  }

  async queryOrder(outTradeNo: string): Promise<ProviderTransaction | undefined> {
    const params = this.signed('alipay.trade.query', { out_trade_no: outTradeNo });
    let response: Response;
    try {
      response = await fetch(`${this.settings.gatewayUrl}?charset=utf-8`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new PaymentProviderError(`Alipay did not answer: ${(error as Error).name}`);
    }
    if (response.status !== 200) throw new PaymentProviderError(`Alipay answered the query with HTTP ${response.status}`);
    const answer = verifiedAnswer(await response.text(), 'alipay_trade_query_response', this.alipayKey);
    if (answer.code === '40004' && answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return undefined;
    if (answer.code !== '10000') throw new PaymentProviderError(`Alipay refused the query: ${JSON.stringify(answer.code)} ${JSON.stringify(answer.sub_code ?? '').slice(0, 60)}`);
    return this.transactionOf({ out_trade_no: answer.out_trade_no, trade_no: answer.trade_no, trade_status: answer.trade_status, total_amount: answer.total_amount, gmt_payment: answer.send_pay_date });
  }

  readNotification(_headers: Record<string, string | string[] | undefined>, body: string): ProviderTransaction {
    const params = Object.fromEntries(new URLSearchParams(body));
    verifyNotification(params, this.alipayKey);
    if (params.app_id !== this.settings.appId) throw new PaymentVerifyError('the notification is for another app_id', false);
    return this.transactionOf(params);
  }

  private transactionOf(t: Record<string, unknown>): ProviderTransaction {
    const str = (key: string) => {
      const value = t[key];
      return typeof value === 'string' ? value : undefined;
    };
    const outTradeNo = str('out_trade_no');
    const state = str('trade_status');
    if (!outTradeNo || !state) throw new PaymentVerifyError('the trade has no out_trade_no or trade_status', false);
    let amountFen: number;
    try {
      amountFen = yuanToFen(str('total_amount') ?? '');
    } catch {
      throw new PaymentVerifyError('the trade has no total_amount in yuan', false);
    }
    const paid = PAID_STATES.includes(state);
    const paidAt = parseBeijingTimestamp(str('gmt_payment') ?? '');
    if (paid && (!paidAt || !str('trade_no'))) throw new PaymentVerifyError('a paid trade needs trade_no and gmt_payment', false);
    return { outTradeNo, transactionId: str('trade_no') ?? '', paid, state, amountFen, ...(paid ? { paidAt } : {}) };
  }

  private signed(method: string, biz: Record<string, string>): Record<string, string> {
    return signRequest(
      {
        app_id: this.settings.appId,
        method,
        format: 'JSON',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: beijingTimestamp(new Date()),
        version: '1.0',
        ...(method === 'alipay.trade.wap.pay' ? { notify_url: this.settings.notifyUrl } : {}),
        biz_content: JSON.stringify(biz),
      },
      this.privateKey,
    );
  }
}
