import { randomUUID } from 'node:crypto';
import { chinaWallClock } from '../sms/china-time';
import { acs3Signature, parseAcs3Authorization, sha256Hex } from './acs3-signature';
import { HttpSimulator, json, render, type ReceiptRequest, type SimAnswer, type SimRequest, type SimulatedMessage, type SimulatorOptions } from './http-simulator';

export interface AlibabaSmsSimulatorOptions extends SimulatorOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Approved signatures; others get isv.SMS_SIGNATURE_ILLEGAL. */
  signNames: string[];
  /** Approved templates by TemplateCode, with `${variable}` placeholders. */
  templates: Record<string, string>;
  /**
   * Answer a repeated OutId with the first answer instead of sending again. The real API does not
   * do this (it is not idempotent), so it is off by default: tests must prove the adapter's own care.
   */
  dedupeOutId?: boolean;
}

const VERSION = '2017-05-25';
const MAX_NUMBERS = 1_000;
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/**
 * Alibaba Cloud SMS (dysmsapi 2017-05-25) as the official SDK sees it: RPC style, parameters in the
 * query string, ACS3-HMAC-SHA256 signature in headers (checked), JSON answers with RequestId and
 * Code. SendSms and QuerySendDetails; SmsReport batch pushes to the receipt URL.
 */
export class AlibabaSmsSimulator extends HttpSimulator {
  private readonly nonces = new Set<string>();
  private bizSeq = 0;

  constructor(private readonly options: AlibabaSmsSimulatorOptions) {
    super(options);
  }

