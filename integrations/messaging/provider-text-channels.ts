import type { TextChannel } from '../../domain/channels';
import type { OutgoingText, ProviderMessageStatus, SentText, TextMessagePort } from './port';

/** One provider behind one channel: an SMS provider, the WeChat Official Account, the print house. */
export interface TextChannelAdapter {
  /** Recorded with each contact and on each receipt, e.g. 'alibaba-sms'. */
  readonly provider: string;
  send(message: OutgoingText): Promise<SentText>;
  status(contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus>;
}

/**
 * The text-message port over real providers: SMS to one SMS provider (Alibaba or Tencent), WeChat to
 * the Official Account, letters to the print house.
 */
export class ProviderTextChannels implements TextMessagePort {
  private readonly adapters: Record<TextChannel, TextChannelAdapter>;

  constructor(channels: { sms: TextChannelAdapter; wechat: TextChannelAdapter; letter?: TextChannelAdapter }) {
    this.adapters = { sms: channels.sms, wechat: channels.wechat, letter: channels.letter ?? new LetterRecorder() };
  }

  send(message: OutgoingText): Promise<SentText> {
    return this.adapterFor(message.channel).send(message);
  }

  status(channel: TextChannel, contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus> {
    return this.adapterFor(channel).status(contactId, sentOn, to);
  }

  providerOf(channel: TextChannel): string {
    return this.adapterFor(channel).provider;
  }

  private adapterFor(channel: TextChannel): TextChannelAdapter {
    const adapter = this.adapters[channel] as TextChannelAdapter | undefined;
    if (!adapter) throw new Error(`No provider for text channel ${JSON.stringify(channel)}: expected sms, wechat or letter`);
    return adapter;
  }
}

/**
 * Letters for the print house: recorded once per contact ID, in memory. The print house collects the
 * day's letters as a batch; this stands in for that hand-over.
 */
export class LetterRecorder implements TextChannelAdapter {
  readonly provider = 'print-house';
  readonly letters: OutgoingText[] = [];
  private readonly byContact = new Map<string, string>();

  send(message: OutgoingText): Promise<SentText> {
    if (message.channel !== 'letter') throw new Error(`LetterRecorder.send: channel must be 'letter', got ${JSON.stringify(message.channel)}`);
    let id = this.byContact.get(message.contactId);
    if (!id) {
      this.letters.push(message);
      id = `LTR${String(this.letters.length).padStart(8, '0')}`;
      this.byContact.set(message.contactId, id);
    }
    return Promise.resolve({ provider: this.provider, providerMessageId: id });
  }

  status(contactId: string): Promise<ProviderMessageStatus> {
    const id = this.byContact.get(contactId);
    return Promise.resolve(id ? { state: 'accepted', providerMessageId: id } : { state: 'unknown' });
  }
}
