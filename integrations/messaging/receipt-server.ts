import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { receiptTokenProblem, encodingAesKeyProblem, serverTokenProblem } from '../../config/receipt-secrets';
import type { RefusedReceiptPush } from '../../domain/receipt-rejections';
import type { DeliveryReceipt } from './port';
import { checkPushToken, checkWechatUrlCheck, openWechatPush, ReceiptRefused, type ReceiptCredentials } from './receipt-authentication';
import { receiptEndpointOf, redactReceiptUrl, type TokenisedProvider } from './receipt-paths';
import { ALIBABA_PROVIDER } from './sms/alibaba-sms';
import { ALIBABA_RECEIPT_ACK, parseAlibabaSmsReport } from './sms/alibaba-receipts';
import { TENCENT_PROVIDER } from './sms/tencent-sms';
import { parseTencentSmsCallback, TENCENT_RECEIPT_ACK } from './sms/tencent-receipts';
import { parseWechatTemplateEvent, WECHAT_EVENT_ACK } from './wechat/template-events';
import { WECHAT_PROVIDER } from './wechat/wechat-client';

export { RECEIPT_PATHS } from './receipt-paths';

export interface ReceiptServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The secrets each provider's pushes are authenticated with; an endpoint without them is not served (404). */
  credentials: ReceiptCredentials;
  /** Receives the normalised receipts of one authenticated push; a rejection makes the push fail so the provider retries. */
  onReceipts(receipts: DeliveryReceipt[]): Promise<void> | void;
  /**
   * A push refused before anything in it was believed: not the provider's (answered 401) or stale
   * (403). For the audit trail; the problem names the failed check, never a secret or a value.
   */
  onRefused?(refused: RefusedReceiptPush): Promise<void> | void;
  /**
   * For the caller's log: why a push was refused (parser errors name index and field, never a value),
   * or the error onReceipts / onRefused threw. `endpoint` is the request path with any push token
   * replaced by ***.
   */
  onError?(error: Error, endpoint: string): void;
  /** The clock WeChat timestamps are checked against; default the system's. */
  now?: () => Date;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface RunningReceiptServer {
  /** e.g. http://127.0.0.1:PORT; the providers' webhooks are this plus a RECEIPT_PATHS entry (and a push token: receiptPushUrl). */
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

/** Who a push claims to come from, as the receipts and the audit trail name the provider. */
const PROVIDER_ID: Record<TokenisedProvider | 'wechat', string> = { alibaba: ALIBABA_PROVIDER, tencent: TENCENT_PROVIDER, wechat: WECHAT_PROVIDER };

/** Not the provider's: 401; the provider's but stale or replayed: 403. */
const STATUS_OF: Record<RefusedReceiptPush['reason'], number> = { authentication: 401, stale: 403 };

/**
 * The providers' receipt webhooks: Alibaba SmsReport, Tencent status callbacks, WeChat event pushes.
 * Each push is first authenticated as its provider's (receipt-authentication.ts): a push that is not
 * gets 401, a stale one 403, and neither reaches onReceipts. An authenticated push is parsed, handed
 * over as normalised receipts, and answered the way that provider counts as received, only after
 * the callback has finished; a bad body gets 400 and a failing callback 500, so the provider pushes
 * again. Deduplication is the consumer's job: pushes repeat.
 */
export async function startReceiptServer(options: ReceiptServerOptions): Promise<RunningReceiptServer> {
  const credentials = checkedCredentials(options.credentials);
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const now = options.now ?? (() => new Date());

  const server = createServer((req, res) => {
    void answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://receipts.invalid');
    const endpoint = receiptEndpointOf(url.pathname);
    // The path may hold a push token: only its redacted form goes anywhere.
    const shown = redactReceiptUrl(url.pathname);
    try {
      if (!endpoint) throw new Refused(404, 'no receipt endpoint here');
      if (endpoint.provider === 'wechat') {
        if (!credentials.wechat) throw new Refused(404, 'no receipt endpoint here');
        return await wechat(req, res, url.searchParams, credentials.wechat);
      }
      const configured = credentials[endpoint.provider];
      if (!configured) throw new Refused(404, 'no receipt endpoint here');
      checkPushToken(endpoint.token, configured.pushToken);
      if (req.method !== 'POST') throw new Refused(405, 'receipts are pushed with POST');
      const json = parseJson(await readBody(req, maxBody));
      const receipts = parsed(() => (endpoint.provider === 'alibaba' ? parseAlibabaSmsReport(json) : parseTencentSmsCallback(json)));
      await handOver(receipts);
      sendJson(res, 200, endpoint.provider === 'alibaba' ? ALIBABA_RECEIPT_ACK : TENCENT_RECEIPT_ACK);
    } catch (error) {
      req.resume();
      await refuse(res, endpoint?.provider, shown, error);
    }
  }

  async function wechat(req: IncomingMessage, res: ServerResponse, query: URLSearchParams, keys: NonNullable<ReceiptCredentials['wechat']>): Promise<void> {
    // WeChat checks the server URL once with a GET carrying echostr, which must be echoed.
    if (req.method === 'GET') {
      checkWechatUrlCheck(query, keys, now());
      res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('echostr') ?? '');
      return;
    }
    if (req.method !== 'POST') throw new Refused(405, 'WeChat pushes with POST (and checks the URL with GET)');
    const xml = openWechatPush(query, await readBody(req, maxBody), keys, now());
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

  async function refuse(res: ServerResponse, provider: TokenisedProvider | 'wechat' | undefined, endpoint: string, error: unknown): Promise<void> {
    // Messages name the check or the index and field that failed, never a secret or a value.
    const status = error instanceof ReceiptRefused ? STATUS_OF[error.reason] : error instanceof Refused ? error.status : 400;
    const message = error instanceof Error ? error.message : String(error);
    if (status !== 500) options.onError?.(error instanceof Error ? error : new Error(message), endpoint);
    if (error instanceof ReceiptRefused && provider) {
      try {
        await options.onRefused?.({ provider: PROVIDER_ID[provider], reason: error.reason, problem: message });
      } catch (failure) {
        // Still refused: the push is not believed whether or not the refusal could be written down.
        options.onError?.(failure instanceof Error ? failure : new Error(String(failure)), 'onRefused');
      }
    }
    if (provider === 'alibaba') sendJson(res, status, { code: 1, msg: message });
    else if (provider === 'tencent') sendJson(res, status, { result: 1, errmsg: message });
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Refused(400, 'body is not JSON');
  }
}

/** The credentials, once each is usable: a receipt server with none, or a malformed one, does not start. */
function checkedCredentials(credentials: ReceiptCredentials): ReceiptCredentials {
  const problems = [
    credentials.alibaba && receiptTokenProblem('the Alibaba push token', credentials.alibaba.pushToken),
    credentials.tencent && receiptTokenProblem('the Tencent push token', credentials.tencent.pushToken),
    credentials.wechat && serverTokenProblem('the WeChat server token', credentials.wechat.serverToken),
    credentials.wechat && encodingAesKeyProblem('the WeChat EncodingAESKey', credentials.wechat.encodingAesKey),
    credentials.wechat && !credentials.wechat.appId && 'the WeChat appid is empty: decrypted pushes are checked against it',
  ].filter((problem): problem is string => typeof problem === 'string' && problem !== '');
  if (!credentials.alibaba && !credentials.tencent && !credentials.wechat) problems.push('the receipt server needs the credentials of at least one provider: without them no receipt can be believed');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return credentials;
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
