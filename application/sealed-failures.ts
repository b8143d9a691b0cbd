import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';

/**
 * Failures in history carry their message in encoded, sealed attributes (workflows/failure-converter.ts):
 * the failure itself says only "Encoded failure". Opens them with the client's codecs (which hold the
 * data key) and puts the message back where a reader of the raw history looks, so the timeline still
 * says why an activity failed. Changes `node` in place; failures without encoded attributes (recorded
 * before the converter) are left as they are.
 */
export async function openSealedFailures(client: Client, node: unknown): Promise<void> {
  if (Array.isArray(node)) {
    for (const item of node) await openSealedFailures(client, item);
    return;
  }
  if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
  const record = node as Record<string, unknown>;
  const encoded = record.encodedAttributes as Payload | null | undefined;
  if (encoded && typeof record.message === 'string') {
    const { payloadConverter, payloadCodecs } = client.options.loadedDataConverter;
    let payloads = [encoded];
    for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    const attributes: unknown = payloadConverter.fromPayload(payloads[0]!);
    if (attributes && typeof attributes === 'object' && typeof (attributes as { message?: unknown }).message === 'string') {
      record.message = (attributes as { message: string }).message;
    }
  }
  for (const [key, value] of Object.entries(record)) if (key !== 'encodedAttributes') await openSealedFailures(client, value);
}
