import { isCivilDate } from '../../../domain/civil-date';
import { maskNumber } from '../../../domain/masking';
import {
  BUSINESS_CODE_BATCH_COLLECTION,
  GZELINK_VERSION,
  HEADER,
  ITEM_SUCCEEDED,
  TRX_CODE,
  type NotifyType,
} from '../gateway/gzelink-codes';
import {
  GzelinkFormatError,
  parseGzelink,
  readCollectRequest,
  readQueryRequest,
  writeReply,
  type Charset,
  type CollectRequest,
  type GatewayReply,
  type GzelinkInfo,
  type RetDetail,
} from '../gateway/gzelink-messages';
import { signMessage, verifyMessage } from '../gateway/signing';
import type { CallbackSender } from './callbacks';
import type { BankCore, ReturnNotice } from './core';
import type { GatewayFaults } from './faults';
import { refusalMessage } from './refusals';

export interface GatewayServiceOptions {
  /** MERCHANT_ID the gateway knows; it is also the creditor the accounts' mandates name. */
  merchantId: string;
  userName: string;
  userPass: string;
  /** SIGNED_MSG is checked on every request (1106 when missing or wrong) and filled in on every answer and callback. */
  signingKey: string;
  /** How long a taken batch stays "processing" before its items are debited. */
  processingDelayMs: number;
  /** Where results and returns are posted when they happen; none: the creditor only queries. */
  callbackUrl?: string;
}

interface BatchItem {
  sn: string;
  idempotencyKey: string;
  bankCode: string;
  accountNo: string;
  accountName: string;
  amountFen: number;
  result?: { retCode: string; errMsg: string };
}

interface Batch {
  reqSn: string;
  collectionDate: string;
  charset: Charset;
  items: BatchItem[];
  timer?: NodeJS.Timeout;
}

/** A package the gateway refuses as a whole, with its header code. */
class PackageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQ_SN = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * The gateway in front of the simulated bank: takes batch packages (100001), checks them as a
 * whole (header RET_CODE), debits their items after a processing delay, answers queries (200001)
 * with per-item codes (2000 while processing) and posts callbacks when results or returns happen.
 */
export class SimulatedGateway {
  private readonly batches = new Map<string, Batch>();
  /** Where each debit key was submitted, so a later return can name its batch and SN. */
  private readonly itemsByKey = new Map<string, { batch: Batch; item: BatchItem }>();
  private readonly options: GatewayServiceOptions;

  constructor(
    private readonly core: BankCore,
    private readonly faults: GatewayFaults,
    private readonly callbacks: CallbackSender,
    options: GatewayServiceOptions,
  ) {
    this.options = { ...options };
    core.onReturn((notice) => this.notifyReturn(notice));
  }

  configure(changes: { processingDelayMs?: number; callbackUrl?: string | null }): { processingDelayMs: number; callbackUrl: string | null } {
    if (changes.processingDelayMs !== undefined) {
      if (!Number.isSafeInteger(changes.processingDelayMs) || changes.processingDelayMs < 0) throw new RangeError('processingDelayMs must be a whole number of milliseconds >= 0');
      this.options.processingDelayMs = changes.processingDelayMs;
    }
    if (changes.callbackUrl !== undefined) {
      if (changes.callbackUrl === null) delete this.options.callbackUrl;
      else {
        if (!URL.canParse(changes.callbackUrl)) throw new RangeError('callbackUrl must be an absolute URL or null');
        this.options.callbackUrl = changes.callbackUrl;
      }
    }
    return this.config();
  }

  config(): { processingDelayMs: number; callbackUrl: string | null; merchantId: string } {
    return { processingDelayMs: this.options.processingDelayMs, callbackUrl: this.options.callbackUrl ?? null, merchantId: this.options.merchantId };
  }

  /** Answers one gateway message (the decoded XML text) with the XML text of the reply. */
  handle(xml: string, charset: Charset): string {
    let info: GzelinkInfo;
    try {
      info = parseGzelink(xml).info;
    } catch (error) {
      return this.reply(charset, { trxCode: '', reqSn: '' }, HEADER.FORMAT_ERROR, (error as Error).message);
    }
    const header = { trxCode: info.trxCode, reqSn: info.reqSn };
    if (!verifyMessage(xml, this.options.signingKey)) {
      return this.reply(charset, header, HEADER.SIGNATURE_ERROR, '签名验证失败 (SIGNED_MSG does not match)');
    }
    if (info.userName !== this.options.userName || info.userPass !== this.options.userPass) {
      return this.reply(charset, header, HEADER.MERCHANT_ERROR, '用户名或密码错误 (USER_NAME/USER_PASS not recognised)');
    }
    try {
      if (info.trxCode === TRX_CODE.BATCH_COLLECT) return this.collect(readCollectRequest(xml), charset);
      if (info.trxCode === TRX_CODE.QUERY) return this.query(readQueryRequest(xml).querySn, header, charset);
      return this.reply(charset, header, HEADER.FORMAT_ERROR, `unknown TRX_CODE ${JSON.stringify(info.trxCode)}`);
    } catch (error) {
      if (error instanceof PackageError) return this.reply(charset, header, error.code, error.message);
      if (error instanceof GzelinkFormatError) return this.reply(charset, header, HEADER.FORMAT_ERROR, error.message);
      throw error;
    }
  }

