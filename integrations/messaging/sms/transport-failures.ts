import { ProviderError } from '../port';

/**
 * A request that got no usable answer: connection refused or reset, timeout, HTTP 5xx. Always
 * retryable, and the message may have gone out: the caller asks status() before sending again.
 * The SDKs' own messages carry the request URL (with the phone number in Alibaba's query string),
 * so they are never passed on.
 */
export function transportFailure(provider: string, action: string, error: unknown, httpStatus?: number): ProviderError {
  if (httpStatus !== undefined) {
    return new ProviderError(provider, `HTTP_${httpStatus}`, true, `${provider} ${action}: HTTP ${httpStatus} from the provider`);
  }
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  const text = [e?.name, e?.message].filter((part) => typeof part === 'string').join(' ');
  const timedOut = /timeout|timed out|aborted/i.test(text);
  const socketCode = typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) ? ` (${e.code})` : '';
  return timedOut
    ? new ProviderError(provider, 'TIMEOUT', true, `${provider} ${action}: no answer in time`)
    : new ProviderError(provider, 'NETWORK', true, `${provider} ${action}: connection failed${socketCode}`);
}
