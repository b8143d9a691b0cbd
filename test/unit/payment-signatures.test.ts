import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { memberText, signNotification, signRequest, requestSigned, verifiedAnswer, verifyNotification, signingText } from '../../integrations/payments/alipay/rsa2';
import { PaymentVerifyError, referenceOf } from '../../integrations/payments/port';
import { rsaSign } from '../../integrations/payments/rsa-sha256';
import {
  authorizationHeader,
  decryptResource,
  encryptResource,
  parseAuthorization,
  platformHeaders,
  platformSignatureOf,
  requestMessage,
  verifyPlatformSignature,
} from '../../integrations/payments/wechatpay/v3-crypto';
import { rsaVerify } from '../../integrations/payments/rsa-sha256';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = pair();
const stranger = pair();
const APIV3 = '0123456789abcdef0123456789abcdef';
const verifyError = (authentication: boolean) => expect.objectContaining({ name: 'PaymentVerifyError', authentication });

describe('WeChat Pay v3 signatures', () => {
  it('signs a request over METHOD, URL, timestamp, nonce and body, and the header names the merchant and key', () => {
    const merchant = pair();
    const request = { method: 'POST', url: '/v3/pay/transactions/h5', body: '{"a":1}' };
    const header = authorizationHeader(request, { mchId: '1900000109', serialNo: 'ABC', privateKey: merchant.privateKey }, 1_700_000_000_000, 'n0nce');
    const parts = parseAuthorization(header)!;
    expect(parts).toMatchObject({ mchid: '1900000109', serial_no: 'ABC', timestamp: '1700000000', nonce_str: 'n0nce' });
    expect(requestMessage(request, '1700000000', 'n0nce')).toBe('POST\n/v3/pay/transactions/h5\n1700000000\nn0nce\n{"a":1}\n');
    expect(rsaVerify(requestMessage(request, parts.timestamp!, parts.nonce_str!), parts.signature!, merchant.publicKey)).toBe(true);
    expect(rsaVerify(requestMessage({ ...request, body: '{"a":2}' }, parts.timestamp!, parts.nonce_str!), parts.signature!, merchant.publicKey)).toBe(false);
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

describe('Alipay RSA2', () => {
  it('signs sorted k=v pairs without empty values; a request keeps sign_type in, a notification leaves it out', () => {
    expect(signingText({ b: '2', a: '1', c: '', sign: 's', sign_type: 'RSA2' }, ['sign'])).toBe('a=1&b=2&sign_type=RSA2');
    expect(signingText({ b: '2', a: '1', sign: 's', sign_type: 'RSA2' }, ['sign', 'sign_type'])).toBe('a=1&b=2');
    const app = pair();
    const signed = signRequest({ app_id: '1', method: 'alipay.trade.query', biz_content: '{"out_trade_no":"A"}' }, app.privateKey);
    expect(requestSigned(signed, app.publicKey)).toBe(true);
    expect(requestSigned({ ...signed, biz_content: '{"out_trade_no":"B"}' }, app.publicKey)).toBe(false);
  });

  it('verifies a notification with the Alipay public key and refuses a forged or altered one', () => {
    const note = signNotification({ out_trade_no: 'A1', trade_status: 'TRADE_SUCCESS', total_amount: '12.30' }, platform.privateKey);
    expect(() => verifyNotification(note, platform.publicKey)).not.toThrow();
    expect(() => verifyNotification({ ...note, total_amount: '0.01' }, platform.publicKey)).toThrow(verifyError(true));
    expect(() => verifyNotification(signNotification({ out_trade_no: 'A1' }, stranger.privateKey), platform.publicKey)).toThrow(/does not verify/);
    expect(() => verifyNotification({ out_trade_no: 'A1' }, platform.publicKey)).toThrow(/no sign/);
  });

  it('verifies an answer over the exact text of its *_response member', () => {
    const inner = '{"code":"10000","msg":"Success","note":"a } in \\"text\\""}';
    const json = `{"alipay_trade_query_response":${inner},"sign":"${rsaSign(inner, platform.privateKey)}"}`;
    expect(memberText(json, 'alipay_trade_query_response')).toBe(inner);
    expect(verifiedAnswer(json, 'alipay_trade_query_response', platform.publicKey)).toMatchObject({ code: '10000' });
    expect(() => verifiedAnswer(json.replace('10000', '10001'), 'alipay_trade_query_response', platform.publicKey)).toThrow(PaymentVerifyError);
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
