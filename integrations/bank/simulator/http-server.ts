import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { contentTypeOf, decodeXml, encodeXml } from '../gateway/gzelink-messages';
import type { SimulatedAccount } from './accounts';
import { handleAdmin, type AdminContext } from './admin-routes';
import { CallbackSender } from './callbacks';
import { BankCore } from './core';
import { GatewayFaults, type FaultSettings } from './faults';
import { SimulatedGateway } from './gateway-service';
import { SIMULATOR_KEYS } from './keys';

export interface BankSimulatorOptions {
  /** 0 (default): any free port. */
  port?: number;
  host?: string;
  accounts?: SimulatedAccount[];
  /** MERCHANT_ID of the insurer at the gateway, also the creditor its mandates name. */
  merchantId?: string;
  userName?: string;
  userPass?: string;
  /** The SIGNED_MSG key (gateway/signing.ts); default the simulator's own (keys.ts). */
  signingKey?: string;
  processingDelayMs?: number;
  callbackUrl?: string;
  faults?: Partial<FaultSettings>;
}

export interface RunningBankSimulator {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  /** The gateway endpoint: `${url}/gateway`. */
  gatewayUrl: string;
  core: BankCore;
  gateway: SimulatedGateway;
  faults: GatewayFaults;
  callbacks: CallbackSender;
  close(): Promise<void>;
}

export const SIMULATOR_DEFAULTS = {
  merchantId: 'INSURER01',
  userName: 'renewals',
  userPass: 'renewals',
  processingDelayMs: 200,
  signingKey: SIMULATOR_KEYS.gatewaySigning,
} as const;

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * The simulated bank as an HTTP service: POST /gateway speaks the GZELINK-style collection
 * gateway (XML, GBK or UTF-8), /sim/* are JSON admin endpoints (accounts, deposits, faults,
 * returns, ledger). Everything lives in memory; nothing personal is logged.
 */
export async function startBankSimulator(options: BankSimulatorOptions = {}): Promise<RunningBankSimulator> {
  const merchantId = options.merchantId ?? SIMULATOR_DEFAULTS.merchantId;
  const core = new BankCore({ creditorId: merchantId, accounts: options.accounts ?? [] });
  const faults = new GatewayFaults();
  if (options.faults) faults.update(options.faults);
  const callbacks = new CallbackSender();
  const gateway = new SimulatedGateway(core, faults, callbacks, {
    merchantId,
    userName: options.userName ?? SIMULATOR_DEFAULTS.userName,
    userPass: options.userPass ?? SIMULATOR_DEFAULTS.userPass,
    processingDelayMs: options.processingDelayMs ?? SIMULATOR_DEFAULTS.processingDelayMs,
    signingKey: options.signingKey ?? SIMULATOR_DEFAULTS.signingKey,
    ...(options.callbackUrl !== undefined ? { callbackUrl: options.callbackUrl } : {}),
  });
  const ctx: AdminContext = { core, gateway, faults, callbacks };
  const held = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: (error as Error).message }));
      else res.destroy();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname === '/gateway') return serveGateway(req, res);
    if (url.pathname.startsWith('/sim/')) {
      const body = (await readBody(req)).toString('utf8');
      const answer = handleAdmin(ctx, { method: req.method ?? 'GET', url, contentType: req.headers['content-type'] ?? '', body });
      return send(res, answer.status, 'application/json', JSON.stringify(answer.json));
    }
    send(res, 404, 'application/json', JSON.stringify({ error: `no such endpoint: ${req.method} ${url.pathname}` }));
  }

  async function serveGateway(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only');
    const bytes = await readBody(req);
    if (faults.outage) return send(res, faults.outageStatus, 'text/plain', faults.outageStatus === 503 ? 'Service Unavailable' : 'Internal Server Error');
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    const { xml, charset } = decodeXml(bytes, req.headers['content-type']);
    const timeout = faults.takeTimeout();
    if (timeout) {
      // Booked: the gateway took the request and only the answer is lost.
      if (timeout.booked) gateway.handle(xml, charset);
      hold(res);
      return;
    }
    send(res, 200, contentTypeOf(charset), encodeXml(gateway.handle(xml, charset), charset));
  }

  /** Never answers: the connection is held past any client timeout, then dropped. */
  function hold(res: ServerResponse): void {
    const timer = setTimeout(() => {
      held.delete(timer);
      res.destroy();
    }, faults.hangMs);
    held.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(timer);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    url,
    gatewayUrl: `${url}/gateway`,
    core,
    gateway,
    faults,
    callbacks,
    async close() {
      gateway.reset();
      for (const timer of held) clearTimeout(timer);
      held.clear();
      await callbacks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
