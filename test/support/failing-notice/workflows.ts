import { proxyActivities } from '@temporalio/workflow';

/** A notice whose delivery the mail server refuses, naming the recipient: tried three times, then the workflow fails. */
export interface FailingNoticeActivities {
  deliverNotice(contactId: string): Promise<void>;
}

const { deliverNotice } = proxyActivities<FailingNoticeActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 1, maximumAttempts: 3 },
});

export async function failingNotice(contactId: string): Promise<void> {
  await deliverNotice(contactId);
}
