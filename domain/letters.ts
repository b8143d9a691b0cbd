/**
 * Printed letters (docs/architecture.md#letters): the vocabulary shared by the letter channel, the
 * batches and the returns.
 */

/** A rendered letter as it is kept, once per contact attempt (the letter channel writes it, db/ stores it). */
export interface LetterToStore {
  contactAttemptId: string;
  policyNo: string;
  template: string;
  letterDate: string;
  printHouse: string;
  pages: number;
  sha256: string;
  pdf: Buffer;
  contactPointId: number | null;
}

/**
 * What a postal contact point holds: the block a letter is addressed with, the holder's name over the
 * address (the post delivers to a named person). Its mask is the address's (masking.ts maskPostalAddress).
 */
export function postalBlock(holderName: string, address: string): string {
  return `${holderName}\n${address}`;
}

/** The suppression rule of a letter whose postal address was flagged by a returned letter. */
export const RETURNED_ADDRESS_RULE = 'returned_address';

/** Why the post brought a letter back (`renewals letters returned --reason`). */
export const RETURN_REASONS = ['unknown_address', 'moved', 'refused', 'unclaimed', 'deceased', 'other'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

export function isReturnReason(value: string): value is ReturnReason {
  return (RETURN_REASONS as readonly string[]).includes(value);
}

/** A print house code (PRINT_HOUSE_CODE, --print-house): letters, digits, - and _, up to 16. */
export function isPrintHouseCode(value: string): boolean {
  return /^[A-Za-z0-9_-]{1,16}$/.test(value);
}

/** A batch handed over to a print house, as the scheduled run reports it: IDs, counts, a checksum. */
export interface HandedOverBatch {
  batchId: string;
  printHouse: string;
  count: number;
  totalPages: number;
  sha256: string;
}

/** What one daily letter-batch run did (the `dailyLetterBatch` workflow's result). */
export interface LetterBatchRun {
  /** The batch day: letters dated on or before it were taken. */
  date: string;
  batches: HandedOverBatch[];
}
