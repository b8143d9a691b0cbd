import type { DeliveryReceipt } from '../port';
import { parseChinaWallClock } from './china-time';
import { TENCENT_PROVIDER } from './tencent-sms';

/** What Tencent expects back from a status callback it may consider done. */
export const TENCENT_RECEIPT_ACK = { result: 0, errmsg: 'OK' } as const;

/**
 * A delivery-status callback: a JSON array of
 * `{user_receive_time, nationcode, mobile, report_status: SUCCESS|FAIL, errmsg, description, sid}`.
 * The callback carries no SessionContext, so receipts are matched by `sid`, the SerialNo SendSms
 * returned. The mobile is dropped.
 */
export function parseTencentSmsCallback(body: unknown): DeliveryReceipt[] {
  if (!Array.isArray(body)) throw new Error('Tencent SMS callback: body must be a JSON array of statuses');
  return body.map((item: unknown, index) => {
    const field = (name: string): unknown => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[name] : undefined);
    const text = (name: string): string => {
      const value = field(name);
      if (typeof value !== 'string' || value === '') throw new Error(`Tencent SMS callback [${index}]: field ${name} must be a non-empty string`);
      return value;
    };
    const status = text('report_status');
    if (status !== 'SUCCESS' && status !== 'FAIL') throw new Error(`Tencent SMS callback [${index}]: field report_status must be SUCCESS or FAIL`);
    const at = parseChinaWallClock(text('user_receive_time'));
    if (!at) throw new Error(`Tencent SMS callback [${index}]: field user_receive_time must be 'YYYY-MM-DD HH:mm:ss'`);
    const errmsg = field('errmsg');
    return {
      provider: TENCENT_PROVIDER,
      providerMessageId: text('sid'),
      delivered: status === 'SUCCESS',
      code: typeof errmsg === 'string' && errmsg !== '' ? errmsg : status,
      at,
    };
  });
}
