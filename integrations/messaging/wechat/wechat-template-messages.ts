import { BAD_ADDRESS } from '../../../domain/provider-failures';
import { ProviderError, type OutgoingText, type ProviderMessageStatus, type SentText } from '../port';
import type { TextChannelAdapter } from '../provider-text-channels';
import { paramValues, providerTemplate } from '../sms/provider-templates';
import { WECHAT_PROVIDER, WechatClient, type WechatClientConfig } from './wechat-client';

export interface WechatTemplate {
  /** The template_id from the account's template library. */
  templateId: string;
  /** WeChat data key (e.g. 'keyword1', 'thing2') → our param name. */
  data: Record<string, string>;
  /** Page opened when the customer taps the message. */
  url?: string;
}

export interface WechatTemplateMessagesConfig extends WechatClientConfig {
  /** By our template ID (or `id@version`). */
  templates: Record<string, WechatTemplate>;
}

/**
 * WeChat Official Account template messages (POST /cgi-bin/message/template/send), by openid.
 * `client_msg_id` carries our contact ID: WeChat sends one message per openid + client_msg_id and
 * answers a repeat without sending again (its documentation promises this for 10 minutes). That is
 * the only duplicate protection: WeChat has no query by client_msg_id, so status() cannot look the
 * message up and answers 'unknown', which is safe because the resend it leads to carries the same
 * client_msg_id. Delivery arrives later as a TEMPLATESENDJOBFINISH event, matched by MsgID.
 */
export class WechatTemplateMessages implements TextChannelAdapter {
  readonly provider = WECHAT_PROVIDER;
  private readonly client: WechatClient;

  constructor(
    private readonly config: WechatTemplateMessagesConfig,
    now?: () => number,
  ) {
    this.client = new WechatClient(config, now);
  }

  async send(message: OutgoingText): Promise<SentText> {
    if (message.channel !== 'wechat') throw new Error(`WechatTemplateMessages.send: channel must be 'wechat', got ${JSON.stringify(message.channel)}`);
    const template = providerTemplate(this.config.templates, message, this.provider);
    const keys = Object.keys(template.data);
    const values = paramValues(Object.values(template.data), message, this.provider);
    if (!message.to) throw ProviderError.classified(this.provider, 'LOCAL_INVALID_OPENID', BAD_ADDRESS, `${this.provider}: the message has no openid`);
    const answer = await this.client.post(
      '/cgi-bin/message/template/send',
      {
        touser: message.to,
        template_id: template.templateId,
        ...(template.url ? { url: template.url } : {}),
        data: Object.fromEntries(keys.map((key, i) => [key, { value: values[i] }])),
        client_msg_id: message.contactId,
      },
      'template/send',
      message.to,
    );
    const msgid = answer.msgid;
    if (typeof msgid !== 'number' && typeof msgid !== 'string') {
      throw new ProviderError(this.provider, 'BAD_ANSWER', true, `${this.provider} template/send: success without msgid`);
    }
    return { provider: this.provider, providerMessageId: String(msgid) };
  }

  /** No lookup exists; see the class comment for why answering 'unknown' cannot cause a duplicate. */
  status(): Promise<ProviderMessageStatus> {
    return Promise.resolve({ state: 'unknown' });
  }
}
