import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOnlinePaymentSettings } from '../../config/online-payment';
import { configuredPaymentProviders } from '../../integrations/payments/configured-providers';
import { DEMO_ALIPAY_APP_KEY, DEMO_ALIPAY_PLATFORM_KEY, DEMO_WECHATPAY_MERCHANT_KEY, DEMO_WECHATPAY_PLATFORM_KEY } from '../../integrations/payments/simulators/demo-keys';

const dir = mkdtempSync(join(tmpdir(), 'paykeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const own = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const wechat = (key: string) => ({
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_APPID: 'wx1',
  WECHATPAY_SERIAL_NO: 'S1',
  WECHATPAY_PRIVATE_KEY_FILE: file('wx.pem', key),
  WECHATPAY_PLATFORM_SERIAL: 'P1',
  WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: file('wxp.pem', DEMO_WECHATPAY_PLATFORM_KEY),
  WECHATPAY_APIV3_KEY: '0123456789abcdef0123456789abcdef',
});
const alipay = (key: string) => ({ ALIPAY_APP_ID: '2021', ALIPAY_PRIVATE_KEY_FILE: file('ali.pem', key), ALIPAY_PUBLIC_KEY_FILE: file('alip.pem', DEMO_ALIPAY_PLATFORM_KEY) });

describe('online payment settings', () => {
  it('are off without PAY_LINK_BASE_URL', () => {
    expect(readOnlinePaymentSettings({ RENEWALS_ENV: 'production' })).toBeUndefined();
  });

  it('outside the demo need https and every variable of a provider, named', () => {
    expect(() => readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'http://pay.example' })).toThrow(/must be https outside RENEWALS_ENV=demo/);
    expect(() => readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example' })).toThrow(/WECHATPAY_MCHID, WECHATPAY_APPID, .* are not set/);
    expect(() => readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example', ...wechat(own()), WECHATPAY_APIV3_KEY: 'short' })).toThrow(/WECHATPAY_APIV3_KEY must be 32 bytes/);
    const partial: Record<string, string> = wechat(own());
    delete partial.WECHATPAY_SERIAL_NO;
    expect(() => readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example', ...partial, ...alipay(own()) })).toThrow(/^WECHATPAY_SERIAL_NO is not set/);
    const settings = readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example/', ...wechat(own()), ...alipay(own()) })!;
    expect(settings).toMatchObject({ environment: 'production', baseUrl: 'https://pay.example', checkAfterMinutes: 10 });
    expect(Object.keys(configuredPaymentProviders(settings))).toEqual(['wechatpay', 'alipay']);
  });

  it("refuse the repository's demo keys outside the demo", () => {
    const wx = readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example', ...wechat(DEMO_WECHATPAY_MERCHANT_KEY), ...alipay(own()) })!;
    expect(() => configuredPaymentProviders(wx)).toThrow(/WECHATPAY_PRIVATE_KEY_FILE holds the public demo key/);
    const ali = readOnlinePaymentSettings({ PAY_LINK_BASE_URL: 'https://pay.example', ...wechat(own()), ...alipay(DEMO_ALIPAY_APP_KEY) })!;
    expect(() => configuredPaymentProviders(ali)).toThrow(/ALIPAY_PRIVATE_KEY_FILE holds the public demo key/);
  });

  it('in the demo use the simulators where a provider is left unset', () => {
    const settings = readOnlinePaymentSettings({ RENEWALS_ENV: 'demo', PAY_LINK_BASE_URL: 'http://127.0.0.1:8090', WECHATPAY_URL: 'http://127.0.0.1:1', ALIPAY_GATEWAY: 'http://127.0.0.1:2/gateway.do' })!;
    expect(Object.keys(configuredPaymentProviders(settings))).toEqual(['wechatpay', 'alipay']);
    const none = readOnlinePaymentSettings({ RENEWALS_ENV: 'demo', PAY_LINK_BASE_URL: 'http://127.0.0.1:8090' })!;
    expect(() => configuredPaymentProviders(none)).toThrow(/no provider is/);
  });
});
