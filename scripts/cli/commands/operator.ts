import type { Command } from '@commander-js/extra-typings';

/** `renewals operator …` (issue 6): registered by program.ts, filled in by that work. */
export function registerOperatorCommands(_program: Command): void {}
