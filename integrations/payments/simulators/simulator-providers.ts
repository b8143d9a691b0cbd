import { Alipay } from '../alipay/alipay-client';
import { WechatPay } from '../wechatpay/wechatpay-client';
import { ALIPAY_SIMULATOR_DEFAULTS, AlipaySimulator } from './alipay-simulator';
import { WECHATPAY_SIMULATOR_DEFAULTS, WechatPaySimulator } from './wechatpay-simulator';

/** The merchant side wired to the simulators: their URLs, the demo merchant keys, notifications to `notifyBase`. */
export function simulatorProviders(urls: { wechatpay: string; alipay: string }, notifyBase: string, simulators = { wechatpay: new WechatPaySimulator(), alipay: new AlipaySimulator() }): { wechatpay: WechatPay; alipay: Alipay } {
  const wx = WECHATPAY_SIMULATOR_DEFAULTS;
  const ali = ALIPAY_SIMULATOR_DEFAULTS;
  return {
    wechatpay: new WechatPay({
      baseUrl: urls.wechatpay,
      mchId: wx.mchId,
      appId: wx.appId,
      serialNo: wx.merchantSerial,
      privateKeyPem: wx.merchantPrivateKeyPem,
      platformSerial: wx.platformSerial,
      platformPublicKeyPem: simulators.wechatpay.platformPublicKeyPem,
      apiV3Key: wx.apiV3Key,
      notifyUrl: `${notifyBase}/notify/wechatpay`,
    }),
    alipay: new Alipay({
      gatewayUrl: `${urls.alipay}/gateway.do`,
      appId: ali.appId,
      privateKeyPem: ali.appPrivateKeyPem,
      alipayPublicKeyPem: simulators.alipay.alipayPublicKeyPem,
      notifyUrl: `${notifyBase}/notify/alipay`,
    }),
  };
}
