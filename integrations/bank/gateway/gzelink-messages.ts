import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { NotifyType } from './gzelink-codes';

/*
 * The GZELINK message shapes, written and read on both sides (adapter and simulator). Every field
 * is kept as text, as on the wire: the receiver decides what is valid and answers with its codes.
 *
 *   <GZELINK><INFO>TRX_CODE VERSION DATA_TYPE LEVEL USER_NAME USER_PASS REQ_SN [RET_CODE ERR_MSG]
 *            [NOTIFY_TYPE] SIGNED_MSG</INFO><BODY>…</BODY></GZELINK>
 *
 * SIGNED_MSG is required both ways (signing.ts); answers and callbacks name the batch and the
 * creditor they are about (QUERY_TRANS/QUERY_SN, MERCHANT_ID).
 */

export interface GzelinkInfo {
  trxCode: string;
  version: string;
  dataType: string;
  level: string;
  userName: string;
  userPass: string;
  reqSn: string;
  retCode?: string;
  errMsg?: string;
  /** Callbacks only: RESULT (batch results ready) or RETURN (a debit paid back later). */
  notifyType?: string;
  signedMsg: string;
}

export interface TransSum {
  businessCode: string;
  merchantId: string;
  /** yyyyMMddHHmmss; the simulated bank takes its business day from the date part. */
  submitTime: string;
  totalItem: string;
  /** Fen. */
  totalSum: string;
}

export interface TransDetail {
  sn: string;
  /** The creditor's own reference for the item: our debit attempt's idempotency key. */
  eUserCode: string;
  bankCode: string;
  accountType: string;
  accountNo: string;
  accountName: string;
  /** Fen. */
  amount: string;
  remark: string;
}

export interface CollectRequest {
  info: GzelinkInfo;
  sum: TransSum;
  details: TransDetail[];
}

export interface QueryRequest {
  info: GzelinkInfo;
  querySn: string;
}

export interface RetDetail {
  sn: string;
  eUserCode: string;
  /** Masked (first 6 + last 4): results travel further than requests. */
  accountNo: string;
  amount: string;
  /** The bank business day of the debit, yyyyMMdd (empty while processing). */
  settDate: string;
  retCode: string;
  errMsg: string;
  /** Returns only: the day the debit was paid back, yyyyMMdd. */
  returnDate?: string;
}

/** A gateway answer (to a collect or a query) or a callback; details only on queries and callbacks. */
export interface GatewayReply {
  info: GzelinkInfo;
  querySn?: string;
  /** The creditor the batch was collected for (QUERY_TRANS/MERCHANT_ID): ours, or the answer is not. */
  merchantId?: string;
  details: RetDetail[];
}

export class GzelinkFormatError extends Error {}

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });
const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  trimValues: true,
  isArray: (name) => name === 'TRANS_DETAIL' || name === 'RET_DETAIL',
});

export type Charset = 'GBK' | 'UTF-8';

function infoXml(info: GzelinkInfo): Record<string, string> {
  const xml: Record<string, string> = {
    TRX_CODE: info.trxCode,
    VERSION: info.version,
    DATA_TYPE: info.dataType,
    LEVEL: info.level,
    USER_NAME: info.userName,
    USER_PASS: info.userPass,
    REQ_SN: info.reqSn,
  };
  if (info.retCode !== undefined) xml.RET_CODE = info.retCode;
  if (info.errMsg !== undefined) xml.ERR_MSG = info.errMsg;
  if (info.notifyType !== undefined) xml.NOTIFY_TYPE = info.notifyType;
  xml.SIGNED_MSG = info.signedMsg;
  return xml;
}

function render(info: GzelinkInfo, body: Record<string, unknown> | undefined, charset: Charset): string {
  const doc: Record<string, unknown> = { INFO: infoXml(info) };
  if (body) doc.BODY = body;
  return `<?xml version="1.0" encoding="${charset}"?>${builder.build({ GZELINK: doc })}`;
}

export function writeCollectRequest(request: CollectRequest, charset: Charset = 'GBK'): string {
  return render(
    request.info,
    {
      TRANS_SUM: {
        BUSINESS_CODE: request.sum.businessCode,
        MERCHANT_ID: request.sum.merchantId,
        SUBMIT_TIME: request.sum.submitTime,
        TOTAL_ITEM: request.sum.totalItem,
        TOTAL_SUM: request.sum.totalSum,
      },
      TRANS_DETAILS: {
        TRANS_DETAIL: request.details.map((d) => ({
          SN: d.sn,
          E_USER_CODE: d.eUserCode,
          BANK_CODE: d.bankCode,
          ACCOUNT_TYPE: d.accountType,
          ACCOUNT_NO: d.accountNo,
          ACCOUNT_NAME: d.accountName,
          AMOUNT: d.amount,
          REMARK: d.remark,
        })),
      },
    },
    charset,
  );
}

export function writeQueryRequest(request: QueryRequest, charset: Charset = 'GBK'): string {
  return render(request.info, { QUERY_TRANS: { QUERY_SN: request.querySn } }, charset);
}

export function writeReply(reply: GatewayReply, charset: Charset = 'GBK'): string {
  if (reply.querySn === undefined && reply.details.length === 0) return render(reply.info, undefined, charset);
  const body: Record<string, unknown> = {};
  if (reply.querySn !== undefined) body.QUERY_TRANS = { QUERY_SN: reply.querySn, ...(reply.merchantId !== undefined ? { MERCHANT_ID: reply.merchantId } : {}) };
  body.RET_DETAILS = {
    RET_DETAIL: reply.details.map((d) => {
      const xml: Record<string, string> = {
        SN: d.sn,
        E_USER_CODE: d.eUserCode,
        ACCOUNT_NO: d.accountNo,
        AMOUNT: d.amount,
        SETT_DATE: d.settDate,
        RET_CODE: d.retCode,
        ERR_MSG: d.errMsg,
      };
      if (d.returnDate !== undefined) xml.RETURN_DATE = d.returnDate;
      return xml;
    }),
  };
  return render(reply.info, body, charset);
}

