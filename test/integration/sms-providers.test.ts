import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../domain/civil-date';
import { type ProviderError, type DeliveryReceipt, type OutgoingText } from '../../integrations/messaging/port';
import { LetterRecorder, ProviderTextChannels } from '../../integrations/messaging/provider-text-channels';
import { receiptPushUrl } from '../../integrations/messaging/receipt-paths';
import { startReceiptServer, type RunningReceiptServer } from '../../integrations/messaging/receipt-server';
import { AlibabaSmsSimulator } from '../../integrations/messaging/simulators/alibaba-sms-simulator';
import type { RunningSimulator } from '../../integrations/messaging/simulators/http-simulator';
import { TencentSmsSimulator } from '../../integrations/messaging/simulators/tencent-sms-simulator';
import { AlibabaSms, type AlibabaSmsConfig } from '../../integrations/messaging/sms/alibaba-sms';
import { TencentSms, type TencentSmsConfig } from '../../integrations/messaging/sms/tencent-sms';
import { WechatTemplateMessages } from '../../integrations/messaging/wechat/wechat-template-messages';
import { expectNoPersonalData, providerError, sendLikeARetriedActivity } from '../support/provider-calls';

const SIGN = '某某人寿';
const MOBILE = '13800138000';
const OTHER_MOBILE = '13900139000';
const today = (): string => shanghaiDate(Date.now());
/** The secrets in the push URLs configured in each console (receipts are refused without them: test/security/receipts.test.ts). */
const PUSH_TOKENS = { alibaba: 'alibaba-push-token-for-the-integration-tests', tencent: 'tencent-push-token-for-the-integration-tests' };
const pushUrl = (server: RunningReceiptServer, provider: 'alibaba' | 'tencent') => receiptPushUrl(server.url, provider, PUSH_TOKENS[provider]);

let seq = 0;
function sms(overrides: Partial<OutgoingText> = {}): OutgoingText {
  seq += 1;
  return {
    contactId: `contact-${seq}`,
    channel: 'sms',
    to: `+86 138 0013 8000`,
    template: 'pre_due_reminder',
    templateVersion: 1,
    params: { policyNo: 'P2025000123', amount: '3,600.00', dueDate: '2025-03-01', lastGraceDay: '2025-04-30' },
    text: '尊敬的客户：您的保单 P2025000123 的续期保费 3,600.00 元应于 2025-03-01 缴纳。',
    ...overrides,
  };
}

function channelsFor(smsAdapter: AlibabaSms | TencentSms): ProviderTextChannels {
  // WeChat is not reached in these tests; it points nowhere.
  return new ProviderTextChannels({ sms: smsAdapter, wechat: new WechatTemplateMessages({ appId: 'wx0', appSecret: 's', baseUrl: 'http://127.0.0.1:9', templates: {} }) });
}

async function collectReceipts(): Promise<{ server: RunningReceiptServer; receipts: DeliveryReceipt[][]; failNext: { count: number } }> {
  const receipts: DeliveryReceipt[][] = [];
  const failNext = { count: 0 };
  const server = await startReceiptServer({
    credentials: { alibaba: { pushToken: PUSH_TOKENS.alibaba }, tencent: { pushToken: PUSH_TOKENS.tencent } },
    onReceipts: async (batch) => {
      await Promise.resolve();
      if (failNext.count > 0) {
        failNext.count -= 1;
        throw new Error('database unavailable');
      }
      receipts.push(batch);
    },
  });
  return { server, receipts, failNext };
}

