/**
 * An error the operator can act on: printed as one line, exit code 1 (2 for bad usage). Anything
 * else that escapes a command is printed by its message only; RENEWALS_DEBUG=1 adds the stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
