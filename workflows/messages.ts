/**
 * The renewal cycle's contract with clients: input, result, queries and search-attribute keys.
 * Shared by workflows and clients, so it imports only @temporalio/workflow and domain types.
 * Everything here carries IDs and non-personal data only.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { RenewalStage } from '../domain/renewal-stage';

export const RENEWAL_TASK_QUEUE = 'renewals';

export const PolicyNo = defineSearchAttributeKey('PolicyNo', 'KEYWORD');
/** Civil date 'YYYY-MM-DD' as a keyword: exact and range filters read as the operators write them. */
export const DueDate = defineSearchAttributeKey('DueDate', 'KEYWORD');
export const RenewalStageKey = defineSearchAttributeKey('RenewalStage', 'KEYWORD');
export const Branch = defineSearchAttributeKey('Branch', 'KEYWORD');
export const Channel = defineSearchAttributeKey('Channel', 'KEYWORD');
export const RunMonth = defineSearchAttributeKey('RunMonth', 'KEYWORD');

/** Every key, registered on every server the project starts. */
export const SEARCH_ATTRIBUTES = [PolicyNo, DueDate, RenewalStageKey, Branch, Channel, RunMonth];

export interface RenewalCycleInput {
  policyNo: string;
  dueDate: string;
  /** YYYY-MM of the monthly run that started the cycle, when one did. */
  runMonth?: string;
  /** Days before the due date of the pre-due reminder. */
  reminderDaysBefore?: number;
}

export interface RenewalCycleResult {
  stage: RenewalStage;
  paidVia?: 'debit';
  debitAttempts: number;
  /** Normalised reason of the last failed debit, if any. */
  lastReason?: string;
}

export interface RenewalCycleStatus {
  stage: RenewalStage;
  nextAction: string;
  nextActionAt?: string;
  debitAttempts: number;
  remindersSent: number;
}

export const statusQuery = defineQuery<RenewalCycleStatus>('status');
