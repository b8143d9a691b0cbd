import type { KeyObject } from 'node:crypto';
import { PaymentVerifyError } from '../port';
import { rsaSign, rsaVerify } from '../rsa-sha256';

/*
 * Alipay's RSA2 (docs/architecture.md#online-payment): SHA256 with RSA over the parameters sorted by
 * name as `k=v&k=v` (values as they are, not URL-encoded; empty values left out). A request signs
 * everything but `sign`; an asynchronous notification is verified over everything but `sign` and
 * `sign_type`; a gateway answer is verified over the exact JSON text of its `*_response` member.
 */


export function signingText(params: Record<string, string>, leaveOut: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => !leaveOut.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** The request with its `sign`, ready to send. */
export function signRequest(params: Record<string, string>, privateKey: KeyObject | string): Record<string, string> {
  return { ...params, sign: rsaSign(signingText(params, ['sign']), privateKey) };
}

/** A request's signature as Alipay checks it (the simulator uses this). */
export function requestSigned(params: Record<string, string>, publicKey: KeyObject | string): boolean {
  return typeof params.sign === 'string' && rsaVerify(signingText(params, ['sign']), params.sign, publicKey);
}

/** A notification with its `sign` (what Alipay sends; the simulator uses this). */
export function signNotification(params: Record<string, string>, privateKey: KeyObject | string): Record<string, string> {
  return { ...params, sign_type: 'RSA2', sign: rsaSign(signingText(params, ['sign', 'sign_type']), privateKey) };
}

export function verifyNotification(params: Record<string, string>, publicKey: KeyObject | string): void {
  if (!params.sign) throw new PaymentVerifyError('the notification carries no sign', true);
  if (params.sign_type !== undefined && params.sign_type !== 'RSA2') throw new PaymentVerifyError('sign_type must be RSA2', true);
  if (!rsaVerify(signingText(params, ['sign', 'sign_type']), params.sign, publicKey)) throw new PaymentVerifyError('sign does not verify with the Alipay public key', true);
}

/**
 * The exact text of `"<member>": {…}` in an answer (signed as it stands, so it is not re-serialised),
 * found by scanning braces outside strings.
 */
export function memberText(json: string, member: string): string | undefined {
  const key = json.indexOf(`"${member}"`);
  if (key < 0) return undefined;
  const start = json.indexOf('{', key + member.length + 2);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < json.length; i += 1) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}' && --depth === 0) return json.slice(start, i + 1);
  }
  return undefined;
}

/** The `*_response` object of a gateway answer, once its sign verifies. */
export function verifiedAnswer(json: string, member: string, publicKey: KeyObject | string): Record<string, unknown> {
  const text = memberText(json, member);
  let parsed: { sign?: unknown };
  try {
    parsed = JSON.parse(json) as { sign?: unknown };
  } catch {
    throw new PaymentVerifyError('the gateway answer is not JSON', false);
  }
  if (text === undefined) throw new PaymentVerifyError(`the gateway answer has no ${member}`, false);
  if (typeof parsed.sign !== 'string' || !rsaVerify(text, parsed.sign, publicKey)) throw new PaymentVerifyError('the gateway answer sign does not verify with the Alipay public key', true);
  return JSON.parse(text) as Record<string, unknown>;
}