describe('Alibaba Cloud SMS through the official SDK', () => {
  const credentials = { accessKeyId: 'LTAI5tRenewalsTest', accessKeySecret: 'renewals-test-secret' };
  let simulator: AlibabaSmsSimulator;
  let running: RunningSimulator;
  let config: AlibabaSmsConfig;
  let adapter: AlibabaSms;

  beforeEach(async () => {
    simulator = new AlibabaSmsSimulator({
      ...credentials,
      signNames: [SIGN],
      templates: {
        SMS_465000001: '尊敬的客户：您的保单${policyNo}的续期保费${amount}元应于${dueDate}缴纳。',
        SMS_465000002: '您的保单${policyNo}续期保费本次扣款未成功，宽限期至${lastGraceDay}。',
      },
    });
    running = await simulator.start();
    config = {
      ...credentials,
      endpoint: running.url.replace('http://', ''),
      protocol: 'HTTP',
      signName: SIGN,
      templates: {
        pre_due_reminder: { code: 'SMS_465000001', params: ['policyNo', 'amount', 'dueDate'] },
        // Misconfigured on purpose: the approved template also needs lastGraceDay.
        debit_failed: { code: 'SMS_465000002', params: ['policyNo'] },
      },
      timeoutMs: 1_000,
    };
    adapter = new AlibabaSms(config);
  });
  afterEach(() => running.close());

  it('sends SendSms with OutId = contact ID, the template code and the template params as JSON', async () => {
    const message = sms();
    const sent = await adapter.send(message);

    const [request] = simulator.requests('SendSms');
    expect(request?.params).toEqual({
      PhoneNumbers: MOBILE,
      SignName: SIGN,
      TemplateCode: 'SMS_465000001',
      TemplateParam: JSON.stringify({ policyNo: 'P2025000123', amount: '3,600.00', dueDate: '2025-03-01' }),
      OutId: message.contactId,
    });
    expect(sent).toEqual({ provider: 'alibaba-sms', providerMessageId: simulator.messages[0]?.providerMessageId });
    expect(sent.providerMessageId).toMatch(/^\d+\^0$/);
    expect(simulator.messages[0]?.content).toBe(`【${SIGN}】尊敬的客户：您的保单P2025000123的续期保费3,600.00元应于2025-03-01缴纳。`);
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
  });

  it('classifies every error family: throttling and outages retryable, number / template / account final', async () => {
    const cases: { arrange: () => void; message?: OutgoingText; code: string; retryable: boolean }[] = [
      { arrange: () => simulator.throttleNext(1), code: 'isv.BUSINESS_LIMIT_CONTROL', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isv.DAY_LIMIT_CONTROL'), code: 'isv.DAY_LIMIT_CONTROL', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isp.SYSTEM_ERROR'), code: 'isp.SYSTEM_ERROR', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isv.MOBILE_NUMBER_ILLEGAL'), code: 'isv.MOBILE_NUMBER_ILLEGAL', retryable: false },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isv.BLACK_KEY_CONTROL_LIMIT'), code: 'isv.BLACK_KEY_CONTROL_LIMIT', retryable: false },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isv.AMOUNT_NOT_ENOUGH'), code: 'isv.AMOUNT_NOT_ENOUGH', retryable: false },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'isv.MONTH_LIMIT_CONTROL'), code: 'isv.MONTH_LIMIT_CONTROL', retryable: false },
      { arrange: () => undefined, message: sms({ template: 'debit_failed' }), code: 'isv.TEMPLATE_MISSING_PARAMETERS', retryable: false },
      { arrange: () => simulator.failNext(1, 'http500'), code: 'InternalError', retryable: true },
      { arrange: () => simulator.failNext(1, 'gateway502'), code: 'BAD_ANSWER', retryable: true },
      { arrange: () => simulator.failNext(1, 'close'), code: 'NETWORK', retryable: true },
      { arrange: () => simulator.delayAnswers(1_500), code: 'TIMEOUT', retryable: true },
    ];
    for (const c of cases) {
      c.arrange();
      const error = await providerError(adapter.send(c.message ?? sms()));
      expect({ code: error.code, retryable: error.retryable, provider: error.provider }).toEqual({ code: c.code, retryable: c.retryable, provider: 'alibaba-sms' });
      expectNoPersonalData(error, MOBILE);
      simulator.resetFaults();
    }
  });

  it('refuses a wrongly signed request (the simulator checks ACS3-HMAC-SHA256) as a final error', async () => {
    const wrong = new AlibabaSms({ ...config, accessKeySecret: 'not-the-secret' });
    const error = await providerError(wrong.send(sms()));
    expect([error.code, error.retryable]).toEqual(['SignatureDoesNotMatch', false]);
    expect(simulator.messages).toHaveLength(0);
  });

  it('turns bad input into final errors before calling Alibaba: unknown template, missing param, not a mobile', async () => {
    const unknown = await providerError(adapter.send(sms({ template: 'lapse_notice' })));
    expect([unknown.code, unknown.retryable, unknown.message]).toEqual(['LOCAL_TEMPLATE_UNKNOWN', false, 'alibaba-sms: no provider template configured for lapse_notice@1']);
    const missing = await providerError(adapter.send(sms({ params: { policyNo: 'P1', amount: '1.00' } })));
    expect([missing.code, missing.message]).toEqual(['LOCAL_TEMPLATE_PARAMS', 'alibaba-sms: template pre_due_reminder@1 needs param "dueDate", which the message lacks']);
    const notMobile = await providerError(adapter.send(sms({ to: '010-12345678' })));
    expect([notMobile.code, notMobile.retryable]).toEqual(['LOCAL_INVALID_NUMBER', false]);
    expectNoPersonalData(notMobile, '12345678');
    expect(simulator.received).toHaveLength(0);
  });

  it('during an outage the caller retries, asking status first, and each message reaches the provider once', async () => {
    const port = channelsFor(adapter);
    simulator.failNext(2, 'http500').failNext(1, 'close').failNext(2, 'gateway502');
    const messages = [sms(), sms({ to: OTHER_MOBILE }), sms()];
    const allErrors: ProviderError[] = [];
    for (const message of messages) {
      const { outcome, errors } = await sendLikeARetriedActivity(port, message);
      expect(outcome).toHaveProperty('providerMessageId');
      allErrors.push(...errors);
    }
    expect(allErrors.map((e) => e.code)).toEqual(['InternalError', 'InternalError', 'NETWORK', 'BAD_ANSWER', 'BAD_ANSWER']);
    for (const message of messages) expect(simulator.deliveredCount(message.contactId)).toBe(1);
    expect(simulator.messages).toHaveLength(3);
    // Every retry asked QuerySendDetails before sending again.
    expect(simulator.requests('QuerySendDetails').length).toBeGreaterThanOrEqual(4);
  });

  it('a lost answer: status() finds the message by OutId and it is not sent a second time', async () => {
    const port = channelsFor(adapter);
    simulator.holdCarrierReports().loseNextAnswers(1);
    const message = sms();
    const { outcome, errors } = await sendLikeARetriedActivity(port, message);

    expect(errors.map((e) => e.code)).toEqual(['NETWORK']);
    expect(outcome).toEqual({ state: 'accepted', providerMessageId: `outid:${message.contactId}` });
    expect(simulator.requests('SendSms')).toHaveLength(1);
    expect(simulator.requests('SendSms')[0]?.answerLost).toBe(true);
    expect(simulator.deliveredCount(message.contactId)).toBe(1);

    // The same lookup once the carrier has reported; and an unknown contact is 'unknown'.
    simulator.releaseCarrierReports();
    expect(await adapter.status(message.contactId, today(), message.to)).toEqual({ state: 'delivered', providerMessageId: `outid:${message.contactId}` });
    expect(await adapter.status('never-sent', today(), message.to)).toEqual({ state: 'unknown' });
  });

  it('an answer slower than the timeout: status() finds the message, no second delivery', async () => {
    simulator.delayAnswers(1_500);
    const message = sms();
    const first = await providerError(adapter.send(message));
    expect([first.code, first.retryable]).toEqual(['TIMEOUT', true]);
    simulator.delayAnswers(0);
    expect(await adapter.status(message.contactId, today(), message.to)).toMatchObject({ state: 'delivered' });
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
  });

  it('status() reports a failed delivery with the carrier code, and pages through a busy day', async () => {
    simulator.failDelivery(OTHER_MOBILE, 'MK:0001');
    for (let i = 0; i < 55; i += 1) await adapter.send(sms({ to: OTHER_MOBILE }));
    const last = sms({ to: OTHER_MOBILE });
    await adapter.send(last);
    expect(await adapter.status(last.contactId, today(), OTHER_MOBILE)).toEqual({ state: 'failed', providerMessageId: `outid:${last.contactId}`, errorCode: 'MK:0001' });
    expect(simulator.requests('QuerySendDetails').map((r) => r.params.CurrentPage)).toEqual(['1', '2']);
  });

  it('with OutId dedupe switched on (the real API has none) a repeat gets the first BizId and is not sent', async () => {
    const deduping = new AlibabaSmsSimulator({ ...credentials, signNames: [SIGN], templates: { SMS_465000001: '${policyNo}${amount}${dueDate}' }, dedupeOutId: true });
    const run = await deduping.start();
    try {
      const client = new AlibabaSms({ ...config, endpoint: run.url.replace('http://', '') });
      const message = sms();
      const first = await client.send(message);
      expect(await client.send(message)).toEqual(first);
      expect(deduping.requests('SendSms').map((r) => r.answer)).toEqual(['OK', 'DUPLICATE']);
      expect(deduping.deliveredCount(message.contactId)).toBe(1);
    } finally {
      await run.close();
    }
  });

  it('status() needs the recipient and a date, and says which argument is wrong', async () => {
    await expect(adapter.status('c', today())).rejects.toThrow('argument "to" is required');
    await expect(adapter.status('c', '20250301', MOBILE)).rejects.toThrow('sentOn must be a date YYYY-MM-DD, got "20250301"');
  });

  it('receipts pushed twice and out of order reach the consumer, each with the BizId and our contact ID', async () => {
    const { server, receipts } = await collectReceipts();
    try {
      simulator.receiptUrl = pushUrl(server, 'alibaba');
      simulator.failDelivery(OTHER_MOBILE, 'MK:0001');
      const first = sms();
      const second = sms({ to: OTHER_MOBILE });
      const sentFirst = await adapter.send(first);
      const sentSecond = await adapter.send(second);

      const push = await simulator.pushReceipts({ twice: true, reverse: true });
      expect(push).toEqual({ receipts: 2, statuses: [200, 200] });
      const flat = receipts.flat();
      expect(flat.map((r) => [r.contactId, r.providerMessageId, r.delivered, r.code])).toEqual([
        [second.contactId, sentSecond.providerMessageId, false, 'MK:0001'],
        [first.contactId, sentFirst.providerMessageId, true, 'DELIVERED'],
        [second.contactId, sentSecond.providerMessageId, false, 'MK:0001'],
        [first.contactId, sentFirst.providerMessageId, true, 'DELIVERED'],
      ]);
      expect(flat.every((r) => r.provider === 'alibaba-sms' && Math.abs(r.at.getTime() - Date.now()) < 60_000)).toBe(true);
      expect(JSON.stringify(flat)).not.toContain(MOBILE.slice(3));
      expect(JSON.stringify(flat)).not.toContain(OTHER_MOBILE.slice(3));
      // Acknowledged: nothing left to push.
      expect(await simulator.pushReceipts()).toEqual({ receipts: 0, statuses: [] });
    } finally {
      await server.close();
    }
  });

  it('the receipt endpoint answers 500 when the consumer fails, so the push comes again; 400 for a bad body', async () => {
    const { server, receipts, failNext } = await collectReceipts();
    try {
      simulator.receiptUrl = pushUrl(server, 'alibaba');
      const message = sms();
      await adapter.send(message);
      failNext.count = 1;
      expect(await simulator.pushReceipts()).toEqual({ receipts: 1, statuses: [500] });
      expect(receipts).toHaveLength(0);
      expect(await simulator.pushReceipts()).toEqual({ receipts: 1, statuses: [200] });
      expect(receipts.flat().map((r) => r.contactId)).toEqual([message.contactId]);

      const ack = await fetch(pushUrl(server, 'alibaba'), { method: 'POST', body: '[]' });
      expect([ack.status, await ack.json()]).toEqual([200, { code: 0, msg: '接收成功' }]);
      const bad = await fetch(pushUrl(server, 'alibaba'), { method: 'POST', body: JSON.stringify([{ phone_number: MOBILE, success: 'yes' }]) });
      expect(bad.status).toBe(400);
      const badText = await bad.text();
      expect(badText).toContain('[0]: field success must be true or false');
      expect(badText).not.toContain(MOBILE);
    } finally {
      await server.close();
    }
  });
});

