import { randomBytes } from 'node:crypto';
import { encryptWechatMessage, wechatMessageSignature, wechatSignature } from '../wechat/message-crypto';
import { HttpSimulator, json, type ReceiptRequest, type SimAnswer, type SimRequest, type SimulatedMessage, type SimulatorOptions } from './http-simulator';

export interface WechatSimulatorOptions extends SimulatorOptions {
  appId: string;
  appSecret: string;
  /** The account's original ID (gh_…), the ToUserName of pushed events. */
  accountId?: string;
  /** The server-configuration Token that signs event pushes. */
  serverToken: string;
  /** The EncodingAESKey event pushes are encrypted with: the simulator pushes in safe mode (安全模式) only. */
  encodingAesKey: string;
  /** Templates in the account's library: template_id → the data keys it needs. */
  templates: Record<string, string[]>;
  /** How long a client_msg_id protects against a repeat; WeChat documents 10 minutes. */
  dedupeWindowMs?: number;
  /** Access token lifetime; WeChat gives 7200 s. */
  tokenLifetimeS?: number;
}

const OPENID = /^[A-Za-z0-9_-]{28}$/;

/**
 * The WeChat Official Account API for template messages: access tokens (GET /cgi-bin/token and
 * POST /cgi-bin/stable_token), POST /cgi-bin/message/template/send with errcode answers, one message
 * per openid + client_msg_id within the dedupe window, and TEMPLATESENDJOBFINISH events pushed to
 * the receipt URL in safe mode: encrypted with the EncodingAESKey and signed over the ciphertext
 * (msg_signature), as docs/architecture.md#receipt-authentication describes.
 */
export class WechatSimulator extends HttpSimulator {
  private readonly tokens = new Map<string, number>();
  private stableToken?: string;
  private msgSeq = 0;

  constructor(private readonly options: WechatSimulatorOptions) {
    super(options);
    this.msgSeq = 2_000_000_000;
  }

  /** Every token issued so far expires now: the next call with one gets 42001. */
  expireAccessTokens(): this {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
    this.stableToken = undefined;
    return this;
  }

  /** How many access tokens were issued. */
  get tokensIssued(): number {
    return this.tokens.size;
  }

