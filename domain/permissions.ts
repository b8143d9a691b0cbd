import type { Role, Scope } from './roles';

/**
 * How a command meets the person's scope (docs/architecture.md#people):
 * - `none`: the command names no policy and lists nothing scoped (runs, files, schedules, users);
 * - `policy`: its first argument is a policy number, refused when the policy is out of scope;
 * - `task`: its first argument is a task number, refused when the task's policy is out of scope;
 * - `list`: it lists rows that carry a branch, team or agent, filtered to the scope;
 * - `report`: a report whose figures are computed from the policies in the scope only;
 * - `insurer`: a report of the whole insurer's figures, refused to a person with a scope.
 */
export type ScopeRule = 'none' | 'policy' | 'task' | 'list' | 'report' | 'insurer';

export interface Permission {
  roles: readonly Role[];
  scope: ScopeRule;
}

/** Commands anyone may run without signing in: signing in, the first start, migrations, the self-contained demo. */
export const OPEN_COMMANDS: ReadonlySet<string> = new Set(['login', 'users bootstrap', 'db migrate', 'simulate']);

/** Commands any signed-in person may run about themselves. */
const SELF: readonly Role[] = ['collector', 'agent', 'team_lead', 'cashier', 'underwriter', 'operations_lead', 'compliance', 'administrator', 'engineer'];
const FRONT_LINE: readonly Role[] = ['collector', 'agent', 'team_lead'];
const READERS: readonly Role[] = ['collector', 'agent', 'team_lead', 'cashier', 'underwriter', 'operations_lead', 'compliance', 'engineer'];
const REPORTS: readonly Role[] = ['team_lead', 'operations_lead', 'compliance'];

/**
 * THE permission table: one entry per command path of `renewals` (a test walks buildProgram() and
 * fails on a command missing here). Open commands are listed too, with no role needed.
 */
