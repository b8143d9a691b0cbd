import { ACCOUNT_WIDE, BAD_ADDRESS, RECIPIENT_FINAL, TRANSIENT, type FailureTable, type ProviderFailure } from '../../domain/provider-failures';

/**
 * SMTP replies classified: the reply code (RFC 5321 §4.2) and, when the server gives one, the
 * enhanced status code (RFC 3463), which is more precise and wins. 4xx is transient (421 service not
 * available, 450/451/452); 5xx is final, for this recipient unless it is about us (authentication,
 * our sender, the protocol), when nothing can go through the relay: account-wide.
 */

/** Reply codes, for replies without an enhanced status code. */
export const SMTP_REPLY_FAILURES: FailureTable = {
  '421': TRANSIENT, // service not available, closing the channel
  '450': TRANSIENT, // mailbox unavailable (busy, greylisted)
  '451': TRANSIENT, // local error in processing
  '452': TRANSIENT, // insufficient system storage
  '455': TRANSIENT,
  '500': ACCOUNT_WIDE, // syntax error, command unrecognised: our client
  '502': ACCOUNT_WIDE,
  '503': ACCOUNT_WIDE,
  '504': ACCOUNT_WIDE,
  '530': ACCOUNT_WIDE, // authentication required
  '534': ACCOUNT_WIDE,
  '535': ACCOUNT_WIDE, // authentication credentials invalid
  '538': ACCOUNT_WIDE,
  '555': ACCOUNT_WIDE,
  '501': RECIPIENT_FINAL, // syntax error in parameters (at RCPT: the address)
  '550': RECIPIENT_FINAL, // mailbox unavailable (or refused by policy: not flagged without an enhanced code)
  '551': BAD_ADDRESS, // user not local
  '552': RECIPIENT_FINAL, // mailbox storage exceeded
  '553': BAD_ADDRESS, // mailbox name not allowed
  '554': RECIPIENT_FINAL, // transaction failed
};

/**
 * Enhanced status codes of class 5 (class 4 is always transient): `5.s.d` for one code, `5.s` for a
 * subject's default. Subjects: 1 addressing, 2 mailbox, 3 mail system, 4 routing, 5 protocol,
 * 6 content, 7 security.
 */
export const SMTP_ENHANCED_FAILURES: FailureTable = {
  '5.1': RECIPIENT_FINAL,
  '5.1.1': BAD_ADDRESS, // bad destination mailbox address
  '5.1.2': BAD_ADDRESS, // bad destination system address
  '5.1.3': BAD_ADDRESS, // bad destination mailbox address syntax
  '5.1.6': BAD_ADDRESS, // destination mailbox has moved
  '5.1.10': BAD_ADDRESS, // recipient address has a null MX
  '5.1.7': ACCOUNT_WIDE, // bad sender's mailbox address: ours
  '5.1.8': ACCOUNT_WIDE, // bad sender's system address: ours
  '5.2': RECIPIENT_FINAL, // mailbox disabled, full, message too long for it
  '5.3': RECIPIENT_FINAL, // the destination's mail system
  '5.4': RECIPIENT_FINAL,
  '5.4.4': BAD_ADDRESS, // unable to route: the domain does not exist
  '5.5': ACCOUNT_WIDE, // protocol: our client
  '5.6': RECIPIENT_FINAL, // content
  '5.7': RECIPIENT_FINAL, // refused by the recipient's policy
  '5.7.8': ACCOUNT_WIDE, // authentication credentials invalid
  '5.7.9': ACCOUNT_WIDE, // authentication mechanism too weak
  '5.7.11': ACCOUNT_WIDE, // encryption required
  '5.7.13': ACCOUNT_WIDE, // our user account disabled
  '5.7.14': ACCOUNT_WIDE, // trust relationship required
  '5.7.26': ACCOUNT_WIDE, // our domain fails authentication (SPF, DKIM, DMARC)
};

/** Commands whose refusal is about us (the connection, our login, our sender), never the recipient. */
const ABOUT_US = /^(CONN|EHLO|HELO|LHLO|AUTH|MAIL FROM|STARTTLS)/i;

const ENHANCED = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

export interface SmtpReply {
  /** The reply code, e.g. 550. */
  code: number;
  /** The reply text, which may carry the enhanced status code (and the address: never passed on). */
  text?: string;
  /** The command it answered, as nodemailer names it ('RCPT TO', 'AUTH PLAIN', 'CONN'). */
  command?: string;
}

/** The enhanced status code in a reply's text, e.g. '5.1.1'. */
export function enhancedStatus(text: string | undefined): string | undefined {
  const match = text === undefined ? null : ENHANCED.exec(text);
  return match ? `${match[1]}.${Number(match[2])}.${Number(match[3])}` : undefined;
}

export function classifySmtpReply(reply: SmtpReply): ProviderFailure {
  if (reply.code >= 400 && reply.code < 500) return TRANSIENT;
  if (reply.code < 400) return TRANSIENT; // not a refusal at all: the exchange broke off
  if (reply.command && ABOUT_US.test(reply.command)) return ACCOUNT_WIDE;
  // Authentication and protocol replies are about us whatever enhanced code comes with them (530 5.7.0).
  const byCode = SMTP_REPLY_FAILURES[String(reply.code)];
  if (byCode?.kind === 'account_wide') return byCode;
  const enhanced = enhancedStatus(reply.text);
  if (enhanced?.startsWith('4.')) return TRANSIENT;
  if (enhanced?.startsWith('5.')) {
    const subject = enhanced.split('.').slice(0, 2).join('.');
    const known = SMTP_ENHANCED_FAILURES[enhanced] ?? SMTP_ENHANCED_FAILURES[subject];
    if (known) return known;
  }
  return byCode ?? RECIPIENT_FINAL;
}
