/** The daily letter-batch schedule's names, shared by the workflow and its clients. */

export const LETTER_BATCH_SCHEDULE_ID = 'renewals-daily-letter-batch';
export const LETTER_BATCH_TIME_ZONE = 'Asia/Shanghai';

export interface DailyLetterBatchInput {
  /** Only this print house (every print house with letters waiting when omitted). */
  printHouse?: string;
  /** The batch day, YYYY-MM-DD (the Shanghai day the schedule fired when omitted). */
  date?: string;
}
