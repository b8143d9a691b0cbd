/**
 * Where a debit attempt sits at the gateway: the batch (REQ_SN) and its line (SN). A single debit
 * is its own batch (REQ_SN = the attempt's key, SN 0001), so it needs no record; a debit sent in
 * a larger batch is found through a locator that remembers it, and the bankRef it was accepted
 * under (`REQ_SN/SN`, stored on the attempt) says the same durably.
 */
export interface GatewayItemRef {
  reqSn: string;
  sn: string;
}

export interface GatewayItemLocator {
  remember(idempotencyKey: string, ref: GatewayItemRef): void | Promise<void>;
  find(idempotencyKey: string): GatewayItemRef | undefined | Promise<GatewayItemRef | undefined>;
}

/** The SN of the only item of a single-debit batch. */
export const SINGLE_ITEM_SN = '0001';

export function snOf(index: number): string {
  return String(index + 1).padStart(4, '0');
}

/** bankRef of an item the gateway took: `REQ_SN/SN`. */
export function gatewayRefOf(ref: GatewayItemRef): string {
  return `${ref.reqSn}/${ref.sn}`;
}

export function parseGatewayRef(bankRef: string): GatewayItemRef | undefined {
  const match = /^([^/]+)\/(\d+)$/.exec(bankRef);
  return match ? { reqSn: match[1] ?? '', sn: match[2] ?? '' } : undefined;
}

/** Keeps batch positions for the life of the process (a durable locator reads debit_attempts.bank_ref). */
export class InMemoryItemLocator implements GatewayItemLocator {
  private readonly refs = new Map<string, GatewayItemRef>();

  remember(idempotencyKey: string, ref: GatewayItemRef): void {
    this.refs.set(idempotencyKey, ref);
  }

  find(idempotencyKey: string): GatewayItemRef | undefined {
    return this.refs.get(idempotencyKey);
  }
}
