import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeliveryReceipt } from './port';
import { ALIBABA_RECEIPT_ACK, parseAlibabaSmsReport } from './sms/alibaba-receipts';
import { parseTencentSmsCallback, TENCENT_RECEIPT_ACK } from './sms/tencent-receipts';
import { isWechatSignatureValid, parseWechatTemplateEvent, WECHAT_EVENT_ACK } from './wechat/template-events';

export const RECEIPT_PATHS = {
  alibaba: '/receipts/alibaba',
  tencent: '/receipts/tencent',
  wechat: '/receipts/wechat',
} as const;

export interface ReceiptServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The server-configuration Token of the Official Account: WeChat pushes are signed with it. */
  wechatToken?: string;
  /** Receives the normalised receipts of one push; a rejection makes the push fail so the provider retries. */
  onReceipts(receipts: DeliveryReceipt[]): Promise<void> | void;
  /**
   * For the caller's log: why a push was refused (parser errors name index and field, never a value),
   * or the error onReceipts threw (path 'onReceipts').
   */
  onError?(error: Error, path: string): void;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningReceiptServer {
  /** e.g. http://127.0.0.1:PORT; the providers' webhooks are this plus a RECEIPT_PATHS entry. */
  url: string;
  port: number;
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The providers' receipt webhooks: Alibaba SmsReport, Tencent status callbacks, WeChat event pushes.
 * Each push is parsed, handed over as normalised receipts, and answered the way that provider counts
 * as received, only after the callback has finished; a bad body gets 400 and a failing callback 500,
 * so the provider pushes again. Deduplication is the consumer's job: pushes repeat.
 */
export async function startReceiptServer(options: ReceiptServerOptions): Promise<RunningReceiptServer> {
  const maxBody = options.maxBodyBytes ?? 1 << 20;

  const server = createServer((req, res) => {
    void answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receipts.invalid');
    const path = url.pathname;
    try {
      if (path === RECEIPT_PATHS.wechat) return await wechat(req, res, url.searchParams);
      if (path !== RECEIPT_PATHS.alibaba && path !== RECEIPT_PATHS.tencent) throw new Refused(404, `no receipt endpoint at ${path}`);
      if (req.method !== 'POST') throw new Refused(405, `${path} takes POST`);
      const json = parseJson(await readBody(req, maxBody), path);
      const receipts = parsed(() => (path === RECEIPT_PATHS.alibaba ? parseAlibabaSmsReport(json) : parseTencentSmsCallback(json)));
      await handOver(receipts);
      sendJson(res, 200, path === RECEIPT_PATHS.alibaba ? ALIBABA_RECEIPT_ACK : TENCENT_RECEIPT_ACK);
    } catch (error) {
      refuse(res, path, error);
    }
  }

  async function wechat(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (options.wechatToken !== undefined && !isWechatSignatureValid(options.wechatToken, query)) {
      throw new Refused(403, 'WeChat push: signature does not match the configured token');
    }
    // WeChat checks the server URL once with a GET carrying echostr, which must be echoed.
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('echostr') ?? '');
      return;
    }
    if (req.method !== 'POST') throw new Refused(405, `${RECEIPT_PATHS.wechat} takes GET or POST`);
    const xml = await readBody(req, maxBody);
    const receipts = parsed(() => parseWechatTemplateEvent(xml));
    if (receipts.length > 0) await handOver(receipts);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(WECHAT_EVENT_ACK);
  }

  async function handOver(receipts: DeliveryReceipt[]): Promise<void> {
    try {
      await options.onReceipts(receipts);
    } catch (error) {
      options.onError?.(error instanceof Error ? error : new Error(String(error)), 'onReceipts');
      // The consumer's error stays here: the provider is only told to push again.
      throw new Refused(500, 'receipts not stored; push again');
    }
  }

  function refuse(res: ServerResponse, path: string, error: unknown): void {
    // Parser errors name the index and field, never a value.
    const status = error instanceof Refused ? error.status : 400;
    const message = error instanceof Error ? error.message : String(error);
    if (status !== 500) options.onError?.(error instanceof Error ? error : new Error(message), path);
    if (path === RECEIPT_PATHS.alibaba) sendJson(res, status, { code: 1, msg: message });
    else if (path === RECEIPT_PATHS.tencent) sendJson(res, status, { result: 1, errmsg: message });
    else res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Refused(400, `${path}: body is not JSON`);
  }
}

/** A body that is not that provider's format: 400, so the provider does not count it as received. */
function parsed(parse: () => DeliveryReceipt[]): DeliveryReceipt[] {
  try {
    return parse();
  } catch (error) {
    throw new Refused(400, error instanceof Error ? error.message : String(error));
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the refusal can still be answered.
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) reject(new Refused(413, `body over ${maxBytes} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
