import { setTimeout as sleep } from 'node:timers/promises';
import { contentTypeOf, encodeXml, type Charset } from '../gateway/gzelink-messages';

export interface CallbackDelivery {
  kind: 'RESULT' | 'RETURN';
  /** The batch (REQ_SN) the callback is about. */
  reqSn: string;
  url: string;
  attempts: number;
  delivered: boolean;
  /** HTTP status of the last attempt, or the network error. */
  lastStatus?: number;
  lastError?: string;
}

const ATTEMPTS = 3;
const RETRY_AFTER_MS = 300;
const TIMEOUT_MS = 5_000;

/**
 * Posts the gateway's callbacks (results ready, a debit returned) to the creditor's URL, retrying
 * a few times as gateways do, and keeps a record of each delivery for tests and the demo.
 */
export class CallbackSender {
  readonly deliveries: CallbackDelivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stop = new AbortController();

  send(url: string, kind: CallbackDelivery['kind'], reqSn: string, xml: string, charset: Charset): void {
    const delivery: CallbackDelivery = { kind, reqSn, url, attempts: 0, delivered: false };
    this.deliveries.push(delivery);
    const sending = this.deliver(delivery, encodeXml(xml, charset), charset).finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /** Resolves when every callback sent so far was delivered or given up on. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops retries and abandons callbacks still on the way (the service is closing). */
  async close(): Promise<void> {
    this.stop.abort();
    await this.settled();
  }

  reset(): void {
    this.deliveries.length = 0;
  }

  private async deliver(delivery: CallbackDelivery, body: Buffer, charset: Charset): Promise<void> {
    while (delivery.attempts < ATTEMPTS && !this.stop.signal.aborted) {
      delivery.attempts += 1;
      try {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: { 'content-type': contentTypeOf(charset) },
          body,
          signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(TIMEOUT_MS)]),
        });
        await response.arrayBuffer();
        delivery.lastStatus = response.status;
        delete delivery.lastError;
        if (response.ok) {
          delivery.delivered = true;
          return;
        }
      } catch (error) {
        delivery.lastError = (error as Error).message;
      }
      if (delivery.attempts < ATTEMPTS) {
        await sleep(RETRY_AFTER_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
      }
    }
  }
}
