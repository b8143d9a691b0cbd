import { DefaultFailureConverter, type Payload, type PayloadConverter, type ProtoFailure, type SerializationContext } from '@temporalio/common';
import { encode } from '@temporalio/common/lib/encoding';

/**
 * Metadata key on the payload that carries a failure's message and stack: the worker's and clients'
 * codec (workers/failure-attributes-codec.ts) seals exactly these payloads and leaves every other
 * one readable (inputs, results and search attributes carry no personal data by design).
 */
export const FAILURE_ATTRIBUTES_MARK = 'renewals-failure-attributes';

/**
 * Failures as they are written to history: message and stack trace travel in an encoded payload
 * (encodedAttributes) and the failure's own fields say only "Encoded failure", so an error that
 * quotes personal data (an SMTP 550 naming its recipient, a provider echoing a number) is not shown by
 * `temporal workflow describe` or the Web UI (docs/business-rules.md#personal-data). The payload is
 * marked so the codec seals it: both describe -o json and the Web UI decode plain JSON payloads.
 * Decoding is the SDK's own, so histories recorded before this converter replay as they ran.
 */
export class RenewalsFailureConverter extends DefaultFailureConverter {
  constructor() {
    super({ encodeCommonAttributes: true });
  }

  override errorToFailure(err: unknown, payloadConverter: PayloadConverter, context?: SerializationContext): ProtoFailure {
    const failure = super.errorToFailure(err, payloadConverter, context);
    if (failure.encodedAttributes) failure.encodedAttributes = marked(failure.encodedAttributes);
    return failure;
  }
}

function marked(payload: Payload): Payload {
  return { ...payload, metadata: { ...payload.metadata, [FAILURE_ATTRIBUTES_MARK]: encode('1') } };
}

/** Workers and clients load this module by path (failureConverterPath): the SDK looks for this export. */
export const failureConverter = new RenewalsFailureConverter();
