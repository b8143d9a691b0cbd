import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the payment simulators share: an in-process HTTP server on 127.0.0.1. They never log. */

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface RunningPaymentSimulator {
  url: string;
  close(): Promise<void>;
}

export async function serve(handle: (request: SimRequest, base: string) => Promise<SimResponse> | SimResponse, port = 0): Promise<RunningPaymentSimulator> {
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', base), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      Promise.resolve(handle(request, base))
        .then((answer) => res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', ...answer.headers }).end(answer.body))
        .catch(() => {
          if (!res.headersSent) res.writeHead(500).end();
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The payer's side of a cashier page: says paid, in zh-CN. */
export function cashierPage(title: string, text: string): SimResponse {
  const body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  return { status: 200, headers: { 'content-type': 'text/html;charset=utf-8' }, body };
}

/** A notification sent to the merchant, and how the merchant answered. */
export interface SentNotification {
  outTradeNo: string;
  status: number;
  body: string;
}
