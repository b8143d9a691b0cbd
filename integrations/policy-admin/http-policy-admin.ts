import { maskPersonalText } from '../../domain/personal-text';
import type { DeliveryAnswer, PolicyAdminPort, PolicyChangeMessage } from './port';
import { signPolicyChange, SIGNATURE_HEADERS } from './signing';

export interface HttpPolicyAdminOptions {
  /** POLICY_ADMIN_URL: the endpoint each change is POSTed to. */
  url: string;
  /** POLICY_ADMIN_SECRET: the shared secret deliveries are signed with. */
  secret: string;
  timeoutMs?: number;
  /** The clock signatures are dated by (tests move it). */
  now?: () => number;
}

/**
 * The policy administration system over HTTP: each change POSTed as JSON, signed
 * (integrations/policy-admin/signing.ts). A 2xx answer is accepted and may carry `{"reference": "…"}`;
 * no answer, 5xx and 429 are worth trying again; any other 4xx is a refusal that a retry would meet
 * again. Reasons name the status and, at most, the receiver's short `error` text, masked.
 */
export class HttpPolicyAdmin implements PolicyAdminPort {
  constructor(private readonly options: HttpPolicyAdminOptions) {}

  async deliver(change: PolicyChangeMessage): Promise<DeliveryAnswer> {
    const body = JSON.stringify(change);
    const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [SIGNATURE_HEADERS.eventId]: change.eventId,
          [SIGNATURE_HEADERS.timestamp]: String(timestamp),
          [SIGNATURE_HEADERS.signature]: signPolicyChange(this.options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      return { outcome: 'retry', reason: `no answer: ${networkReason(error)}` };
    }
    const answer = await response.json().catch(() => undefined) as { reference?: unknown; error?: unknown } | undefined;
    if (response.ok) return { outcome: 'accepted', ...(typeof answer?.reference === 'string' ? { reference: answer.reference.slice(0, 64) } : {}) };
    const said = typeof answer?.error === 'string' ? `: ${maskPersonalText(answer.error).slice(0, 120)}` : '';
    const reason = `HTTP ${response.status}${said}`;
    return response.status === 429 || response.status >= 500 ? { outcome: 'retry', reason } : { outcome: 'refused', reason };
  }
}

/** The kind of network failure, never the URL (a deployment may put credentials in it). */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'connection failed';
}
