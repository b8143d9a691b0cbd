import { ProviderError, type OutgoingText } from '../port';

/**
 * The provider's registered template for our template: `name@version` when a version has its own
 * registration, else `name`. An unmapped template is a final error (configuration, not the network).
 */
export function providerTemplate<T>(templates: Record<string, T>, message: OutgoingText, provider: string): T {
  const template = templates[`${message.template}@${message.templateVersion}`] ?? templates[message.template];
  if (template === undefined) {
    throw new ProviderError(
      provider,
      'LOCAL_TEMPLATE_UNKNOWN',
      false,
      `${provider}: no provider template configured for ${message.template}@${message.templateVersion}`,
    );
  }
  return template;
}

/** The values of the named params, in order; a missing one is a final error naming the param. */
export function paramValues(names: readonly string[], message: OutgoingText, provider: string): string[] {
  return names.map((name) => {
    const value = message.params[name];
    if (value === undefined) {
      throw new ProviderError(
        provider,
        'LOCAL_TEMPLATE_PARAMS',
        false,
        `${provider}: template ${message.template}@${message.templateVersion} needs param "${name}", which the message lacks`,
      );
    }
    return value;
  });
}
