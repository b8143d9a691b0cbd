import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { OnlinePaymentSettings } from '../../config/online-payment';
import { SettingsError } from '../../config/settings-error';
import { Alipay, ALIPAY_GATEWAY_URL } from './alipay/alipay-client';
import type { PaymentProvider, PaymentProviderName } from './port';
import { ALIPAY_SIMULATOR_DEFAULTS } from './simulators/alipay-simulator';
import { DEMO_ALIPAY_APP_KEY, DEMO_WECHATPAY_MERCHANT_KEY } from './simulators/demo-keys';
import { WECHATPAY_SIMULATOR_DEFAULTS } from './simulators/wechatpay-simulator';
import { WECHATPAY_API_URL, WechatPay } from './wechatpay/wechatpay-client';

export type PaymentProviders = Partial<Record<PaymentProviderName, PaymentProvider>>;

const publicPemOf = (privatePem: string) => createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
const sameKey = (a: string, b: string) => publicPemOf(a) === publicPemOf(b);

/**
 * The providers the settings configure. A provider given in full is the real one (at its default
 * address unless WECHATPAY_URL / ALIPAY_GATEWAY say otherwise); in the demo, one left unset is its
 * simulator at the address given, with the simulators' keys. Outside the demo the repository's demo
 * keys are refused.
 */
export function configuredPaymentProviders(settings: OnlinePaymentSettings): PaymentProviders {
  const notify = (p: PaymentProviderName) => `${settings.baseUrl}/notify/${p}`;
  const providers: PaymentProviders = {};
  const wx = settings.wechatpay;
  if (wx) {
    if (settings.environment === 'production' && sameKey(wx.privateKeyPem, DEMO_WECHATPAY_MERCHANT_KEY)) throw new SettingsError('WECHATPAY_PRIVATE_KEY_FILE holds the public demo key: outside RENEWALS_ENV=demo use the merchant key');
    providers.wechatpay = new WechatPay({ ...wx, baseUrl: wx.baseUrl ?? WECHATPAY_API_URL, notifyUrl: notify('wechatpay') });
  } else if (settings.simulatorUrls.wechatpay) {
    const sim = WECHATPAY_SIMULATOR_DEFAULTS;
    providers.wechatpay = new WechatPay({
      baseUrl: settings.simulatorUrls.wechatpay,
      mchId: sim.mchId,
      appId: sim.appId,
      serialNo: sim.merchantSerial,
      privateKeyPem: sim.merchantPrivateKeyPem,
      platformSerial: sim.platformSerial,
      platformPublicKeyPem: publicPemOf(sim.platformPrivateKeyPem),
      apiV3Key: sim.apiV3Key,
      notifyUrl: notify('wechatpay'),
    });
  }
  const ali = settings.alipay;
  if (ali) {
    if (settings.environment === 'production' && sameKey(ali.privateKeyPem, DEMO_ALIPAY_APP_KEY)) throw new SettingsError('ALIPAY_PRIVATE_KEY_FILE holds the public demo key: outside RENEWALS_ENV=demo use the application key');
    providers.alipay = new Alipay({ ...ali, gatewayUrl: ali.gatewayUrl ?? ALIPAY_GATEWAY_URL, notifyUrl: notify('alipay') });
  } else if (settings.simulatorUrls.alipay) {
    const sim = ALIPAY_SIMULATOR_DEFAULTS;
    providers.alipay = new Alipay({ gatewayUrl: settings.simulatorUrls.alipay, appId: sim.appId, privateKeyPem: sim.appPrivateKeyPem, alipayPublicKeyPem: publicPemOf(sim.alipayPrivateKeyPem), notifyUrl: notify('alipay') });
  }
  if (Object.keys(providers).length === 0) throw new SettingsError('PAY_LINK_BASE_URL is set but no provider is: set WECHATPAY_* or ALIPAY_* (in the demo, WECHATPAY_URL / ALIPAY_GATEWAY of the simulators)');
  return providers;
}
