import { sameDebtorAccount } from '../../../domain/bank-claims';
import { classifyReason, REASON_RULES, type Classified } from '../../../domain/debit-reasons';
import { maskNumber } from '../../../domain/masking';
import type { AnswerRejection, BankAnswer, BankPort, BankQueryAnswer, DebitExpectation, DebitInstruction } from '../port';
import {
  ACCOUNT_TYPE_CARD,
  BUSINESS_CODE_BATCH_COLLECTION,
  GZELINK_VERSION,
  HEADER,
  INTERMEDIATE_CODES,
  PACKAGE_ERRORS,
  TRX_CODE,
} from './gzelink-codes';
import {
  contentTypeOf,
  decodeXml,
  encodeXml,
  readReply,
  writeCollectRequest,
  writeQueryRequest,
  type Charset,
  type GatewayReply,
  type GzelinkInfo,
  type RetDetail,
} from './gzelink-messages';
import { answerOfDetail } from './item-answers';
import { gatewayRefOf, InMemoryItemLocator, SINGLE_ITEM_SN, snOf, type GatewayItemLocator } from './item-locator';
import { signMessage, verifyMessage } from './signing';

export interface GatewayBankOptions {
  /** The gateway endpoint, e.g. http://127.0.0.1:8080/gateway */
  url: string;
  merchantId: string;
  userName: string;
  userPass: string;
  /**
   * The SIGNED_MSG key (gateway/signing.ts): every request is signed with it and every answer must
   * be, or it is not believed. Required: an adapter without it refuses to be built.
   */
  signingKey: string;
  /** Per HTTP exchange; a request without an answer in time is 'unknown', never resent. Default 10 s. */
  timeoutMs?: number;
  /** Default GBK, the gateway's encoding. */
  charset?: Charset;
  /** Where batch items are (REQ_SN + SN); default in memory. Single debits need none. */
  locator?: GatewayItemLocator;
  /** Clock for SUBMIT_TIME's time of day and query serials. */
  now?: () => number;
}

export type GatewayBatchAnswer =
  /** The gateway holds the batch (now, or already from an earlier send: alreadySubmitted). */
  | { status: 'accepted'; reqSn: string; alreadySubmitted: boolean; items: { idempotencyKey: string; bankRef: string }[] }
  /** The package was refused as a whole (1000-1106, 1999): nothing in it was booked. */
  | { status: 'failed'; rawCode: string; message: string }
  /** No answer, or "processing": query the batch, never send it again under another REQ_SN. */
  | { status: 'unknown'; rawCode?: string };

export type GatewayBatchQuery =
  | { status: 'found'; items: { sn: string; idempotencyKey: string; answer: BankAnswer }[] }
  | { status: 'not_found' }
  | { status: 'unknown'; rawCode?: string };

type Unbelieved = { kind: 'unknown'; rawCode: string; rejected?: AnswerRejection };
type Exchange = { kind: 'reply'; reply: GatewayReply } | Unbelieved;

const REQ_SN = /^[A-Za-z0-9_-]{1,40}$/;

/** Codes the adapter itself reports for an exchange without a usable (or believable) answer. */
export const NO_ANSWER = { TIMEOUT: 'TIMEOUT', NETWORK: 'NETWORK', BAD_REPLY: 'BAD_REPLY', BAD_SIGNATURE: 'BAD_SIGNATURE', MISMATCH: 'MISMATCH' } as const;

const NOT_SIGNED: Unbelieved = { kind: 'unknown', rawCode: NO_ANSWER.BAD_SIGNATURE, rejected: 'authentication' };
const NOT_OURS: Unbelieved = { kind: 'unknown', rawCode: NO_ANSWER.MISMATCH, rejected: 'mismatch' };

/**
 * The insurer's side of the asynchronous collection gateway. A debit goes out as a batch of one
 * (REQ_SN = the attempt's idempotency key, SN 0001, E_USER_CODE = the key); the header answer only
 * says whether the package was taken, and the result comes from the query transaction (or a
 * callback). A timeout or outage is 'unknown': the caller queries, this adapter never resends.
 * An answer is believed only when it is signed with the gateway's key and answers the request made
 * (its REQ_SN, the batch asked about, our merchant, and the amount and account of the debit): anything
 * else is 'unknown' too, marked rejected.
 */
export class GatewayBank implements BankPort {
  private readonly timeoutMs: number;
  private readonly charset: Charset;
  private readonly locator: GatewayItemLocator;
  private readonly now: () => number;
  private querySerial = 0;

  constructor(private readonly options: GatewayBankOptions) {
    if (!options.signingKey) throw new Error('the collection gateway needs its signing key: without it no answer can be believed');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.charset = options.charset ?? 'GBK';
    this.locator = options.locator ?? new InMemoryItemLocator();
    this.now = options.now ?? Date.now;
  }

