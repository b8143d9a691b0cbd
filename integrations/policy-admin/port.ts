import type { PolicyChangeKind, PolicyChangePayload } from '../../domain/policy-changes';

/**
 * The policy administration system (核心业务系统), which owns the contract itself: this system tells it
 * the changes it must make (suspension, reinstatement, reduced paid-up, an automatic premium loan),
 * one message per change, through the outbox and its relay (docs/architecture.md#policy-administration).
 */
export interface PolicyChangeMessage {
  /** Ours, stable across retries: the administration system answers a repeated id with the same result. */
  eventId: string;
  kind: PolicyChangeKind;
  policyNo: string;
  /** When the change was recorded here (ISO 8601). */
  recordedAt: string;
  /** Business facts only: dates, fen, codes. */
  payload: PolicyChangePayload;
}

/**
 * What a delivery came to: `accepted` (with the administration system's reference, when it gives one),
 * `retry` (no answer, 5xx, 429: tried again later) or `refused` (any other 4xx: trying again would
 * not help; dead-lettered at once). `reason` is short and holds no secret.
 */
export type DeliveryAnswer =
  | { outcome: 'accepted'; reference?: string }
  | { outcome: 'retry'; reason: string }
  | { outcome: 'refused'; reason: string };

export interface PolicyAdminPort {
  deliver(change: PolicyChangeMessage): Promise<DeliveryAnswer>;
}
