import type { Command } from '@commander-js/extra-typings';

/** `renewals tasks …` (issue 6): registered by program.ts, filled in by that work. */
export function registerTaskCommands(_program: Command): void {}
