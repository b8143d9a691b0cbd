/**
 * Four-eyes (docs/business-rules.md#four-eyes): some acts need a second person. Pure rules over
 * opaque person references (`user:42`), never names; an unknown person (undefined, from histories
 * recorded before people signed their acts) is nobody in particular and conflicts with no one.
 */

/** Why `second` may not confirm what the people in `first` did, or undefined when they may. */
export function secondPersonError(second: string | undefined, first: Record<string, string | undefined>, what: string): string | undefined {
  if (second === undefined) return undefined;
  const clash = Object.entries(first).find(([, person]) => person === second);
  if (!clash) return undefined;
  return `four-eyes: ${what} must come from a second person, not the one who ${clash[0]}`;
}

/** A reinstatement approval may not come from the person who took the application or captured the declaration. */
export function reinstatementApprovalError(approver: string | undefined, signed: { appliedBy?: string; declarationBy?: string }): string | undefined {
  return secondPersonError(approver, { applied: signed.appliedBy, 'captured the declaration': signed.declarationBy }, 'the approval');
}

/**
 * A counter payment reaches the cycle at once up to the insurer's line; a larger one is money a
 * single cashier could claim without taking, so a second cashier confirms it first. Payments by
 * bank transfer or online carry a reference the bank or provider can confirm: no line for them.
 */
export function counterPaymentNeedsSecondCashier(via: string, amountFen: number, confirmAboveFen: number): boolean {
  return via === 'counter' && amountFen > confirmAboveFen;
}

/** A counter payment is confirmed or rejected by a cashier other than the one who recorded it. */
export function counterPaymentDecisionError(decider: string | undefined, recordedBy: string, id: number, decision: 'confirmation' | 'rejection'): string | undefined {
  return secondPersonError(decider, { recorded: recordedBy }, `the ${decision} of counter payment #${id}`);
}
