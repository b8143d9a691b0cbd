import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Tencent Cloud API 3.0 request signature (TC3-HMAC-SHA256): canonical request = method, path,
 * query, signed headers (host without port), their names, hex SHA-256 of the body; the key is
 * derived from the secret, the UTC date and the service named in the credential scope.
 */

export interface Tc3Authorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseTc3Authorization(header: string | undefined): Tc3Authorization | undefined {
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(header ?? '');
  if (!m) return undefined;
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!.split(';'), signature: m[5]! };
}

const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export function tc3Signature(
  secretKey: string,
  auth: Pick<Tc3Authorization, 'date' | 'service' | 'signedHeaders'>,
  request: { method: string; path: string; query: string; headers: IncomingHttpHeaders; body: string; timestamp: string },
): string {
  const headers = auth.signedHeaders
    .map((name) => {
      const raw = String(request.headers[name] ?? '').trim();
      return `${name}:${name === 'host' ? raw.replace(/:\d+$/, '') : raw}\n`;
    })
    .join('');
  const canonical = [request.method, request.path, request.query, headers, auth.signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', request.timestamp, scope, sha256Hex(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, auth.date), auth.service), 'tc3_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}
