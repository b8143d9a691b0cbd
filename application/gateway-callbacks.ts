import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { shanghaiInstant } from '../domain/civil-date';
import type { BankMessageRejection } from '../domain/bank-claims';
import type { Classified } from '../domain/debit-reasons';
import { maskPersonalText } from '../domain/personal-text';
import { recordBankRejection } from '../db/repositories/bank-rejections';
import { GatewayNoticeError, readGatewayNotice, type GatewayNotice } from '../integrations/bank/gateway/notices';
import { callbackProblems } from './bank-claim-checks';
import { applyBankOutcomes, type AppliedOutcome, type ReportedOutcome } from './bank-results';

export interface GatewayCallbackReceiver {
  url: string;
  close(): Promise<void>;
}

/** How a refused callback is answered: who it failed to convince, in HTTP terms. */
const STATUS_OF: Record<BankMessageRejection, number> = { authentication: 401, format: 400, mismatch: 422, replayed_file: 409 };

/**
 * The insurer's endpoint for the collection gateway's callbacks: results of accepted debits and
 * later returns (退票). A callback is believed only when it is signed with the gateway's key (401
 * otherwise) and every item is a debit we sent, as we sent it, for our merchant (422 otherwise):
 * a refusal changes nothing, is recorded on the audit trail, and is answered with the reason and no
 * personal data. A believed one is applied like a file's outcomes (database first, then the cycle's
 * bankResult signal, which only wakes it); one that cannot be applied gets a 500, so the gateway
 * sends it again, and applying one twice changes nothing.
 */
export async function startGatewayCallbackReceiver(options: {
  db: Knex;
  client: Client;
  classify: (rawCode: string) => Classified;
  /** The gateway's SIGNED_MSG key: without it the receiver does not start. */
  signingKey: string;
  /** Our MERCHANT_ID at the gateway: callbacks about another creditor's batches are refused. */
  merchantId: string;
  port?: number;
  onApplied?: (applied: AppliedOutcome[]) => void;
}): Promise<GatewayCallbackReceiver> {
  if (!options.signingKey) throw new Error('the callback receiver needs the gateway signing key: without it no callback can be believed');
  const refuse = async (res: ServerResponse, reason: BankMessageRejection, problems: string[]) => {
    await recordBankRejection(options.db, { source: 'gateway:callback', reason, problems });
    res.writeHead(STATUS_OF[reason], { 'content-type': 'text/plain; charset=utf-8' }).end(maskPersonalText(`rejected (${reason}): ${problems.join('; ')}`));
  };
  const server = createServer((req, res) => {
    void (async () => {
      try {
        let verified;
        try {
          verified = readGatewayNotice(await body(req), req.headers['content-type'], options.signingKey);
        } catch (error) {
          if (!(error instanceof GatewayNoticeError)) throw error;
          return await refuse(res, error.authentication ? 'authentication' : 'format', [error.message]);
        }
        const problems = await callbackProblems(options.db, verified, options.merchantId);
        if (problems.length > 0) return await refuse(res, 'mismatch', problems);
        const applied = await applyBankOutcomes(options.db, options.client, outcomesOf(verified.notice, new Date()), options.classify, `gateway:${verified.notice.kind.toLowerCase()}`);
        options.onApplied?.(applied);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('not applied');
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/bank/callbacks`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The outcomes a believed notice reports; items still processing wait for a later callback or the cycle's own check. */
function outcomesOf(notice: GatewayNotice, now: Date): ReportedOutcome[] {
  if (notice.kind === 'RETURN') {
    return notice.items.map((item) => ({ idempotencyKey: item.idempotencyKey, outcome: 'returned' as const, rawCode: item.rawCode, at: new Date(Math.min(now.getTime(), shanghaiInstant(item.returnedOn, '23:59'))) }));
  }
  return notice.items.flatMap((item): ReportedOutcome[] => {
    const a = item.answer;
    if (a.status === 'succeeded') return [{ idempotencyKey: item.idempotencyKey, outcome: 'succeeded', bankRef: a.bankRef, at: now }];
    if (a.status === 'failed') return [{ idempotencyKey: item.idempotencyKey, outcome: 'failed', rawCode: a.rawCode, ...(a.bankRef ? { bankRef: a.bankRef } : {}), at: now }];
    return [];
  });
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
