import { SettingsError, type Environment, type MessagingSettings, type Settings } from '../config/settings';
import type { ReceiptCredentials } from '../integrations/messaging/receipt-authentication';
import { SIMULATOR_RECEIPT_SECRETS } from '../integrations/messaging/simulators/receipt-secrets';

/*
 * The secrets delivery receipts are authenticated with (README.md#receipts). Without them no receipt
 * can be believed, so production refuses to start without them, one line per variable; only a demo
 * (RENEWALS_ENV=demo) falls back on the simulators' public ones.
 */

type Secret = [variable: string, value: string | undefined, simulators: string, why: string];

/** The secrets the configured providers' receipts need: the SMS provider's push token, and WeChat's. */
function needed(settings: MessagingSettings): Secret[] {
  const provider = settings.smsProvider;
  if (provider !== 'alibaba' && provider !== 'tencent') return [];
  const sms: Secret =
    provider === 'alibaba'
      ? ['ALIBABA_RECEIPT_TOKEN', settings.alibaba.receiptToken, SIMULATOR_RECEIPT_SECRETS.alibabaPushToken, 'Alibaba SmsReport pushes cannot be authenticated']
      : ['TENCENT_RECEIPT_TOKEN', settings.tencent.receiptToken, SIMULATOR_RECEIPT_SECRETS.tencentPushToken, 'Tencent status callbacks cannot be authenticated'];
  return [
    sms,
    ['WECHAT_SERVER_TOKEN', settings.wechat.serverToken, SIMULATOR_RECEIPT_SECRETS.wechatServerToken, "WeChat pushes' signatures cannot be checked"],
    ['WECHAT_ENCODING_AES_KEY', settings.wechat.encodingAesKey, SIMULATOR_RECEIPT_SECRETS.wechatEncodingAesKey, 'WeChat pushes (safe mode) cannot be decrypted'],
  ];
}

/** Outside RENEWALS_ENV=demo, one line per receipt secret unset or left at the simulators' value. */
export function receiptRefusals(settings: MessagingSettings, environment: Environment): string[] {
  if (environment === 'demo') return [];
  return needed(settings).flatMap(([variable, value, simulators, why]) => {
    if (!value) return [`${variable} is not set: ${why} (only RENEWALS_ENV=demo falls back on the simulators' value)`];
    if (value === simulators) return [`${variable} is the simulators' (public) value: outside RENEWALS_ENV=demo set your own`];
    return [];
  });
}

/** The receipt server's credentials for the configured providers: refused, all at once, when production lacks any. */
export function receiptCredentials(settings: Pick<Settings, 'environment' | 'messaging'>): ReceiptCredentials {
  const refusals = receiptRefusals(settings.messaging, settings.environment);
  if (refusals.length > 0) throw new SettingsError(refusals.join('\n'));
  const m = settings.messaging;
  if (m.smsProvider !== 'alibaba' && m.smsProvider !== 'tencent') throw new SettingsError('SMS_PROVIDER must be alibaba or tencent for a receipt server: other channels push no receipts');
  if (!m.wechat.appId) throw new SettingsError('WECHAT_APP_ID is not set: decrypted WeChat pushes are checked against the appid');
  const or = (value: string | undefined, simulators: string) => value ?? simulators;
  return {
    ...(m.smsProvider === 'alibaba'
      ? { alibaba: { pushToken: or(m.alibaba.receiptToken, SIMULATOR_RECEIPT_SECRETS.alibabaPushToken) } }
      : { tencent: { pushToken: or(m.tencent.receiptToken, SIMULATOR_RECEIPT_SECRETS.tencentPushToken) } }),
    wechat: {
      serverToken: or(m.wechat.serverToken, SIMULATOR_RECEIPT_SECRETS.wechatServerToken),
      encodingAesKey: or(m.wechat.encodingAesKey, SIMULATOR_RECEIPT_SECRETS.wechatEncodingAesKey),
      appId: m.wechat.appId,
    },
  };
}