  /** Debits every batch still processing now, without waiting for its delay. */
  processAll(): number {
    const waiting = [...this.batches.values()].filter((b) => b.items.some((i) => !i.result));
    for (const batch of waiting) this.process(batch);
    return waiting.length;
  }

  /** Forgets batches and stops their timers. */
  reset(): void {
    for (const batch of this.batches.values()) clearTimeout(batch.timer);
    this.batches.clear();
    this.itemsByKey.clear();
  }

  private collect(request: CollectRequest, charset: Charset): string {
    const { info, sum, details } = request;
    const header = { trxCode: info.trxCode, reqSn: info.reqSn };
    if (!REQ_SN.test(info.reqSn)) throw new PackageError(HEADER.FIELD_ERROR, 'REQ_SN must be 1-40 letters, digits, _ or -');
    if (sum.merchantId !== this.options.merchantId) throw new PackageError(HEADER.MERCHANT_ERROR, '商户号不存在 (MERCHANT_ID not recognised)');
    if (this.batches.has(info.reqSn)) throw new PackageError(HEADER.DUPLICATE_SN, '重复的批次号 (REQ_SN was already received)');
    if (sum.businessCode !== BUSINESS_CODE_BATCH_COLLECTION) throw new PackageError(HEADER.FIELD_ERROR, `BUSINESS_CODE must be ${BUSINESS_CODE_BATCH_COLLECTION} (batch collection)`);
    const collectionDate = businessDay(sum.submitTime);
    if (details.length === 0) throw new PackageError(HEADER.FIELD_ERROR, 'TRANS_DETAILS has no TRANS_DETAIL');

    const items: BatchItem[] = [];
    const sns = new Set<string>();
    for (const [index, d] of details.entries()) {
      const where = `TRANS_DETAIL ${index + 1}`;
      if (!/^\d{1,8}$/.test(d.sn)) throw new PackageError(HEADER.FIELD_ERROR, `${where}: SN must be 1-8 digits`);
      if (sns.has(d.sn)) throw new PackageError(HEADER.DUPLICATE_SN, `${where}: SN ${d.sn} appears twice in the batch`);
      sns.add(d.sn);
      for (const [field, value] of [['E_USER_CODE', d.eUserCode], ['BANK_CODE', d.bankCode], ['ACCOUNT_NO', d.accountNo], ['ACCOUNT_NAME', d.accountName]] as const) {
        if (value === '') throw new PackageError(HEADER.FIELD_ERROR, `${where} (SN ${d.sn}): ${field} is required`);
      }
      if (!/^[1-9]\d{0,14}$/.test(d.amount)) throw new PackageError(HEADER.AMOUNT_FORMAT, `${where} (SN ${d.sn}): AMOUNT must be a positive whole number of fen`);
      items.push({ sn: d.sn, idempotencyKey: d.eUserCode, bankCode: d.bankCode, accountNo: d.accountNo, accountName: d.accountName, amountFen: Number(d.amount) });
    }
    if (!/^\d{1,15}$/.test(sum.totalSum)) throw new PackageError(HEADER.AMOUNT_FORMAT, 'TOTAL_SUM must be a whole number of fen');
    if (!/^\d{1,8}$/.test(sum.totalItem)) throw new PackageError(HEADER.FIELD_ERROR, 'TOTAL_ITEM must be a whole number');
    if (Number(sum.totalItem) !== items.length) {
      throw new PackageError(HEADER.COUNT_MISMATCH, `总笔数不符: TOTAL_ITEM ${sum.totalItem}, TRANS_DETAIL count ${items.length}`);
    }
    const detailSum = items.reduce((total, i) => total + i.amountFen, 0);
    if (Number(sum.totalSum) !== detailSum) throw new PackageError(HEADER.SUM_MISMATCH, `总金额不符: TOTAL_SUM ${sum.totalSum}, sum of AMOUNT ${detailSum}`);

    const batch: Batch = { reqSn: info.reqSn, collectionDate, charset, items };
    this.batches.set(batch.reqSn, batch);
    for (const item of items) if (!this.itemsByKey.has(item.idempotencyKey)) this.itemsByKey.set(item.idempotencyKey, { batch, item });
    batch.timer = setTimeout(() => this.process(batch), this.options.processingDelayMs);
    if (this.faults.takeUnknownAnswer()) return this.reply(charset, header, HEADER.PROCESSING, '系统正在对数据处理');
    return this.reply(charset, header, HEADER.ACCEPTED, '处理完成 (batch taken, results by query)');
  }

