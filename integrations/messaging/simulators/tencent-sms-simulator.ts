import { randomUUID } from 'node:crypto';
import { chinaWallClock } from '../sms/china-time';
import { HttpSimulator, json, render, type ReceiptRequest, type SimAnswer, type SimRequest, type SimulatedMessage, type SimulatorOptions } from './http-simulator';
import { parseTc3Authorization, tc3Signature } from './tc3-signature';

export interface TencentSmsSimulatorOptions extends SimulatorOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  /** Approved signature contents. */
  signNames: string[];
  /** Approved templates by TemplateId, with positional `{1}`, `{2}` placeholders. */
  templates: Record<string, string>;
  /** Answer a repeated SessionContext with the first answer. The real API does not: off by default. */
  dedupeSessionContext?: boolean;
}

const VERSION = '2021-01-11';
const MAX_NUMBERS = 200;
const MAX_CLOCK_SKEW_S = 300;
const MAX_SESSION_CONTEXT_BYTES = 512;

interface Failure {
  code: string;
  message: string;
}

/**
 * Tencent Cloud SMS (API 3.0, 2021-01-11) as the official SDK sees it: JSON POST with X-TC-Action
 * and X-TC-Version, TC3-HMAC-SHA256 signature (checked), answers `{Response: {…, RequestId}}`.
 * SendSms (per-number SendStatusSet), PullSmsSendStatusByPhoneNumber (reported messages, with
 * SessionContext), DescribeSendRecordList (all sends, reported or not); status callbacks pushed as
 * a JSON array to the receipt URL.
 */
export class TencentSmsSimulator extends HttpSimulator {
  private serialSeq = 0;

  constructor(private readonly options: TencentSmsSimulatorOptions) {
    super(options);
  }

