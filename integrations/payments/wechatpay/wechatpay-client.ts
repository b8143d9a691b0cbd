import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Wechatpay as WechatpayClient } from 'wechatpay-axios-plugin';
import type { WechatPayEnv } from '../../../config/online-payment';
import { PaymentProviderError, PaymentVerifyError, type OnlineOrder, type PaymentProvider, type ProviderAnswer, type ProviderTransaction } from '../port';
import { decryptResource, platformSignatureOf, verifyPlatformSignature, type EncryptedResource } from './notification';

export const WECHATPAY_API_URL = 'https://api.mch.weixin.qq.com';

/** The merchant's credentials as configured (config/online-payment.ts), with where to call and be called. */
export interface WechatPaySettings extends Omit<WechatPayEnv, 'baseUrl'> {
  /** https://api.mch.weixin.qq.com, or a simulator's URL. */
  baseUrl: string;
  /** Where WeChat Pay sends notifications: https, no query string. */
  notifyUrl: string;
  timeoutMs?: number;
}

/** A transaction as WeChat Pay describes one (query answer, decrypted notification resource). */
interface WechatTransaction {
  appid?: string;
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  trade_state?: string;
  success_time?: string;
  amount?: { total?: number; payer_total?: number; currency?: string };
}

/**
 * WeChat Pay API v3, H5 payments, through wechatpay-axios-plugin (docs/architecture.md#online-payment):
 * an order is POST /v3/pay/transactions/h5 (answered with h5_url), a query GET
 * /v3/pay/transactions/out-trade-no/{no}. The plugin signs every request with the merchant key and
 * believes a 2xx answer only when the platform key we hold signed it within 5 minutes.
 */
export class WechatPay implements PaymentProvider {
  readonly name = 'wechatpay' as const;
  /** WeChat Pay takes 200 or 204 with no body as received. */
  readonly received: ProviderAnswer = { status: 204, contentType: 'application/json', body: '' };
  private readonly platformKey: KeyObject;
  private readonly client: WechatpayClient;

  constructor(private readonly settings: WechatPaySettings) {
    this.platformKey = createPublicKey(settings.platformPublicKeyPem);
    this.client = new WechatpayClient({
      mchid: settings.mchId,
      serial: settings.serialNo,
      privateKey: createPrivateKey(settings.privateKeyPem).export({ type: 'pkcs8', format: 'pem' }),
      // The platform key by its serial: a platform certificate's serial or a platform public key's ID.
      certs: { [settings.platformSerial]: this.platformKey },
      baseURL: `${settings.baseUrl.replace(/\/+$/, '')}/`,
      timeout: settings.timeoutMs ?? 10_000,
      headers: { 'User-Agent': 'renewals' },
    });
  }

  refused(status: number, reason: string): ProviderAnswer {
    return { status, contentType: 'application/json', body: JSON.stringify({ code: 'FAIL', message: reason.slice(0, 200) }) };
  }

