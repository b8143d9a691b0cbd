/**
 * Where each provider pushes its receipts on the receipt server. Alibaba and Tencent push to a URL
 * whose last segment is the secret push token (docs/architecture.md#receipt-authentication), so a
 * receipt URL is a secret: print it only through redactReceiptUrl.
 */
export const RECEIPT_PATHS = {
  alibaba: '/receipts/alibaba',
  tencent: '/receipts/tencent',
  wechat: '/receipts/wechat',
} as const;

export type TokenisedProvider = 'alibaba' | 'tencent';

/** The URL to configure in the provider's console: the server's address, the endpoint, the token. */
export function receiptPushUrl(serverUrl: string, provider: TokenisedProvider, pushToken: string): string {
  return `${serverUrl}${RECEIPT_PATHS[provider]}/${encodeURIComponent(pushToken)}`;
}

/** The endpoint a request path is for, and the token segment after it if any (undefined: no endpoint). */
export function receiptEndpointOf(path: string): { provider: TokenisedProvider | 'wechat'; token?: string } | undefined {
  if (path === RECEIPT_PATHS.wechat) return { provider: 'wechat' };
  for (const provider of ['alibaba', 'tencent'] as const) {
    const prefix = RECEIPT_PATHS[provider];
    if (path === prefix) return { provider };
    if (path.startsWith(`${prefix}/`)) {
      const token = path.slice(prefix.length + 1);
      if (!token.includes('/')) return { provider, token: safeDecode(token) };
    }
  }
  return undefined;
}

/** A receipt URL fit for a log or a start-up line: any push token replaced by ***. */
export function redactReceiptUrl(url: string): string {
  return url.replace(/(\/receipts\/(?:alibaba|tencent))\/[^/?#]+/g, '$1/***');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