  protected describe(request: SimRequest): { action: string; params: Record<string, unknown> } {
    let params: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(request.body || '{}') as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) params = parsed as Record<string, unknown>;
    } catch {
      // An unreadable body is refused in route().
    }
    return { action: String(request.headers['x-tc-action'] ?? ''), params };
  }

  protected route(request: SimRequest, action: string, params: Record<string, unknown>): SimAnswer {
    const refused = this.checkRequest(request);
    if (refused) return this.failure(refused);
    switch (action) {
      case 'SendSms':
        return this.sendSms(params);
      case 'PullSmsSendStatusByPhoneNumber':
        return this.pullByPhoneNumber(params);
      case 'DescribeSendRecordList':
        return this.sendRecords(params);
      default:
        return this.failure({ code: 'InvalidAction', message: `The action ${action} does not exist.` });
    }
  }

  protected normaliseRecipient(recipient: string): string {
    return recipient.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  }

  protected deliveredReport(): { code: string; description: string } {
    return { code: 'DELIVRD', description: '用户短信送达成功' };
  }

  protected receiptRequests(messages: SimulatedMessage[]): ReceiptRequest[] {
    const statuses = messages.map((m) => ({
      user_receive_time: chinaWallClock(m.report!.at),
      nationcode: '86',
      mobile: m.recipient,
      report_status: m.report!.delivered ? 'SUCCESS' : 'FAIL',
      errmsg: m.report!.code,
      description: m.report!.description,
      sid: m.providerMessageId,
    }));
    return [{ url: this.receiptUrl!, body: JSON.stringify(statuses), contentType: 'application/json' }];
  }

  protected isAcknowledged(status: number, body: string): boolean {
    try {
      return status === 200 && (JSON.parse(body) as { result?: unknown }).result === 0;
    } catch {
      return false;
    }
  }

  private checkRequest(request: SimRequest): Failure | undefined {
    if (request.method !== 'POST') return { code: 'UnsupportedProtocol', message: 'Only POST with JSON is served here.' };
    if (request.headers['x-tc-version'] !== VERSION) return { code: 'NoSuchVersion', message: 'The API version does not exist.' };
    try {
      JSON.parse(request.body);
    } catch {
      return { code: 'FailedOperation.JsonParseFail', message: 'The request body is not JSON.' };
    }
    const auth = parseTc3Authorization(request.headers.authorization);
    if (!auth) return { code: 'AuthFailure.InvalidAuthorization', message: 'Authorization is not TC3-HMAC-SHA256.' };
    if (auth.secretId !== this.options.secretId) return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
    const timestamp = String(request.headers['x-tc-timestamp'] ?? '');
    if (Math.abs(Number(timestamp) - Date.now() / 1000) > MAX_CLOCK_SKEW_S) {
      return { code: 'AuthFailure.SignatureExpire', message: 'The signature has expired.' };
    }
    const expected = tc3Signature(this.options.secretKey, auth, {
      method: request.method,
      path: request.url.pathname,
      query: request.url.search.slice(1),
      headers: request.headers,
      body: request.body,
      timestamp,
    });
    if (expected !== auth.signature) return { code: 'AuthFailure.SignatureFailure', message: 'The provided credentials could not be validated.' };
    return undefined;
  }

  private sendSms(p: Record<string, unknown>): SimAnswer {
    const numbers = p.PhoneNumberSet;
    if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every((n) => typeof n === 'string')) {
      return this.failure({ code: 'MissingParameter', message: 'The parameter PhoneNumberSet is missing.' });
    }
    if (numbers.length > MAX_NUMBERS) return this.failure({ code: 'LimitExceeded.PhoneNumberCountLimit', message: 'Over 200 numbers in one request.' });
    if (p.SmsSdkAppId !== this.options.smsSdkAppId) return this.failure({ code: 'InvalidParameterValue.SdkAppIdNotExist', message: 'The SdkAppId does not exist.' });
    if (typeof p.TemplateId !== 'string' || this.options.templates[p.TemplateId] === undefined) {
      return this.failure({ code: 'FailedOperation.TemplateIncorrectOrUnapproved', message: 'The template is not approved or does not exist.' });
    }
    if (typeof p.SignName !== 'string' || !this.options.signNames.includes(p.SignName)) {
      return this.failure({ code: 'FailedOperation.SignatureIncorrectOrUnapproved', message: 'The signature is not approved or does not exist.' });
    }
    const template = this.options.templates[p.TemplateId]!;
    const values = Array.isArray(p.TemplateParamSet) ? p.TemplateParamSet.map(String) : [];
    const placeholders = new Set([...template.matchAll(/\{(\d+)\}/g)].map((m) => m[1]));
    if (values.length !== placeholders.size) {
      return this.failure({ code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate', message: 'The parameters do not match the template.' });
    }
    const sessionContext = typeof p.SessionContext === 'string' ? p.SessionContext : '';
    if (Buffer.byteLength(sessionContext) >= MAX_SESSION_CONTEXT_BYTES) {
      return this.failure({ code: 'InvalidParameterValue', message: 'SessionContext must be under 512 bytes.' });
    }
    // An account-wide refusal answers the request, not each number.
    const account = this.accountFailure();
    if (account) return this.failure({ code: account, message: account === 'FailedOperation.InsufficientBalanceInSmsPackage' ? 'The SMS package balance is insufficient.' : account });
    if (this.takeThrottle()) return this.failure({ code: 'RequestLimitExceeded', message: 'The request frequency exceeds the limit.' });

    const content = `【${p.SignName}】${render(template, Object.fromEntries(values.map((v, i) => [String(i + 1), v])))}`;
    let accepted = false;
    let duplicate = false;
    const statuses = (numbers).map((raw) => {
      const recipient = this.normaliseRecipient(raw.trim());
      const base = { PhoneNumber: `+86${recipient}`, SessionContext: sessionContext, IsoCode: 'CN' };
      if (!/^1[3-9]\d{9}$/.test(recipient)) {
        return { ...base, PhoneNumber: raw, SerialNo: '', Fee: 0, Code: 'InvalidParameterValue.IncorrectPhoneNumber', Message: 'The mobile number is incorrect.' };
      }
      const first = this.options.dedupeSessionContext && sessionContext ? this.messages.find((m) => m.contactId === sessionContext && m.recipient === recipient) : undefined;
      if (first) {
        duplicate = true;
        return { ...base, SerialNo: first.providerMessageId, Fee: 1, Code: 'Ok', Message: 'send success' };
      }
      const rejected = this.recipientError(recipient);
      if (rejected) return { ...base, SerialNo: '', Fee: 0, Code: rejected, Message: rejected };
      this.serialSeq += 1;
      const serialNo = `2433:${String(this.now().getTime())}${String(this.serialSeq).padStart(8, '0')}`;
      this.accept({ contactId: sessionContext, providerMessageId: serialNo, recipient, template: p.TemplateId as string, params: values, content });
      accepted = true;
      return { ...base, SerialNo: serialNo, Fee: Math.max(1, Math.ceil(content.length / 67)), Code: 'Ok', Message: 'send success' };
    });
    const code = statuses[0]?.Code === 'Ok' && duplicate && !accepted ? 'DUPLICATE' : (statuses[0]?.Code ?? 'Ok');
    return json(200, { Response: { SendStatusSet: statuses, RequestId: randomUUID() } }, code, accepted);
  }

  private pullByPhoneNumber(p: Record<string, unknown>): SimAnswer {
    const window = this.window(p, 100);
    if ('code' in window) return this.failure(window);
    const found = this.messages
      .filter((m) => m.report && m.recipient === window.recipient && inWindow(m.acceptedAt, window))
      .slice(0, window.limit)
      .map((m) => ({
        UserReceiveTime: Math.floor(m.report!.at.getTime() / 1000),
        CountryCode: '86',
        SubscriberNumber: m.recipient,
        PhoneNumber: `+86${m.recipient}`,
        SerialNo: m.providerMessageId,
        ReportStatus: m.report!.delivered ? 'SUCCESS' : 'FAIL',
        Description: m.report!.delivered ? m.report!.description : m.report!.code,
        SessionContext: m.contactId,
      }));
    return json(200, { Response: { PullSmsSendStatusSet: found, RequestId: randomUUID() } }, 'Ok');
  }

  private sendRecords(p: Record<string, unknown>): SimAnswer {
    const window = this.window(p, 50);
    if ('code' in window) return this.failure(window);
    const offset = typeof p.Offset === 'number' ? p.Offset : 0;
    const all = this.messages
      .filter((m) => m.recipient === window.recipient && inWindow(m.acceptedAt, window))
      .sort((a, b) => b.acceptedAt.getTime() - a.acceptedAt.getTime());
    const records = all.slice(offset, offset + window.limit).map((m) => ({
      PhoneNumber: `+86${m.recipient}`,
      SerialNo: m.providerMessageId,
      // 2 delivered, 3 being sent (no report yet), 4 not delivered.
      SendStatus: m.report ? (m.report.delivered ? 2 : 4) : 3,
      RequestCode: 'Ok',
      StatusCode: m.report?.code ?? '',
      IsoCode: 'CN',
      Content: m.content,
      SendTime: Math.floor(m.acceptedAt.getTime() / 1000),
      UserReceiveTime: m.report?.delivered ? Math.floor(m.report.at.getTime() / 1000) : 0,
    }));
    return json(200, { Response: { SendRecordSet: records, TotalCount: Math.min(all.length, 1_000), RequestId: randomUUID() } }, 'Ok');
  }

  private window(p: Record<string, unknown>, maxLimit: number): { recipient: string; begin: number; end: number; limit: number } | Failure {
    if (p.SmsSdkAppId !== this.options.smsSdkAppId) return { code: 'InvalidParameterValue.SdkAppIdNotExist', message: 'The SdkAppId does not exist.' };
    if (typeof p.PhoneNumber !== 'string' || !p.PhoneNumber) return { code: 'MissingParameter', message: 'The parameter PhoneNumber is missing.' };
    if (typeof p.BeginTime !== 'number') return { code: 'MissingParameter', message: 'The parameter BeginTime is missing.' };
    const limit = p.Limit === undefined ? 20 : p.Limit;
    if (typeof limit !== 'number' || limit < 1 || limit > maxLimit) return { code: 'InvalidParameterValue', message: `Limit must be 1 to ${maxLimit}.` };
    const end = typeof p.EndTime === 'number' ? p.EndTime : Math.floor(this.now().getTime() / 1000);
    return { recipient: this.normaliseRecipient(p.PhoneNumber), begin: p.BeginTime, end, limit };
  }

  private failure(f: Failure): SimAnswer {
    return json(200, { Response: { Error: { Code: f.code, Message: f.message }, RequestId: randomUUID() } }, f.code);
  }
}

function inWindow(at: Date, window: { begin: number; end: number }): boolean {
  const s = at.getTime() / 1000;
  return s >= window.begin && s <= window.end + 1;
}
