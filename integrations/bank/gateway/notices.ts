import type { BankAnswer } from '../port';
import { decodeXml, notifyTypeOf, readReply } from './gzelink-messages';
import { answerOfDetail, civilDateOf } from './item-answers';
import { gatewayRefOf } from './item-locator';
import { verifyMessage } from './signing';

/** A callback from the gateway, as the insurer's receiving endpoint reads it. */
export type GatewayNotice =
  /** Results of a batch are ready: one answer per item (as a query would give). */
  | { kind: 'RESULT'; reqSn: string; items: { sn: string; idempotencyKey: string; answer: BankAnswer }[] }
  /** A debit reported as succeeded was paid back later (退票): the premium is open again. */
  | { kind: 'RETURN'; reqSn: string; items: { sn: string; idempotencyKey: string; rawCode: string; amountFen: number; returnedOn: string }[] };

/** What each item of a callback claims about a debit, to hold against the attempt on record. */
export interface NoticeClaim {
  idempotencyKey: string;
  /** REQ_SN/SN of the batch item: where the debit was sent. */
  gatewayRef: string;
  amountFen: number;
  /** As the gateway echoes it: first 6 and last 4 digits. */
  debtorAccount: string;
}

/** A callback that passed its signature, with what it claims and for which merchant. */
export interface VerifiedNotice {
  notice: GatewayNotice;
  /** QUERY_TRANS/MERCHANT_ID: the creditor the batch was collected for. */
  merchantId: string;
  claims: NoticeClaim[];
}

/** Why a callback is refused: `authentication` when SIGNED_MSG is missing or wrong, else its form. */
export class GatewayNoticeError extends Error {
  constructor(
    message: string,
    readonly authentication = false,
  ) {
    super(message);
  }
}

/**
 * Reads a callback body (GZELINK XML, GBK unless the Content-Type says otherwise). SIGNED_MSG must
 * match the gateway's key before anything in it is read; anything that is not a result or return
 * notice is refused.
 */
export function readGatewayNotice(body: Buffer, contentType: string | null | undefined, signingKey: string): VerifiedNotice {
  if (!signingKey) throw new Error('a callback cannot be verified without the signing key');
  const { xml } = decodeXml(body, contentType);
  if (!verifyMessage(xml, signingKey)) throw new GatewayNoticeError('SIGNED_MSG is missing or does not match', true);
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
  const claims = reply.details.map((d) => ({ idempotencyKey: d.eUserCode, gatewayRef: gatewayRefOf({ reqSn, sn: d.sn }), amountFen: Number(d.amount), debtorAccount: d.accountNo }));
  const merchantId = reply.merchantId ?? '';
  if (kind === 'RESULT') {
    return { merchantId, claims, notice: { kind, reqSn, items: reply.details.map((d) => ({ sn: d.sn, idempotencyKey: d.eUserCode, answer: answerOfDetail(reqSn, d) })) } };
  }
  return {
    merchantId,
    claims,
    notice: {
      kind,
      reqSn,
      items: reply.details.map((d) => ({
        sn: d.sn,
        idempotencyKey: d.eUserCode,
        rawCode: d.retCode,
        amountFen: Number(d.amount),
        returnedOn: civilDateOf(d.returnDate ?? ''),
      })),
    },
  };
}

/** The notice alone, for a receiver that does its own matching (see readGatewayNotice). */
export function parseGatewayNotice(body: Buffer, contentType: string | null | undefined, signingKey: string): GatewayNotice {
  return readGatewayNotice(body, contentType, signingKey).notice;
}
