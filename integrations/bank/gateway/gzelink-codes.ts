/**
 * Codes of the GZELINK-style asynchronous collection gateway (好易联 / Allinpay TLT shape; see
 * docs in integrations/bank/gateway/README.md). The header RET_CODE only accepts or rejects a
 * package; per-item results come later from the query transaction, in UnionPay numbering.
 */
export const TRX_CODE = {
  /** 批量代收: batch collection. */
  BATCH_COLLECT: '100001',
  /** Query of a submitted batch by its REQ_SN (QUERY_SN). */
  QUERY: '200001',
} as const;

/** BUSINESS_CODE 14900: batch collection. */
export const BUSINESS_CODE_BATCH_COLLECTION = '14900';
/** ACCOUNT_TYPE 00: bank card. */
export const ACCOUNT_TYPE_CARD = '00';
export const GZELINK_VERSION = '05';

export const HEADER = {
  ACCEPTED: '0000',
  FORMAT_ERROR: '1000',
  FIELD_ERROR: '1001',
  /** 无法查询到该交易: the queried REQ_SN was never received (safe to send it). */
  NOT_FOUND: '1002',
  AMOUNT_FORMAT: '1101',
  DUPLICATE_SN: '1102',
  SUM_MISMATCH: '1103',
  COUNT_MISMATCH: '1104',
  MERCHANT_ERROR: '1105',
  SIGNATURE_ERROR: '1106',
  BATCH_FAILED: '1999',
  PROCESSING: '2000',
} as const;

/** Per-item RET_CODE of a debited item. */
export const ITEM_SUCCEEDED = '0000';

/** Codes that mean "not finished, query again", in the header or on an item. */
export const INTERMEDIATE_CODES: ReadonlySet<string> = new Set(['2000', '2001', '2003', '2005', '2007', '2008', '0003', '0014']);

/** Header codes that reject a whole package: nothing in it was booked. */
export const PACKAGE_ERRORS: ReadonlySet<string> = new Set([
  HEADER.FORMAT_ERROR,
  HEADER.FIELD_ERROR,
  HEADER.AMOUNT_FORMAT,
  HEADER.DUPLICATE_SN,
  HEADER.SUM_MISMATCH,
  HEADER.COUNT_MISMATCH,
  HEADER.MERCHANT_ERROR,
  HEADER.SIGNATURE_ERROR,
  HEADER.BATCH_FAILED,
]);

/** Kind of a callback the gateway posts (simulator convention: NOTIFY_TYPE in INFO). */
export type NotifyType = 'RESULT' | 'RETURN';