describe('Tencent Cloud SMS through the official SDK', () => {
  const credentials = { secretId: 'AKIDrenewalsTest', secretKey: 'renewals-test-key' };
  const appId = '1400006666';
  let simulator: TencentSmsSimulator;
  let running: RunningSimulator;
  let config: TencentSmsConfig;
  let adapter: TencentSms;

  beforeEach(async () => {
    simulator = new TencentSmsSimulator({
      ...credentials,
      smsSdkAppId: appId,
      signNames: [SIGN],
      templates: {
        '2085001': '尊敬的客户：您的保单{1}的续期保费{2}元应于{3}缴纳。',
        '2085002': '您的保单{1}续期保费本次扣款未成功，宽限期至{2}。',
      },
    });
    running = await simulator.start();
    config = {
      ...credentials,
      endpoint: running.url.replace('http://', ''),
      protocol: 'http://',
      smsSdkAppId: appId,
      signName: SIGN,
      templates: {
        pre_due_reminder: { code: '2085001', params: ['policyNo', 'amount', 'dueDate'] },
        // Misconfigured on purpose: the approved template has two parameters.
        debit_failed: { code: '2085002', params: ['policyNo'] },
      },
      timeoutMs: 1_000,
    };
    adapter = new TencentSms(config);
  });
  afterEach(() => running.close());

  it('sends SendSms with the E.164 number, ordered TemplateParamSet and SessionContext = contact ID', async () => {
    const message = sms();
    const sent = await adapter.send(message);
    const [request] = simulator.requests('SendSms');
    expect(request?.params).toEqual({
      PhoneNumberSet: [`+86${MOBILE}`],
      SmsSdkAppId: appId,
      SignName: SIGN,
      TemplateId: '2085001',
      TemplateParamSet: ['P2025000123', '3,600.00', '2025-03-01'],
      SessionContext: message.contactId,
    });
    expect(sent).toEqual({ provider: 'tencent-sms', providerMessageId: simulator.messages[0]?.providerMessageId });
    expect(simulator.messages[0]?.content).toBe(`【${SIGN}】尊敬的客户：您的保单P2025000123的续期保费3,600.00元应于2025-03-01缴纳。`);
  });

  it('classifies request-level and per-number codes: limits and outages retryable, the rest final', async () => {
    const cases: { arrange: () => void; message?: OutgoingText; code: string; retryable: boolean }[] = [
      { arrange: () => simulator.throttleNext(1), code: 'RequestLimitExceeded', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'LimitExceeded.PhoneNumberDailyLimit'), code: 'LimitExceeded.PhoneNumberDailyLimit', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'LimitExceeded.DeliveryFrequencyLimit'), code: 'LimitExceeded.DeliveryFrequencyLimit', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'InternalError.Timeout'), code: 'InternalError.Timeout', retryable: true },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'FailedOperation.PhoneNumberInBlacklist'), code: 'FailedOperation.PhoneNumberInBlacklist', retryable: false },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'FailedOperation.ContainSensitiveWord'), code: 'FailedOperation.ContainSensitiveWord', retryable: false },
      { arrange: () => simulator.rejectRecipient(MOBILE, 'InvalidParameterValue.IncorrectPhoneNumber'), code: 'InvalidParameterValue.IncorrectPhoneNumber', retryable: false },
      {
        arrange: () => undefined,
        message: sms({ template: 'debit_failed' }),
        code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate',
        retryable: false,
      },
      { arrange: () => simulator.failNext(1, 'http500'), code: 'HTTP_500', retryable: true },
      { arrange: () => simulator.failNext(1, 'gateway502'), code: 'HTTP_502', retryable: true },
      { arrange: () => simulator.failNext(1, 'close'), code: 'NETWORK', retryable: true },
      { arrange: () => simulator.delayAnswers(1_500), code: 'TIMEOUT', retryable: true },
    ];
    for (const c of cases) {
      c.arrange();
      const error = await providerError(adapter.send(c.message ?? sms()));
      expect({ code: error.code, retryable: error.retryable, provider: error.provider }).toEqual({ code: c.code, retryable: c.retryable, provider: 'tencent-sms' });
      expectNoPersonalData(error, MOBILE);
      simulator.resetFaults();
    }
  });

  it('refuses a wrongly signed request (the simulator checks TC3-HMAC-SHA256) as a final error', async () => {
    const wrong = new TencentSms({ ...config, secretKey: 'not-the-key' });
    const error = await providerError(wrong.send(sms()));
    expect([error.code, error.retryable]).toEqual(['AuthFailure.SignatureFailure', false]);
    expect(simulator.messages).toHaveLength(0);
  });

  it('during an outage the caller retries, asking status first, and each message reaches the provider once', async () => {
    const port = channelsFor(adapter);
    simulator.failNext(2, 'close').failNext(1, 'http500').failNext(1, 'gateway502');
    const messages = [sms(), sms({ to: OTHER_MOBILE }), sms()];
    const allErrors: ProviderError[] = [];
    for (const message of messages) allErrors.push(...(await sendLikeARetriedActivity(port, message)).errors);
    expect(allErrors.map((e) => e.code)).toEqual(['NETWORK', 'NETWORK', 'HTTP_500', 'HTTP_502']);
    for (const message of messages) expect(simulator.deliveredCount(message.contactId)).toBe(1);
    expect(simulator.messages).toHaveLength(3);
  });

  it('a lost answer: the pulled status carries our SessionContext, so the message is not sent again', async () => {
    const port = channelsFor(adapter);
    simulator.loseNextAnswers(1);
    const message = sms();
    const { outcome, errors } = await sendLikeARetriedActivity(port, message);
    expect(errors.map((e) => e.code)).toEqual(['NETWORK']);
    expect(outcome).toEqual({ state: 'delivered', providerMessageId: simulator.messages[0]?.providerMessageId });
    expect(simulator.requests('SendSms')).toHaveLength(1);
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
  });

  it('a lost answer before the carrier reports: status() says "ask again later" until it can tell', async () => {
    const port = channelsFor(adapter);
    simulator.holdCarrierReports().loseNextAnswers(1);
    const message = sms();
    const { outcome, errors } = await sendLikeARetriedActivity(port, message, (error) => {
      if (error.code === 'STATUS_PENDING') simulator.releaseCarrierReports();
    });
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([
      ['NETWORK', true],
      ['STATUS_PENDING', true],
    ]);
    expect(outcome).toMatchObject({ state: 'delivered' });
    expect(simulator.requests('SendSms')).toHaveLength(1);
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
  });

  it('status() is "unknown" only when the number has no unreported send that day', async () => {
    expect(await adapter.status('never-sent', today(), MOBILE)).toEqual({ state: 'unknown' });
    simulator.failDelivery(OTHER_MOBILE, 'MK:0005');
    const message = sms({ to: OTHER_MOBILE });
    const sent = await adapter.send(message);
    expect(await adapter.status(message.contactId, today(), OTHER_MOBILE)).toEqual({ state: 'failed', providerMessageId: sent.providerMessageId, errorCode: 'MK:0005' });
    await expect(adapter.status('c', today())).rejects.toThrow('argument "to" is required');
  });

  /** A Tencent simulator that pushes each receipt to `server` as soon as the carrier reports. */
  const autoPushing = (server: RunningReceiptServer) =>
    new TencentSmsSimulator({
      ...credentials,
      smsSdkAppId: appId,
      signNames: [SIGN],
      templates: { '2085001': '{1}{2}{3}' },
      receiptUrl: pushUrl(server, 'tencent'),
      autoPushReceipts: true,
    });

  it('pushes receipts on its own when told to, as the configured callback does', async () => {
    const { server, receipts } = await collectReceipts();
    const pushing = autoPushing(server);
    const run = await pushing.start();
    try {
      const sent = await new TencentSms({ ...config, endpoint: run.url.replace('http://', '') }).send(sms());
      await expect.poll(() => receipts.flat().map((r) => r.providerMessageId)).toEqual([sent.providerMessageId]);
      expect(pushing.messages[0]?.receiptPushed).toBe(true);
    } finally {
      await run.close();
      await server.close();
    }
  });

  it('sends under load: pushes that overlap still push each receipt once', async () => {
    const { server, receipts } = await collectReceipts();
    const pushing = autoPushing(server);
    const run = await pushing.start();
    try {
      const adapter = new TencentSms({ ...config, endpoint: run.url.replace('http://', '') });
      const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => adapter.send(sms({ contactId: `load-${i}` }))));
      await expect.poll(() => pushing.messages.length > 0 && pushing.messages.every((m) => m.receiptPushed)).toBe(true);
      const pushed = receipts.flat().map((r) => r.providerMessageId);
      expect(pushed.sort()).toEqual(sent.map((s) => s.providerMessageId).sort());
    } finally {
      await run.close();
      await server.close();
    }
  });

  it('receipts pushed twice and out of order reach the consumer, matched by sid = SerialNo', async () => {
    const { server, receipts } = await collectReceipts();
    try {
      simulator.receiptUrl = pushUrl(server, 'tencent');
      simulator.failDelivery(OTHER_MOBILE, 'MK:0001');
      const first = await adapter.send(sms());
      const second = await adapter.send(sms({ to: OTHER_MOBILE }));

      expect(await simulator.pushReceipts({ twice: true, reverse: true })).toEqual({ receipts: 2, statuses: [200, 200] });
      const flat = receipts.flat();
      expect(flat.map((r) => [r.providerMessageId, r.delivered, r.code, r.contactId])).toEqual([
        [second.providerMessageId, false, 'MK:0001', undefined],
        [first.providerMessageId, true, 'DELIVRD', undefined],
        [second.providerMessageId, false, 'MK:0001', undefined],
        [first.providerMessageId, true, 'DELIVRD', undefined],
      ]);
      expect(JSON.stringify(flat)).not.toContain(MOBILE.slice(3));

      const ack = await fetch(pushUrl(server, 'tencent'), { method: 'POST', body: '[]' });
      expect([ack.status, await ack.json()]).toEqual([200, { result: 0, errmsg: 'OK' }]);
      const bad = await fetch(pushUrl(server, 'tencent'), { method: 'POST', body: '{"sid":"x"}' });
      expect([bad.status, (await bad.json())]).toEqual([400, { result: 1, errmsg: 'Tencent SMS callback: body must be a JSON array of statuses' }]);
    } finally {
      await server.close();
    }
  });
});

describe('ProviderTextChannels', () => {
  it('routes letters to the print-house recorder, once per contact ID', async () => {
    const letters = new LetterRecorder();
    const channels = new ProviderTextChannels({
      sms: new AlibabaSms({ accessKeyId: 'a', accessKeySecret: 'b', signName: SIGN, templates: {} }),
      wechat: new WechatTemplateMessages({ appId: 'wx0', appSecret: 's', templates: {} }),
      letter: letters,
    });
    const letter = sms({ channel: 'letter', to: 'holder of P2025000123' });
    const first = await channels.send(letter);
    const again = await channels.send(letter);
    expect(first).toEqual({ provider: 'print-house', providerMessageId: 'LTR00000001' });
    expect(again).toEqual(first);
    expect(letters.letters).toHaveLength(1);
    expect(await channels.status('letter', letter.contactId, today())).toEqual({ state: 'accepted', providerMessageId: 'LTR00000001' });
    expect(await channels.status('letter', 'other', today())).toEqual({ state: 'unknown' });
  });
});
