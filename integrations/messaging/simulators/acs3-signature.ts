import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Alibaba Cloud's V3 request signature (ACS3-HMAC-SHA256), checked the way the gateway does:
 * canonical request = method, path, sorted query, signed headers, their names, payload hash;
 * signature = hex HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex SHA-256(canonical request)).
 */

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(header ?? '');
  if (!m) return undefined;
  return { accessKeyId: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function acs3Signature(
  secret: string,
  request: { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders },
  signedHeaders: string[],
): string {
  const query = [...request.query.keys()]
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(request.query.get(key) ?? '')}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${String(request.headers[name] ?? '').trim()}\n`).join('');
  const payloadHash = String(request.headers['x-acs-content-sha256'] ?? '');
  const canonical = [request.method, request.path, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
