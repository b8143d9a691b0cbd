import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { FAILURE_ATTRIBUTES_MARK } from '../workflows/failure-converter';

/** What seals a failure's text: the personal-data cipher (AES-256-GCM under RENEWALS_DATA_KEY). */
export interface Sealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

const SEALED_ENCODING = 'binary/renewals-sealed';
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());

/**
 * Seals the payloads the failure converter marks (a failure's message and stack trace) and opens
 * them again; every other payload passes as it is. History at rest then holds the failure's text
 * only encrypted, like the database holds personal data (docs/business-rules.md#personal-data),
 * while the worker and the renewals CLI, which share the key, still read it.
 */
export class FailureAttributesCodec implements PayloadCodec {
  constructor(private readonly sealer: Sealer) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => (payload.metadata?.[FAILURE_ATTRIBUTES_MARK] ? this.seal(payload) : payload)));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads.map((payload) => (text(payload.metadata?.encoding) === SEALED_ENCODING ? this.open(payload) : payload)));
  }

  private seal(payload: Payload): Payload {
    const bytes = temporal.api.common.v1.Payload.encode(payload).finish();
    return { metadata: { encoding: utf8(SEALED_ENCODING) }, data: utf8(this.sealer.encrypt(Buffer.from(bytes).toString('base64'))) };
  }

  private open(payload: Payload): Payload {
    try {
      const bytes = Buffer.from(this.sealer.decrypt(text(payload.data)), 'base64');
      return temporal.api.common.v1.Payload.decode(bytes);
    } catch {
      // Sealed under another data key (rotated, or another environment's): the failure still
      // decodes, saying so, rather than failing the workflow task or the command that reads it.
      return { metadata: { encoding: utf8('json/plain') }, data: utf8(JSON.stringify({ message: 'failure text sealed under another data key', stack_trace: '' })) };
    }
  }
}