  private query(querySn: string, header: { trxCode: string; reqSn: string }, charset: Charset): string {
    if (querySn === '') throw new PackageError(HEADER.FIELD_ERROR, 'QUERY_SN is required');
    const batch = this.batches.get(querySn);
    if (!batch) return this.reply(charset, header, HEADER.NOT_FOUND, '无法查询到该交易 (no batch with this REQ_SN)');
    return this.reply(charset, header, HEADER.ACCEPTED, '查询成功', {
      querySn,
      merchantId: this.options.merchantId,
      details: batch.items.map((item) => this.detailOf(batch, item)),
    });
  }

  private process(batch: Batch): void {
    clearTimeout(batch.timer);
    delete batch.timer;
    if (batch.items.every((i) => i.result)) return;
    for (const item of batch.items) {
      if (item.result) continue;
      const { entry } = this.core.debit(
        {
          idempotencyKey: item.idempotencyKey,
          bankCode: item.bankCode,
          accountNo: item.accountNo,
          accountName: item.accountName,
          amountFen: item.amountFen,
          collectionDate: batch.collectionDate,
          creditorId: this.options.merchantId,
        },
        'unionpay',
        'gateway',
      );
      item.result =
        entry.outcome === 'rejected'
          ? { retCode: entry.rawCode ?? '96', errMsg: entry.refusal ? refusalMessage(entry.refusal) : '发卡方故障' }
          : { retCode: ITEM_SUCCEEDED, errMsg: '处理成功' };
    }
    this.notify('RESULT', batch, batch.items.map((item) => this.detailOf(batch, item)));
  }

  private notifyReturn(notice: ReturnNotice): void {
    const submitted = this.itemsByKey.get(notice.idempotencyKey);
    if (!submitted || notice.channel !== 'gateway') return;
    this.notify('RETURN', submitted.batch, [
      {
        ...this.detailOf(submitted.batch, submitted.item),
        retCode: notice.reasonCode,
        errMsg: '退票 (debit returned)',
        returnDate: compact(notice.returnedOn),
      },
    ]);
  }

  private notify(type: NotifyType, batch: Batch, details: RetDetail[]): void {
    const url = this.options.callbackUrl;
    if (!url) return;
    const reqSn = `N${Date.now()}${String(this.callbacks.deliveries.length + 1).padStart(4, '0')}`;
    const xml = this.render(
      { info: { ...this.info(TRX_CODE.QUERY, reqSn), retCode: HEADER.ACCEPTED, errMsg: '', notifyType: type }, querySn: batch.reqSn, merchantId: this.options.merchantId, details },
      batch.charset,
    );
    this.callbacks.send(url, type, batch.reqSn, xml, batch.charset);
  }

  private detailOf(batch: Batch, item: BatchItem): RetDetail {
    return {
      sn: item.sn,
      eUserCode: item.idempotencyKey,
      accountNo: maskNumber(item.accountNo),
      amount: String(item.amountFen),
      settDate: item.result ? compact(batch.collectionDate) : '',
      retCode: item.result?.retCode ?? HEADER.PROCESSING,
      errMsg: item.result?.errMsg ?? '系统正在对数据处理',
    };
  }

  private reply(charset: Charset, header: { trxCode: string; reqSn: string }, retCode: string, errMsg: string, body: Omit<GatewayReply, 'info'> = { details: [] }): string {
    return this.render({ info: { ...this.info(header.trxCode, header.reqSn), retCode, errMsg }, ...body }, charset);
  }

  private info(trxCode: string, reqSn: string): GzelinkInfo {
    return { trxCode, version: GZELINK_VERSION, dataType: '2', level: '5', userName: this.options.userName, userPass: '', reqSn, signedMsg: '' };
  }

  /** Every answer and callback signed, as the gateway documents (SIGNED_MSG over the text, taken with it empty). */
  private render(reply: GatewayReply, charset: Charset): string {
    return signMessage(writeReply(reply, charset), this.options.signingKey);
  }
}

/** The bank business day of a package: the date part of SUBMIT_TIME (yyyyMMddHHmmss). */
function businessDay(submitTime: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})\d{6}$/.exec(submitTime);
  const date = match ? `${match[1]}-${match[2]}-${match[3]}` : '';
  if (!isCivilDate(date)) throw new PackageError(HEADER.FIELD_ERROR, 'SUBMIT_TIME must be yyyyMMddHHmmss');
  return date;
}

function compact(date: string): string {
  return date.replaceAll('-', '');
}
