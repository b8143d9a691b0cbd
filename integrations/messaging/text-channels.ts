import type { TextChannel } from '../../domain/channels';
import type { OutgoingText, ProviderMessageStatus, SentText, TextMessagePort } from './port';

export type { OutgoingText, TextMessagePort } from './port';

/**
 * An in-process recorder for SMS, WeChat and letters, for unit-level tests: it accepts each message
 * once per contact ID, the way the providers deduplicate by OutId / SessionContext.
 */
export class RecordingTextChannels implements TextMessagePort {
  readonly sent: OutgoingText[] = [];
  private readonly byContact = new Map<string, string>();

  send(message: OutgoingText): Promise<SentText> {
    const provider = `${message.channel}-recorder`;
    const existing = this.byContact.get(message.contactId);
    if (existing) return Promise.resolve({ provider, providerMessageId: existing });
    const id = `${message.channel.toUpperCase()}${String(this.sent.length + 1).padStart(8, '0')}`;
    this.sent.push(message);
    this.byContact.set(message.contactId, id);
    return Promise.resolve({ provider, providerMessageId: id });
  }

  providerOf(channel: TextChannel): string {
    return `${channel}-recorder`;
  }

  status(_channel: TextChannel, contactId: string): Promise<ProviderMessageStatus> {
    const id = this.byContact.get(contactId);
    return Promise.resolve(id ? { state: 'accepted', providerMessageId: id } : { state: 'unknown' });
  }
}
