import type { RefusedReceiptPush } from '../domain/receipt-rejections';
import type { DeliveryReceipt } from '../integrations/messaging/port';
import { providerTemplateRegistry } from '../integrations/messaging/provider-templates';
import { ProviderTextChannels } from '../integrations/messaging/provider-text-channels';
import { RECEIPT_PATHS, receiptPushUrl, redactReceiptUrl } from '../integrations/messaging/receipt-paths';
import { startReceiptServer } from '../integrations/messaging/receipt-server';
import { AlibabaSmsSimulator } from '../integrations/messaging/simulators/alibaba-sms-simulator';
import { SIMULATOR_RECEIPT_SECRETS } from '../integrations/messaging/simulators/receipt-secrets';
import { WechatSimulator } from '../integrations/messaging/simulators/wechat-simulator';
import { AlibabaSms } from '../integrations/messaging/sms/alibaba-sms';
import { WechatTemplateMessages } from '../integrations/messaging/wechat/wechat-template-messages';

/** Credentials the local simulators accept; nothing real (the receipt secrets are the simulators' public ones). */
const LOCAL = { accessKeyId: 'local-key', accessKeySecret: 'local-secret', signName: '示例人寿', appId: 'wx-local', appSecret: 'wx-local-secret' };
const SECRETS = SIMULATOR_RECEIPT_SECRETS;

export interface MessagingSimulators {
  text: ProviderTextChannels;
  alibaba: AlibabaSmsSimulator;
  wechat: WechatSimulator;
  /** The settings a separate `npm run worker` needs to send through these simulators. */
  env: Record<string, string>;
  /** `receipts` is where the providers push, with any push token shown as ***: fit to print. */
  urls: { sms: string; wechat: string; receipts: string };
  close(): Promise<void>;
}

/**
 * Alibaba Cloud SMS and WeChat Official Account simulators (the real wire shapes), with the
 * catalogue's templates registered, and a receipt server that hands the delivery receipts they push
 * to `onReceipts` (recordReceipts, in the stack and the tests): the messaging side of the local stack.
 */
export async function startMessagingSimulators(
  onReceipts: (receipts: DeliveryReceipt[]) => Promise<unknown>,
  /** A push the receipt server refused (recordReceiptRejection, in the stack). */
  onRefused?: (refused: RefusedReceiptPush) => Promise<unknown>,
): Promise<MessagingSimulators> {
  const registry = providerTemplateRegistry();
  const alibaba = new AlibabaSmsSimulator({
    accessKeyId: LOCAL.accessKeyId,
    accessKeySecret: LOCAL.accessKeySecret,
    signNames: [LOCAL.signName],
    templates: Object.fromEntries(Object.values(registry.sms).map((t) => [t.code, t.text])),
    autoPushReceipts: true,
  });
  const wechat = new WechatSimulator({
    appId: LOCAL.appId,
    appSecret: LOCAL.appSecret,
    serverToken: SECRETS.wechatServerToken,
    encodingAesKey: SECRETS.wechatEncodingAesKey,
    templates: Object.fromEntries(Object.values(registry.wechat).map((t) => [t.templateId, Object.keys(t.data)])),
    autoPushReceipts: true,
  });
  const sms = await alibaba.start();
  const wx = await wechat.start();
  // The simulators push what the providers push: SmsReport to the tokenised URL, WeChat in safe mode.
  const receipts = await startReceiptServer({
    credentials: {
      alibaba: { pushToken: SECRETS.alibabaPushToken },
      wechat: { serverToken: SECRETS.wechatServerToken, encodingAesKey: SECRETS.wechatEncodingAesKey, appId: LOCAL.appId },
    },
    onReceipts: async (batch) => void (await onReceipts(batch)),
    ...(onRefused ? { onRefused: async (refused: RefusedReceiptPush) => void (await onRefused(refused)) } : {}),
  });
  alibaba.receiptUrl = receiptPushUrl(receipts.url, 'alibaba', SECRETS.alibabaPushToken);
  wechat.receiptUrl = `${receipts.url}${RECEIPT_PATHS.wechat}`;
  const text = new ProviderTextChannels({
    sms: new AlibabaSms({ accessKeyId: LOCAL.accessKeyId, accessKeySecret: LOCAL.accessKeySecret, endpoint: new URL(sms.url).host, protocol: 'HTTP', signName: LOCAL.signName, templates: registry.sms }),
    wechat: new WechatTemplateMessages({ appId: LOCAL.appId, appSecret: LOCAL.appSecret, baseUrl: wx.url, templates: registry.wechat }),
  });
  return {
    text,
    alibaba,
    wechat,
    urls: { sms: sms.url, wechat: wx.url, receipts: `${redactReceiptUrl(alibaba.receiptUrl)}, ${wechat.receiptUrl}` },
    env: {
      SMS_PROVIDER: 'alibaba',
      ALIBABA_SMS_URL: sms.url,
      ALIBABA_ACCESS_KEY_ID: LOCAL.accessKeyId,
      ALIBABA_ACCESS_KEY_SECRET: LOCAL.accessKeySecret,
      SMS_SIGN_NAME: LOCAL.signName,
      WECHAT_URL: wx.url,
      WECHAT_APP_ID: LOCAL.appId,
      WECHAT_APP_SECRET: LOCAL.appSecret,
    },
    close: async () => {
      await receipts.close();
      await wx.close();
      await sms.close();
    },
  };
}
