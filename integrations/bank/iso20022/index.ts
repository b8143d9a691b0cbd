/** ISO 20022 files for bank direct debits: pain.008 out, pain.002 and camt.054 in. */
export { Iso20022Error } from './xml';
export { fileMac, fileMacMatches, FILE_MAC_SUFFIX } from './file-mac';
export { validateIso20022, ISO20022_SCHEMAS, type Iso20022Schema } from './xsd';
export {
  PAIN_008,
  writePain008,
  readPain008,
  batchTotals,
  type Creditor,
  type CollectionInstruction,
  type CollectionBatch,
  type SequenceType,
} from './pain008';
export {
  PAIN_002,
  writePain002,
  readPain002,
  checkAgainstBatch,
  resolveTransactionStatuses,
  type TransactionStatus,
  type GroupStatus,
  type TransactionStatusReport,
  type StatusCount,
  type StatusReport,
  type SentBatch,
  type ResolvedStatus,
} from './pain002';
export {
  CAMT_054,
  writeCamt054,
  readCamt054,
  type DebitNotification,
  type DebitNotificationEntry,
} from './camt054';
