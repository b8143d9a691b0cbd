import { createPrivateKey, createPublicKey } from 'node:crypto';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import type { AlipayEnv } from '../../../config/online-payment';
import { formatYuan, yuanToFen } from '../../../domain/money';
import { beijingTimestamp, parseBeijingTimestamp, PaymentProviderError, PaymentVerifyError, type OnlineOrder, type PaymentProvider, type ProviderAnswer, type ProviderTransaction } from '../port';

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

/** A key as the SDK takes it: the base64 body alone (it writes the PEM armour itself, by type). */
const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

/**
 * Alipay's open API through the official SDK, alipay-sdk (docs/architecture.md#online-payment): a
 * mobile-site payment (alipay.trade.wap.pay) is the SDK's signed GET URL on the gateway, which the
 * payer's browser opens; a query (alipay.trade.query) is the SDK's exec with its answer's sign checked;
 * a notification is checked by checkNotifySignV2 (RSA2 over the decoded parameters but sign and sign_type).
 */
export class Alipay implements PaymentProvider {
  readonly name = 'alipay' as const;
  /** Alipay stops sending once it reads exactly `success`. */
  readonly received: ProviderAnswer = { status: 200, contentType: 'text/plain', body: 'success' };
  private readonly sdk: AlipaySdk;

  constructor(private readonly settings: AlipaySettings) {
    // Any PEM the operator holds (PKCS#1 or PKCS#8, SPKI) becomes the PKCS#8 / SPKI body the SDK expects.
    const privateKey = createPrivateKey(settings.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }).toString();
    const alipayPublicKey = createPublicKey(settings.alipayPublicKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    this.sdk = new AlipaySdk({
      appId: settings.appId,
      privateKey: pemBody(privateKey),
      keyType: 'PKCS8',
      alipayPublicKey: pemBody(alipayPublicKey),
      signType: 'RSA2',
      gateway: settings.gatewayUrl,
      timeout: settings.timeoutMs ?? 10_000,
      // Answers keep Alipay's own field names (out_trade_no, trade_status).
      camelcase: false,
    });
  }

  refused(status: number): ProviderAnswer {
    return { status, contentType: 'text/plain', body: 'fail' };
  }

  createOrder(order: OnlineOrder): Promise<{ payUrl: string }> {
    const payUrl = this.sdk.pageExec('alipay.trade.wap.pay', 'GET', {
      bizContent: {
        out_trade_no: order.outTradeNo,
        total_amount: formatYuan(order.amountFen),
        subject: order.description,
        product_code: 'QUICK_WAP_WAY',
        time_expire: beijingTimestamp(order.expiresAt),
      },
      notifyUrl: this.settings.notifyUrl,
      timestamp: this.timestamp(),
    });
    return Promise.resolve({ payUrl });
  }

  async queryOrder(outTradeNo: string): Promise<ProviderTransaction | undefined> {
    let answer: Record<string, unknown>;
    try {
      answer = await this.sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo }, timestamp: this.timestamp() }, { validateSign: true });
    } catch (error) {
      throw queryFailure(error);
    }
    if (answer.code === '40004' && answer.sub_code === 'ACQ.TRADE_NOT_EXIST') return undefined;
    if (answer.code !== '10000') throw new PaymentProviderError(`Alipay refused the query: ${JSON.stringify(answer.code)} ${JSON.stringify(answer.sub_code ?? '').slice(0, 60)}`);
    return this.transactionOf({ out_trade_no: answer.out_trade_no, trade_no: answer.trade_no, trade_status: answer.trade_status, total_amount: answer.total_amount, gmt_payment: answer.send_pay_date });
  }

  readNotification(_headers: Record<string, string | string[] | undefined>, body: string): ProviderTransaction {
    // URLSearchParams decodes once, so the SDK's V2 check (which does not decode again) is the right one.
    const params = Object.fromEntries(new URLSearchParams(body));
    if (!params.sign) throw new PaymentVerifyError('the notification carries no sign', true);
    if (params.sign_type !== undefined && params.sign_type !== 'RSA2') throw new PaymentVerifyError('sign_type must be RSA2', true);
    let believed: boolean;
    try {
      believed = this.sdk.checkNotifySignV2(params);
    } catch {
      believed = false;
    }
    if (!believed) throw new PaymentVerifyError('sign does not verify with the Alipay public key', true);
    if (params.app_id !== this.settings.appId) throw new PaymentVerifyError('the notification is for another app_id', false);
    return this.transactionOf(params);
  }

  /**
   * Beijing time, whatever the process's time zone: the SDK writes its own `timestamp` in local time,
   * which on a UTC server is eight hours off what the gateway expects.
   */
  private timestamp(): string {
    return beijingTimestamp(new Date());
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
}

/**
 * What went wrong with a query, without the SDK's message: that quotes the answer's text (which names
 * the buyer's masked account) and the signing string.
 */
function queryFailure(error: unknown): Error {
  if (!(error instanceof AlipayRequestError)) return new PaymentProviderError(`Alipay's query failed: ${error instanceof Error ? error.name : 'unknown'}`);
  if (error.message.startsWith('验签失败')) return new PaymentVerifyError('the gateway answer sign does not verify with the Alipay public key', true);
  const status = /^HTTP 请求错误, status: (\d{3})/.exec(error.message)?.[1];
  if (status) return new PaymentProviderError(`Alipay answered the query with HTTP ${status}`);
  if (error.message.startsWith('HttpClient Request error')) return new PaymentProviderError(`Alipay did not answer: ${error.cause instanceof Error ? error.cause.name : 'request error'}`);
  return new PaymentProviderError('Alipay answered the query with something that is not a query answer');
}
