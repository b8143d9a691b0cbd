/**
 * What a messaging provider's refusal means for the contact and for everyone else's contacts
 * (docs/business-rules.md#when-a-provider-fails). The providers' own codes are mapped to these in
 * their integrations; the rules that follow from them live here and in provider-circuit.ts.
 */

export const PROVIDER_FAILURE_KINDS = [
  /** Throttling, an outage, no answer: the same message goes through later. Retried on a bounded schedule. */
  'transient',
  /** This message to this recipient cannot go (bad number, unsubscribed, template refused): recorded failed. */
  'recipient_final',
  /** Nothing can go through this provider (balance, credentials, account suspended): its circuit opens. */
  'account_wide',
] as const;
export type ProviderFailureKind = (typeof PROVIDER_FAILURE_KINDS)[number];

export interface ProviderFailure {
  kind: ProviderFailureKind;
  /** The refusal says the address or number itself is bad: the contact point is flagged invalid. */
  badAddress?: boolean;
}

export const TRANSIENT: ProviderFailure = { kind: 'transient' };
export const RECIPIENT_FINAL: ProviderFailure = { kind: 'recipient_final' };
export const BAD_ADDRESS: ProviderFailure = { kind: 'recipient_final', badAddress: true };
export const ACCOUNT_WIDE: ProviderFailure = { kind: 'account_wide' };

/** A classification table: the provider's code → what it means. Pure data, one per provider. */
export type FailureTable = Readonly<Record<string, ProviderFailure>>;

/** The codes of a table that mean one kind, for documentation and tests. */
export function codesOf(table: FailureTable, kind: ProviderFailureKind, badAddress?: boolean): string[] {
  return Object.entries(table)
    .filter(([, f]) => f.kind === kind && (badAddress === undefined || (f.badAddress ?? false) === badAddress))
    .map(([code]) => code);
}
