import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { PiiCipher } from '../../db/pii-cipher';
import { FailureAttributesCodec } from '../../workers/failure-attributes-codec';
import { failureConverter } from '../../workflows/failure-converter';

const MESSAGE = "Can't send mail - all recipients were rejected: 550 5.1.1 <zhang@example.cn>: Recipient address rejected";
const codec = new FailureAttributesCodec(new PiiCipher('11'.repeat(32)));

describe('failures in history', () => {
  it('say only "Encoded failure"; message and stack travel sealed, and open again with the key', async () => {
    const failure = failureConverter.errorToFailure(ApplicationFailure.retryable(MESSAGE, 'Error'), defaultPayloadConverter);
    expect(failure).toMatchObject({ message: 'Encoded failure', stackTrace: '' });
    const [sealed] = await codec.encode([failure.encodedAttributes!]);
    expect(Buffer.from(sealed!.data!).toString('utf8')).not.toContain('zhang');
    expect(Buffer.from(sealed!.metadata!.encoding!).toString('utf8')).toBe('binary/renewals-sealed');

    const [opened] = await codec.decode([sealed!]);
    const error = failureConverter.failureToError({ ...failure, encodedAttributes: opened }, defaultPayloadConverter);
    expect(error.message).toBe(MESSAGE);
  });

  it('leave every other payload as it is: inputs, results and search attributes stay readable', async () => {
    const input = defaultPayloadConverter.toPayload({ policyNo: 'P3201000101', dueDate: '2027-01-07' });
    expect(await codec.encode([input])).toEqual([input]);
    expect(await codec.decode([input])).toEqual([input]);
  });

  it('sealed under another key still decode, saying so, instead of failing the reader', async () => {
    const failure = failureConverter.errorToFailure(new Error(MESSAGE), defaultPayloadConverter);
    const [sealed] = await codec.encode([failure.encodedAttributes!]);
    const [opened] = await new FailureAttributesCodec(new PiiCipher('22'.repeat(32))).decode([sealed!]);
    expect(failureConverter.failureToError({ ...failure, encodedAttributes: opened }, defaultPayloadConverter).message).toBe('failure text sealed under another data key');
  });
});
