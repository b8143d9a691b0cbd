/**
 * One circuit per messaging provider (alibaba-sms, tencent-sms, wechat-oa, smtp): closed while the
 * provider takes messages; open once it refuses for a reason that stops every message (the balance
 * is gone, the credentials are refused), so no further message is wasted on it and the contacts
 * wait; after a cool-down one real message is sent as a probe, and its answer closes the circuit or
 * opens it again for longer. An operator can close it at once (`renewals providers reset`).
 * Pure transitions: db/repositories/provider-circuits.ts applies them under a row lock.
 */

export type CircuitStatus = 'closed' | 'open' | 'probing';

export interface ProviderCircuit {
  provider: string;
  status: CircuitStatus;
  /** The account-wide code that opened it (e.g. isv.AMOUNT_NOT_ENOUGH). */
  code?: string;
  openedAt?: number;
  /** From this instant one message may be sent as a probe. */
  probeAt?: number;
  /** A sender claimed the probe at this instant; another may claim it once the lease runs out. */
  probeClaimedAt?: number;
  /** Probes that met the same refusal since it opened: each doubles the cool-down. */
  failedProbes: number;
}

/** The first cool-down: long enough that a top-up or a key fix is likely done, short enough not to keep notices back for long. */
export const CIRCUIT_COOL_DOWN_MS = 15 * 60_000;
export const CIRCUIT_MAX_COOL_DOWN_MS = 4 * 3_600_000;
/** A probe that has not reported back within this time (its worker died) may be claimed again. */
export const PROBE_LEASE_MS = 5 * 60_000;

export function closedCircuit(provider: string): ProviderCircuit {
  return { provider, status: 'closed', failedProbes: 0 };
}

export function coolDown(failedProbes: number): number {
  return Math.min(CIRCUIT_COOL_DOWN_MS * 2 ** failedProbes, CIRCUIT_MAX_COOL_DOWN_MS);
}

/**
 * What a sender may do now: `send` (closed), `probe` (open, cool-down over, nobody probing: this
 * message goes and its answer decides), or `wait` until the instant given.
 */
export type SendPermission = { decision: 'send' } | { decision: 'probe' } | { decision: 'wait'; until: number; code: string };

export function sendPermission(circuit: ProviderCircuit | undefined, now: number): SendPermission {
  if (!circuit || circuit.status === 'closed') return { decision: 'send' };
  const code = circuit.code ?? 'UNKNOWN';
  if (circuit.status === 'probing') {
    const leaseEnds = (circuit.probeClaimedAt ?? 0) + PROBE_LEASE_MS;
    return now >= leaseEnds ? { decision: 'probe' } : { decision: 'wait', until: leaseEnds, code };
  }
  const probeAt = circuit.probeAt ?? now;
  return now >= probeAt ? { decision: 'probe' } : { decision: 'wait', until: probeAt, code };
}

/** A sender takes the probe: others keep waiting until it reports or its lease runs out. */
export function probeClaimed(circuit: ProviderCircuit, now: number): ProviderCircuit {
  return { ...circuit, status: 'probing', probeClaimedAt: now };
}

/**
 * An account-wide refusal. From closed: opens, probe after the first cool-down (`newlyOpened`:
 * raise the task and the alert). From a probe: opens again, the cool-down doubled. Already open
 * (a message that was under way when it opened): unchanged.
 */
export function accountRefused(circuit: ProviderCircuit, code: string, now: number): { circuit: ProviderCircuit; newlyOpened: boolean } {
  if (circuit.status === 'closed') {
    return { circuit: { provider: circuit.provider, status: 'open', code, openedAt: now, probeAt: now + coolDown(0), failedProbes: 0 }, newlyOpened: true };
  }
  if (circuit.status === 'probing') {
    const failedProbes = circuit.failedProbes + 1;
    return { circuit: { ...circuit, status: 'open', code, probeAt: now + coolDown(failedProbes), probeClaimedAt: undefined, failedProbes }, newlyOpened: false };
  }
  return { circuit, newlyOpened: false };
}

/**
 * The provider answered a probe without an account-wide refusal (sent, or refused for this
 * recipient only): it takes messages again. Closing a closed circuit changes nothing.
 */
export function probeAnswered(circuit: ProviderCircuit): { circuit: ProviderCircuit; closed: boolean } {
  if (circuit.status === 'closed') return { circuit, closed: false };
  return { circuit: closedCircuit(circuit.provider), closed: true };
}

/** A probe that told nothing (timeout, throttled): open again, probed after the same cool-down. */
export function probeInconclusive(circuit: ProviderCircuit, now: number): ProviderCircuit {
  if (circuit.status !== 'probing') return circuit;
  return { ...circuit, status: 'open', probeAt: now + coolDown(circuit.failedProbes), probeClaimedAt: undefined };
}

/** An operator closes it (the balance was topped up, the key fixed): waiting contacts go on their next try. */
export function operatorReset(circuit: ProviderCircuit): { circuit: ProviderCircuit; closed: boolean } {
  return probeAnswered(circuit);
}
