import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { POLICY_CHANGE_KINDS, type PolicyChangeKind } from '../../domain/policy-changes';
import type { PolicyChangeMessage } from './port';
import { signatureMatches, SIGNATURE_HEADERS } from './signing';
import { policyAdminReference } from './simulator';

/** The reference receiver's secret in the local stack: a demo value, refused outside RENEWALS_ENV=demo. */
export const DEMO_POLICY_ADMIN_SECRET = 'renewals-demo-policy-admin-secret-not-for-production';

/** The path changes are POSTed to. */
export const POLICY_CHANGES_PATH = '/policy-changes';
/** The demo's control: the next N deliveries fail (`failNext`). */
export const FAIL_NEXT_PATH = '/sim/fail-next';
/** A signature dated further than this from the receiver's clock is stale (or replayed). */
export const SIGNATURE_WINDOW_SECONDS = 300;
const MAX_BODY_BYTES = 64 * 1024;

export interface ReceivedChange extends PolicyChangeMessage {
  reference: string;
}

export interface PolicyAdminReceiver {
  /** The URL to deliver to (POLICY_ADMIN_URL). */
  url: string;
  /** Every change accepted, once each, in the order received. */
  readonly accepted: ReceivedChange[];
  /** The event id of every request that passed the checks, repeats included: what a duplicate delivery shows in. */
  readonly received: string[];
  /** Requests refused, by why: `signature`, `stale`, `malformed`. */
  readonly refused: { reason: string; eventId?: string }[];
  /** Every request that reached the endpoint, failed on purpose or not. */
  readonly requests: number;
  /** The next `count` requests are answered with `status` (503 by default) before anything is checked. */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

/**
 * A reference receiver for the policy administration system (tests and the demo stack): checks the
 * timestamp window and the signature (integrations/policy-admin/signing.ts), takes each event id once
 * and answers a repeated one with the reference it gave the first time, as the real system must.
 * Stale: 403; bad or missing signature: 401; a body that is not a change: 400.
 */
export async function startPolicyAdminReceiver(options: { secret: string; host?: string; port?: number; now?: () => number }): Promise<PolicyAdminReceiver> {
  const now = options.now ?? Date.now;
  const accepted: ReceivedChange[] = [];
  const byEventId = new Map<string, ReceivedChange>();
  const passed: string[] = [];
  const refused: { reason: string; eventId?: string }[] = [];
  let requests = 0;
  let failing: { count: number; status: number } = { count: 0, status: 503 };

  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, reason: string, error: string, eventId?: string) => {
    refused.push({ reason, ...(eventId ? { eventId } : {}) });
    answer(res, status, { error });
  };

  const receive = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith(FAIL_NEXT_PATH) && req.method === 'POST') return failOnRequest(req, res);
    if (req.url !== POLICY_CHANGES_PATH) return answer(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
    const body = await readBody(req);
    requests += 1;
    if (body === undefined) return answer(res, 413, { error: 'body too large' });
    if (failing.count > 0) {
      failing = { ...failing, count: failing.count - 1 };
      return answer(res, failing.status, { error: 'failing on purpose' });
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const eventId = header(SIGNATURE_HEADERS.eventId);
    const stamp = header(SIGNATURE_HEADERS.timestamp);
    const timestamp = stamp !== undefined && /^\d{1,12}$/.test(stamp) ? Number(stamp) : undefined;
    if (timestamp === undefined || Math.abs(now() / 1000 - timestamp) > SIGNATURE_WINDOW_SECONDS) {
      return refuse(res, 403, 'stale', `${SIGNATURE_HEADERS.timestamp} missing or more than ${SIGNATURE_WINDOW_SECONDS} s from our clock`, eventId);
    }
    if (!signatureMatches(options.secret, timestamp, body, header(SIGNATURE_HEADERS.signature) ?? '')) {
      return refuse(res, 401, 'signature', `${SIGNATURE_HEADERS.signature} does not match`, eventId);
    }
    const change = changeOf(body);
    if (!change || change.eventId !== eventId) return refuse(res, 400, 'malformed', 'the body is not a policy change, or its eventId differs from the header', eventId);
    passed.push(change.eventId);
    const known = byEventId.get(change.eventId);
    if (known) return answer(res, 200, { eventId: known.eventId, reference: known.reference, duplicate: true });
    const received = { ...change, reference: policyAdminReference(accepted.length + 1) };
    accepted.push(received);
    byEventId.set(change.eventId, received);
    return answer(res, 200, { eventId: received.eventId, reference: received.reference, duplicate: false });
  };

  /** `POST /sim/fail-next?count=N[&status=503]`: the demo stack's way to make the next N deliveries fail (loopback only). */
  const failOnRequest = (req: IncomingMessage, res: ServerResponse) => {
    const query = new URL(req.url ?? '', 'http://receiver').searchParams;
    const count = Number(query.get('count'));
    const status = Number(query.get('status') ?? 503);
    if (!Number.isInteger(count) || count < 0 || !Number.isInteger(status) || status < 400 || status > 599) {
      return answer(res, 400, { error: 'count must be a whole number and status an HTTP error status (400-599)' });
    }
    failing = { count, status };
    return answer(res, 200, { failNext: count, status });
  };

  const server = createServer((req, res) => {
    receive(req, res).catch(() => answer(res, 500, { error: 'receiver failed' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}${POLICY_CHANGES_PATH}`,
    accepted,
    received: passed,
    refused,
    get requests() {
      return requests;
    },
    failNext(count, status = 503) {
      failing = { count, status };
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function changeOf(body: string): PolicyChangeMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const c = parsed as Partial<PolicyChangeMessage> | null;
  if (!c || typeof c.eventId !== 'string' || typeof c.policyNo !== 'string' || typeof c.recordedAt !== 'string') return undefined;
  if (!(POLICY_CHANGE_KINDS as readonly string[]).includes(c.kind as string) || typeof c.payload !== 'object' || c.payload === null) return undefined;
  return { eventId: c.eventId, kind: c.kind as PolicyChangeKind, policyNo: c.policyNo, recordedAt: c.recordedAt, payload: c.payload };
}
