import type { BankAnswer } from '../port';
import { INTERMEDIATE_CODES, ITEM_SUCCEEDED } from './gzelink-codes';
import type { RetDetail } from './gzelink-messages';
import { gatewayRefOf } from './item-locator';

/**
 * What one RET_DETAIL says about its debit: 0000 debited; an intermediate code (2000 …) means
 * the gateway holds the item and has no result yet (accepted: ask again later); anything else is
 * the bank's refusal, in UnionPay numbering.
 */
export function answerOfDetail(reqSn: string, detail: RetDetail): BankAnswer {
  const bankRef = gatewayRefOf({ reqSn, sn: detail.sn });
  if (detail.retCode === ITEM_SUCCEEDED) return { status: 'succeeded', bankRef };
  if (INTERMEDIATE_CODES.has(detail.retCode)) return { status: 'accepted', bankRef };
  return { status: 'failed', rawCode: detail.retCode, bankRef };
}

/** yyyyMMdd → YYYY-MM-DD (empty stays empty). */
export function civilDateOf(compact: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : '';
}
