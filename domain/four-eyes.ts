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
