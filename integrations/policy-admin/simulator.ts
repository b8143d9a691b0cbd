import type { PolicyAdminPort, ReducedPaidUpRequest } from './port';

/**
 * Stands in for the policy administration system: takes each request once (by requestId) and answers
 * with its reference, as the real one deduplicates a retried request.
 */
export class SimulatedPolicyAdmin implements PolicyAdminPort {
  readonly requests = new Map<string, ReducedPaidUpRequest & { reference: string }>();

  requestReducedPaidUp(request: ReducedPaidUpRequest): Promise<{ reference: string }> {
    const known = this.requests.get(request.requestId);
    if (known) return Promise.resolve({ reference: known.reference });
    const reference = `PA${String(this.requests.size + 1).padStart(8, '0')}`;
    this.requests.set(request.requestId, { ...request, reference });
    return Promise.resolve({ reference });
  }
}
