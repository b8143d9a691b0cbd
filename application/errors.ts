/**
 * An error the operator can act on, said in business words. `usage` marks a bad value typed by the
 * operator (checked before anything is sent), as opposed to the state of the policy or its cycle.
 */
export class OperatorError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
    this.name = 'OperatorError';
  }
}
