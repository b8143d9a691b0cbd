import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The machinery every provider simulator shares: an in-process HTTP server, a record of what it
 * received and accepted, faults on demand, carrier reports and receipt pushes to a webhook.
 * Simulators hold recipients (personal data) in memory for tests to inspect and never log anything.
 */

export interface RunningSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Nothing is done, and: 'http500' the provider answers HTTP 500 in its own shape; 'gateway502' a
 * load balancer in front answers 502 with an HTML page; 'close' the connection drops unanswered.
 */
export type OutageKind = 'http500' | 'gateway502' | 'close';

/** One request as the simulator understood it. */
export interface ReceivedRequest {
  action: string;
  params: Record<string, unknown>;
  /** The code answered ('OK', 'Ok', '0', an error code), or OUTAGE / DUPLICATE. */
  answer: string;
  /** The answer was accepted work whose response was then dropped. */
  answerLost: boolean;
  at: Date;
}

export interface CarrierReport {
  delivered: boolean;
  /** The provider's report code, e.g. DELIVERED, DELIVRD, MK:0001, success, failed:user block. */
  code: string;
  description: string;
  at: Date;
}

/** One message the provider accepted and sent on to the handset. */
export interface SimulatedMessage {
  /** OutId / SessionContext / client_msg_id as sent ('' when none). */
  contactId: string;
  providerMessageId: string;
  /** Normalised: 11-digit mainland mobile, or the openid. */
  recipient: string;
  template: string;
  params: Record<string, string> | string[];
  content: string;
  acceptedAt: Date;
  report?: CarrierReport;
  receiptPushed: boolean;
}

export interface ReceiptPushOptions {
  /** Push the same receipts a second time, as providers do when unsure the first push arrived. */
  twice?: boolean;
  /** Push in the reverse order of acceptance. */
  reverse?: boolean;
}

export interface ReceiptPushResult {
  /** Receipts pushed (each counted once, however many times it went out). */
  receipts: number;
  /** HTTP status of every push request, in order. */
  statuses: number[];
}

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SimAnswer {
  status: number;
  body: string;
  contentType: string;
  /** The answer code recorded in `received`. */
  code: string;
  /** Work was done (a message accepted): a dropped answer now loses news of real work. */
  accepted?: boolean;
}

/** A push to the webhook: the provider's body, and the URL it goes to (WeChat signs in the query). */
export interface ReceiptRequest {
  url: string;
  body: string;
  contentType: string;
}

export interface SimulatorOptions {
  /** Where receipts are pushed (the provider's configured callback URL). */
  receiptUrl?: string;
  /** Push each receipt as soon as the carrier reports, without waiting for pushReceipts(). */
  autoPushReceipts?: boolean;
  /** Clock, for tests that need a given day. */
  now?: () => Date;
}

export abstract class HttpSimulator {
  readonly received: ReceivedRequest[] = [];
  readonly messages: SimulatedMessage[] = [];
  receiptUrl?: string;
  protected readonly now: () => Date;

  private readonly autoPush: boolean;
  private outages: OutageKind[] = [];
  private drops = 0;
  private delayMs = 0;
  private throttles = 0;
  private readonly recipientErrors = new Map<string, string>();
  private accountError?: string;
  private readonly deliveryFailures = new Map<string, string>();
  private reportsHeld = false;
  /** Reported, not acknowledged, and not in a push under way: what the next push takes. */
  private unpushed: SimulatedMessage[] = [];
  private server?: Server;

  constructor(options: SimulatorOptions = {}) {
    this.receiptUrl = options.receiptUrl;
    this.autoPush = options.autoPushReceipts ?? false;
    this.now = options.now ?? (() => new Date());
  }

  /** The next `count` requests of any kind fail without being processed. */
  failNext(count: number, kind: OutageKind = 'http500'): this {
    this.outages.push(...Array<OutageKind>(count).fill(kind));
    return this;
  }

