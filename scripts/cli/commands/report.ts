import type { Command } from '@commander-js/extra-typings';

/** `renewals report …` (issue 6): registered by program.ts, filled in by that work. */
export function registerReportCommands(_program: Command): void {}
