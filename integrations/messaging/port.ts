/**
 * Ports to the messaging providers. Every message carries our contact-attempt ID, written before the
 * provider is called, and the provider is handed that ID (SMTP Message-ID, Alibaba OutId, Tencent
 * SessionContext, WeChat client_msg_id) so a retried send can be matched to the first try.
 */

/** One email as the provider sees it. Holds personal data (the address): never logged. */
export interface OutgoingEmail {
  /** Our contact-attempt ID, sent as the Message-ID so a retry can be matched to the first try. */
  contactId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EmailPort {
  send(email: OutgoingEmail): Promise<{ providerMessageId: string }>;
}

import type { TextChannel } from '../../domain/channels';
import { RECIPIENT_FINAL, TRANSIENT, type ProviderFailure } from '../../domain/provider-failures';

/** An SMS, WeChat template message or letter. `to` is personal data: never logged. */
export interface OutgoingText {
  contactId: string;
  channel: TextChannel;
  /** Mobile number (sms), WeChat openid (wechat), or postal recipient (letter). */
  to: string;
  /** Our template ID (e.g. 'pre_due_reminder'); the adapter maps it to the provider's registered template. */
  template: string;
  templateVersion: number;
  /** Values for the provider template's variables, by name; non-personal (policy no, amount, dates). */
  params: Record<string, string>;
  /** The text as the customer reads it, kept for the record and for letters. */
  text: string;
  /** A letter's own facts: its date (the first try's business day, so a retry renders the same bytes), the policy, the postal point. */
  letter?: { date: string; policyNo: string; postalPointId: number | null };
}

export interface SentText {
  provider: string;
  providerMessageId: string;
}

/** What a provider says about a message it was given (or not). */
export type ProviderMessageStatus =
  | { state: 'unknown' } // the provider has no record of our contact ID: safe to send
  | { state: 'accepted' | 'delivered'; providerMessageId: string }
  | { state: 'failed'; providerMessageId?: string; errorCode: string };

/**
 * A provider error, classified (domain/provider-failures.ts): `transient` (throttling, an outage: the
 * only `retryable` kind), `recipient_final` (this message to this recipient, recorded failed; the
 * point flagged when `badAddress`), `account_wide` (nothing goes through this provider: its circuit
 * opens). Without a classification, a retryable error is transient and any other final for the recipient.
 * The message never carries the recipient.
 */
export class ProviderError extends Error {
  readonly failure: ProviderFailure;

  constructor(
    readonly provider: string,
    readonly code: string,
    readonly retryable: boolean,
    message: string,
    failure?: ProviderFailure,
  ) {
    super(message);
    this.name = 'ProviderError';
    this.failure = failure ?? (retryable ? TRANSIENT : RECIPIENT_FINAL);
  }

  /** An error of the kind a classification table gives. */
  static classified(provider: string, code: string, failure: ProviderFailure, message: string): ProviderError {
    return new ProviderError(provider, code, failure.kind === 'transient', message, failure);
  }
}

export interface TextMessagePort {
  send(message: OutgoingText): Promise<SentText>;
  /**
   * What the provider knows of this contact ID (sent on an earlier try whose answer was lost?).
   * Called by a retried activity before it sends again. `sentOn` is the civil date (Asia/Shanghai) of
   * the first try. `to` is the recipient of that try: the SMS providers can only look send records
   * up by mobile number (Alibaba QuerySendDetails, Tencent PullSmsSendStatusByPhoneNumber), so the
   * SMS adapters require it. Personal data: never logged.
   */
  status(channel: TextChannel, contactId: string, sentOn: string, to?: string): Promise<ProviderMessageStatus>;
  /** The provider name recorded with a message of this channel (e.g. alibaba-sms). */
  providerOf?(channel: TextChannel): string;
}

export type { DeliveryReceipt } from '../../domain/delivery-receipt';