  async submitDebit(instruction: DebitInstruction): Promise<BankAnswer> {
    const answer = await this.submitBatch(instruction.idempotencyKey, [instruction]);
    if (answer.status === 'failed' || answer.status === 'unknown') {
      return answer.status === 'failed' ? { status: 'failed', rawCode: answer.rawCode } : answer;
    }
    const expected = { amountFen: instruction.amountFen, accountMasked: maskNumber(instruction.accountNo) };
    const bankRef = answer.items[0]?.bankRef ?? gatewayRefOf({ reqSn: instruction.idempotencyKey, sn: SINGLE_ITEM_SN });
    if (!answer.alreadySubmitted) return { status: 'accepted', bankRef };
    // Sent before (a lost answer, a crash): what the gateway knows about it is the answer.
    const known = await this.queryDebit(instruction.idempotencyKey, expected);
    return known.status === 'not_found' ? { status: 'unknown', rawCode: HEADER.DUPLICATE_SN } : known;
  }

  /**
   * Sends one batch under `reqSn`; item i gets SN 000i and E_USER_CODE = its idempotency key.
   * Item positions are remembered before sending, so a batch whose answer is lost is queryable.
   */
  async submitBatch(reqSn: string, instructions: readonly DebitInstruction[]): Promise<GatewayBatchAnswer> {
    const first = instructions[0];
    if (!first) throw new RangeError('a batch needs at least one debit instruction');
    if (!REQ_SN.test(reqSn)) throw new RangeError('reqSn must be 1-40 letters, digits, _ or -');
    if (instructions.length > 9999) throw new RangeError('a batch holds at most 9999 debits');
    instructions.forEach((instruction, index) => {
      if (instruction.collectionDate !== first.collectionDate) throw new RangeError(`instruction ${index}: a batch has one collection date (${first.collectionDate})`);
      if (!Number.isSafeInteger(instruction.amountFen) || instruction.amountFen <= 0) throw new RangeError(`instruction ${index}: amountFen must be a positive whole number`);
    });
    const items = instructions.map((instruction, index) => ({ instruction, ref: { reqSn, sn: snOf(index) } }));
    for (const { instruction, ref } of items) await this.locator.remember(instruction.idempotencyKey, ref);

    const xml = writeCollectRequest(
      {
        info: this.info(TRX_CODE.BATCH_COLLECT, reqSn),
        sum: {
          businessCode: BUSINESS_CODE_BATCH_COLLECTION,
          merchantId: this.options.merchantId,
          submitTime: this.submitTime(first.collectionDate),
          totalItem: String(instructions.length),
          totalSum: String(instructions.reduce((sum, i) => sum + i.amountFen, 0)),
        },
        details: items.map(({ instruction, ref }) => ({
          sn: ref.sn,
          eUserCode: instruction.idempotencyKey,
          bankCode: instruction.bankCode,
          accountType: ACCOUNT_TYPE_CARD,
          accountNo: instruction.accountNo,
          accountName: instruction.accountName,
          amount: String(instruction.amountFen),
          remark: '',
        })),
      },
      this.charset,
    );
    const exchange = await this.exchange(xml, reqSn);
    if (exchange.kind === 'unknown') return unknownOf(exchange);
    const { retCode = '', errMsg = '' } = exchange.reply.info;
    const accepted = items.map(({ instruction, ref }) => ({ idempotencyKey: instruction.idempotencyKey, bankRef: gatewayRefOf(ref) }));
    if (retCode === HEADER.ACCEPTED) return { status: 'accepted', reqSn, alreadySubmitted: false, items: accepted };
    if (retCode === HEADER.DUPLICATE_SN) {
      // Either this REQ_SN was taken before (then the gateway has it) or the package repeats an SN.
      const known = await this.queryBatch(reqSn);
      if (known.status === 'found') return { status: 'accepted', reqSn, alreadySubmitted: true, items: accepted };
      if (known.status === 'unknown') return known;
      return { status: 'failed', rawCode: retCode, message: errMsg };
    }
    if (PACKAGE_ERRORS.has(retCode)) return { status: 'failed', rawCode: retCode, message: errMsg };
    // 2000 and the other intermediate codes, or anything unexpected: it may have been taken.
    return { status: 'unknown', rawCode: retCode };
  }

  /**
   * What the gateway says about one debit: the batch it was sent in is queried by REQ_SN. With
   * `expected`, an answer for another amount or account is not believed.
   */
  async queryDebit(idempotencyKey: string, expected?: DebitExpectation): Promise<BankQueryAnswer> {
    const ref = (await this.locator.find(idempotencyKey)) ?? { reqSn: idempotencyKey, sn: SINGLE_ITEM_SN };
    if (!REQ_SN.test(ref.reqSn)) return { status: 'not_found' };
    const found = await this.queryDetails(ref.reqSn);
    if (found.kind !== 'found') return found.kind === 'not_found' ? { status: 'not_found' } : unknownOf(found);
    const detail = found.details.find((d) => d.sn === ref.sn && d.eUserCode === idempotencyKey);
    if (!detail) return { status: 'not_found' };
    if (expected && (Number(detail.amount) !== expected.amountFen || !sameDebtorAccount(detail.accountNo, expected.accountMasked))) return unknownOf(NOT_OURS);
    return answerOfDetail(ref.reqSn, detail);
  }

