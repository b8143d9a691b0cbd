/**
 * The roles a person holds (docs/architecture.md#people). What each may run is the permission
 * table in domain/permissions.ts; a person may hold several roles.
 */
export const ROLES = [
  'collector', // works call tasks, records promises and refusals (续期专员)
  'agent', // the tasks of their own policies only
  'team_lead', // the team's tasks and reports
  'cashier', // reports counter payments
  'underwriter', // decides reinstatement applications
  'operations_lead', // monthly runs, schedules, bank files, holds, imports
  'compliance', // audit export and verify
  'administrator', // users, roles, scopes and tokens; no business actions
  'engineer', // history, replay and inspection; no business actions
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Where a person may act: a branch, a team, or the policies of their own agent code. */
export const SCOPE_KINDS = ['branch', 'team', 'own'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
export interface Scope {
  kind: ScopeKind;
  value: string;
}

/** `branch:BJ`, `team:T1`, `own:A001` as people type it on the command line. */
export function parseScope(text: string): Scope {
  const match = /^(branch|team|own):([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) throw new Error(`scope "${text}" is not one of branch:CODE, team:CODE, own:AGENTCODE`);
  return { kind: match[1] as ScopeKind, value: match[2]! };
}

export function formatScope(scope: Scope): string {
  return `${scope.kind}:${scope.value}`;
}