  async createOrder(order: OnlineOrder): Promise<{ payUrl: string }> {
    const body = {
      appid: this.settings.appId,
      mchid: this.settings.mchId,
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: rfc3339Beijing(order.expiresAt),
      notify_url: this.settings.notifyUrl,
      amount: { total: order.amountFen, currency: 'CNY' },
      scene_info: { payer_client_ip: order.clientIp, h5_info: { type: 'Wap' } },
    };
    const answer = await this.call(() => this.client.chain('v3/pay/transactions/h5').post(body));
    if (answer.status !== 200) throw new PaymentProviderError(`WeChat Pay refused the order: HTTP ${answer.status} ${errorCode(answer.json)}`);
    const h5Url = (answer.json as { h5_url?: unknown }).h5_url;
    if (typeof h5Url !== 'string' || !/^https?:\/\//.test(h5Url)) throw new PaymentProviderError('WeChat Pay answered the order without an h5_url');
    return { payUrl: h5Url };
  }

  async queryOrder(outTradeNo: string): Promise<ProviderTransaction | undefined> {
    // The number goes in as the path's {out_trade_no}: a segment written in a property chain would be re-cased (PL… to -p-l…).
    const answer = await this.call(() => this.client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}').get({ params: { mchid: this.settings.mchId }, out_trade_no: encodeURIComponent(outTradeNo) }));
    if (answer.status === 404 && errorCode(answer.json) === 'ORDER_NOT_EXIST') return undefined;
    if (answer.status !== 200) throw new PaymentProviderError(`WeChat Pay refused the query: HTTP ${answer.status} ${errorCode(answer.json)}`);
    return this.transactionOf(answer.json as WechatTransaction);
  }

  readNotification(headers: Record<string, string | string[] | undefined>, body: string, now = Date.now()): ProviderTransaction {
    verifyPlatformSignature(body, platformSignatureOf(headers), { serial: this.settings.platformSerial, publicKey: this.platformKey }, now);
    let notice: { event_type?: unknown; resource?: EncryptedResource };
    try {
      notice = JSON.parse(body) as typeof notice;
    } catch {
      throw new PaymentVerifyError('the notification is not JSON', false);
    }
    if (!notice.resource || typeof notice.resource !== 'object') throw new PaymentVerifyError('the notification has no resource', false);
    let transaction: WechatTransaction;
    try {
      transaction = JSON.parse(decryptResource(notice.resource, this.settings.apiV3Key)) as WechatTransaction;
    } catch (error) {
      if (error instanceof PaymentVerifyError) throw error;
      throw new PaymentVerifyError('the decrypted resource is not JSON', false);
    }
    return this.transactionOf(transaction);
  }

  /** Checks a transaction is ours and reads it; a stranger's is refused as malformed. */
  private transactionOf(t: WechatTransaction): ProviderTransaction {
    if (t.mchid !== this.settings.mchId || t.appid !== this.settings.appId) throw new PaymentVerifyError('the transaction is for another merchant or app', false);
    if (typeof t.out_trade_no !== 'string' || typeof t.trade_state !== 'string') throw new PaymentVerifyError('the transaction has no out_trade_no or trade_state', false);
    const total = t.amount?.total;
    if (!Number.isSafeInteger(total) || (total as number) <= 0) throw new PaymentVerifyError('the transaction has no amount.total in fen', false);
    const paid = t.trade_state === 'SUCCESS';
    const paidAt = t.success_time ? new Date(t.success_time) : undefined;
    if (paid && (!paidAt || Number.isNaN(paidAt.getTime()) || typeof t.transaction_id !== 'string')) throw new PaymentVerifyError('a SUCCESS transaction needs transaction_id and success_time', false);
    return { outTradeNo: t.out_trade_no, transactionId: t.transaction_id ?? '', paid, state: t.trade_state, amountFen: total as number, ...(paid ? { paidAt } : {}) };
  }

  /**
   * The plugin's answer as status and JSON; its errors (which carry the request config, merchant key
   * included) are never passed on, only what they say.
   */
  private async call(request: () => Promise<{ status: number; data: unknown }>): Promise<{ status: number; json: unknown }> {
    try {
      const answer = await request();
      return { status: answer.status, json: answer.data ?? {} };
    } catch (error) {
      const failure = error as { code?: unknown; name?: unknown; response?: { status?: unknown; data?: unknown } };
      const code = typeof failure.code === 'string' ? failure.code : '';
      // The plugin's own refusal of a 2xx answer: headers missing, stale, unknown serial, bad signature.
      if (code.startsWith('EV3_RES_')) throw new PaymentVerifyError(`the answer is not believed: ${code.replace(/[^A-Z0-9_]/g, '')}`, true);
      if (typeof failure.response?.status === 'number') return { status: failure.response.status, json: failure.response.data ?? {} };
      throw new PaymentProviderError(`WeChat Pay did not answer: ${code.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40) || 'request error'}`);
    }
  }
}

function errorCode(json: unknown): string {
  const code = (json as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code.replace(/[^A-Z_]/g, '').slice(0, 40) : '';
}

/** 2026-12-07T23:59:59+08:00: WeChat Pay's time format. */
function rfc3339Beijing(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}
