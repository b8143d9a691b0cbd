import type { OutgoingText, ProviderMessageStatus, SentText } from '../messaging/port';
import type { TextChannelAdapter } from '../messaging/provider-text-channels';
import { renderLetterPdf, type LetterFont, type LetterSender } from './letter-pdf';
import type { LetterToStore } from '../../domain/letters';

export type { LetterToStore };

/** Where letters are kept until a batch takes them (db/repositories/letters.ts, wired by workers/). */
export interface LetterStore {
  letterOf(contactAttemptId: string): Promise<{ id: string } | undefined>;
  /** Stores once per contact attempt; a second call answers the row the first wrote. */
  store(letter: LetterToStore): Promise<{ id: string }>;
  /** The public name of a stored letter (LTR00000012): the provider message ID of its contact. */
  nameOf(id: string): string;
}

export const PRINT_HOUSE_PROVIDER = 'print-house';

/**
 * The letter channel: a letter is rendered to PDF and stored durably, once per contact attempt, in
 * the activity that sends it; `renewals letters batch` hands the stored letters to the print house
 * (docs/architecture.md#letters). Nothing here logs the recipient.
 */
export class PrintHouseLetters implements TextChannelAdapter {
  readonly provider = PRINT_HOUSE_PROVIDER;

  constructor(
    private readonly options: {
      store: LetterStore;
      font: LetterFont;
      sender: LetterSender;
      /** PRINT_HOUSE_CODE: the house the letters are batched for. */
      printHouse: string;
    },
  ) {}

  async send(message: OutgoingText): Promise<SentText> {
    if (message.channel !== 'letter') throw new Error(`PrintHouseLetters.send: channel must be 'letter', got ${JSON.stringify(message.channel)}`);
    const { store } = this.options;
    const earlier = await store.letterOf(message.contactId);
    if (earlier) return { provider: this.provider, providerMessageId: store.nameOf(earlier.id) };
    const policyNo = message.letter?.policyNo;
    if (!message.letter || !policyNo) throw new Error(`letter for contact ${message.contactId} lacks its date or policy number`);
    const rendered = await renderLetterPdf(
      { date: message.letter.date, policyNo, template: message.template, recipient: message.to, text: message.text },
      this.options.sender,
      this.options.font,
    );
    const stored = await store.store({
      contactAttemptId: message.contactId,
      policyNo,
      template: message.template,
      letterDate: message.letter.date,
      printHouse: this.options.printHouse,
      pages: rendered.pages,
      sha256: rendered.sha256,
      pdf: rendered.bytes,
      contactPointId: message.letter.postalPointId,
    });
    return { provider: this.provider, providerMessageId: store.nameOf(stored.id) };
  }

  async status(contactId: string): Promise<ProviderMessageStatus> {
    const letter = await this.options.store.letterOf(contactId);
    return letter ? { state: 'accepted', providerMessageId: this.options.store.nameOf(letter.id) } : { state: 'unknown' };
  }
}
