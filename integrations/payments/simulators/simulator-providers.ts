import type { Alipay } from '../alipay/alipay-client';
import { configuredPaymentProviders } from '../configured-providers';
import type { WechatPay } from '../wechatpay/wechatpay-client';

/** The merchant side wired to running simulators, as RENEWALS_ENV=demo wires it; notifications go to `notifyBase`. */
export function simulatorProviders(urls: { wechatpay: string; alipay: string }, notifyBase: string): { wechatpay: WechatPay; alipay: Alipay } {
  const providers = configuredPaymentProviders({
    environment: 'demo',
    baseUrl: notifyBase,
    host: '127.0.0.1',
    port: 0,
    checkAfterMinutes: 10,
    trustProxy: false,
    simulatorUrls: { wechatpay: urls.wechatpay, alipay: `${urls.alipay}/gateway.do` },
  });
  return { wechatpay: providers.wechatpay as WechatPay, alipay: providers.alipay as Alipay };
}
