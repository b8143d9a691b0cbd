import type { DeliveryReceipt } from '../port';
import { ALIBABA_PROVIDER } from './alibaba-sms';
import { parseChinaWallClock } from './china-time';

/** What Alibaba expects back from an SmsReport push it may consider done; anything else is retried. */
export const ALIBABA_RECEIPT_ACK = { code: 0, msg: '接收成功' } as const;

/**
 * An SmsReport HTTP batch push: a JSON array of
 * `{phone_number, send_time, report_time, success, err_code, err_msg, sms_size, biz_id, out_id}`.
 * The phone number is dropped; the out_id is our contact ID. Pushes repeat (dedupe on biz_id and
 * contact), which is the consumer's job.
 */
export function parseAlibabaSmsReport(body: unknown): DeliveryReceipt[] {
  if (!Array.isArray(body)) throw new Error('Alibaba SmsReport: body must be a JSON array of reports');
  return body.map((item: unknown, index) => {
    const field = (name: string): unknown => (item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[name] : undefined);
    const text = (name: string): string => {
      const value = field(name);
      if (typeof value !== 'string' || value === '') throw new Error(`Alibaba SmsReport [${index}]: field ${name} must be a non-empty string`);
      return value;
    };
    const success = field('success');
    if (typeof success !== 'boolean') throw new Error(`Alibaba SmsReport [${index}]: field success must be true or false`);
    const reportTime = text('report_time');
    const at = parseChinaWallClock(reportTime);
    if (!at) throw new Error(`Alibaba SmsReport [${index}]: field report_time must be 'YYYY-MM-DD HH:mm:ss'`);
    const outId = field('out_id');
    return {
      provider: ALIBABA_PROVIDER,
      ...(typeof outId === 'string' && outId !== '' ? { contactId: outId } : {}),
      providerMessageId: text('biz_id'),
      delivered: success,
      code: text('err_code'),
      at,
    };
  });
}
