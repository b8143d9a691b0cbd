import DysmsapiExport, { QuerySendDetailsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { isCivilDate } from '../../../domain/civil-date';
import { ProviderError, type OutgoingText, type ProviderMessageStatus, type SentText } from '../port';
import type { TextChannelAdapter } from '../provider-text-channels';
import { classifyAlibaba } from './alibaba-errors';
import { compactDate } from './china-time';
import { paramValues, providerTemplate } from './provider-templates';
import { parseMobile, withoutPersonalData } from './recipients';
import { transportFailure } from './transport-failures';

export const ALIBABA_PROVIDER = 'alibaba-sms';

// The SDK is CommonJS with `exports.default`: bundlers and tsx hand us the class, plain Node ESM the
// module object around it.
const Dysmsapi = ((DysmsapiExport as unknown as { default?: typeof DysmsapiExport }).default ?? DysmsapiExport);
const QUERY_PAGE_SIZE = 50;

export interface AlibabaSmsTemplate {
  /** The approved TemplateCode, e.g. 'SMS_15305****'. */
  code: string;
  /** The template's variables, taken from the message's params by name; default: all params. */
  params?: string[];
}

export interface AlibabaSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** host[:port]; default dysmsapi.aliyuncs.com. The simulator: '127.0.0.1:PORT' with protocol HTTP. */
  endpoint?: string;
  protocol?: 'HTTPS' | 'HTTP';
  /** The approved signature (签名). */
  signName: string;
  /** By our template ID (or `id@version`). */
  templates: Record<string, AlibabaSmsTemplate>;
  /** Per request; Alibaba asks for at least 1 s. Default 5 s. */
  timeoutMs?: number;
}

interface SdkFailure {
  code?: unknown;
  statusCode?: unknown;
  data?: { Message?: unknown; RequestId?: unknown };
}

/**
 * SMS through Alibaba Cloud (dysmsapi 2017-05-25) with the official SDK. OutId carries our contact
 * ID. The API does not deduplicate, so a retry first asks QuerySendDetails for the day's records of
 * the number and looks for our OutId.
 */
export class AlibabaSms implements TextChannelAdapter {
  readonly provider = ALIBABA_PROVIDER;
  private readonly client: DysmsapiExport;
  private readonly runtime: RuntimeOptions;

