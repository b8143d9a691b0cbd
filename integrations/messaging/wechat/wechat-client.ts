import { ProviderError } from '../port';
import { withoutPersonalData } from '../sms/recipients';
import { transportFailure } from '../sms/transport-failures';
import { TRANSIENT } from '../../../domain/provider-failures';
import { classifyWechat, isWechatTokenError } from './wechat-errors';

export const WECHAT_PROVIDER = 'wechat-oa';

export interface WechatClientConfig {
  appId: string;
  appSecret: string;
  /** Default https://api.weixin.qq.com; the simulator's URL in tests and the local stack. */
  baseUrl?: string;
  /** Per request; default 5 s. */
  timeoutMs?: number;
}

/** Every WeChat API answer has errcode/errmsg on failure; success may omit errcode. */
export interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  [key: string]: unknown;
}

/** Refresh this long before WeChat's stated expiry, so a token never expires between check and use. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A thin Official Account API client: the stable access token (POST /cgi-bin/stable_token), cached
 * until shortly before expiry and fetched again on 40001/40014/42001, and JSON POSTs with it.
 * The stable token is used rather than /cgi-bin/token because every worker process keeps its own
 * cache: /cgi-bin/token would hand each process a new token and invalidate the others'.
 */
export class WechatClient {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;
  private readonly baseUrl: string;

  constructor(
    private readonly config: WechatClientConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.baseUrl = (config.baseUrl ?? 'https://api.weixin.qq.com').replace(/\/+$/, '');
  }

  /** POST `body` to `path` with the access token; retried once with a fresh token if WeChat refuses it. */
  async post(path: string, body: unknown, action: string, recipient?: string): Promise<WechatAnswer> {
    let answer = await this.postOnce(path, body, action, await this.accessToken(action));
    if (answer.errcode !== undefined && isWechatTokenError(answer.errcode)) {
      this.token = undefined;
      answer = await this.postOnce(path, body, action, await this.accessToken(action));
    }
    if (answer.errcode !== undefined && answer.errcode !== 0) throw this.rejection(action, answer, recipient);
    return answer;
  }

  private async postOnce(path: string, body: unknown, action: string, token: string): Promise<WechatAnswer> {
    return this.request(`${path}?access_token=${encodeURIComponent(token)}`, body, action);
  }

  private accessToken(action: string): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
    // One fetch at a time: concurrent sends share it.
    this.pending ??= this.fetchToken(action).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(action: string): Promise<string> {
    const answer = await this.request(
      '/cgi-bin/stable_token',
      { grant_type: 'client_credential', appid: this.config.appId, secret: this.config.appSecret, force_refresh: false },
      `${action} (access token)`,
    );
    const value = answer.access_token;
    const expiresIn = answer.expires_in;
    if (answer.errcode || typeof value !== 'string' || typeof expiresIn !== 'number') {
      throw this.rejection(`${action} (access token)`, answer);
    }
    this.token = { value, expiresAt: this.now() + expiresIn * 1000 - EXPIRY_MARGIN_MS };
    return value;
  }

  private async request(pathAndQuery: string, body: unknown, action: string): Promise<WechatAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${pathAndQuery}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw transportFailure(WECHAT_PROVIDER, action, error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw transportFailure(WECHAT_PROVIDER, action, error);
    }
    if (!response.ok) throw transportFailure(WECHAT_PROVIDER, action, undefined, response.status);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
      return parsed as WechatAnswer;
    } catch {
      throw new ProviderError(WECHAT_PROVIDER, 'BAD_ANSWER', true, `${WECHAT_PROVIDER} ${action}: the answer is not a JSON object`);
    }
  }

  private rejection(action: string, answer: WechatAnswer, recipient?: string): ProviderError {
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : undefined;
    const code = errcode === undefined ? 'BAD_ANSWER' : String(errcode);
    const detail = typeof answer.errmsg === 'string' && answer.errmsg ? `: ${withoutPersonalData(answer.errmsg, recipient)}` : '';
    return ProviderError.classified(WECHAT_PROVIDER, code, errcode === undefined ? TRANSIENT : classifyWechat(errcode), `${WECHAT_PROVIDER} ${action} rejected with ${code}${detail}`);
  }
}
