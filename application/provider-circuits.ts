import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { maskPersonalText } from '../domain/personal-text';
import { cyclesWaitingFor } from '../db/repositories/contacts';
import { providerCircuits, resetProviderCircuit } from '../db/repositories/provider-circuits';
import { contactUpdatedSignal } from '../workflows/messages';
import { OperatorError } from './errors';

/** The providers a circuit is kept for, as their adapters name them. */
export const PROVIDERS = ['alibaba-sms', 'tencent-sms', 'wechat-oa', 'smtp', 'print-house'] as const;

export interface ProviderReset {
  provider: string;
  /** False when the circuit was closed already (nothing changed). */
  closed: boolean;
  /** Cycles told to try their waiting contacts now. */
  cyclesWoken: number;
}

/**
 * `renewals providers reset <provider>`: operations have fixed what stopped the provider (topped up
 * the balance, replaced the key) and close its circuit at once rather than wait for the probe. The
 * closing is audited under the operator's name with the reason given, the outage task is done, and
 * every cycle with a contact waiting on the provider is woken (`contactUpdated`) so the contact is
 * tried now, still under the contact rules (quiet hours, caps).
 */
export async function resetProvider(db: Knex, client: Client, provider: string, operator: string, reason?: string): Promise<ProviderReset> {
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new OperatorError(`<provider> must be one of ${PROVIDERS.join(', ')}, got "${provider}"`, true);
  }
  const closed = await resetProviderCircuit(db, provider, operator, Date.now(), reason === undefined ? undefined : maskPersonalText(reason));
  let cyclesWoken = 0;
  for (const workflowId of await cyclesWaitingFor(db, provider)) {
    try {
      await client.workflow.getHandle(workflowId).signal(contactUpdatedSignal);
      cyclesWoken += 1;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error; // a cycle that ended meanwhile has nothing to send
    }
  }
  return { provider, closed, cyclesWoken };
}

export { providerCircuits };
