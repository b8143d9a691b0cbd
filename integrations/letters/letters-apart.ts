import type { TextChannel } from '../../domain/channels';
import type { OutgoingText, ProviderMessageStatus, SentText, TextMessagePort } from '../messaging/port';
import type { TextChannelAdapter } from '../messaging/provider-text-channels';

/**
 * A text port whose letters go to the letter channel (PrintHouseLetters) and everything else to the
 * port given: how the worker, the stack and the demo put durable letters beside any SMS and WeChat set-up.
 */
export class LettersApart implements TextMessagePort {
  constructor(
    private readonly others: TextMessagePort,
    private readonly letters: TextChannelAdapter,
  ) {}

  send(message: OutgoingText): Promise<SentText> {
    return message.channel === 'letter' ? this.letters.send(message) : this.others.send(message);
  }

  status(channel: TextChannel, contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus> {
    return channel === 'letter' ? this.letters.status(contactId, sentOn, to) : this.others.status(channel, contactId, sentOn, to);
  }

  providerOf(channel: TextChannel): string {
    return channel === 'letter' ? this.letters.provider : (this.others.providerOf?.(channel) ?? channel);
  }
}
