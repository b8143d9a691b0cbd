/**
 * SMS, WeChat and letters behind one port. Until the provider adapters land (Alibaba / Tencent SMS,
 * WeChat template messages, a print house), an in-process recorder stands in: it accepts each
 * message once per contact ID, the way the providers deduplicate by OutId / SessionContext.
 */
export type TextChannel = 'sms' | 'wechat' | 'letter';

export interface OutgoingText {
  contactId: string;
  channel: TextChannel;
  /** Mobile number, WeChat openid, or postal recipient: personal data, never logged. */
  to: string;
  template: string;
  text: string;
}

export interface TextMessagePort {
  send(message: OutgoingText): Promise<{ provider: string; providerMessageId: string }>;
}

export class RecordingTextChannels implements TextMessagePort {
  readonly sent: OutgoingText[] = [];
  private readonly byContact = new Map<string, string>();

  send(message: OutgoingText): Promise<{ provider: string; providerMessageId: string }> {
    const provider = `${message.channel}-recorder`;
    const existing = this.byContact.get(message.contactId);
    if (existing) return Promise.resolve({ provider, providerMessageId: existing });
    const id = `${message.channel.toUpperCase()}${String(this.sent.length + 1).padStart(8, '0')}`;
    this.sent.push(message);
    this.byContact.set(message.contactId, id);
    return Promise.resolve({ provider, providerMessageId: id });
  }
}
