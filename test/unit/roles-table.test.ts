import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../domain/permissions';
import { ROLES } from '../../domain/roles';
import { ROLE_PURPOSES, rolesTableMarkdown } from '../../domain/roles-table';

describe("README's roles table", () => {
  it('is the one the permission table makes (scripts/roles-table.ts)', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    const between = /<!-- roles-table:start -->\n([\s\S]*?)\n<!-- roles-table:end -->/.exec(readme);
    expect(between, 'README.md lacks the roles-table markers').not.toBeNull();
    expect(between![1]).toBe(rolesTableMarkdown());
  });

  it('has a row for every role, listing exactly the commands the role may run', () => {
    const rows = rolesTableMarkdown().split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(ROLES.length);
    for (const role of ROLES) {
      const row = rows.find((line) => line.startsWith(`| \`${role}\` |`))!;
      expect(row).toContain(ROLE_PURPOSES[role]);
      const listed = [...row.split(' | ')[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      const allowed = Object.entries(PERMISSIONS).filter(([, p]) => p.roles.includes(role)).map(([c]) => c);
      expect(listed.sort()).toEqual(allowed.sort());
    }
  });

  it('gives administrators no business command and engineers no state-changing one', () => {
    const rowOf = (role: string) => rolesTableMarkdown().split('\n').find((line) => line.startsWith(`| \`${role}\` |`))!;
    for (const role of ['administrator', 'engineer']) {
      for (const business of ['`pay`', '`hold`', '`reinstate decide`', '`run start`', '`tasks complete`']) expect(rowOf(role)).not.toContain(business);
    }
    expect(PERMISSIONS['run start']?.roles).toContain('operations_lead');
  });
});
