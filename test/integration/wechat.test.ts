import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ProviderError, type DeliveryReceipt, type OutgoingText } from '../../integrations/messaging/port';
import { ProviderTextChannels } from '../../integrations/messaging/provider-text-channels';
import { RECEIPT_PATHS, startReceiptServer, type RunningReceiptServer } from '../../integrations/messaging/receipt-server';
import type { RunningSimulator } from '../../integrations/messaging/simulators/http-simulator';
import { signedPush, WechatSimulator } from '../../integrations/messaging/simulators/wechat-simulator';
import { AlibabaSms } from '../../integrations/messaging/sms/alibaba-sms';
import { wechatSignature } from '../../integrations/messaging/wechat/message-crypto';
import { WechatTemplateMessages, type WechatTemplateMessagesConfig } from '../../integrations/messaging/wechat/wechat-template-messages';
import { expectNoPersonalData, providerError, sendLikeARetriedActivity } from '../support/provider-calls';

const APP = { appId: 'wx3f9a2b7c1d4e5f60', appSecret: 'renewals-test-appsecret' };
const SERVER_TOKEN = 'renewalsServerToken';
const ENCODING_AES_KEY = 'RenewalsTestEncodingAesKey0123456789abcdefg';
const OPENID = 'oRnw5t0Xy8Qe2LkJm9PaZc3Vb1Hd';
const OTHER_OPENID = 'oRnw5t7Gf4Tr6YuIo0PlKj8HgFd2';
const TEMPLATE_ID = 'Xk3dLr9_Q0pVt7wYzB2nM5cF8hJ1sA4eR6uI0oP3lKj';

let seq = 0;
function wechat(overrides: Partial<OutgoingText> = {}): OutgoingText {
  seq += 1;
  return {
    contactId: `contact-wx-${seq}`,
    channel: 'wechat',
    to: OPENID,
    template: 'pre_due_reminder',
    templateVersion: 1,
    params: { policyNo: 'P2025000123', amount: '3,600.00', dueDate: '2025-03-01' },
    text: '尊敬的客户：您的保单 P2025000123 的续期保费 3,600.00 元应于 2025-03-01 缴纳。',
    ...overrides,
  };
}

