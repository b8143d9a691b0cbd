import { plainHttpRefusal, refuse } from '../config/demo-defaults';
import type { Environment, MessagingSettings } from '../config/settings';
import { providerTemplateRegistry } from '../integrations/messaging/provider-templates';
import { ProviderTextChannels } from '../integrations/messaging/provider-text-channels';
import { AlibabaSms } from '../integrations/messaging/sms/alibaba-sms';
import { TencentSms } from '../integrations/messaging/sms/tencent-sms';
import { RecordingTextChannels, type TextMessagePort } from '../integrations/messaging/text-channels';
import { WechatTemplateMessages } from '../integrations/messaging/wechat/wechat-template-messages';

function required(value: string | undefined, name: string, why: string): string {
  if (!value) throw new Error(`${name} is not set (${why})`);
  return value;
}

/** `host:port` and protocol from a URL such as http://127.0.0.1:4010 (the SDKs take them apart). */
function endpointOf(url: string): { endpoint: string; secure: boolean } {
  const parsed = new URL(url);
  return { endpoint: parsed.host, secure: parsed.protocol === 'https:' };
}

/**
 * SMS and WeChat for a worker, as configured (config/settings.ts); letters go apart, rendered and
 * stored for the print house (workers/letter-wiring.ts withDurableLetters):
 *   SMS_PROVIDER=alibaba   ALIBABA_SMS_URL (default https://dysmsapi.aliyuncs.com), ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET
 *   SMS_PROVIDER=tencent   TENCENT_SMS_URL (default https://sms.tencentcloudapi.com), TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_APP_ID
 *   SMS_SIGN_NAME          the approved signature;  SMS_TEMPLATE_CODES / WECHAT_TEMPLATE_IDS: JSON {templateKey: code}
 *   WECHAT_URL (default https://api.weixin.qq.com), WECHAT_APP_ID, WECHAT_APP_SECRET
 *   SMS_PROVIDER=record    keep messages in memory (tests and drills that do not exercise messaging)
 * `standIns` names what is kept in memory rather than sent, for the worker to say at start-up.
 */
export function textChannelsFor(settings: MessagingSettings, environment: Environment): { text: TextMessagePort; describe: string; standIns: string[] } {
  refuse(messagingRefusals(settings, environment));
  const provider = settings.smsProvider;
  if (provider === 'record') {
    return { text: new RecordingTextChannels(), describe: 'SMS and WeChat recorded in memory (SMS_PROVIDER=record)', standIns: ['SMS and WeChat are recorded in memory (SMS_PROVIDER=record)'] };
  }
  if (provider !== 'alibaba' && provider !== 'tencent') {
    throw new Error(`SMS_PROVIDER must be alibaba, tencent or record, got ${JSON.stringify(provider ?? '')} (the stack prints the settings for its simulators)`);
  }
  const registry = providerTemplateRegistry({ sms: settings.smsTemplateCodes, wechat: settings.wechatTemplateIds });
  const signName = required(settings.signName, 'SMS_SIGN_NAME', 'the approved SMS signature');
  let sms;
  if (provider === 'alibaba') {
    const { endpoint, secure } = endpointOf(settings.alibaba.url);
    sms = new AlibabaSms({
      accessKeyId: required(settings.alibaba.accessKeyId, 'ALIBABA_ACCESS_KEY_ID', 'Alibaba Cloud SMS'),
      accessKeySecret: required(settings.alibaba.accessKeySecret, 'ALIBABA_ACCESS_KEY_SECRET', 'Alibaba Cloud SMS'),
      endpoint,
      protocol: secure ? 'HTTPS' : 'HTTP',
      signName,
      templates: registry.sms,
    });
  } else {
    const { endpoint, secure } = endpointOf(settings.tencent.url);
    sms = new TencentSms({
      secretId: required(settings.tencent.secretId, 'TENCENT_SECRET_ID', 'Tencent Cloud SMS'),
      secretKey: required(settings.tencent.secretKey, 'TENCENT_SECRET_KEY', 'Tencent Cloud SMS'),
      endpoint,
      protocol: secure ? 'https://' : 'http://',
      smsSdkAppId: required(settings.tencent.appId, 'TENCENT_SMS_APP_ID', 'Tencent Cloud SMS'),
      signName,
      templates: registry.sms,
    });
  }
  const wechat = new WechatTemplateMessages({
    appId: required(settings.wechat.appId, 'WECHAT_APP_ID', 'WeChat Official Account'),
    appSecret: required(settings.wechat.appSecret, 'WECHAT_APP_SECRET', 'WeChat Official Account'),
    baseUrl: settings.wechat.url,
    templates: registry.wechat,
  });
  return {
    text: new ProviderTextChannels({ sms, wechat }),
    describe: `SMS ${provider}, WeChat ${new URL(settings.wechat.url).host}`,
    standIns: [],
  };
}

/**
 * Outside RENEWALS_ENV=demo messages go to the providers, over https, under their approved template
 * codes: messages kept in memory (SMS_PROVIDER=record), plain-http endpoints (the simulators') and
 * the placeholder codes a template without an approved one gets (the simulators accept them) are
 * refused, one line per variable to set.
 */
export function messagingRefusals(settings: MessagingSettings, environment: Environment): string[] {
  if (environment === 'demo') return [];
  const refusals: string[] = [];
  const provider = settings.smsProvider;
  if (provider === 'record') refusals.push('SMS_PROVIDER is record (messages kept in memory): outside RENEWALS_ENV=demo set alibaba or tencent');
  const endpoints: [string, string | undefined][] = [
    ['ALIBABA_SMS_URL', provider === 'alibaba' ? settings.alibaba.url : undefined],
    ['TENCENT_SMS_URL', provider === 'tencent' ? settings.tencent.url : undefined],
    ['WECHAT_URL', provider === 'alibaba' || provider === 'tencent' ? settings.wechat.url : undefined],
  ];
  for (const [name, url] of endpoints) {
    const http = url && plainHttpRefusal(environment, name, url);
    if (http) refusals.push(http);
  }
  if (provider === 'alibaba' || provider === 'tencent') {
    const needed = providerTemplateRegistry();
    const missing = (given: Record<string, string> | undefined, keys: string[]) => keys.filter((key) => !given?.[key]);
    const sms = missing(settings.smsTemplateCodes, Object.keys(needed.sms));
    const wechat = missing(settings.wechatTemplateIds, Object.keys(needed.wechat));
    if (sms.length > 0) refusals.push(`SMS_TEMPLATE_CODES has no approved code for ${sms.length} template(s), e.g. ${sms.slice(0, 3).join(', ')}: outside RENEWALS_ENV=demo the simulators' placeholder codes are refused`);
    if (wechat.length > 0) refusals.push(`WECHAT_TEMPLATE_IDS has no approved ID for ${wechat.length} template(s), e.g. ${wechat.slice(0, 3).join(', ')}: outside RENEWALS_ENV=demo the simulators' placeholder IDs are refused`);
  }
  return refusals;
}
