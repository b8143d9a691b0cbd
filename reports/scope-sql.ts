import { formatScope, type Scope } from '../domain/roles';

/**
 * The person's scope as a SQL condition on a row with a `policy_no`, a policy's or a premium's
 * (docs/architecture.md#people): a policy is in when any one scope covers it (its branch, its servicing
 * agent's team, or that agent); no scope at all covers the whole insurer. Values travel as bound
 * arrays, never spliced into the text.
 *
 * The scoped policies are gathered one kind at a time, each through its index (migration 035), and the
 * row is matched by policy number: an OR of the three on the row itself, or a bound "whole insurer"
 * flag beside them, makes PostgreSQL read every policy (BENCHMARKS.md "Console pages").
 */
export function policyScopeSql(rows: string, scopes: readonly Scope[] = []): { sql: string; bindings: Record<string, string> } {
  if (scopes.length === 0) return { sql: 'true', bindings: {} };
  const values = (kind: Scope['kind']) => textArray(scopes.filter((s) => s.kind === kind).map((s) => s.value));
  return {
    sql: `${rows}.policy_no IN (
      SELECT policy_no FROM policies WHERE branch_code = ANY(CAST(:scopeBranches AS text[]))
      UNION ALL SELECT policy_no FROM policies WHERE agent_code = ANY(CAST(:scopeAgents AS text[]))
      UNION ALL SELECT policy_no FROM policies WHERE agent_code IN (SELECT code FROM agents WHERE team_code = ANY(CAST(:scopeTeams AS text[]))))`,
    bindings: { scopeBranches: values('branch'), scopeTeams: values('team'), scopeAgents: values('own') },
  };
}

/** A PostgreSQL array literal of text values, each quoted (a code with a comma or quote stays one value). */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** A filtered report names its scope among its parameters (printed with it); nothing for the whole insurer. */
export function scopeParameter(scopes: readonly Scope[] = []): { scope?: string } {
  return scopes.length === 0 ? {} : { scope: scopes.map(formatScope).join(', ') };
}
