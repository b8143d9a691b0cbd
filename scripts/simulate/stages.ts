import type { Client } from '@temporalio/client';
import { renewalWorkflowId } from '../../domain/renewal-stage';
import { RenewalStageKey } from '../../workflows/messages';

/**
 * Each premium's cycle stage as its search attribute says (the latest run of the chain, so a lapsed
 * cycle that continued into its reinstatement window reads LAPSED), a few lookups at a time.
 */
export async function premiumStages(client: Client, premiums: readonly { policyNo: string; dueDate: string }[], concurrency = 8): Promise<Map<string, string>> {
  const stages = new Map<string, string>();
  let next = 0;
  const lookUp = async () => {
    while (next < premiums.length) {
      const premium = premiums[next++]!;
      try {
        const description = await client.workflow.getHandle(renewalWorkflowId(premium.policyNo, premium.dueDate)).describe();
        stages.set(premium.policyNo, description.typedSearchAttributes.get(RenewalStageKey) ?? description.status.name);
      } catch {
        stages.set(premium.policyNo, 'NO_CYCLE');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, premiums.length) }, lookUp));
  return stages;
}
