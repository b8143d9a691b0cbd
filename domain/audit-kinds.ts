/**
 * Every kind of row the audit trail holds: what compliance filters on and what the history
 * timeline and the reports read back. A new fact that must be audited is added here first.
 */
export const AUDIT_KINDS = [
  // the renewal cycle
  'cycle_opened',
  'stage_changed',
  'premium_paid',
  'premium_part_paid',
  'payment_suspended',
  'suspension_undone',
  'premium_loan_granted',
  'premium_loan_refused',
  'policy_suspended',
  // events people and integrations report to a cycle
  'payment_reported',
  'promise_to_pay',
  'promise_broken',
  'customer_refused',
  'hold_placed',
  'hold_released',
  'account_updated',
  'contact_updated',
  'bank_result',
  'calendar_notice_applied',
  // bank debits
  'debit_failed',
  'debit_returned',
  'debit_withdrawn',
  'bank_message_rejected',
  // contacts and tasks
  'contact_sent',
  'contact_suppressed',
  'contact_failed',
  'contact_waiting',
  'contact_expired',
  'contact_receipt',
  'receipt_rejected',
  'task_opened',
  'task_completed',
  'task_suppressed',
  // the reinstatement window and applications
  'reinstatement_window_opened',
  'reinstatement_applied',
  'reinstatement_evidence_requested',
  'reinstatement_approved',
  'reinstatement_declined',
  'reinstatement_withdrawn',
  'reinstatement_approval_expired',
  'reinstatement_application_failed',
  'reinstatement_debit_succeeded',
  'reinstatement_debit_failed',
  'policy_reinstated',
  'next_cycle_started',
  'contract_terminated',
  'reduced_paid_up_accepted',
  'reduced_paid_up_declined',
  // messaging providers
  'provider_circuit_opened',
  'provider_circuit_closed',
  // compliance
  'audit_exported',
  // four-eyes on unmasked exports: requested by one compliance person, approved by another
  'audit_unmask_requested',
  'audit_unmask_approved',
  // four-eyes on large counter payments: recorded by one cashier, confirmed or rejected by another
  'counter_payment_recorded',
  'counter_payment_confirmed',
  'counter_payment_rejected',
  // monthly runs started, paused and resumed by a person (CLI or console)
  'monthly_run_started',
  'monthly_run_paused',
  'monthly_run_resumed',
  // receipts imported from a statement or a counter's list: paid to a premium, or put aside
  'receipt_imported',
  // tasks that act (docs/business-rules.md#tasks-that-act)
  'task_settled',
  'task_escalated',
  'contact_point_invalidated',
  // orphan policies: a departure recorded, servicing moved, a running cycle told
  'agent_departed',
  'policy_reassigned',
  'servicing_reassigned',
  // the business calendar
  'calendar_notice_imported',
  // people (docs/architecture.md#people): the system partition, actor = the acting user's ref
  'user_added',
  'user_disabled',
  'user_oidc_linked',
  'user_enabled',
  'user_password_reset',
  'role_granted',
  'role_revoked',
  'scope_granted',
  'scope_revoked',
  'token_created',
  'token_revoked',
  'setup_token_issued',
  // the operations console (docs/architecture.md#console): system partition, actor = the user's ref
  'console_signed_in',
  'console_sign_in_locked',
  'console_signed_out',
  // the policy administration outbox (docs/architecture.md#policy-administration)
  'policy_change_dead_lettered',
  'policy_change_redriven',
  // printed letters (docs/architecture.md#letters): a batch handed to a print house, a letter returned
  'letter_batch_handed_over',
  'letter_returned',
  // online payment (docs/architecture.md#online-payment): a provider's notification not believed
  'payment_notification_rejected',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The events a cycle writes from its updates and signals (recordCycleEvent). */
export type CycleEventKind = Extract<
  AuditKind,
  | 'payment_reported'
  | 'promise_to_pay'
  | 'promise_broken'
  | 'customer_refused'
  | 'hold_placed'
  | 'hold_released'
  | 'account_updated'
  | 'contact_updated'
  | 'bank_result'
  | 'servicing_reassigned'
  | 'calendar_notice_applied'
>;