  protected describe(request: SimRequest): { action: string; params: Record<string, unknown> } {
    const params: Record<string, unknown> = Object.fromEntries(request.url.searchParams);
    if (request.body && String(request.headers['content-type'] ?? '').includes('form-urlencoded')) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(request.body)));
    }
    const header = request.headers['x-acs-action'];
    const action = typeof header === 'string' ? header : typeof params.Action === 'string' ? params.Action : '';
    return { action, params };
  }

  protected route(request: SimRequest, action: string, params: Record<string, unknown>): SimAnswer {
    const refused = this.checkRequest(request);
    if (refused) return refused;
    const p = params as Record<string, string | undefined>;
    if (action === 'SendSms') return this.sendSms(p);
    if (action === 'QuerySendDetails') return this.querySendDetails(p);
    return this.error(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method.`);
  }

  protected normaliseRecipient(recipient: string): string {
    return recipient.replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  }

  protected deliveredReport(): { code: string; description: string } {
    return { code: 'DELIVERED', description: '用户接收成功' };
  }

  protected receiptRequests(messages: SimulatedMessage[]): ReceiptRequest[] {
    const reports = messages.map((m) => ({
      phone_number: m.recipient,
      send_time: chinaWallClock(m.acceptedAt),
      report_time: chinaWallClock(m.report!.at),
      success: m.report!.delivered,
      err_code: m.report!.code,
      err_msg: m.report!.description,
      sms_size: String(Math.max(1, Math.ceil(m.content.length / 67))),
      biz_id: m.providerMessageId,
      out_id: m.contactId,
    }));
    return [{ url: this.receiptUrl!, body: JSON.stringify(reports), contentType: 'application/json;charset=utf-8' }];
  }

  protected isAcknowledged(status: number, body: string): boolean {
    try {
      return status === 200 && (JSON.parse(body) as { code?: unknown }).code === 0;
    } catch {
      return false;
    }
  }

  protected override outageAnswer(): SimAnswer {
    return this.error(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure.');
  }

  /** Version, signature, clock and nonce, as the gateway checks them before the product sees the call. */
  private checkRequest(request: SimRequest): SimAnswer | undefined {
    if (request.headers['x-acs-version'] !== VERSION) return this.error(400, 'InvalidVersion', `Specified parameter Version is not valid.`);
    const auth = parseAcs3Authorization(request.headers.authorization);
    if (!auth) return this.error(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    if (auth.accessKeyId !== this.options.accessKeyId) return this.error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (request.headers['x-acs-content-sha256'] !== sha256Hex(request.body)) {
      return this.error(400, 'SignatureDoesNotMatch', 'The request body does not match its x-acs-content-sha256.');
    }
    const expected = acs3Signature(
      this.options.accessKeySecret,
      { method: request.method, path: request.url.pathname, query: request.url.searchParams, headers: request.headers },
      auth.signedHeaders,
    );
    if (expected !== auth.signature) return this.error(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    const date = Date.parse(String(request.headers['x-acs-date'] ?? ''));
    if (!Number.isFinite(date) || Math.abs(date - Date.now()) > MAX_CLOCK_SKEW_MS) {
      return this.error(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
    const nonce = String(request.headers['x-acs-signature-nonce'] ?? '');
    if (this.nonces.has(nonce)) return this.error(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    this.nonces.add(nonce);
    return undefined;
  }

  private sendSms(p: Record<string, string | undefined>): SimAnswer {
    for (const name of ['PhoneNumbers', 'SignName', 'TemplateCode'] as const) {
      if (!p[name]) return this.error(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    const numbers = p.PhoneNumbers!.split(',').map((n) => this.normaliseRecipient(n.trim()));
    if (numbers.length > MAX_NUMBERS) return this.business('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
    if (numbers.some((n) => !/^1[3-9]\d{9}$/.test(n))) return this.business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!this.options.signNames.includes(p.SignName!)) return this.business('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const template = this.options.templates[p.TemplateCode!];
    if (template === undefined) return this.business('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let values: Record<string, string> = {};
    try {
      values = p.TemplateParam ? (JSON.parse(p.TemplateParam) as Record<string, string>) : {};
      if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new Error('not an object');
    } catch {
      return this.business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    const variables = [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    if (variables.some((v) => typeof values[v] !== 'string' || values[v] === '')) return this.business('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量');

    const outId = p.OutId ?? '';
    if (this.options.dedupeOutId && outId) {
      const first = this.messages.find((m) => m.contactId === outId);
      if (first) return json(200, { RequestId: this.requestId(), Message: 'OK', BizId: first.providerMessageId, Code: 'OK' }, 'DUPLICATE');
    }
    const account = this.accountFailure();
    if (account) return this.business(account, account === 'isv.AMOUNT_NOT_ENOUGH' ? '账户余额不足' : account);
    if (this.takeThrottle()) return this.business('isv.BUSINESS_LIMIT_CONTROL', '触发号码天级流控Permits:10');
    const rejected = numbers.map((n) => this.recipientError(n)).find((code) => code !== undefined);
    if (rejected) return this.business(rejected, rejected);

    this.bizSeq += 1;
    const bizId = `${String(this.now().getTime()).slice(-9)}${String(this.bizSeq).padStart(9, '0')}^0`;
    const content = `【${p.SignName}】${render(template, values)}`;
    for (const recipient of numbers) {
      this.accept({ contactId: outId, providerMessageId: bizId, recipient, template: p.TemplateCode!, params: values, content });
    }
    return json(200, { RequestId: this.requestId(), Message: 'OK', BizId: bizId, Code: 'OK' }, 'OK', true);
  }

  private querySendDetails(p: Record<string, string | undefined>): SimAnswer {
    for (const name of ['PhoneNumber', 'SendDate', 'PageSize', 'CurrentPage'] as const) {
      if (!p[name]) return this.error(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    const pageSize = Number(p.PageSize);
    const page = Number(p.CurrentPage);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50) return this.error(400, 'InvalidPageSize', 'PageSize must be 1 to 50.');
    if (!Number.isInteger(page) || page < 1) return this.error(400, 'InvalidCurrentPage', 'CurrentPage must be 1 or more.');
    if (!/^\d{8}$/.test(p.SendDate!)) return this.error(400, 'InvalidSendDate', 'SendDate must be yyyyMMdd.');
    const number = this.normaliseRecipient(p.PhoneNumber!);
    const all = this.messages.filter(
      (m) => m.recipient === number && chinaWallClock(m.acceptedAt).slice(0, 10).replaceAll('-', '') === p.SendDate && (!p.BizId || m.providerMessageId === p.BizId),
    );
    const records = all.slice((page - 1) * pageSize, page * pageSize).map((m) => ({
      PhoneNum: m.recipient,
      // 1 awaiting the carrier's report, 2 failed, 3 delivered.
      SendStatus: m.report ? (m.report.delivered ? 3 : 2) : 1,
      ErrCode: m.report?.code ?? '',
      TemplateCode: m.template,
      Content: m.content,
      SendDate: chinaWallClock(m.acceptedAt),
      ReceiveDate: m.report ? chinaWallClock(m.report.at) : '',
      OutId: m.contactId,
    }));
    return json(
      200,
      { Code: 'OK', Message: 'OK', RequestId: this.requestId(), TotalCount: all.length, SmsSendDetailDTOs: { SmsSendDetailDTO: records } },
      'OK',
    );
  }

  /** Gateway-level refusal: an HTTP error status. */
  private error(status: number, code: string, message: string): SimAnswer {
    return json(status, { RequestId: this.requestId(), HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message }, code);
  }

  /** Product-level refusal: HTTP 200 with the code in the body. */
  private business(code: string, message: string): SimAnswer {
    return json(200, { RequestId: this.requestId(), Code: code, Message: message }, code);
  }

  private requestId(): string {
    return randomUUID().toUpperCase();
  }
}
