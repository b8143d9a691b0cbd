import { sms } from 'tencentcloud-sdk-nodejs-sms';
import { addDays, isCivilDate, shanghaiInstant } from '../../../domain/civil-date';
import { ProviderError, type OutgoingText, type ProviderMessageStatus, type SentText } from '../port';
import type { TextChannelAdapter } from '../provider-text-channels';
import { paramValues, providerTemplate } from './provider-templates';
import { parseMobile, withoutPersonalData } from './recipients';
import { classifyTencent } from './tencent-errors';
import { transportFailure } from './transport-failures';

export const TENCENT_PROVIDER = 'tencent-sms';

const SmsClient = sms.v20210111.Client;
type SmsClient = InstanceType<typeof SmsClient>;

/** PullSmsSendStatusByPhoneNumber reaches 7 days back, DescribeSendRecordList 72 hours. */
const PULL_REACH_S = 7 * 86_400 - 60;
const RECORDS_REACH_S = 72 * 3_600 - 60;
const RECORDS_PAGE = 50;

export interface TencentSmsTemplate {
  /** The approved TemplateId. */
  code: string;
  /** Our param names in the order of the template's {1}, {2}, …: Tencent's parameters are positional. */
  params: string[];
}

export interface TencentSmsConfig {
  secretId: string;
  secretKey: string;
  /** Default ap-guangzhou. */
  region?: string;
  /** host[:port]; default sms.tencentcloudapi.com. The simulator: '127.0.0.1:PORT' with protocol 'http://'. */
  endpoint?: string;
  protocol?: 'https://' | 'http://';
  smsSdkAppId: string;
  /** The approved signature content (required for mainland numbers). */
  signName: string;
  /** By our template ID (or `id@version`). */
  templates: Record<string, TencentSmsTemplate>;
  /** Per request; default 5 s (the SDK counts whole seconds). */
  timeoutMs?: number;
}

interface SdkFailure {
  code?: unknown;
  httpCode?: unknown;
  requestId?: unknown;
  message?: unknown;
}

/**
 * SMS through Tencent Cloud (API 3.0, 2021-01-11) with the official SDK. SessionContext carries our
 * contact ID and comes back in SendStatusSet and in pulled delivery statuses (the latter must be
 * enabled for the SDK app). The API does not deduplicate: a retry asks status() first.
 */
export class TencentSms implements TextChannelAdapter {
  readonly provider = TENCENT_PROVIDER;
  private readonly client: SmsClient;

  constructor(
    private readonly config: TencentSmsConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = new SmsClient({
      credential: { secretId: config.secretId, secretKey: config.secretKey },
      region: config.region ?? 'ap-guangzhou',
      profile: {
        httpProfile: {
          endpoint: config.endpoint ?? 'sms.tencentcloudapi.com',
          protocol: config.protocol ?? 'https://',
          reqTimeout: Math.max(1, Math.ceil((config.timeoutMs ?? 5_000) / 1_000)),
        },
      },
    });
  }

  async send(message: OutgoingText): Promise<SentText> {
    if (message.channel !== 'sms') throw new Error(`TencentSms.send: channel must be 'sms', got ${JSON.stringify(message.channel)}`);
    const template = providerTemplate(this.config.templates, message, this.provider);
    const values = paramValues(template.params, message, this.provider);
    const mobile = parseMobile(message.to, this.provider);
    const response = await this.call('SendSms', message.to, () =>
      this.client.SendSms({
        PhoneNumberSet: [mobile.e164],
        SmsSdkAppId: this.config.smsSdkAppId,
        SignName: this.config.signName,
        TemplateId: template.code,
        TemplateParamSet: values,
        SessionContext: message.contactId,
      }),
    );
    const status = response.SendStatusSet?.[0];
    if (!status) throw new ProviderError(this.provider, 'NO_SEND_STATUS', true, `${this.provider} SendSms: answer without SendStatusSet (RequestId ${response.RequestId ?? '?'})`);
    if (status.Code !== 'Ok' || !status.SerialNo) throw this.rejection('SendSms', status.Code, status.Message, response.RequestId, message.to);
    return { provider: this.provider, providerMessageId: status.SerialNo };
  }

