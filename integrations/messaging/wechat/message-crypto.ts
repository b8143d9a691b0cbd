import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { sameSecret } from '../same-secret';

/*
 * WeChat's message encryption (消息加解密, safe mode 安全模式), as docs/architecture.md#receipt-authentication
 * describes it: AESKey = base64(EncodingAESKey + '='), 32 bytes; AES-256-CBC with the key's first 16
 * bytes as IV; plaintext = 16 random bytes + the XML's length (4 bytes, big-endian) + the XML + the
 * appid, padded PKCS#7 to a multiple of 32 bytes; the push carries it base64 in <Encrypt>, and
 * msg_signature = sha1 of token, timestamp, nonce and that text, sorted and joined.
 */

const BLOCK = 32;

export interface WechatCryptoKeys {
  /** The account's EncodingAESKey: 43 letters and digits. */
  encodingAesKey: string;
  /** The account's appid: a decrypted message must end with it. */
  appId: string;
}

/** A push that does not decrypt as the account's: the reason, with nothing of its content. */
export class WechatCryptoError extends Error {
  override readonly name = 'WechatCryptoError';
}

function aesKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new WechatCryptoError('the EncodingAESKey must be 43 characters (a 32-byte key)');
  return key;
}

/** The <Encrypt> text of a push carrying this XML (what WeChat sends; the simulator uses it). */
export function encryptWechatMessage(xml: string, keys: WechatCryptoKeys, random: Buffer = randomBytes(16)): string {
  const key = aesKey(keys.encodingAesKey);
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(keys.appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The XML inside an <Encrypt> text, once it decrypts under the key and names the account's appid. */
export function decryptWechatMessage(encrypted: string, keys: WechatCryptoKeys): string {
  const key = aesKey(keys.encodingAesKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % BLOCK !== 0) throw new WechatCryptoError('Encrypt is not a whole number of 32-byte blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new WechatCryptoError('Encrypt does not decrypt under the EncodingAESKey');
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || !plain.subarray(plain.length - pad).every((byte) => byte === pad)) {
    throw new WechatCryptoError('Encrypt does not decrypt under the EncodingAESKey (bad padding)');
  }
  const unpadded = plain.subarray(0, plain.length - pad);
  if (unpadded.length < 20) throw new WechatCryptoError('Encrypt is too short to hold a message');
  const length = unpadded.readUInt32BE(16);
  if (20 + length > unpadded.length) throw new WechatCryptoError('Encrypt names a message longer than it holds');
  const appId = unpadded.subarray(20 + length).toString('utf8');
  if (!sameSecret(appId, keys.appId)) throw new WechatCryptoError("the decrypted message is not for this account's appid");
  return unpadded.subarray(20, 20 + length).toString('utf8');
}

/** `signature`: sha1 of token, timestamp and nonce, sorted and joined (the URL check and every push). */
export function wechatSignature(token: string, timestamp: string, nonce: string): string {
  return sha1Sorted([token, timestamp, nonce]);
}

/** `msg_signature`: the same over token, timestamp, nonce and the <Encrypt> text, so the body is covered. */
export function wechatMessageSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return sha1Sorted([token, timestamp, nonce, encrypted]);
}

function sha1Sorted(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}
