/**
 * The skeleton cycle of bench/opening.ts: the renewal cycle's opening shape with no business in it.
 * `steps` activities one after another (the real cycle opens with openCycle then recordStage), each
 * a `SELECT 1` on the renewals database, then a timer far ahead, where the cycle would sleep until
 * its first reminder. Bundled and registered only by the bench's own worker.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { SkeletonActivities } from './activities';

// The same activity options as the renewal cycle's default ones (workflows/renewal-cycle.ts).
const { skeletonStep } = proxyActivities<SkeletonActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

export async function skeletonCycle(input: { policyNo: string; dueDate: string; steps: number }): Promise<void> {
  for (let step = 1; step <= input.steps; step += 1) await skeletonStep({ policyNo: input.policyNo, dueDate: input.dueDate, step });
  await sleep('60 days');
}
