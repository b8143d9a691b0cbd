import type { BankAnswer } from '../port';
import { decodeXml, notifyTypeOf, readReply } from './gzelink-messages';
import { answerOfDetail, civilDateOf } from './item-answers';
import { verifyMessage } from './signing';

/** A callback from the gateway, as the insurer's receiving endpoint reads it. */
export type GatewayNotice =
  /** Results of a batch are ready: one answer per item (as a query would give). */
  | { kind: 'RESULT'; reqSn: string; items: { sn: string; idempotencyKey: string; answer: BankAnswer }[] }
  /** A debit reported as succeeded was paid back later (退票): the premium is open again. */
  | { kind: 'RETURN'; reqSn: string; items: { sn: string; idempotencyKey: string; rawCode: string; amountFen: number; returnedOn: string }[] };

export class GatewayNoticeError extends Error {}

/**
 * Reads a callback body (GZELINK XML, GBK unless the Content-Type says otherwise). With a signing
 * key the SIGNED_MSG must match; anything that is not a result or return notice is refused.
 */
export function parseGatewayNotice(body: Buffer, contentType: string | null | undefined, signingKey?: string): GatewayNotice {
  const { xml } = decodeXml(body, contentType);
  if (signingKey !== undefined && !verifyMessage(xml, signingKey)) throw new GatewayNoticeError('SIGNED_MSG does not match');
  let reply;
  try {
    reply = readReply(xml);
  } catch (error) {
    throw new GatewayNoticeError(`not a gateway notice: ${(error as Error).message}`);
  }
  const kind = notifyTypeOf(reply);
  const reqSn = reply.querySn ?? '';
  if (!kind) throw new GatewayNoticeError('NOTIFY_TYPE must be RESULT or RETURN');
  if (reqSn === '') throw new GatewayNoticeError('QUERY_SN (the batch REQ_SN) is missing');
  if (kind === 'RESULT') {
    return { kind, reqSn, items: reply.details.map((d) => ({ sn: d.sn, idempotencyKey: d.eUserCode, answer: answerOfDetail(reqSn, d) })) };
  }
  return {
    kind,
    reqSn,
    items: reply.details.map((d) => ({
      sn: d.sn,
      idempotencyKey: d.eUserCode,
      rawCode: d.retCode,
      amountFen: Number(d.amount),
      returnedOn: civilDateOf(d.returnDate ?? ''),
    })),
  };
}
