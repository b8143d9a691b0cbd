import { OPEN_COMMANDS, PERMISSIONS, type ScopeRule } from './permissions';
import { ROLES, type Role } from './roles';

/** What each role is for, as README's roles table says it (docs/architecture.md#people). */
export const ROLE_PURPOSES: Readonly<Record<Role, string>> = {
  collector: 'works call tasks, records promises and refusals (续期专员)',
  agent: 'the tasks of their own policies only',
  team_lead: "the team's tasks and reports",
  cashier: 'reports counter payments',
  underwriter: 'decides reinstatement applications',
  operations_lead: 'monthly runs, schedules, bank files, holds, imports',
  compliance: 'audit export and verify; unmasked export with a second officer',
  administrator: 'users, roles, scopes and tokens; no business actions',
  engineer: 'history, replay and inspection; no business actions',
};

/** How each scope rule reads beside a command in the table. */
export const SCOPE_NOTES: Readonly<Record<ScopeRule, string>> = {
  none: '',
  policy: ' (policy scope)',
  task: ' (task scope)',
  list: ' (list scope)',
  report: ' (figures of the scope)',
  insurer: ' (whole insurer: no scope)',
};

/** The commands a role may run (open ones left out), sorted, each with its scope rule: the rows of the roles table. */
export function roleCommands(role: Role): { command: string; scope: ScopeRule }[] {
  return Object.entries(PERMISSIONS)
    .filter(([command, permission]) => !OPEN_COMMANDS.has(command) && permission.roles.includes(role))
    .map(([command, permission]) => ({ command, scope: permission.scope }))
    .sort((a, b) => (a.command < b.command ? -1 : a.command > b.command ? 1 : 0));
}

/**
 * The roles × commands table in Markdown, made from the permission table itself so README cannot
 * drift from what the CLI enforces (`npx tsx scripts/roles-table.ts`; a test compares README).
 */
export function rolesTableMarkdown(): string {
  const lines = ['| Role | For | Commands |', '|---|---|---|'];
  for (const role of ROLES) {
    const commands = roleCommands(role).map(({ command, scope }) => `\`${command}\`${SCOPE_NOTES[scope]}`);
    lines.push(`| \`${role}\` | ${ROLE_PURPOSES[role]} | ${commands.join(', ')} |`);
  }
  lines.push('', `Without signing in: ${[...OPEN_COMMANDS].map((c) => `\`${c}\``).join(', ')}.`);
  return lines.join('\n');
}
