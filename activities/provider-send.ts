import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ChannelWait } from '../domain/contact-waits';
import {
  permissionToSend,
  recordAccountRefusal,
  recordProbeInconclusive,
  recordProviderAnswered,
  type RefusalWitness,
} from '../db/repositories/provider-circuits';
import { ProviderError } from '../integrations/messaging/port';

export type CircuitAnswer =
  | { result: 'sent'; provider: string; providerMessageId: string }
  /** Refused for this recipient or this message only: recorded failed, the cycle goes on. */
  | { result: 'refused'; error: ProviderError }
  /** Nothing goes through this provider now: the contact waits for its circuit. */
  | { result: 'wait'; wait: ChannelWait };

/**
 * One message to one provider under its circuit (domain/provider-circuit.ts): not sent while the
 * circuit is open; sent as the probe once the cool-down is over, its answer closing or reopening the
 * circuit; an account-wide refusal opens it, with the operations task, the audit row and the alert.
 * A transient failure is thrown, for the activity's retries.
 */
export async function sendUnderCircuit(
  deps: { db: Knex; alerts: Logger },
  call: { provider: string; channel: string; at: number; witness: RefusalWitness },
  send: () => Promise<{ provider: string; providerMessageId: string }>,
): Promise<CircuitAnswer> {
  const { db, alerts } = deps;
  const { provider, channel, at, witness } = call;
  const permission = await permissionToSend(db, provider, at);
  if (permission.decision === 'wait') {
    return { result: 'wait', wait: { channel, provider, why: 'circuit_open', code: permission.code, until: permission.until } };
  }
  const probing = permission.decision === 'probe';
  try {
    const sent = await send();
    if (probing && (await recordProviderAnswered(db, provider, at, witness))) alerts.info({ provider, alert: 'provider_circuit_closed' }, `${provider}: circuit closed, the probe went through`);
    return { result: 'sent', ...sent };
  } catch (error) {
    if (!(error instanceof ProviderError)) {
      if (probing) await recordProbeInconclusive(db, provider, at);
      throw error;
    }
    switch (error.failure.kind) {
      case 'account_wide': {
        const opened = await recordAccountRefusal(db, provider, error.code, at, witness);
        if (opened.newlyOpened) {
          alerts.error(
            { provider, code: error.code, taskId: opened.taskId ?? null, probeAt: new Date(opened.circuit.probeAt!).toISOString(), alert: 'provider_circuit_opened' },
            `${provider} refuses every message (${error.code}): circuit open, contacts wait; operations task opened`,
          );
        }
        return { result: 'wait', wait: { channel, provider, why: 'account_wide', code: error.code, until: opened.circuit.probeAt } };
      }
      case 'recipient_final':
        if (probing && (await recordProviderAnswered(db, provider, at, witness))) alerts.info({ provider, alert: 'provider_circuit_closed' }, `${provider}: circuit closed, the probe was answered`);
        return { result: 'refused', error };
      case 'transient':
        if (probing) await recordProbeInconclusive(db, provider, at);
        throw error;
    }
  }
}
