import { XMLParser } from 'fast-xml-parser';
import type { ReceiptRejection } from '../../domain/receipt-rejections';
import { sameSecret } from './same-secret';
import { decryptWechatMessage, WechatCryptoError, wechatMessageSignature, wechatSignature } from './wechat/message-crypto';

/*
 * How each provider's receipt pushes are authenticated (docs/architecture.md#receipt-authentication).
 * Alibaba's SmsReport and Tencent's status callback are not signed: the URL configured in their
 * console carries a secret token in its path, compared in constant time. WeChat signs every push
 * (safe mode): msg_signature covers the encrypted body, the body decrypts only under the account's
 * EncodingAESKey and names its appid, and the timestamp must be within WECHAT_PUSH_WINDOW_S of now.
 */

/** The secrets per provider; an endpoint without its secrets is not served. */
export interface ReceiptCredentials {
  alibaba?: { pushToken: string };
  tencent?: { pushToken: string };
  wechat?: { serverToken: string; encodingAesKey: string; appId: string };
}

/** How far a WeChat push's timestamp may be from the receipt server's clock: older is stale or replayed. */
export const WECHAT_PUSH_WINDOW_S = 5 * 60;

/** A push refused before anything in it is believed: the reason and what failed, never a secret or a value. */
export class ReceiptRefused extends Error {
  override readonly name = 'ReceiptRefused';
  constructor(
    readonly reason: ReceiptRejection,
    message: string,
  ) {
    super(message);
  }
}

/** The token in an SmsReport / status-callback URL path, against the configured one. */
export function checkPushToken(given: string | undefined, expected: string): void {
  if (!given) throw new ReceiptRefused('authentication', 'the push URL carries no token');
  if (!sameSecret(given, expected)) throw new ReceiptRefused('authentication', 'the push URL token does not match');
}

const parser = new XMLParser({ parseTagValue: false, trimValues: true });

/**
 * A safe-mode push (POST): the event XML inside it, once msg_signature matches token, timestamp,
 * nonce and the <Encrypt> text, the timestamp is fresh and the text decrypts for this account.
 */
export function openWechatPush(query: URLSearchParams, body: string, credentials: NonNullable<ReceiptCredentials['wechat']>, now: Date): string {
  if (query.get('encrypt_type') !== 'aes') throw new ReceiptRefused('authentication', 'the push is not encrypted (encrypt_type=aes): only safe mode is accepted');
  const encrypted = encryptedText(body);
  const timestamp = query.get('timestamp') ?? '';
  const expected = wechatMessageSignature(credentials.serverToken, timestamp, query.get('nonce') ?? '', encrypted);
  if (!sameSecret(query.get('msg_signature') ?? '', expected)) throw new ReceiptRefused('authentication', 'msg_signature does not match the token, timestamp, nonce and body');
  checkFresh(timestamp, now);
  try {
    return decryptWechatMessage(encrypted, credentials);
  } catch (error) {
    if (error instanceof WechatCryptoError) throw new ReceiptRefused('authentication', error.message);
    throw error;
  }
}

/** The server-URL check (GET with echostr): `signature` over token, timestamp and nonce, and a fresh timestamp. */
export function checkWechatUrlCheck(query: URLSearchParams, credentials: NonNullable<ReceiptCredentials['wechat']>, now: Date): void {
  const timestamp = query.get('timestamp') ?? '';
  const expected = wechatSignature(credentials.serverToken, timestamp, query.get('nonce') ?? '');
  if (!sameSecret(query.get('signature') ?? '', expected)) throw new ReceiptRefused('authentication', 'signature does not match the token, timestamp and nonce');
  checkFresh(timestamp, now);
}

function encryptedText(body: string): string {
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch {
    throw new ReceiptRefused('authentication', 'the push body is not XML');
  }
  const encrypt = (doc as { xml?: { Encrypt?: unknown } } | undefined)?.xml?.Encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') throw new ReceiptRefused('authentication', 'the push has no <Encrypt>: only safe mode is accepted');
  return encrypt;
}

function checkFresh(timestamp: string, now: Date): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw new ReceiptRefused('authentication', 'timestamp is not Unix seconds');
  const offset = Number(timestamp) - Math.floor(now.getTime() / 1000);
  if (Math.abs(offset) > WECHAT_PUSH_WINDOW_S) {
    throw new ReceiptRefused('stale', `timestamp is ${Math.abs(offset)} s ${offset < 0 ? 'old' : 'ahead'}: outside ±${WECHAT_PUSH_WINDOW_S} s (stale or replayed)`);
  }
}
