/** An update validator's answer to a pure check: its refusal thrown (the update is rejected, no history kept), or nothing. */
export function refuse(error: string | undefined): void {
  if (error !== undefined) throw new Error(error);
}
