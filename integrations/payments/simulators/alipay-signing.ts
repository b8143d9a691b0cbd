import type { KeyObject } from 'node:crypto';
import { rsaSign, rsaVerify } from '../rsa-sha256';

/*
 * Alipay's side of RSA2, for the simulator (docs/architecture.md#online-payment). The merchant's side is
 * the official SDK (alipay-sdk, integrations/payments/alipay/); this is written apart from it on purpose,
 * so that the two agreeing says the simulator speaks the protocol, not that one library agrees with itself.
 *
 * - A request is checked over its parameters but `sign`, sorted by name as `k=v&k=v` (values as they
 *   are, not URL-encoded), empty values left out (Alipay's "筛选并排序" rule for requests).
 * - An asynchronous notification is signed over every parameter it carries but `sign` and `sign_type`,
 *   empty ones included ("凡是通知返回回来的参数皆是待验签的参数"), as the SDK's checkNotifySignV2 checks.
 * - A gateway answer is signed over the exact JSON text of its `*_response` member.
 */

export function signingText(params: Record<string, string>, leaveOut: readonly string[], keepEmpty = false): string {
  return Object.keys(params)
    .filter((k) => !leaveOut.includes(k) && params[k] !== undefined && (keepEmpty || params[k] !== ''))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

/** A request's signature as Alipay checks it. */
export function requestSigned(params: Record<string, string>, appPublicKey: KeyObject | string): boolean {
  return typeof params.sign === 'string' && rsaVerify(signingText(params, ['sign']), params.sign, appPublicKey);
}

/** A notification with its `sign` and `sign_type`, as Alipay posts it. */
export function signNotification(params: Record<string, string>, alipayPrivateKey: KeyObject | string): Record<string, string> {
  return { ...params, sign_type: 'RSA2', sign: rsaSign(signingText(params, ['sign', 'sign_type'], true), alipayPrivateKey) };
}

/** `{"<method>_response":{…},"sign":"…"}`, signed over the member's text as it is written. */
export function signedAnswer(method: string, inner: Record<string, unknown>, alipayPrivateKey: KeyObject | string): string {
  const text = JSON.stringify(inner);
  return `{"${method.replace(/\./g, '_')}_response":${text},"sign":"${rsaSign(text, alipayPrivateKey)}"}`;
}