  protected describe(request: SimRequest): { action: string; params: Record<string, unknown> } {
    const action = request.url.pathname.replace(/^\/cgi-bin\//, '');
    let params: Record<string, unknown> = Object.fromEntries(request.url.searchParams);
    delete params.access_token;
    delete params.secret;
    if (request.body) {
      try {
        const parsed = JSON.parse(request.body) as unknown;
        if (parsed !== null && typeof parsed === 'object') params = { ...params, ...(parsed as Record<string, unknown>) };
      } catch {
        // Refused in route() with 47001.
      }
    }
    delete params.secret;
    return { action, params };
  }

  protected route(request: SimRequest, action: string): SimAnswer {
    if (action === 'token' && request.method === 'GET') return this.issueToken(request.url.searchParams.get('appid'), request.url.searchParams.get('secret'), false, request.url.searchParams.get('grant_type'));
    if (action === 'stable_token' && request.method === 'POST') {
      const body = this.body(request);
      if (!body) return this.fail(47001, 'data format error');
      return this.issueToken(body.appid, body.secret, body.force_refresh === true, body.grant_type, true);
    }
    if (action === 'message/template/send' && request.method === 'POST') {
      const tokenError = this.checkToken(request.url.searchParams.get('access_token'));
      if (tokenError) return tokenError;
      return this.sendTemplate(request);
    }
    return this.fail(40066, 'invalid url');
  }

  protected normaliseRecipient(recipient: string): string {
    return recipient;
  }

  protected deliveredReport(): { code: string; description: string } {
    return { code: 'success', description: 'success' };
  }

  /** One push per event, encrypted and signed as WeChat does in safe mode. */
  protected receiptRequests(messages: SimulatedMessage[]): ReceiptRequest[] {
    return messages.map((m) => {
      const accountId = this.options.accountId ?? 'gh_000000000000';
      const event =
        `<xml><ToUserName><![CDATA[${accountId}]]></ToUserName>` +
        `<FromUserName><![CDATA[${m.recipient}]]></FromUserName>` +
        `<CreateTime>${Math.floor(m.report!.at.getTime() / 1000)}</CreateTime>` +
        `<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>` +
        `<MsgID>${m.providerMessageId}</MsgID><Status><![CDATA[${m.report!.code}]]></Status></xml>`;
      return signedPush(this.receiptUrl!, event, { ...this.options, accountId, openid: m.recipient, now: this.now() });
    });
  }

  protected isAcknowledged(status: number, body: string): boolean {
    return status === 200 && (body === '' || body === 'success');
  }

  private body(request: SimRequest): Record<string, unknown> | undefined {
    try {
      const parsed = JSON.parse(request.body) as unknown;
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  private issueToken(appId: unknown, secret: unknown, forceRefresh: boolean, grantType: unknown, stable = false): SimAnswer {
    if (grantType !== 'client_credential') return this.fail(40002, 'invalid grant_type');
    if (appId !== this.options.appId) return this.fail(40013, 'invalid appid');
    if (secret !== this.options.appSecret) return this.fail(40125, 'invalid appsecret');
    const lifetimeS = this.options.tokenLifetimeS ?? 7_200;
    const nowMs = this.now().getTime();
    // The stable token is one per account: the same answer to every caller until it expires or is forced.
    if (stable && !forceRefresh && this.stableToken && (this.tokens.get(this.stableToken) ?? 0) > nowMs) {
      const remaining = Math.floor(((this.tokens.get(this.stableToken) ?? 0) - nowMs) / 1000);
      return json(200, { access_token: this.stableToken, expires_in: remaining }, '0');
    }
    const token = randomBytes(96).toString('base64url');
    this.tokens.set(token, nowMs + lifetimeS * 1000);
    if (stable) this.stableToken = token;
    return json(200, { access_token: token, expires_in: lifetimeS }, '0');
  }

  private checkToken(token: string | null): SimAnswer | undefined {
    if (!token) return this.fail(41001, 'access_token missing');
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return this.fail(40001, 'invalid credential, access_token is invalid or not latest');
    if (expiresAt <= this.now().getTime()) return this.fail(42001, 'access_token expired');
    return undefined;
  }

  private sendTemplate(request: SimRequest): SimAnswer {
    const body = this.body(request);
    if (!body) return this.fail(47001, 'data format error');
    const touser = body.touser;
    if (typeof touser !== 'string' || !OPENID.test(touser)) return this.fail(40003, 'invalid openid');
    const templateId = body.template_id;
    if (typeof templateId !== 'string' || this.options.templates[templateId] === undefined) return this.fail(40037, 'invalid template_id');
    const data = (body.data ?? {}) as Record<string, { value?: unknown } | undefined>;
    for (const key of this.options.templates[templateId]) {
      const value = data[key]?.value;
      if (typeof value !== 'string' || value === '') return this.fail(47003, `argument invalid! data.${key}.value empty`);
    }
    const clientMsgId = typeof body.client_msg_id === 'string' ? body.client_msg_id : '';
    if (clientMsgId) {
      const windowMs = this.options.dedupeWindowMs ?? 600_000;
      const first = this.messages.find((m) => m.recipient === touser && m.contactId === clientMsgId && this.now().getTime() - m.acceptedAt.getTime() < windowMs);
      if (first) return json(200, { errcode: 0, errmsg: 'ok', msgid: Number(first.providerMessageId) }, 'DUPLICATE');
    }
    const account = this.accountFailure();
    if (account) return this.fail(Number(account), `errcode ${account}`);
    if (this.takeThrottle()) return this.fail(45009, 'reach max api daily quota limit');
    const rejected = this.recipientError(touser);
    if (rejected) return this.fail(Number(rejected), `errcode ${rejected}`);

    this.msgSeq += 1;
    const values = Object.fromEntries(Object.entries(data).map(([key, field]) => [key, typeof field?.value === 'string' ? field.value : '']));
    this.accept({
      contactId: clientMsgId,
      providerMessageId: String(this.msgSeq),
      recipient: touser,
      template: templateId,
      params: values,
      content: Object.values(values).join(' / '),
    });
    return json(200, { errcode: 0, errmsg: 'ok', msgid: this.msgSeq }, '0', true);
  }

  private fail(errcode: number, errmsg: string): SimAnswer {
    return json(200, { errcode, errmsg: `${errmsg} rid: ${randomBytes(4).toString('hex')}` }, String(errcode));
  }
}

/**
 * A safe-mode push of one event XML, as WeChat sends it: the query carries signature, timestamp,
 * nonce, openid, encrypt_type=aes and msg_signature; the body only the account and <Encrypt>.
 */
export function signedPush(
  receiptUrl: string,
  event: string,
  push: { appId: string; serverToken: string; encodingAesKey: string; accountId: string; openid: string; now: Date; nonce?: string },
): ReceiptRequest {
  const timestamp = String(Math.floor(push.now.getTime() / 1000));
  const nonce = push.nonce ?? String(randomBytes(4).readUInt32BE());
  const encrypted = encryptWechatMessage(event, push);
  const query = new URLSearchParams({
    signature: wechatSignature(push.serverToken, timestamp, nonce),
    timestamp,
    nonce,
    openid: push.openid,
    encrypt_type: 'aes',
    msg_signature: wechatMessageSignature(push.serverToken, timestamp, nonce, encrypted),
  });
  const body = `<xml><ToUserName><![CDATA[${push.accountId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  return { url: `${receiptUrl}${receiptUrl.includes('?') ? '&' : '?'}${query.toString()}`, body, contentType: 'text/xml' };
}