describe('WeChat Official Account template messages', () => {
  let simulator: WechatSimulator;
  let running: RunningSimulator;
  let config: WechatTemplateMessagesConfig;
  let adapter: WechatTemplateMessages;

  beforeEach(async () => {
    simulator = new WechatSimulator({
      ...APP,
      serverToken: SERVER_TOKEN,
      encodingAesKey: ENCODING_AES_KEY,
      templates: { [TEMPLATE_ID]: ['character_string1', 'amount2', 'time3'], TPL_TWO_FIELDS: ['character_string1', 'thing2'] },
    });
    running = await simulator.start();
    config = {
      ...APP,
      baseUrl: running.url,
      timeoutMs: 1_000,
      templates: {
        pre_due_reminder: { templateId: TEMPLATE_ID, data: { character_string1: 'policyNo', amount2: 'amount', time3: 'dueDate' }, url: 'https://m.insurer.example/renewal' },
        // Misconfigured on purpose: the library template also needs thing2.
        debit_failed: { templateId: 'TPL_TWO_FIELDS', data: { character_string1: 'policyNo' } },
        lapse_notice: { templateId: 'NOT_IN_THE_LIBRARY', data: { character_string1: 'policyNo' } },
      },
    };
    adapter = new WechatTemplateMessages(config);
  });
  afterEach(() => running.close());

  it('sends touser, template_id, url, data and client_msg_id = contact ID, with one stable token for many sends', async () => {
    const message = wechat();
    const sent = await adapter.send(message);
    await adapter.send(wechat({ to: OTHER_OPENID }));

    const [request] = simulator.requests('message/template/send');
    expect(request?.params).toEqual({
      touser: OPENID,
      template_id: TEMPLATE_ID,
      url: 'https://m.insurer.example/renewal',
      data: { character_string1: { value: 'P2025000123' }, amount2: { value: '3,600.00' }, time3: { value: '2025-03-01' } },
      client_msg_id: message.contactId,
    });
    expect(sent).toEqual({ provider: 'wechat-oa', providerMessageId: simulator.messages[0]?.providerMessageId });
    expect(simulator.requests('stable_token')).toHaveLength(1);
    expect(simulator.requests('stable_token')[0]?.params).toEqual({ grant_type: 'client_credential', appid: APP.appId, force_refresh: false });
  });

  it('an expired token (42001) is fetched again and the send retried once, reaching WeChat once', async () => {
    await adapter.send(wechat());
    simulator.expireAccessTokens();
    const message = wechat();
    await adapter.send(message);
    expect(simulator.requests('message/template/send').map((r) => r.answer)).toEqual(['0', '42001', '0']);
    expect(simulator.tokensIssued).toBe(2);
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
  });

  it('a wrong app secret is a final error that does not name the user', async () => {
    const wrong = new WechatTemplateMessages({ ...config, appSecret: 'not-the-secret' });
    const error = await providerError(wrong.send(wechat()));
    expect([error.code, error.retryable]).toEqual(['40125', false]);
    expectNoPersonalData(error, OPENID);
  });

  it('classifies errcodes: busy and quota retryable; not following, refused, bad openid, template final', async () => {
    const cases: { arrange: () => void; message?: OutgoingText; code: string; retryable: boolean }[] = [
      { arrange: () => simulator.throttleNext(1), code: '45009', retryable: true },
      { arrange: () => simulator.rejectRecipient(OPENID, '-1'), code: '-1', retryable: true },
      { arrange: () => simulator.rejectRecipient(OPENID, '43004'), code: '43004', retryable: false },
      { arrange: () => simulator.rejectRecipient(OPENID, '43101'), code: '43101', retryable: false },
      { arrange: () => undefined, message: wechat({ to: 'not-an-openid' }), code: '40003', retryable: false },
      { arrange: () => undefined, message: wechat({ template: 'lapse_notice' }), code: '40037', retryable: false },
      { arrange: () => undefined, message: wechat({ template: 'debit_failed' }), code: '47003', retryable: false },
      { arrange: () => simulator.failNext(1, 'http500'), code: 'HTTP_500', retryable: true },
      { arrange: () => simulator.failNext(1, 'gateway502'), code: 'HTTP_502', retryable: true },
      { arrange: () => simulator.failNext(1, 'close'), code: 'NETWORK', retryable: true },
      { arrange: () => simulator.delayAnswers(1_500), code: 'TIMEOUT', retryable: true },
    ];
    await adapter.send(wechat()); // token in hand, so each fault hits the send itself
    for (const c of cases) {
      c.arrange();
      const error = await providerError(adapter.send(c.message ?? wechat()));
      expect({ code: error.code, retryable: error.retryable, provider: error.provider }).toEqual({ code: c.code, retryable: c.retryable, provider: 'wechat-oa' });
      expectNoPersonalData(error, OPENID, 'not-an-openid');
      simulator.resetFaults();
    }
  });

  it('checks its own input first: unknown template and missing param are final, WeChat is not called', async () => {
    const unknown = await providerError(adapter.send(wechat({ template: 'orphan_notice' })));
    expect([unknown.code, unknown.retryable]).toEqual(['LOCAL_TEMPLATE_UNKNOWN', false]);
    const missing = await providerError(adapter.send(wechat({ params: { policyNo: 'P1' } })));
    expect([missing.code, missing.message]).toEqual(['LOCAL_TEMPLATE_PARAMS', 'wechat-oa: template pre_due_reminder@1 needs param "amount", which the message lacks']);
    expect(simulator.received).toHaveLength(0);
  });

  it('during an outage the caller retries and each message reaches WeChat once', async () => {
    const port = new ProviderTextChannels({ sms: new AlibabaSms({ accessKeyId: 'a', accessKeySecret: 'b', signName: 's', templates: {} }), wechat: adapter });
    simulator.failNext(2, 'http500').failNext(1, 'close');
    const messages = [wechat(), wechat({ to: OTHER_OPENID }), wechat()];
    const allErrors: ProviderError[] = [];
    for (const message of messages) allErrors.push(...(await sendLikeARetriedActivity(port, message)).errors);
    // The first faults hit the token request, then the send.
    expect(allErrors.map((e) => e.code)).toEqual(['HTTP_500', 'HTTP_500', 'NETWORK']);
    for (const message of messages) expect(simulator.deliveredCount(message.contactId)).toBe(1);
    expect(simulator.messages).toHaveLength(3);
  });

  it('a lost answer: status() cannot look it up, the resend carries the same client_msg_id and WeChat does not send twice', async () => {
    const port = new ProviderTextChannels({ sms: new AlibabaSms({ accessKeyId: 'a', accessKeySecret: 'b', signName: 's', templates: {} }), wechat: adapter });
    simulator.loseNextAnswers(1);
    const message = wechat();
    const { outcome, errors } = await sendLikeARetriedActivity(port, message);

    expect(errors.map((e) => e.code)).toEqual(['NETWORK']);
    const sends = simulator.requests('message/template/send');
    expect(sends.map((r) => [r.params.client_msg_id, r.answer, r.answerLost])).toEqual([
      [message.contactId, '0', true],
      [message.contactId, 'DUPLICATE', false],
    ]);
    expect(outcome).toEqual({ provider: 'wechat-oa', providerMessageId: simulator.messages[0]?.providerMessageId });
    expect(simulator.deliveredCount(message.contactId)).toBe(1);
    expect(await adapter.status()).toEqual({ state: 'unknown' });
  });

  describe('TEMPLATESENDJOBFINISH events at the receipt endpoint', () => {
    let receipts: DeliveryReceipt[][];
    let server: RunningReceiptServer;

    beforeEach(async () => {
      receipts = [];
      server = await startReceiptServer({
        credentials: { wechat: { serverToken: SERVER_TOKEN, encodingAesKey: ENCODING_AES_KEY, appId: APP.appId } },
        onReceipts: (batch) => void receipts.push(batch),
      });
      simulator.receiptUrl = `${server.url}${RECEIPT_PATHS.wechat}`;
    });
    afterEach(() => server.close());

    it('pushed twice and out of order, each becomes a receipt matched by MsgID, without the openid', async () => {
      simulator.failDelivery(OTHER_OPENID, 'failed:user block');
      const first = await adapter.send(wechat());
      const second = await adapter.send(wechat({ to: OTHER_OPENID }));

      expect(await simulator.pushReceipts({ twice: true, reverse: true })).toEqual({ receipts: 2, statuses: [200, 200, 200, 200] });
      const flat = receipts.flat();
      expect(flat.map((r) => [r.providerMessageId, r.delivered, r.code])).toEqual([
        [second.providerMessageId, false, 'failed:user block'],
        [first.providerMessageId, true, 'success'],
        [second.providerMessageId, false, 'failed:user block'],
        [first.providerMessageId, true, 'success'],
      ]);
      expect(flat.every((r) => r.provider === 'wechat-oa' && r.contactId === undefined)).toBe(true);
      expect(JSON.stringify(flat)).not.toContain(OPENID);
      expect(JSON.stringify(flat)).not.toContain(OTHER_OPENID);
    });

    it('refuses an unsigned push, answers the URL check, and ignores events that are not receipts', async () => {
      await adapter.send(wechat());
      const unsigned = await fetch(`${server.url}${RECEIPT_PATHS.wechat}?signature=0&timestamp=1&nonce=2`, { method: 'POST', body: '<xml/>' });
      expect(unsigned.status).toBe(401);

      const now = String(Math.floor(Date.now() / 1000));
      const check = await fetch(`${server.url}${RECEIPT_PATHS.wechat}?signature=${wechatSignature(SERVER_TOKEN, now, '42')}&timestamp=${now}&nonce=42&echostr=8843210987654`);
      expect([check.status, await check.text()]).toEqual([200, '8843210987654']);

      // Pushed in safe mode, as WeChat and the simulator push: encrypted, signed over the ciphertext.
      const push = (event: string) => {
        const request = signedPush(`${server.url}${RECEIPT_PATHS.wechat}`, event, { ...APP, serverToken: SERVER_TOKEN, encodingAesKey: ENCODING_AES_KEY, accountId: 'gh_1', openid: OPENID, now: new Date() });
        return fetch(request.url, { method: 'POST', headers: { 'content-type': request.contentType }, body: request.body });
      };
      const subscribe = await push(
        `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`,
      );
      expect([subscribe.status, await subscribe.text()]).toEqual([200, 'success']);

      const broken = await push('<xml><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><CreateTime>1700000002</CreateTime><Status>success</Status></xml>');
      expect([broken.status, await broken.text()]).toEqual([400, 'WeChat TEMPLATESENDJOBFINISH: field MsgID is missing']);
      expect(receipts).toHaveLength(0);
    });
  });
});
