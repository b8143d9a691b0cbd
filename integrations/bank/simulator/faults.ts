/**
 * Faults the simulated gateway can be told to show, so tests and the demo can prove the adapter
 * and the cycle survive them without debiting twice.
 */
export interface FaultSettings {
  /** Every gateway request waits this long before it is handled. */
  latencyMs: number;
  /** Every gateway request is answered with outageStatus and no body (admin endpoints keep working). */
  outage: boolean;
  /** The HTTP status of an outage: 503 (default) as a load balancer says it, 500 as a failing gateway does. */
  outageStatus: number;
  /**
   * The next `count` gateway requests never get an answer in time: the connection is held for
   * hangMs, then dropped. booked: the request was processed first (a submitted batch is taken and
   * will be debited); not booked: it was lost on the way in, as if never sent.
   */
  timeouts: { count: number; booked: boolean };
  /** How long a hanging request is held; longer than any client timeout. */
  hangMs: number;
  /** The next N accepted batches are taken and processed, but answered with 2000 (processing: unknown). */
  unknownAnswers: number;
}

const DEFAULTS: FaultSettings = { latencyMs: 0, outage: false, outageStatus: 503, timeouts: { count: 0, booked: true }, hangMs: 120_000, unknownAnswers: 0 };

export class GatewayFaults {
  private settings: FaultSettings = structuredClone(DEFAULTS);

  /** Changes the named settings; each is checked and named in the error when wrong. */
  update(changes: Partial<FaultSettings>): FaultSettings {
    const next = structuredClone(this.settings);
    if (changes.latencyMs !== undefined) next.latencyMs = wholeMs(changes.latencyMs, 'latencyMs');
    if (changes.hangMs !== undefined) next.hangMs = wholeMs(changes.hangMs, 'hangMs');
    if (changes.outage !== undefined) {
      if (typeof changes.outage !== 'boolean') throw new RangeError('outage must be true or false');
      next.outage = changes.outage;
    }
    if (changes.outageStatus !== undefined) {
      if (!Number.isInteger(changes.outageStatus) || changes.outageStatus < 500 || changes.outageStatus > 599) throw new RangeError('outageStatus must be an HTTP status from 500 to 599');
      next.outageStatus = changes.outageStatus;
    }
    if (changes.unknownAnswers !== undefined) next.unknownAnswers = count(changes.unknownAnswers, 'unknownAnswers');
    if (changes.timeouts !== undefined) {
      const t = changes.timeouts as Partial<FaultSettings['timeouts']> | null;
      if (t === null || typeof t !== 'object') throw new RangeError('timeouts must be an object { count, booked }');
      if (t.booked !== undefined && typeof t.booked !== 'boolean') throw new RangeError('timeouts.booked must be true or false');
      next.timeouts = { count: count(t.count ?? 0, 'timeouts.count'), booked: t.booked ?? true };
    }
    this.settings = next;
    return this.snapshot();
  }

  snapshot(): FaultSettings {
    return structuredClone(this.settings);
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  get outage(): boolean {
    return this.settings.outage;
  }

  get outageStatus(): number {
    return this.settings.outageStatus;
  }

  get hangMs(): number {
    return this.settings.hangMs;
  }

  /** Uses up one timeout, if any is due: whether the request is booked before it hangs. */
  takeTimeout(): { booked: boolean } | undefined {
    if (this.settings.timeouts.count <= 0) return undefined;
    this.settings.timeouts.count -= 1;
    return { booked: this.settings.timeouts.booked };
  }

  takeUnknownAnswer(): boolean {
    if (this.settings.unknownAnswers <= 0) return false;
    this.settings.unknownAnswers -= 1;
    return true;
  }

  reset(): void {
    this.settings = structuredClone(DEFAULTS);
  }
}

function wholeMs(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number of milliseconds >= 0`);
  return value;
}

function count(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number >= 0`);
  return value;
}