  constructor(private readonly config: AlibabaSmsConfig) {
    this.client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: config.accessKeyId,
        accessKeySecret: config.accessKeySecret,
        endpoint: config.endpoint ?? 'dysmsapi.aliyuncs.com',
        protocol: config.protocol ?? 'HTTPS',
      }),
    );
    const timeout = config.timeoutMs ?? 5_000;
    // The SDK's own retry would resend without asking first; retries belong to the caller.
    this.runtime = new RuntimeOptions({ autoretry: false, maxAttempts: 0, readTimeout: timeout, connectTimeout: timeout });
  }

  async send(message: OutgoingText): Promise<SentText> {
    if (message.channel !== 'sms') throw new Error(`AlibabaSms.send: channel must be 'sms', got ${JSON.stringify(message.channel)}`);
    const template = providerTemplate(this.config.templates, message, this.provider);
    const names = template.params ?? Object.keys(message.params);
    const values = paramValues(names, message, this.provider);
    const mobile = parseMobile(message.to, this.provider);
    const request = new SendSmsRequest({
      phoneNumbers: this.alibabaNumber(mobile),
      signName: this.config.signName,
      templateCode: template.code,
      templateParam: JSON.stringify(Object.fromEntries(names.map((name, i) => [name, values[i]]))),
      outId: message.contactId,
    });
    const body = await this.call('SendSms', message.to, () => this.client.sendSmsWithOptions(request, this.runtime));
    if (body.code !== 'OK' || !body.bizId) throw this.rejection('SendSms', body.code, body.message, body.requestId, message.to);
    return { provider: this.provider, providerMessageId: body.bizId };
  }

  /**
   * Looks for our OutId among the number's records of `sentOn`. QuerySendDetails returns no BizId,
   * so a message found this way is identified as `outid:<contactId>`; its receipts carry the OutId.
   */
  async status(contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus> {
    if (!isCivilDate(sentOn)) throw new Error(`AlibabaSms.status: sentOn must be a date YYYY-MM-DD, got ${JSON.stringify(sentOn)}`);
    if (!to) throw new Error('AlibabaSms.status: argument "to" is required: QuerySendDetails finds records by mobile number only');
    const mobile = parseMobile(to, this.provider);
    const found: { sendStatus?: number; errCode?: string }[] = [];
    for (let page = 1; ; page += 1) {
      const request = new QuerySendDetailsRequest({
        phoneNumber: this.alibabaNumber(mobile),
        sendDate: compactDate(sentOn),
        pageSize: QUERY_PAGE_SIZE,
        currentPage: page,
      });
      const body = await this.call('QuerySendDetails', to, () => this.client.querySendDetailsWithOptions(request, this.runtime));
      if (body.code !== 'OK') throw this.rejection('QuerySendDetails', body.code, body.message, body.requestId, to);
      const records = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
      found.push(...records.filter((r) => r.outId === contactId));
      if (records.length < QUERY_PAGE_SIZE || page * QUERY_PAGE_SIZE >= Number(body.totalCount ?? 0)) break;
    }
    if (found.length === 0) return { state: 'unknown' };
    const providerMessageId = `outid:${contactId}`;
    // SendStatus: 1 awaiting the carrier's report, 2 failed, 3 delivered.
    if (found.some((r) => Number(r.sendStatus) === 3)) return { state: 'delivered', providerMessageId };
    if (found.some((r) => Number(r.sendStatus) === 1)) return { state: 'accepted', providerMessageId };
    return { state: 'failed', providerMessageId, errorCode: found[0]?.errCode || 'UNKNOWN' };
  }

  /** Mainland numbers bare (11 digits); others with their country code, as dysmsapi wants. */
  private alibabaNumber(mobile: { countryCode: string; national: string }): string {
    return mobile.countryCode === '86' ? mobile.national : `${mobile.countryCode}${mobile.national}`;
  }

  private async call<T extends { body?: unknown }>(action: string, recipient: string, request: () => Promise<T>): Promise<NonNullable<T['body']>> {
    let response: T;
    try {
      response = await request();
    } catch (error) {
      const failure = error as SdkFailure;
      if (typeof failure.code === 'string' && typeof failure.statusCode === 'number') {
        throw this.rejection(action, failure.code, failure.data?.Message, failure.data?.RequestId, recipient, failure.statusCode);
      }
      if (error instanceof SyntaxError) {
        // The SDK parses every answer as JSON and drops the HTTP status: an HTML error page from a
        // gateway in front of Alibaba lands here. The request may or may not have been processed.
        throw new ProviderError(this.provider, 'BAD_ANSWER', true, `${this.provider} ${action}: the answer is not Alibaba's JSON (a gateway error page?)`);
      }
      throw transportFailure(this.provider, action, error);
    }
    if (!response.body) throw new ProviderError(this.provider, 'BAD_ANSWER', true, `${this.provider} ${action}: answer without a body`);
    return response.body;
  }

  private rejection(action: string, code: unknown, text: unknown, requestId: unknown, recipient: string, httpStatus?: number): ProviderError {
    const c = typeof code === 'string' && code ? code : 'UNKNOWN';
    const detail = typeof text === 'string' && text ? `: ${withoutPersonalData(text, recipient)}` : '';
    const rid = typeof requestId === 'string' && requestId ? ` (RequestId ${requestId})` : '';
    return ProviderError.classified(this.provider, c, classifyAlibaba(c, httpStatus), `${this.provider} ${action} rejected with ${c}${detail}${rid}`);
  }
}
