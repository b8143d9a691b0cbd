import type { Knex } from 'knex';
import {
  accountRefused,

  operatorReset,
  probeAnswered,
  probeClaimed,
  probeInconclusive,
  sendPermission,
  type ProviderCircuit,
  type SendPermission,
} from '../../domain/provider-circuit';
import { appendAudit, type AuditEvent } from './audit';

interface CircuitRow {
  provider: string;
  status: ProviderCircuit['status'];
  code: string | null;
  opened_at: Date | null;
  probe_at: Date | null;
  probe_claimed_at: Date | null;
  failed_probes: number;
  openings: number;
}

const time = (d: Date | null) => (d === null ? undefined : d.getTime());
const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

function circuitOfRow(row: CircuitRow): ProviderCircuit {
  return {
    provider: row.provider,
    status: row.status,
    ...(row.code ? { code: row.code } : {}),
    ...(row.opened_at ? { openedAt: time(row.opened_at) } : {}),
    ...(row.probe_at ? { probeAt: time(row.probe_at) } : {}),
    ...(row.probe_claimed_at ? { probeClaimedAt: time(row.probe_claimed_at) } : {}),
    failedProbes: row.failed_probes,
  };
}

function rowOfCircuit(c: ProviderCircuit) {
  return {
    status: c.status,
    code: c.code ?? null,
    opened_at: date(c.openedAt),
    probe_at: date(c.probeAt),
    probe_claimed_at: date(c.probeClaimedAt),
    failed_probes: c.failedProbes,
  };
}

/** The provider's row, locked for this transaction (made closed if the provider has none yet). */
async function lockCircuit(trx: Knex.Transaction, provider: string): Promise<CircuitRow> {
  await trx('provider_circuits').insert({ provider, status: 'closed' }).onConflict('provider').ignore();
  return trx('provider_circuits').where({ provider }).forUpdate().first<CircuitRow>();
}

/** Every provider's circuit, as operations and `renewals providers list` see them. */
export async function providerCircuits(db: Knex): Promise<(ProviderCircuit & { openings: number })[]> {
  const rows = await db('provider_circuits').orderBy('provider').select<CircuitRow[]>();
  return rows.map((row) => ({ ...circuitOfRow(row), openings: row.openings }));
}

/** How many providers are refusing every message now (open or being probed): what a metrics exporter reads. */
export async function openProviderCircuits(db: Knex): Promise<number> {
  const [row] = await db('provider_circuits').whereNot({ status: 'closed' }).count<{ count: string }[]>({ count: '*' });
  return Number(row?.count ?? 0);
}

/**
 * May a message go to this provider now? Closed: yes, without a lock. Open with its cool-down over:
 * this sender takes the probe (claimed under the row lock, so only one does).
 */
export async function permissionToSend(db: Knex, provider: string, now: number): Promise<SendPermission> {
  const row = await db('provider_circuits').where({ provider }).first<CircuitRow | undefined>();
  if (!row || row.status === 'closed') return { decision: 'send' };
  return db.transaction(async (trx) => {
    const locked = await lockCircuit(trx, provider);
    const permission = sendPermission(circuitOfRow(locked), now);
    if (permission.decision === 'probe') {
      await trx('provider_circuits').where({ provider }).update({ ...rowOfCircuit(probeClaimed(circuitOfRow(locked), now)), updated_at: trx.fn.now() });
    }
    return permission;
  });
}

/** Who met the refusal: the audit fields of the contact's activity. */
export type RefusalWitness = Omit<AuditEvent, 'kind' | 'detail' | 'occurredAt'>;

/**
 * An account-wide refusal. When it opens the circuit, the operations task and the
 * `provider_circuit_opened` audit row are written with it, in one transaction; `newlyOpened` tells
 * the caller to raise the alert.
 */
