import { XMLParser } from 'fast-xml-parser';
import type { DeliveryReceipt } from '../port';
import { WECHAT_PROVIDER } from './wechat-client';

/** What WeChat expects back from a pushed event: the bare string "success" (or an empty body). */
export const WECHAT_EVENT_ACK = 'success';

const parser = new XMLParser({ parseTagValue: false, trimValues: true });

/**
 * A message or event pushed to the account's server URL, as it reads once authenticated and
 * decrypted (receipt-authentication.ts: the server takes safe-mode pushes only). Only
 * TEMPLATESENDJOBFINISH is a receipt: Status 'success', 'failed:user block' or
 * 'failed: system failed', matched to the send by MsgID. Other events give no receipts. The
 * sender's openid is dropped.
 */
export function parseWechatTemplateEvent(xml: string): DeliveryReceipt[] {
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    throw new Error('WeChat event: body is not XML');
  }
  const root = (doc as { xml?: unknown } | undefined)?.xml;
  if (root === null || typeof root !== 'object') throw new Error('WeChat event: missing <xml> root');
  const field = (name: string): string | undefined => {
    const value = (root as Record<string, unknown>)[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  if (field('MsgType') !== 'event' || field('Event') !== 'TEMPLATESENDJOBFINISH') return [];
  const msgId = field('MsgID');
  if (!msgId) throw new Error('WeChat TEMPLATESENDJOBFINISH: field MsgID is missing');
  const status = field('Status');
  if (!status) throw new Error('WeChat TEMPLATESENDJOBFINISH: field Status is missing');
  const createTime = Number(field('CreateTime'));
  if (!Number.isInteger(createTime) || createTime <= 0) throw new Error('WeChat TEMPLATESENDJOBFINISH: field CreateTime must be Unix seconds');
  return [{ provider: WECHAT_PROVIDER, providerMessageId: msgId, delivered: status === 'success', code: status, at: new Date(createTime * 1000) }];
}
