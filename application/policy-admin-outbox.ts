import type { Knex } from 'knex';
import {
  listPolicyChanges,
  policyChangeById,
  redrivePolicyChange,
  type PolicyChangeRow,
  type PolicyChangeState,
} from '../db/repositories/policy-admin-outbox';
import { OperatorError } from './errors';

const STATES: readonly PolicyChangeState[] = ['pending', 'delivered', 'dead'];

/** `renewals policy-admin list`: the outbox, by state, newest first. */
export async function policyAdminChanges(db: Knex, options: { state?: string; policyNo?: string; limit?: number } = {}): Promise<PolicyChangeRow[]> {
  const state = options.state === undefined || options.state === 'all' ? undefined : options.state;
  if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
    throw new OperatorError(`--state must be one of ${[...STATES, 'all'].join(', ')}, got "${state}"`, true);
  }
  return listPolicyChanges(db, { ...(state ? { state: state as PolicyChangeState } : {}), ...(options.policyNo ? { policyNo: options.policyNo } : {}), ...(options.limit ? { limit: options.limit } : {}) });
}

/**
 * `renewals policy-admin retry <id>`: a dead change is due again now with a fresh count of attempts
 * (operations fixed the cause: the endpoint, the secret, the policy system's data), its task done,
 * audited under the operator's name. The relay delivers it on its next pass.
 */
export async function retryPolicyChange(db: Knex, idText: string, actor: string): Promise<{ id: number; eventId: string; kind: string; policyNo: string; tasksDone: number[] }> {
  const id = Number(idText);
  if (!/^\d{1,15}$/.test(idText) || !Number.isSafeInteger(id)) throw new OperatorError(`<id> must be an outbox row number, got "${idText}"`, true);
  const { row, tasksDone } = await redrivePolicyChange(db, id, actor, new Date());
  if (!row) {
    const existing = await policyChangeById(db, id);
    if (!existing) throw new OperatorError(`no policy administration change #${id}`);
    const state = existing.delivered_at ? 'delivered' : 'pending';
    throw new OperatorError(`policy administration change #${id} is ${state}, not dead: nothing to retry`);
  }
  return { id: row.id, eventId: row.event_id, kind: row.kind, policyNo: row.policy_no, tasksDone };
}