type Node = Record<string, unknown>;

/** Parses a GZELINK document; anything that is not one is a GzelinkFormatError. */
export function parseGzelink(xml: string): { info: GzelinkInfo; body: Node } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new GzelinkFormatError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = asNode((parser.parse(xml) as Node).GZELINK);
  if (!root) throw new GzelinkFormatError('the root element must be GZELINK');
  const info = asNode(root.INFO);
  if (!info) throw new GzelinkFormatError('INFO is missing');
  return {
    info: {
      trxCode: text(info, 'TRX_CODE'),
      version: text(info, 'VERSION'),
      dataType: text(info, 'DATA_TYPE'),
      level: text(info, 'LEVEL'),
      userName: text(info, 'USER_NAME'),
      userPass: text(info, 'USER_PASS'),
      reqSn: text(info, 'REQ_SN'),
      ...optional('retCode', info, 'RET_CODE'),
      ...optional('errMsg', info, 'ERR_MSG'),
      ...optional('notifyType', info, 'NOTIFY_TYPE'),
      signedMsg: text(info, 'SIGNED_MSG'),
    },
    body: asNode(root.BODY) ?? {},
  };
}

export function readCollectRequest(xml: string): CollectRequest {
  const { info, body } = parseGzelink(xml);
  const sum = asNode(body.TRANS_SUM);
  if (!sum) throw new GzelinkFormatError('BODY/TRANS_SUM is missing');
  const details = asNodes(asNode(body.TRANS_DETAILS)?.TRANS_DETAIL);
  return {
    info,
    sum: {
      businessCode: text(sum, 'BUSINESS_CODE'),
      merchantId: text(sum, 'MERCHANT_ID'),
      submitTime: text(sum, 'SUBMIT_TIME'),
      totalItem: text(sum, 'TOTAL_ITEM'),
      totalSum: text(sum, 'TOTAL_SUM'),
    },
    details: details.map((d) => ({
      sn: text(d, 'SN'),
      eUserCode: text(d, 'E_USER_CODE'),
      bankCode: text(d, 'BANK_CODE'),
      accountType: text(d, 'ACCOUNT_TYPE'),
      accountNo: text(d, 'ACCOUNT_NO'),
      accountName: text(d, 'ACCOUNT_NAME'),
      amount: text(d, 'AMOUNT'),
      remark: text(d, 'REMARK'),
    })),
  };
}

export function readQueryRequest(xml: string): QueryRequest {
  const { info, body } = parseGzelink(xml);
  return { info, querySn: text(asNode(body.QUERY_TRANS) ?? {}, 'QUERY_SN') };
}

export function readReply(xml: string): GatewayReply {
  const { info, body } = parseGzelink(xml);
  const query = asNode(body.QUERY_TRANS);
  return {
    info,
    ...(query ? { querySn: text(query, 'QUERY_SN'), ...optional('merchantId', query, 'MERCHANT_ID') } : {}),
    details: asNodes(asNode(body.RET_DETAILS)?.RET_DETAIL).map((d) => ({
      sn: text(d, 'SN'),
      eUserCode: text(d, 'E_USER_CODE'),
      accountNo: text(d, 'ACCOUNT_NO'),
      amount: text(d, 'AMOUNT'),
      settDate: text(d, 'SETT_DATE'),
      retCode: text(d, 'RET_CODE'),
      errMsg: text(d, 'ERR_MSG'),
      ...optional('returnDate', d, 'RETURN_DATE'),
    })),
  };
}

/** The notification kind of a callback body, or undefined for an ordinary reply. */
export function notifyTypeOf(reply: GatewayReply): NotifyType | undefined {
  const type = reply.info.notifyType;
  return type === 'RESULT' || type === 'RETURN' ? type : undefined;
}

/** Bytes on the wire: GBK is the gateway's encoding; UTF-8 is accepted when declared. */
export function encodeXml(xml: string, charset: Charset): Buffer {
  return charset === 'GBK' ? iconv.encode(xml, 'gbk') : Buffer.from(xml, 'utf8');
}

/** Decodes a body by the charset of its Content-Type (default GBK, as the gateway specifies). */
export function decodeXml(bytes: Buffer, contentType: string | null | undefined): { xml: string; charset: Charset } {
  const declared = /charset\s*=\s*"?([\w-]+)/i.exec(contentType ?? '')?.[1]?.toUpperCase();
  const charset: Charset = declared === 'UTF-8' || declared === 'UTF8' ? 'UTF-8' : 'GBK';
  return { xml: charset === 'GBK' ? iconv.decode(bytes, 'gbk') : bytes.toString('utf8'), charset };
}

export function contentTypeOf(charset: Charset): string {
  return `text/xml; charset=${charset}`;
}

function asNode(value: unknown): Node | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : undefined;
}

function asNodes(value: unknown): Node[] {
  return Array.isArray(value) ? value.map((v) => asNode(v) ?? {}) : [];
}

function text(node: Node, name: string): string {
  const value = node[name];
  return typeof value === 'string' ? value : '';
}

function optional<K extends string>(key: K, node: Node, name: string): Partial<Record<K, string>> {
  const value = node[name];
  return typeof value === 'string' ? ({ [key]: value } as Record<K, string>) : {};
}
