import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { shanghaiInstant } from '../domain/civil-date';
import type { Classified } from '../domain/debit-reasons';
import { GatewayNoticeError, parseGatewayNotice } from '../integrations/bank/gateway/notices';
import { applyBankOutcomes, type AppliedOutcome, type ReportedOutcome } from './bank-results';

export interface GatewayCallbackReceiver {
  url: string;
  close(): Promise<void>;
}

/**
 * The insurer's endpoint for the collection gateway's callbacks: results of accepted debits and
 * later returns (退票). Each is applied like a file's outcomes (database first, then the cycle's
 * bankResult signal); a callback that cannot be applied gets a non-2xx answer, so the gateway sends
 * it again, and applying one twice changes nothing.
 */
export async function startGatewayCallbackReceiver(options: {
  db: Knex;
  client: Client;
  classify: (rawCode: string) => Classified;
  signingKey?: string;
  port?: number;
  onApplied?: (applied: AppliedOutcome[]) => void;
}): Promise<GatewayCallbackReceiver> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const notice = parseGatewayNotice(await body(req), req.headers['content-type'], options.signingKey);
        const now = new Date();
        const outcomes: ReportedOutcome[] =
          notice.kind === 'RESULT'
            ? notice.items.flatMap((item): ReportedOutcome[] => {
                const a = item.answer;
                if (a.status === 'succeeded') return [{ idempotencyKey: item.idempotencyKey, outcome: 'succeeded', bankRef: a.bankRef, at: now }];
                if (a.status === 'failed') return [{ idempotencyKey: item.idempotencyKey, outcome: 'failed', rawCode: a.rawCode, ...(a.bankRef ? { bankRef: a.bankRef } : {}), at: now }];
                return []; // still processing: a later callback or the cycle's own check settles it
              })
            : notice.items.map((item) => ({ idempotencyKey: item.idempotencyKey, outcome: 'returned' as const, rawCode: item.rawCode, at: new Date(Math.min(now.getTime(), shanghaiInstant(item.returnedOn, '23:59'))) }));
        const applied = await applyBankOutcomes(options.db, options.client, outcomes, options.classify, `gateway:${notice.kind.toLowerCase()}`);
        options.onApplied?.(applied);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      } catch (error) {
        res.writeHead(error instanceof GatewayNoticeError ? 400 : 500, { 'content-type': 'text/plain' }).end(error instanceof GatewayNoticeError ? error.message : 'not applied');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/bank/callbacks`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 5 * 1024 * 1024) reject(new GatewayNoticeError('callback larger than 5 MiB'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
