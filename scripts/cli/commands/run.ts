import type { Command } from '@commander-js/extra-typings';

/** `renewals run …` (issue 6): registered by program.ts, filled in by that work. */
export function registerRunCommands(_program: Command): void {}
