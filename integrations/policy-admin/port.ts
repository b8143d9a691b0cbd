/**
 * The policy administration system (核心业务系统), which owns the contract itself: a reduced paid-up
 * change (减额交清) is requested from it; this system records the choice and the request, never the
 * new sum insured.
 */
export interface ReducedPaidUpRequest {
  /** Ours, stable across retries: the administration system answers a repeated request with the same reference. */
  requestId: string;
  policyNo: string;
  netSinglePremiumFen: number;
  /** The day the policyholder chose it. */
  effectiveDate: string;
}

export interface PolicyAdminPort {
  requestReducedPaidUp(request: ReducedPaidUpRequest): Promise<{ reference: string }>;
}
