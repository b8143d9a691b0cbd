import type { NoticeFields } from './notice-fields';

/**
 * The shape of one renewal notice in the catalogue. Texts are handlebars sources naming the
 * variables of notice-fields.ts (`{{policyNo}}`, `{{amount}}`…); Simplified Chinese first, English
 * after. Service notices only: no marketing, and reminders, never debt-collection wording (an unpaid
 * life premium is not a debt).
 */
import type { Bilingual } from '../../../domain/bilingual';
import type { NoticeChannel } from '../../../domain/channels';


export type { Bilingual };

/** One WeChat template-message keyword: its label as registered, and its value (≤ 20 characters shown). */
export interface WechatKeyword {
  label: Bilingual;
  value: string;
}

export interface NoticeContent {
  /** Email subject, letter title, and the subject of the record kept with each contact. */
  subject: Bilingual;
  /** Paragraphs of the email and the letter. `{{#if field}}…{{/if}}` may wrap optional sentences. */
  body: { zh: readonly string[]; en: readonly string[] };
  /**
   * The SMS as registered with the provider: plain `{{variable}}`s only, no conditionals (Alibaba and
   * Tencent approve one fixed text per template). Chinese first, then a short English line.
   */
  sms?: Bilingual;
  /**
   * The SMS when the premium has a payment link: registered on its own (key `<key>.link`), the same
   * notice with `{{payLink}}` as its last token, sent only when the caller gives a link.
   */
  smsWithLink?: Bilingual;
  /**
   * A WeChat template message (模板消息): `first` and `remark` are no longer displayed since 2023 but
   * are still accepted; keyword values are cut at 20 characters, so they carry values, not sentences.
   */
  wechat?: { first: Bilingual; keywords: readonly WechatKeyword[]; remark: Bilingual };
}

export interface NoticeTemplate {
  id: string;
  /** Raised whenever any wording changes; recorded with every contact so compliance knows what was said. */
  version: number;
  /** When and why it is sent (for operators and compliance). */
  purpose: string;
  /** News of a change in the contract's standing, not a reminder: not held back by the contact caps. */
  statusChange?: true;
  channels: readonly NoticeChannel[];
  /** The wording, by variant; templates with one wording have the single variant `default`. */
  variants: Readonly<Record<string, NoticeContent>>;
  /** Which variant the fields call for (e.g. by the failed debit's reason); default: `default`. */
  variantFor?: (fields: NoticeFields) => string;
  /** The field variantFor needs and has no default for (listed by requiredNoticeFields). */
  variantField?: keyof NoticeFields;
}

export const DEFAULT_VARIANT = 'default';

/** The key a provider's registered template is configured under: the ID, or `id.variant`. */
export function templateKey(id: string, variant: string): string {
  return variant === DEFAULT_VARIANT ? id : `${id}.${variant}`;
}
