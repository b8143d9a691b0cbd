/** A delivery receipt from a provider's webhook (or pulled), normalised. No personal data. */
export interface DeliveryReceipt {
  provider: string;
  contactId?: string;
  providerMessageId: string;
  delivered: boolean;
  /** Provider's own status or error code, e.g. 'DELIVERED', 'MK:0001', 'userblock'. */
  code: string;
  at: Date;
}
