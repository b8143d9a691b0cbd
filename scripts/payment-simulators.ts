import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { buildPaymentLinkServer } from '../application/payment-links-server';
import { AlipaySimulator } from '../integrations/payments/simulators/alipay-simulator';
import { simulatorProviders } from '../integrations/payments/simulators/simulator-providers';
import { WechatPaySimulator } from '../integrations/payments/simulators/wechatpay-simulator';
import type { Alipay } from '../integrations/payments/alipay/alipay-client';
import type { PaymentProviderName } from '../integrations/payments/port';
import type { WechatPay } from '../integrations/payments/wechatpay/wechatpay-client';

export interface OnlinePaymentStack {
  /** The page server's base URL (PAY_LINK_BASE_URL) and the simulators'. */
  urls: { links: string; wechatpay: string; alipay: string };
  /** The clients of the simulated providers, and the simulators (their payers' clocks). */
  providers: { wechatpay: WechatPay; alipay: Alipay };
  wechatpaySimulator: WechatPaySimulator;
  alipaySimulator: AlipaySimulator;
  /** The payer's browser: opens a provider's pay URL, confirms, and the payment is dated `at`. */
  pay: (provider: PaymentProviderName, payUrl: string, at: number) => Promise<void>;
  /** What another shell sets to issue links and run the sweep against these simulators. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The WeChat Pay and Alipay simulators and the payment-link server wired to them, as RENEWALS_ENV=demo
 * wires them (docs/architecture.md#online-payment): the online-payment side of `npm run stack`.
 */
export async function startOnlinePaymentStack(db: Knex, client: Client, port: number): Promise<OnlinePaymentStack> {
  const wechatpaySimulator = new WechatPaySimulator();
  const wechatpay = await wechatpaySimulator.start();
  const alipaySimulator = new AlipaySimulator();
  const alipay = await alipaySimulator.start();
  const providers = {} as { wechatpay: WechatPay; alipay: Alipay };
  const app = await buildPaymentLinkServer({ db, client, providers, payOrigins: [wechatpay.url, alipay.url] });
  // A busy port is no reason to stop the stack: any free one will do, and the stack prints it.
  await app.listen({ host: '127.0.0.1', port }).catch(() => app.listen({ host: '127.0.0.1', port: 0 }));
  const links = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  Object.assign(providers, simulatorProviders({ wechatpay: wechatpay.url, alipay: alipay.url }, links));
  return {
    urls: { links, wechatpay: wechatpay.url, alipay: alipay.url },
    providers,
    wechatpaySimulator,
    alipaySimulator,
    pay: async (provider, payUrl, at) => {
      if (provider === 'wechatpay') {
        // Opening WeChat's h5_url pays (the simulator has no confirmation step).
        wechatpaySimulator.paidClock = () => at;
        await fetch(payUrl);
        return;
      }
      // Alipay's wap.pay URL opens the cashier; its one form confirms.
      alipaySimulator.paidClock = () => at;
      const cashier = await (await fetch(payUrl)).text();
      const action = /<form method="post" action="([^"]+)"/.exec(cashier)?.[1];
      if (!action) throw new Error('the Alipay simulator showed no cashier form (the wap.pay request was refused)');
      await fetch(new URL(action.replace(/&amp;/g, '&'), payUrl), { method: 'POST' });
    },
    env: { PAY_LINK_BASE_URL: links, WECHATPAY_URL: wechatpay.url, ALIPAY_GATEWAY: `${alipay.url}/gateway.do` },
    close: async () => {
      await app.close();
      await wechatpay.close();
      await alipay.close();
    },
  };
}