  async queryBatch(reqSn: string): Promise<GatewayBatchQuery> {
    const found = await this.queryDetails(reqSn);
    if (found.kind === 'not_found') return { status: 'not_found' };
    if (found.kind === 'unknown') return unknownOf(found);
    return { status: 'found', items: found.details.map((d) => ({ sn: d.sn, idempotencyKey: d.eUserCode, answer: answerOfDetail(reqSn, d) })) };
  }

  /**
   * Item codes are UnionPay's; the gateway's own header codes (package errors, intermediate
   * states) and this adapter's no-answer codes never mean the customer is at fault.
   */
  classify(rawCode: string): Classified {
    const code = rawCode.trim();
    if (code === NO_ANSWER.TIMEOUT) return { reason: 'TIMEOUT', rawCode: `GZELINK:${code}`, ...REASON_RULES.TIMEOUT };
    if (PACKAGE_ERRORS.has(code)) return { reason: 'BANK_ERROR', rawCode: `GZELINK:${code}`, ...REASON_RULES.BANK_ERROR };
    if (INTERMEDIATE_CODES.has(code) || /^[A-Z][A-Z0-9_]*$/.test(code)) return { reason: 'UNKNOWN', rawCode: `GZELINK:${code}`, ...REASON_RULES.UNKNOWN };
    return classifyReason('unionpay', code);
  }

  private async queryDetails(reqSn: string): Promise<{ kind: 'found'; details: RetDetail[] } | { kind: 'not_found' } | Unbelieved> {
    const serial = `Q${this.now()}${String(++this.querySerial).padStart(4, '0')}`;
    const exchange = await this.exchange(writeQueryRequest({ info: this.info(TRX_CODE.QUERY, serial), querySn: reqSn }, this.charset), serial);
    if (exchange.kind === 'unknown') return exchange;
    const { reply } = exchange;
    const retCode = reply.info.retCode ?? '';
    if (retCode === HEADER.NOT_FOUND) return { kind: 'not_found' };
    if (retCode !== HEADER.ACCEPTED) return { kind: 'unknown', rawCode: retCode };
    // Results of another batch, or of another merchant's: not an answer to this query.
    if (reply.querySn !== reqSn || reply.merchantId !== this.options.merchantId) return NOT_OURS;
    return { kind: 'found', details: reply.details };
  }

  /**
   * One request and its answer; anything short of a readable answer, signed with the gateway's key
   * and echoing the request's REQ_SN (an old answer replayed is not this one's), is 'unknown'.
   */
  private async exchange(xml: string, reqSn: string): Promise<Exchange> {
    const body = encodeXml(signMessage(xml, this.options.signingKey), this.charset);
    let bytes: Buffer;
    let contentType: string | null;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': contentTypeOf(this.charset) },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      bytes = Buffer.from(await response.arrayBuffer());
      contentType = response.headers.get('content-type');
      if (!response.ok) return { kind: 'unknown', rawCode: `HTTP_${response.status}` };
    } catch (error) {
      const name = (error as Error).name;
      return { kind: 'unknown', rawCode: name === 'TimeoutError' || name === 'AbortError' ? NO_ANSWER.TIMEOUT : NO_ANSWER.NETWORK };
    }
    const text = decodeXml(bytes, contentType).xml;
    if (!verifyMessage(text, this.options.signingKey)) return NOT_SIGNED;
    let reply: GatewayReply;
    try {
      reply = readReply(text);
    } catch {
      return { kind: 'unknown', rawCode: NO_ANSWER.BAD_REPLY };
    }
    return reply.info.reqSn === reqSn ? { kind: 'reply', reply } : NOT_OURS;
  }

  private info(trxCode: string, reqSn: string): GzelinkInfo {
    return {
      trxCode,
      version: GZELINK_VERSION,
      dataType: '2',
      level: '5',
      userName: this.options.userName,
      userPass: this.options.userPass,
      reqSn,
      signedMsg: '',
    };
  }

  /**
   * yyyyMMddHHmmss: the collection date with the current Shanghai time of day. The gateway debits
   * on the business day of SUBMIT_TIME, so the requested collection date travels here.
   */
  private submitTime(collectionDate: string): string {
    const time = new Date(this.now() + 8 * 3_600_000).toISOString().slice(11, 19).replaceAll(':', '');
    return `${collectionDate.replaceAll('-', '')}${time}`;
  }
}

/** An exchange without a believable answer, as the port says it: unknown, and why when it was refused. */
function unknownOf(exchange: Unbelieved): Extract<BankAnswer, { status: 'unknown' }> {
  return { status: 'unknown', rawCode: exchange.rawCode, ...(exchange.rejected ? { rejected: exchange.rejected } : {}) };
}
