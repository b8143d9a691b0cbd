import { ApplicationFailure } from '@temporalio/activity';
import type { LetterBatchRun } from '../domain/letters';

/** The day and, optionally, the one print house of a scheduled letter-batch run. */
export interface LetterBatchRequest {
  date: string;
  printHouse?: string;
}

/** Makes the day's batches (the worker supplies it: application/letter-batches.ts scheduledLetterBatches). */
export type BatchLetters = (request: LetterBatchRequest) => Promise<LetterBatchRun>;

/** The daily letter batch (docs/architecture.md#letters), run by the dailyLetterBatch workflow. */
export function createLetterBatchActivities({ letterBatches }: { letterBatches?: BatchLetters }) {
  return {
    /** The letters waiting up to the day handed to their print houses; safe to retry (what was handed over is not taken again). */
    async batchWaitingLetters(request: LetterBatchRequest): Promise<LetterBatchRun> {
      if (!letterBatches) throw ApplicationFailure.nonRetryable('this worker was built without letter batches: set LETTERS_OUTBOX_DIR, the folder the print house picks batches up from', 'NoLetterOutbox');
      return letterBatches(request);
    },
  };
}
