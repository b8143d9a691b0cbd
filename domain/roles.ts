/**
 * The roles a person holds (docs/architecture.md#people). What each may run is the permission
 * table in domain/permissions.ts, what each is for in domain/roles-table.ts; a person may hold
 * several roles.
 */
export const ROLES = [
  'collector',
  'agent',
  'team_lead',
  'cashier',
  'underwriter',
  'operations_lead',
  'compliance',
  'administrator',
  'engineer',
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
