import type { Command } from '@commander-js/extra-typings';

/** `renewals import …` (issue 6): registered by program.ts, filled in by that work. */
export function registerImportCommands(_program: Command): void {}
