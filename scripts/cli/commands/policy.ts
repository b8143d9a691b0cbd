import type { Command } from '@commander-js/extra-typings';

/** `renewals policy …` (issue 6): registered by program.ts, filled in by that work. */
export function registerPolicyCommands(_program: Command): void {}
