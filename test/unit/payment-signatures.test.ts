import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Alipay } from '../../integrations/payments/alipay/alipay-client';
import { beijingTimestamp, PaymentProviderError, referenceOf } from '../../integrations/payments/port';
import { requestSigned, signedAnswer, signingText, signNotification } from '../../integrations/payments/simulators/alipay-signing';
import { serve } from '../../integrations/payments/simulators/sim-server';
import { encryptResource, parseAuthorization, platformHeaders, requestMessage } from '../../integrations/payments/simulators/wechatpay-signing';
import { decryptResource, platformSignatureOf, verifyPlatformSignature } from '../../integrations/payments/wechatpay/notification';
import { WechatPay } from '../../integrations/payments/wechatpay/wechatpay-client';
import { rsaVerify } from '../../integrations/payments/rsa-sha256';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = pair();
const stranger = pair();
const APIV3 = '0123456789abcdef0123456789abcdef';
const verifyError = (authentication: boolean) => expect.objectContaining({ name: 'PaymentVerifyError', authentication });

describe('WeChat Pay v3 signatures', () => {
  it('the plugin signs a request over METHOD, URL, timestamp, nonce and body, and believes only a platform-signed answer', async () => {
    const merchant = pair();
    const seen: { method: string; url: string; body: string; authorization: string }[] = [];
    let answer: { status: number; body: string; key: KeyObject; serial: string } = { status: 200, body: '{"h5_url":"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1"}', key: platform.privateKey, serial: 'S1' };
    const api = await serve((request) => {
      seen.push({ method: request.method, url: `${request.url.pathname}${request.url.search}`, body: request.body, authorization: String(request.headers.authorization) });
      return { status: answer.status, headers: platformHeaders(answer.body, { serial: answer.serial, privateKey: answer.key }), body: answer.body };
    });
    try {
      const wx = new WechatPay({
        baseUrl: api.url,
        mchId: '1900000109',
        appId: 'wxd678efh567hg6787',
        serialNo: 'ABC',
        privateKeyPem: merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        platformSerial: 'S1',
        platformPublicKeyPem: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        apiV3Key: APIV3,
        notifyUrl: 'https://pay.example/notify/wechatpay',
      });
      const order = { outTradeNo: 'PL0123456789abcdef01234567', amountFen: 123_456, description: '续期保费', expiresAt: new Date('2026-12-31T16:00:00Z'), clientIp: '203.0.113.9' };
      expect(await wx.createOrder(order)).toEqual({ payUrl: 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx1' });
      const sent = seen[0]!;
      const parts = parseAuthorization(sent.authorization)!;
      expect(parts).toMatchObject({ mchid: '1900000109', serial_no: 'ABC' });
      expect(sent).toMatchObject({ method: 'POST', url: '/v3/pay/transactions/h5' });
      expect(JSON.parse(sent.body)).toMatchObject({ out_trade_no: order.outTradeNo, amount: { total: 123_456, currency: 'CNY' }, time_expire: '2027-01-01T00:00:00+08:00' });
      expect(rsaVerify(requestMessage(sent, parts.timestamp!, parts.nonce_str!), parts.signature!, merchant.publicKey)).toBe(true);
      expect(rsaVerify(requestMessage({ ...sent, body: `${sent.body} ` }, parts.timestamp!, parts.nonce_str!), parts.signature!, merchant.publicKey)).toBe(false);

      answer = { ...answer, body: '{"appid":"wxd678efh567hg6787","mchid":"1900000109","out_trade_no":"PL0123456789abcdef01234567","trade_state":"NOTPAY","amount":{"total":123456}}' };
      expect(await wx.queryOrder(order.outTradeNo)).toMatchObject({ outTradeNo: order.outTradeNo, paid: false, state: 'NOTPAY' });
      expect(seen[1]!.url).toBe('/v3/pay/transactions/out-trade-no/PL0123456789abcdef01234567?mchid=1900000109');
      expect(rsaVerify(requestMessage({ ...seen[1]!, body: '' }, parseAuthorization(seen[1]!.authorization)!.timestamp!, parseAuthorization(seen[1]!.authorization)!.nonce_str!), parseAuthorization(seen[1]!.authorization)!.signature!, merchant.publicKey)).toBe(true);
      // Signed by another key, or by a platform key we do not hold: not believed.
      answer = { ...answer, key: stranger.privateKey };
      await expect(wx.queryOrder(order.outTradeNo)).rejects.toThrow(verifyError(true));
      answer = { ...answer, key: platform.privateKey, serial: 'S2' };
      await expect(wx.queryOrder(order.outTradeNo)).rejects.toThrow(verifyError(true));
      answer = { status: 404, body: '{"code":"ORDER_NOT_EXIST","message":"订单不存在"}', key: platform.privateKey, serial: 'S1' };
      expect(await wx.queryOrder(order.outTradeNo)).toBeUndefined();
      answer = { ...answer, status: 401, body: '{"code":"SIGN_ERROR","message":"签名错误"}' };
      await expect(wx.queryOrder(order.outTradeNo)).rejects.toThrow(/HTTP 401 SIGN_ERROR/);
    } finally {
      await api.close();
    }
  });

  it('believes a platform-signed body only with the right key, serial, body and a timestamp within 5 minutes', () => {
    const now = 1_800_000_000_000;
    const body = '{"id":"x"}';
    const headers = Object.fromEntries(Object.entries(platformHeaders(body, { serial: 'S1', privateKey: platform.privateKey }, now)).map(([k, v]) => [k.toLowerCase(), v]));
    const signed = platformSignatureOf(headers);
    const key = { serial: 'S1', publicKey: platform.publicKey };
    expect(() => verifyPlatformSignature(body, signed, key, now + 299_000)).not.toThrow();
    expect(() => verifyPlatformSignature(`${body} `, signed, key, now)).toThrow(verifyError(true));
    expect(() => verifyPlatformSignature(body, signed, key, now + 301_000)).toThrow(/more than 300 s/);
    expect(() => verifyPlatformSignature(body, signed, { serial: 'S2', publicKey: platform.publicKey }, now)).toThrow(/not the platform key/);
    expect(() => verifyPlatformSignature(body, signed, { serial: 'S1', publicKey: stranger.publicKey }, now)).toThrow(/does not verify/);
    expect(() => verifyPlatformSignature(body, undefined, key, now)).toThrow(/headers are required/);
  });

  it('decrypts an AEAD_AES_256_GCM resource, and refuses one tampered with or under another key', () => {
    const resource = encryptResource('{"out_trade_no":"X1"}', APIV3, 'transaction', 'abcdefghijkl');
    expect(decryptResource(resource, APIV3)).toBe('{"out_trade_no":"X1"}');
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[3] = bytes[3]! ^ 0x01;
    expect(() => decryptResource({ ...resource, ciphertext: bytes.toString('base64') }, APIV3)).toThrow(verifyError(true));
    expect(() => decryptResource({ ...resource, associated_data: 'other' }, APIV3)).toThrow(verifyError(true));
    expect(() => decryptResource(resource, 'fedcba9876543210fedcba9876543210')).toThrow(/does not decrypt/);
    expect(() => decryptResource({ ...resource, algorithm: 'AES-CBC' }, APIV3)).toThrow(verifyError(false));
  });
});

describe('Alipay RSA2: the official SDK (merchant) against the simulator\'s signing (Alipay)', () => {
  const app = pair();
  const pem = (key: KeyObject, type: 'pkcs8' | 'pkcs1' = 'pkcs8') => key.export({ type, format: 'pem' }).toString();
  const client = (gatewayUrl = 'http://127.0.0.1:9/gateway.do', appKeyPem = pem(app.privateKey)) =>
    new Alipay({ appId: '2021000000000001', privateKeyPem: appKeyPem, alipayPublicKeyPem: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(), gatewayUrl, notifyUrl: 'https://pay.example/notify/alipay' });
  const order = { outTradeNo: 'PL0123456789abcdef01234567', amountFen: 123_456, description: '续期保费', expiresAt: new Date('2026-12-31T16:00:00Z'), clientIp: '203.0.113.9' };
  const notification = (extra: Record<string, string> = {}, key: KeyObject = platform.privateKey) =>
    new URLSearchParams(signNotification({ app_id: '2021000000000001', out_trade_no: 'A1', trade_no: '2026120722001', trade_status: 'TRADE_SUCCESS', total_amount: '12.30', gmt_payment: '2026-12-07 10:00:00', ...extra }, key)).toString();

  it('signing text: sorted k=v pairs; a request leaves empty values out, a notification keeps them and leaves sign_type out', () => {
    expect(signingText({ b: '2', a: '1', c: '', sign: 's', sign_type: 'RSA2' }, ['sign'])).toBe('a=1&b=2&sign_type=RSA2');
    expect(signingText({ b: '2', a: '1', c: '', sign: 's', sign_type: 'RSA2' }, ['sign', 'sign_type'], true)).toBe('a=1&b=2&c=');
  });

  it('the SDK\'s wap.pay URL is signed as the gateway checks it, with the timestamp in Beijing time', async () => {
    for (const keyPem of [pem(app.privateKey), pem(app.privateKey, 'pkcs1')]) {
      const before = Date.now();
      const { payUrl } = await client(undefined, keyPem).createOrder(order);
      const params = Object.fromEntries(new URL(payUrl).searchParams);
      expect(params).toMatchObject({ app_id: '2021000000000001', method: 'alipay.trade.wap.pay', sign_type: 'RSA2', notify_url: 'https://pay.example/notify/alipay' });
      expect(JSON.parse(params.biz_content!)).toEqual({ out_trade_no: order.outTradeNo, total_amount: '1234.56', subject: '续期保费', product_code: 'QUICK_WAP_WAY', time_expire: '2027-01-01 00:00:00' });
      expect([beijingTimestamp(new Date(before)), beijingTimestamp(new Date())]).toContain(params.timestamp);
      expect(requestSigned(params, app.publicKey)).toBe(true);
      expect(requestSigned({ ...params, biz_content: params.biz_content!.replace('1234.56', '0.01') }, app.publicKey)).toBe(false);
      expect(requestSigned(params, stranger.publicKey)).toBe(false);
    }
  });

  it('checkNotifySignV2 believes Alipay\'s notification, empty values included, and refuses a forged or altered one', () => {
    const alipay = client();
    expect(alipay.readNotification({}, notification())).toMatchObject({ outTradeNo: 'A1', transactionId: '2026120722001', paid: true, amountFen: 1230, paidAt: new Date('2026-12-07T02:00:00Z') });
    expect(alipay.readNotification({}, notification({ passback_params: '', buyer_pay_amount: '12.30' }))).toMatchObject({ paid: true });
    expect(() => alipay.readNotification({}, notification().replace('total_amount=12.30', 'total_amount=0.01'))).toThrow(verifyError(true));
    expect(() => alipay.readNotification({}, notification({}, stranger.privateKey))).toThrow(/does not verify with the Alipay public key/);
    expect(() => alipay.readNotification({}, notification({}, app.privateKey))).toThrow(verifyError(true));
    expect(() => alipay.readNotification({}, notification().replace(/&sign=[^&]*/, ''))).toThrow(/no sign/);
    expect(() => alipay.readNotification({}, notification().replace('sign_type=RSA2', 'sign_type=RSA'))).toThrow(/RSA2/);
    expect(() => alipay.readNotification({}, notification({ app_id: '2021999999999999' }))).toThrow(verifyError(false));
  });

  it('the SDK\'s query is believed only over the exact text Alipay signed', async () => {
    const inner = { code: '10000', msg: 'Success', out_trade_no: 'A1', trade_no: '2026120722001', trade_status: 'TRADE_SUCCESS', total_amount: '12.30', send_pay_date: '2026-12-07 10:00:00', note: 'a } in "text"' };
    let answer = signedAnswer('alipay.trade.query', inner, platform.privateKey);
    const seen: Record<string, string>[] = [];
    const gateway = await serve((request) => {
      seen.push({ ...Object.fromEntries(request.url.searchParams), ...Object.fromEntries(new URLSearchParams(request.body)) });
      return { status: 200, body: answer };
    });
    try {
      const alipay = client(`${gateway.url}/gateway.do`);
      expect(await alipay.queryOrder('A1')).toMatchObject({ outTradeNo: 'A1', paid: true, amountFen: 1230 });
      expect(requestSigned(seen[0]!, app.publicKey)).toBe(true);
      expect(JSON.parse(seen[0]!.biz_content!)).toEqual({ out_trade_no: 'A1' });
      answer = answer.replace('"12.30"', '"0.01"');
      await expect(alipay.queryOrder('A1')).rejects.toThrow(verifyError(true));
      answer = signedAnswer('alipay.trade.query', inner, stranger.privateKey);
      await expect(alipay.queryOrder('A1')).rejects.toThrow(/does not verify with the Alipay public key/);
      answer = signedAnswer('alipay.trade.query', { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' }, platform.privateKey);
      expect(await alipay.queryOrder('A1')).toBeUndefined();
      answer = 'not json';
      await expect(alipay.queryOrder('A1')).rejects.toThrow(PaymentProviderError);
    } finally {
      await gateway.close();
    }
  });
});

describe('payment references', () => {
  it('keep letters, digits, - and _ of a transaction number, at most 64', () => {
    expect(referenceOf('4200001234202612070000000001')).toBe('4200001234202612070000000001');
    expect(referenceOf('a b/c<script>')).toBe('abcscript');
    expect(referenceOf('9'.repeat(80))).toHaveLength(64);
    expect(referenceOf('***')).toBeUndefined();
  });
});
