import { providerTemplateRegistry } from '../integrations/messaging/provider-templates';
import { ProviderTextChannels } from '../integrations/messaging/provider-text-channels';
import { AlibabaSms } from '../integrations/messaging/sms/alibaba-sms';
import { TencentSms } from '../integrations/messaging/sms/tencent-sms';
import { RecordingTextChannels, type TextMessagePort } from '../integrations/messaging/text-channels';
import { WechatTemplateMessages } from '../integrations/messaging/wechat/wechat-template-messages';

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set (${why})`);
  return value;
}

/** `host:port` and protocol from a URL such as http://127.0.0.1:4010 (the SDKs take them apart). */
function endpointOf(url: string): { endpoint: string; secure: boolean } {
  const parsed = new URL(url);
  return { endpoint: parsed.host, secure: parsed.protocol === 'https:' };
}

/**
 * SMS, WeChat and letters for a worker, from the environment:
 *   SMS_PROVIDER=alibaba   ALIBABA_SMS_URL (default https://dysmsapi.aliyuncs.com), ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET
 *   SMS_PROVIDER=tencent   TENCENT_SMS_URL (default https://sms.tencentcloudapi.com), TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID
 *   SMS_SIGN_NAME          the approved signature;  SMS_TEMPLATE_CODES / WECHAT_TEMPLATE_IDS: JSON {templateKey: code}
 *   WECHAT_URL (default https://api.weixin.qq.com), WECHAT_APP_ID, WECHAT_APP_SECRET
 *   SMS_PROVIDER=record    keep messages in memory (tests and drills that do not exercise messaging)
 */
export function textChannelsFromEnv(env: NodeJS.ProcessEnv = process.env): { text: TextMessagePort; describe: string } {
  const provider = env.SMS_PROVIDER;
  if (provider === 'record') return { text: new RecordingTextChannels(), describe: 'recorded in memory (SMS_PROVIDER=record)' };
  if (provider !== 'alibaba' && provider !== 'tencent') {
    throw new Error(`SMS_PROVIDER must be alibaba, tencent or record, got ${JSON.stringify(provider ?? '')} (the stack prints the settings for its simulators)`);
  }
  const registry = providerTemplateRegistry({ sms: parseCodes(env, 'SMS_TEMPLATE_CODES'), wechat: parseCodes(env, 'WECHAT_TEMPLATE_IDS') });
  const signName = required(env, 'SMS_SIGN_NAME', 'the approved SMS signature');
  let sms;
  if (provider === 'alibaba') {
    const { endpoint, secure } = endpointOf(env.ALIBABA_SMS_URL ?? 'https://dysmsapi.aliyuncs.com');
    sms = new AlibabaSms({
      accessKeyId: required(env, 'ALIBABA_ACCESS_KEY_ID', 'Alibaba Cloud SMS'),
      accessKeySecret: required(env, 'ALIBABA_ACCESS_KEY_SECRET', 'Alibaba Cloud SMS'),
      endpoint,
      protocol: secure ? 'HTTPS' : 'HTTP',
      signName,
      templates: registry.sms,
    });
  } else {
    const { endpoint, secure } = endpointOf(env.TENCENT_SMS_URL ?? 'https://sms.tencentcloudapi.com');
    sms = new TencentSms({
      secretId: required(env, 'TENCENT_SECRET_ID', 'Tencent Cloud SMS'),
      secretKey: required(env, 'TENCENT_SECRET_KEY', 'Tencent Cloud SMS'),
      endpoint,
      protocol: secure ? 'https://' : 'http://',
      smsSdkAppId: required(env, 'TENCENT_SMS_APP_ID', 'Tencent Cloud SMS'),
      signName,
      templates: registry.sms,
    });
  }
  const wechat = new WechatTemplateMessages({
    appId: required(env, 'WECHAT_APP_ID', 'WeChat Official Account'),
    appSecret: required(env, 'WECHAT_APP_SECRET', 'WeChat Official Account'),
    baseUrl: env.WECHAT_URL ?? 'https://api.weixin.qq.com',
    templates: registry.wechat,
  });
  // No print-house integration yet: letters are kept in the worker's memory (said at start-up).
  return { text: new ProviderTextChannels({ sms, wechat }), describe: `SMS ${provider}, WeChat ${env.WECHAT_URL ?? 'api.weixin.qq.com'}, letters recorded in memory (no print house yet)` };
}

function parseCodes(env: NodeJS.ProcessEnv, name: string): Record<string, string> | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('not an object of strings');
    return parsed as Record<string, string>;
  } catch (error) {
    throw new Error(`${name} must be JSON {"templateKey": "code"}: ${(error as Error).message}`);
  }
}
