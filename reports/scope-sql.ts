import { formatScope, type Scope } from '../domain/roles';

/**
 * The person's scope as a SQL condition on a `policies` row (docs/architecture.md#people): a policy is
 * in when any one scope covers it (its branch, its servicing agent's team, or that agent); no scope at
 * all covers the whole insurer. Values travel as bound JSON arrays, never spliced into the text.
 */
export function policyScopeSql(policies: string, scopes: readonly Scope[] = []): { sql: string; bindings: Record<string, string | boolean> } {
  const values = (kind: Scope['kind']) => JSON.stringify(scopes.filter((s) => s.kind === kind).map((s) => s.value));
  const among = (name: string) => `(SELECT jsonb_array_elements_text(CAST(:${name} AS jsonb)))`;
  return {
    sql: `(CAST(:scopeAll AS boolean)
      OR ${policies}.branch_code IN ${among('scopeBranches')}
      OR ${policies}.agent_code IN ${among('scopeAgents')}
      OR ${policies}.agent_code IN (SELECT code FROM agents WHERE team_code IN ${among('scopeTeams')}))`,
    bindings: { scopeAll: scopes.length === 0, scopeBranches: values('branch'), scopeTeams: values('team'), scopeAgents: values('own') },
  };
}

/** A filtered report names its scope among its parameters (printed with it); nothing for the whole insurer. */
export function scopeParameter(scopes: readonly Scope[] = []): { scope?: string } {
  return scopes.length === 0 ? {} : { scope: scopes.map(formatScope).join(', ') };
}