  /**
   * Delivery statuses pulled for the number carry our SessionContext; a send the carrier has not
   * reported on yet shows only in the send records, without SessionContext. So: a pulled status
   * with our contact ID answers; an unreported send to the number in the window means "ask again
   * later" (a retryable STATUS_PENDING), because it may be ours; otherwise the provider has none.
   */
  async status(contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus> {
    if (!isCivilDate(sentOn)) throw new Error(`TencentSms.status: sentOn must be a date YYYY-MM-DD, got ${JSON.stringify(sentOn)}`);
    if (!to) throw new Error('TencentSms.status: argument "to" is required: send statuses are pulled by mobile number');
    const mobile = parseMobile(to, this.provider);
    const nowS = Math.floor(this.now().getTime() / 1000);
    const dayStartS = Math.floor(shanghaiInstant(sentOn) / 1000);
    if (dayStartS < nowS - PULL_REACH_S - 86_400) {
      throw new Error(`TencentSms.status: sentOn ${sentOn} is beyond the 7 days Tencent keeps send statuses`);
    }

    const pulled = await this.call('PullSmsSendStatusByPhoneNumber', to, () =>
      this.client.PullSmsSendStatusByPhoneNumber({
        BeginTime: Math.max(dayStartS, nowS - PULL_REACH_S),
        EndTime: Math.min(nowS, Math.floor(shanghaiInstant(addDays(sentOn, 2)) / 1000)),
        Offset: 0,
        Limit: 100,
        PhoneNumber: mobile.e164,
        SmsSdkAppId: this.config.smsSdkAppId,
      }),
    );
    const statuses = pulled.PullSmsSendStatusSet ?? [];
    const ours = statuses.filter((s) => s.SessionContext === contactId && s.SerialNo);
    const delivered = ours.find((s) => s.ReportStatus === 'SUCCESS');
    if (delivered?.SerialNo) return { state: 'delivered', providerMessageId: delivered.SerialNo };
    const failed = ours[0];
    if (failed?.SerialNo) return { state: 'failed', providerMessageId: failed.SerialNo, errorCode: failed.Description || 'FAIL' };
    if (statuses.some((s) => !s.SessionContext)) {
      throw ProviderError.classified(
        this.provider,
        'STATUS_UNVERIFIABLE',
        classifyTencent('STATUS_UNVERIFIABLE'),
        `${this.provider}: pulled send statuses carry no SessionContext (enable it for SDK app ${this.config.smsSdkAppId}); cannot tell whether contact ${contactId} was sent`,
      );
    }

    if (dayStartS + 86_400 > nowS - RECORDS_REACH_S && (await this.unreportedSendExists(mobile.e164, dayStartS, nowS))) {
      throw new ProviderError(
        this.provider,
        'STATUS_PENDING',
        true,
        `${this.provider}: a send to this number on ${sentOn} awaits its carrier report; ask again later before sending contact ${contactId}`,
      );
    }
    return { state: 'unknown' };
  }

  /** DescribeSendRecordList SendStatus 3: submitted, still being sent (no report yet). */
  private async unreportedSendExists(e164: string, dayStartS: number, nowS: number): Promise<boolean> {
    const begin = Math.max(dayStartS, nowS - RECORDS_REACH_S);
    const end = Math.min(nowS, dayStartS + 86_400);
    for (let offset = 0; offset <= 1_000; offset += RECORDS_PAGE) {
      const page = await this.call('DescribeSendRecordList', e164, () =>
        this.client.DescribeSendRecordList({ PhoneNumber: e164, SmsSdkAppId: this.config.smsSdkAppId, BeginTime: begin, EndTime: end, Limit: RECORDS_PAGE, Offset: offset }),
      );
      const records = page.SendRecordSet ?? [];
      if (records.some((r) => r.SendStatus === 3)) return true;
      if (records.length < RECORDS_PAGE || offset + RECORDS_PAGE >= (page.TotalCount ?? 0)) return false;
    }
    return false;
  }

  private async call<T>(action: string, recipient: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      const failure = error as SdkFailure;
      if (typeof failure.code === 'string' && failure.code) {
        throw this.rejection(action, failure.code, failure.message, failure.requestId, recipient);
      }
      if (typeof failure.httpCode === 'number') throw transportFailure(this.provider, action, error, failure.httpCode);
      throw transportFailure(this.provider, action, error);
    }
  }

  private rejection(action: string, code: unknown, text: unknown, requestId: unknown, recipient: string): ProviderError {
    const c = typeof code === 'string' && code ? code : 'UNKNOWN';
    const detail = typeof text === 'string' && text ? `: ${withoutPersonalData(text, recipient)}` : '';
    const rid = typeof requestId === 'string' && requestId ? ` (RequestId ${requestId})` : '';
    return ProviderError.classified(this.provider, c, classifyTencent(c), `${this.provider} ${action} rejected with ${c}${detail}${rid}`);
  }
}
