import type { DeliveryAnswer, PolicyAdminPort, PolicyChangeMessage } from './port';

/**
 * Stands in for the policy administration system inside the process (RENEWALS_ENV=demo without
 * POLICY_ADMIN_URL): takes each change once (by event id) and answers with its reference, as the real
 * one deduplicates a repeated delivery.
 */
export class SimulatedPolicyAdmin implements PolicyAdminPort {
  readonly changes = new Map<string, PolicyChangeMessage & { reference: string }>();

  deliver(change: PolicyChangeMessage): Promise<DeliveryAnswer> {
    const known = this.changes.get(change.eventId);
    if (known) return Promise.resolve({ outcome: 'accepted', reference: known.reference });
    const reference = policyAdminReference(this.changes.size + 1);
    this.changes.set(change.eventId, { ...change, reference });
    return Promise.resolve({ outcome: 'accepted', reference });
  }
}

/** The administration system's references, as the stand-ins make them: PA and eight digits. */
export function policyAdminReference(n: number): string {
  return `PA${String(n).padStart(8, '0')}`;
}
