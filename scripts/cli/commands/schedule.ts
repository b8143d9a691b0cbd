import type { Command } from '@commander-js/extra-typings';

/** `renewals schedule …` (issue 6): registered by program.ts, filled in by that work. */
export function registerScheduleCommands(_program: Command): void {}