export const PERMISSIONS: Readonly<Record<string, Permission>> = {
  // no sign-in needed (OPEN_COMMANDS)
  login: { roles: [], scope: 'none' },
  'users bootstrap': { roles: [], scope: 'none' },
  'db migrate': { roles: [], scope: 'none' },
  simulate: { roles: [], scope: 'none' },
  // oneself
  logout: { roles: SELF, scope: 'none' },
  whoami: { roles: SELF, scope: 'none' },
  // people
  'users add': { roles: ['administrator'], scope: 'none' },
  'users list': { roles: ['administrator'], scope: 'none' },
  'users disable': { roles: ['administrator'], scope: 'none' },
  'users enable': { roles: ['administrator'], scope: 'none' },
  'users reset-password': { roles: ['administrator'], scope: 'none' },
  'users grant': { roles: ['administrator'], scope: 'none' },
  'users revoke': { roles: ['administrator'], scope: 'none' },
  'users link-oidc': { roles: ['administrator'], scope: 'none' },
  'tokens create': { roles: SELF, scope: 'none' },
  'tokens list': { roles: SELF, scope: 'none' },
  'tokens revoke': { roles: SELF, scope: 'none' },
  // keys and the audit trail
  'keys rotate': { roles: ['engineer'], scope: 'none' },
  'keys status': { roles: ['engineer', 'compliance'], scope: 'none' },
  'audit export': { roles: ['compliance'], scope: 'none' },
  'audit verify': { roles: ['compliance', 'engineer'], scope: 'none' },
  'audit sign-heads': { roles: ['compliance', 'engineer'], scope: 'none' },
  'audit unmask request': { roles: ['compliance'], scope: 'none' },
  'audit unmask approve': { roles: ['compliance'], scope: 'none' },
  'audit unmask list': { roles: ['compliance'], scope: 'none' },
  // bank files, imports, runs, schedules
  'bank export': { roles: ['operations_lead'], scope: 'none' },
  'bank ingest': { roles: ['operations_lead'], scope: 'none' },
  'debits list': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'contacts check-quality': { roles: ['operations_lead'], scope: 'none' },
  'import policies': { roles: ['operations_lead'], scope: 'none' },
  'import agents': { roles: ['operations_lead'], scope: 'none' },
  'import products': { roles: ['operations_lead'], scope: 'none' },
  'run start': { roles: ['operations_lead'], scope: 'none' },
  'run status': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'run pause': { roles: ['operations_lead'], scope: 'none' },
  'run resume': { roles: ['operations_lead'], scope: 'none' },
  'schedule install': { roles: ['operations_lead'], scope: 'none' },
  'schedule show': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'schedule quality': { roles: ['operations_lead'], scope: 'none' },
  'schedule letters': { roles: ['operations_lead'], scope: 'none' },
  'providers list': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'providers reset': { roles: ['operations_lead'], scope: 'none' },
  // the policy administration outbox (docs/architecture.md#policy-administration)
  'policy-admin list': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'policy-admin retry': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  // printed letters (docs/architecture.md#letters)
  'letters batch': { roles: ['operations_lead'], scope: 'none' },
  'letters returned': { roles: ['operations_lead'], scope: 'none' },
  'calendar show': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'calendar import': { roles: ['operations_lead'], scope: 'none' },
  'calendar check': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  'agents depart': { roles: ['operations_lead'], scope: 'none' },
  'policies reassign': { roles: ['operations_lead'], scope: 'none' },
  // reports: computed from the person's scope, or the whole insurer's (docs/architecture.md#people)
  'report daily': { roles: REPORTS, scope: 'insurer' },
  'report monthly': { roles: REPORTS, scope: 'insurer' },
  'report reinstatement': { roles: REPORTS, scope: 'report' },
  'report lapsed': { roles: REPORTS, scope: 'report' },
  'report weekly': { roles: REPORTS, scope: 'insurer' },
  'report lapse-reasons': { roles: REPORTS, scope: 'insurer' },
  'report persistency': { roles: REPORTS, scope: 'report' },
  'report tasks': { roles: REPORTS, scope: 'report' },
  // one policy
  'policy show': { roles: READERS, scope: 'policy' },
  'policy history': { roles: READERS, scope: 'policy' },
  pay: { roles: ['cashier'], scope: 'policy' },
  promise: { roles: FRONT_LINE, scope: 'policy' },
  refuse: { roles: FRONT_LINE, scope: 'policy' },
  hold: { roles: ['operations_lead'], scope: 'policy' },
  release: { roles: ['operations_lead'], scope: 'policy' },
  'account-updated': { roles: [...FRONT_LINE, 'operations_lead'], scope: 'policy' },
  'payments pending': { roles: ['cashier'], scope: 'none' },
  'payments confirm': { roles: ['cashier'], scope: 'none' },
  'payments reject': { roles: ['cashier'], scope: 'none' },
  // Receipts from a statement or a counter's list: finance's record, imported by operations.
  'payments import': { roles: ['operations_lead'], scope: 'none' },
  'payments suspense': { roles: ['operations_lead', 'cashier'], scope: 'none' },
  'payments refunds': { roles: ['operations_lead', 'cashier'], scope: 'none' },
  // online payment links (docs/architecture.md#online-payment)
  'payments links create': { roles: ['operations_lead'], scope: 'none' },
  'payments links check': { roles: ['operations_lead'], scope: 'none' },
  // tasks
  'tasks list': { roles: [...FRONT_LINE, 'operations_lead', 'underwriter'], scope: 'list' },
  'tasks complete': { roles: [...FRONT_LINE, 'operations_lead', 'underwriter'], scope: 'task' },
  'tasks escalate': { roles: ['team_lead', 'operations_lead'], scope: 'none' },
  'tasks schedule install': { roles: ['operations_lead'], scope: 'none' },
  'tasks schedule show': { roles: ['operations_lead', 'engineer'], scope: 'none' },
  // reinstatement
  'reinstate apply': { roles: [...FRONT_LINE, 'underwriter'], scope: 'policy' },
  'reinstate decide': { roles: ['underwriter'], scope: 'policy' },
  'reinstate pay': { roles: ['cashier'], scope: 'policy' },
  'reinstate debit': { roles: ['operations_lead'], scope: 'policy' },
  'reinstate withdraw': { roles: [...FRONT_LINE, 'underwriter'], scope: 'policy' },
  'reinstate status': { roles: READERS, scope: 'policy' },
  'reduced-paid-up': { roles: FRONT_LINE, scope: 'policy' },
};

/** The commands of one scope rule, in table order: e.g. the reports computed for a scope. */
export function commandsWithScope(rule: ScopeRule): string[] {
  return Object.entries(PERMISSIONS)
    .filter(([, permission]) => permission.scope === rule)
    .map(([command]) => command);
}

export function permissionFor(command: string): Permission | undefined {
  return Object.hasOwn(PERMISSIONS, command) ? PERMISSIONS[command] : undefined;
}

/** Whether one of `roles` may run `command`; an unknown command is refused. */
export function mayRun(roles: readonly string[], command: string): boolean {
  if (OPEN_COMMANDS.has(command)) return true;
  const permission = permissionFor(command);
  return permission !== undefined && permission.roles.some((role) => roles.includes(role));
}

export interface PolicyPlace {
  branch: string;
  team: string | null;
  agentCode: string | null;
}

/**
 * Whether a policy lies in the person's scope: any one scope that covers it. A person with no
 * scope at all acts across the whole insurer (head-office roles); an agent's `own` covers the
 * policies they serve.
 */
export function policyInScope(scopes: readonly Scope[], policy: PolicyPlace): boolean {
  if (scopes.length === 0) return true;
  return scopes.some((scope) => {
    if (scope.kind === 'branch') return scope.value === policy.branch;
    if (scope.kind === 'team') return scope.value === policy.team;
    return scope.value === policy.agentCode;
  });
}
