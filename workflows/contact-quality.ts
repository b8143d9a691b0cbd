import { proxyActivities } from '@temporalio/workflow';
import type { RenewalActivities } from '../activities/renewal-activities';
import type { NightlyContactQualityInput } from './contact-quality-messages';

const { refreshContactQuality } = proxyActivities<RenewalActivities>({
  // One transaction over the suspect points; generous for a large book.
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 5 },
});

export type NightlyContactQualityResult = Awaited<ReturnType<RenewalActivities['refreshContactQuality']>>;

/**
 * Started each night by the `renewals-nightly-contact-quality` Schedule (renewals schedule quality):
 * the contact-quality flags recomputed exactly as `renewals contacts check-quality` does
 * (docs/business-rules.md#contact-quality-nightly). Skipped, and said so, during a key rotation.
 */
export async function nightlyContactQuality(input: NightlyContactQualityInput = {}): Promise<NightlyContactQualityResult> {
  return refreshContactQuality(input.sharedThreshold === undefined ? {} : { sharedThreshold: input.sharedThreshold });
}
