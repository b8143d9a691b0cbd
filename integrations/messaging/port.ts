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
