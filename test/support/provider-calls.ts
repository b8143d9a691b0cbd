import { expect } from 'vitest';
import { shanghaiDate } from '../../domain/civil-date';
import { ProviderError, type OutgoingText, type ProviderMessageStatus, type SentText, type TextMessagePort } from '../../integrations/messaging/port';

/** The ProviderError a call fails with; anything else (success, another error) fails the test. */
export async function providerError(attempt: Promise<unknown>): Promise<ProviderError> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError, but the call succeeded');
}

/** Nothing the error carries (message, string form, JSON, stack, cause) holds these values. */
export function expectNoPersonalData(error: ProviderError, ...values: string[]): void {
  const texts = [error.message, String(error), JSON.stringify(error), error.stack ?? ''];
  for (const value of values) for (const text of texts) expect(text).not.toContain(value);
  expect((error as { cause?: unknown }).cause).toBeUndefined();
}

/**
 * What a retried activity does: send; on a retryable ProviderError ask status() and send again only
 * if the provider has no record of the contact. Status errors are retried the same way.
 */
export async function sendLikeARetriedActivity(
  port: TextMessagePort,
  message: OutgoingText,
  onRetry: (error: ProviderError) => void = () => undefined,
): Promise<{ outcome: SentText | ProviderMessageStatus; errors: ProviderError[] }> {
  const errors: ProviderError[] = [];
  for (let attempt = 1; attempt <= 12; attempt += 1) {
    try {
      if (attempt > 1) {
        const status = await port.status(message.channel, message.contactId, shanghaiDate(Date.now()), message.to);
        if (status.state !== 'unknown') return { outcome: status, errors };
      }
      return { outcome: await port.send(message), errors };
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable) throw error;
      errors.push(error);
      onRetry(error);
    }
  }
  throw new Error(`gave up after 12 tries: ${errors.map((e) => e.code).join(', ')}`);
}
