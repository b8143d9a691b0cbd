import type { Knex } from 'knex';
import { recordReceipts } from '../db/repositories/contact-receipts';
import { recordReceiptRejection } from '../db/repositories/receipt-rejections';
import type { ReceiptCredentials } from '../integrations/messaging/receipt-authentication';
import { startReceiptServer, type RunningReceiptServer } from '../integrations/messaging/receipt-server';

/**
 * The insurer's endpoint for the providers' delivery receipts, on the database: an authenticated
 * push moves its contact attempts (recordReceipts); a refused one (401 not the provider's, 403 stale)
 * changes nothing and is an audit row (`receipt_rejected`), like a refused bank callback.
 */
export function startReceiptIntake(options: {
  db: Knex;
  /** workers/receipt-keys.ts: without them the intake does not start. */
  credentials: ReceiptCredentials;
  port?: number;
  host?: string;
  now?: () => Date;
  onError?: (error: Error, endpoint: string) => void;
}): Promise<RunningReceiptServer> {
  const { db, ...server } = options;
  return startReceiptServer({
    ...server,
    onReceipts: async (receipts) => void (await recordReceipts(db, receipts)),
    onRefused: (refused) => recordReceiptRejection(db, refused),
  });
}