export async function recordAccountRefusal(
  db: Knex,
  provider: string,
  code: string,
  now: number,
  witness: RefusalWitness,
): Promise<{ circuit: ProviderCircuit; newlyOpened: boolean; taskId?: number }> {
  return db.transaction(async (trx) => {
    const row = await lockCircuit(trx, provider);
    const { circuit, newlyOpened } = accountRefused(circuitOfRow(row), code, now);
    const openings = row.openings + (newlyOpened ? 1 : 0);
    await trx('provider_circuits').where({ provider }).update({ ...rowOfCircuit(circuit), openings, updated_at: trx.fn.now() });
    if (!newlyOpened) return { circuit, newlyOpened };
    const [task] = await trx('tasks')
      .insert({
        kind: 'provider_outage',
        step: `outage_${openings}`,
        policy_no: null,
        due_date: null,
        assignee_agent_code: null,
        assignee_role: 'operations',
        due_at: new Date(now + 3_600_000),
        workflow_id: circuitTaskOwner(provider),
        run_id: witness.runId ?? 'none',
        activity_id: witness.activityId ?? 'none',
      })
      .onConflict(['workflow_id', 'step', 'kind'])
      .ignore()
      .returning<{ id: number }[]>('id');
    await appendAudit(trx, {
      ...witness,
      occurredAt: new Date(now),
      kind: 'provider_circuit_opened',
      detail: { provider, code, probeAt: new Date(circuit.probeAt!).toISOString(), taskId: task?.id ?? null, opening: openings },
    });
    return { circuit, newlyOpened, ...(task ? { taskId: task.id } : {}) };
  });
}

/** The tasks of a provider's openings are filed under this name (they belong to no cycle). */
export function circuitTaskOwner(provider: string): string {
  return `provider-circuit-${provider}`;
}

/**
 * The provider took a message (or refused it for that recipient only): a circuit being probed closes,
 * its task is done and the closing is audited, in one transaction. False when it was closed already.
 */
export async function recordProviderAnswered(db: Knex, provider: string, now: number, witness: RefusalWitness): Promise<boolean> {
  return closeCircuit(db, provider, now, witness, 'probe_answered', probeAnswered);
}

/** `renewals providers reset`: an operator closes the circuit (the balance topped up, the key fixed). */
export async function resetProviderCircuit(db: Knex, provider: string, operator: string, now = Date.now(), reason?: string): Promise<boolean> {
  return closeCircuit(db, provider, now, { actor: operator }, 'operator_reset', operatorReset, reason);
}

async function closeCircuit(
  db: Knex,
  provider: string,
  now: number,
  witness: RefusalWitness,
  how: 'probe_answered' | 'operator_reset',
  close: (c: ProviderCircuit) => { circuit: ProviderCircuit; closed: boolean },
  reason?: string,
): Promise<boolean> {
  const row = await db('provider_circuits').where({ provider }).first<CircuitRow | undefined>();
  if (!row || row.status === 'closed') return false;
  return db.transaction(async (trx) => {
    const locked = await lockCircuit(trx, provider);
    const { circuit, closed } = close(circuitOfRow(locked));
    if (!closed) return false;
    await trx('provider_circuits').where({ provider }).update({ ...rowOfCircuit(circuit), updated_at: trx.fn.now() });
    const tasks = await trx('tasks')
      .where({ workflow_id: circuitTaskOwner(provider), kind: 'provider_outage', status: 'open' })
      .update({ status: 'done', outcome_code: how, completed_at: new Date(now) })
      .returning<{ id: number }[]>('id');
    await appendAudit(trx, {
      ...witness,
      occurredAt: new Date(now),
      kind: 'provider_circuit_closed',
      detail: { provider, how, code: locked.code, openedAt: locked.opened_at?.toISOString() ?? null, tasksDone: tasks.map((t) => t.id), ...(reason ? { reason } : {}) },
    });
    return true;
  });
}

/** A probe that told nothing (a timeout, throttling): open again, probed after the same cool-down. */
export async function recordProbeInconclusive(db: Knex, provider: string, now: number): Promise<void> {
  await db.transaction(async (trx) => {
    const row = await lockCircuit(trx, provider);
    await trx('provider_circuits').where({ provider }).update({ ...rowOfCircuit(probeInconclusive(circuitOfRow(row), now)), updated_at: trx.fn.now() });
  });
}