  /** The next `count` accepted sends go out, but their answers are lost (the connection drops). */
  loseNextAnswers(count: number): this {
    this.drops += count;
    return this;
  }

  /** Every answer comes this much later (the work is done first). */
  delayAnswers(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /** The next `count` sends are refused with the provider's throttling code. */
  throttleNext(count: number): this {
    this.throttles += count;
    return this;
  }

  /** Sends to this recipient are refused with this provider error code. */
  rejectRecipient(recipient: string, code: string): this {
    this.recipientErrors.set(this.normaliseRecipient(recipient), code);
    return this;
  }

  /**
   * Every send is refused with this provider code, whoever it is for, until recoverAccount(): the
   * account's balance is used up, its service suspended, its key revoked. Queries still answer.
   */
  failAccount(code: string): this {
    this.accountError = code;
    return this;
  }

  /** The balance topped up, the account back in service: sends are taken again. */
  recoverAccount(): this {
    this.accountError = undefined;
    return this;
  }

  /** Messages to this recipient are accepted, then reported undelivered with this code. */
  failDelivery(recipient: string, code: string): this {
    this.deliveryFailures.set(this.normaliseRecipient(recipient), code);
    return this;
  }

  /** Back to a healthy provider: no outages, lost answers, delays, throttling or per-recipient faults. */
  resetFaults(): this {
    this.outages = [];
    this.drops = 0;
    this.delayMs = 0;
    this.throttles = 0;
    this.recipientErrors.clear();
    this.deliveryFailures.clear();
    this.accountError = undefined;
    return this;
  }

  /** The carrier stops reporting: accepted messages stay "being sent" until releaseCarrierReports(). */
  holdCarrierReports(): this {
    this.reportsHeld = true;
    return this;
  }

  releaseCarrierReports(): this {
    this.reportsHeld = false;
    for (const message of this.messages) if (!message.report) this.report(message);
    return this;
  }

  /** How many times a message with this contact ID went out to a handset. */
  deliveredCount(contactId: string): number {
    return this.messages.filter((m) => m.contactId === contactId).length;
  }

  /** Requests that asked for `action`, e.g. all SendSms calls, whatever their answer. */
  requests(action: string): ReceivedRequest[] {
    return this.received.filter((r) => r.action === action);
  }

  /**
   * Pushes every reported, not yet acknowledged receipt to receiptUrl. A receipt counts as pushed
   * once the webhook answers the way the provider expects; otherwise it is pushed again next time.
   */
  async pushReceipts(options: ReceiptPushOptions = {}): Promise<ReceiptPushResult> {
    if (!this.receiptUrl) throw new Error(`${this.constructor.name}: no receiptUrl to push receipts to`);
    // Taken out while pushed, so pushes that overlap (one per report under load) never send a receipt twice.
    const pending = this.unpushed;
    this.unpushed = [];
    if (options.reverse) pending.reverse();
    if (pending.length === 0) return { receipts: 0, statuses: [] };
    const statuses: number[] = [];
    let acknowledged = true;
    try {
      for (let round = 0; round < (options.twice ? 2 : 1); round += 1) {
        for (const request of this.receiptRequests(pending)) {
          const response = await fetch(request.url, { method: 'POST', headers: { 'content-type': request.contentType }, body: request.body });
          statuses.push(response.status);
          acknowledged &&= this.isAcknowledged(response.status, await response.text());
        }
      }
    } catch (error) {
      acknowledged = false;
      throw error;
    } finally {
      if (acknowledged) for (const message of pending) message.receiptPushed = true;
      else this.unpushed = (options.reverse ? pending.reverse() : pending).concat(this.unpushed);
    }
    return { receipts: pending.length, statuses };
  }

  async start(port = 0): Promise<RunningSimulator> {
    if (this.server) throw new Error(`${this.constructor.name} is already running`);
    const server = createServer((req, res) => {
      void this.answer(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    // Longer than clients keep idle sockets (the providers' SDKs reuse them): a connection closed by
    // the server just as a client reuses it would fail the send with ECONNRESET.
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${address.port}`,
      port: address.port,
      close: () =>
        new Promise<void>((resolve, reject) => {
          this.server = undefined;
          server.close((error) => (error ? reject(error) : resolve()));
          server.closeAllConnections();
        }),
    };
  }

  /** The action and parameters of a request, for the record (provider's own shape). */
  protected abstract describe(request: SimRequest): { action: string; params: Record<string, unknown> };
  /** The provider's answer to a request that got through. */
  protected abstract route(request: SimRequest, action: string, params: Record<string, unknown>): SimAnswer | Promise<SimAnswer>;
  protected abstract normaliseRecipient(recipient: string): string;
  /** The carrier's report for a delivered message. */
  protected abstract deliveredReport(): { code: string; description: string };
  /** The webhook requests that carry these receipts (one batch, or one per receipt). */
  protected abstract receiptRequests(messages: SimulatedMessage[]): ReceiptRequest[];
  /** Did the webhook answer the way this provider counts as received? */
  protected abstract isAcknowledged(status: number, body: string): boolean;

  /** The provider's own answer when it fails internally. */
  protected outageAnswer(): SimAnswer {
    return { status: 500, body: 'Internal Server Error', contentType: 'text/plain', code: 'OUTAGE' };
  }

  protected takeThrottle(): boolean {
    if (this.throttles === 0) return false;
    this.throttles -= 1;
    return true;
  }

  /** The code every send is refused with while the account is down (failAccount). */
  protected accountFailure(): string | undefined {
    return this.accountError;
  }

  protected recipientError(recipient: string): string | undefined {
    return this.recipientErrors.get(recipient);
  }

  /** Records an accepted message; the carrier reports on it at once unless reports are held. */
  protected accept(message: Omit<SimulatedMessage, 'acceptedAt' | 'receiptPushed' | 'report'>): SimulatedMessage {
    const accepted: SimulatedMessage = { ...message, acceptedAt: this.now(), receiptPushed: false };
    this.messages.push(accepted);
    if (!this.reportsHeld) this.report(accepted);
    return accepted;
  }

  private report(message: SimulatedMessage): void {
    const failure = this.deliveryFailures.get(message.recipient);
    message.report = failure
      ? { delivered: false, code: failure, description: failure, at: this.now() }
      : { delivered: true, ...this.deliveredReport(), at: this.now() };
    this.unpushed.push(message);
    if (this.autoPush && this.receiptUrl) {
      setImmediate(() => {
        // A failed push stays pending and goes out with the next one.
        this.pushReceipts().catch(() => undefined);
      });
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const outage = this.outages.shift();
    const request: SimRequest = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://simulator.invalid'), headers: req.headers, body };
    const { action, params } = this.describe(request);
    const record: ReceivedRequest = { action, params, answer: 'OUTAGE', answerLost: false, at: this.now() };
    this.received.push(record);
    if (outage === 'close') {
      req.socket.destroy();
      return;
    }
    if (outage === 'gateway502') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    }
    if (outage === 'http500') {
      const failed = this.outageAnswer();
      res.writeHead(failed.status, { 'content-type': failed.contentType }).end(failed.body);
      return;
    }
    const answer = await this.route(request, action, params);
    record.answer = answer.code;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (answer.accepted && this.drops > 0) {
      this.drops -= 1;
      record.answerLost = true;
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function json(status: number, body: unknown, code: string, accepted = false): SimAnswer {
  return { status, body: JSON.stringify(body), contentType: 'application/json;charset=utf-8', code, accepted };
}

/** Fills `${name}` (Alibaba) or `{1}` (Tencent) placeholders. */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}|\{(\d+)\}/g, (whole, name: string | undefined, index: string | undefined) => values[name ?? index ?? ''] ?? whole);
}
