import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import architecture from '../../layers.json';

const ROOT = join(__dirname, '..', '..');
const LAYERS: Record<string, string[]> = architecture.layers;
const TYPE_ONLY: Record<string, string[]> = architecture.typeOnly;
/** Folders above every layer: they may import anything, and nothing imports them. */
const TOP = ['test', 'bench'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import, export-from and dynamic import() of a file, with whether it is type-only. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    found.push({ from: relative(ROOT, file), to: relative(ROOT, normalize(join(dirname(file), specifier))), typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const folderOf = (path: string) => path.split(/[\\/]/)[0]!;

const imports = [...Object.keys(LAYERS), ...TOP].flatMap((folder) => sourceFiles(join(ROOT, folder)).flatMap(importsOf));
const crossing = imports.filter((i) => folderOf(i.from) !== folderOf(i.to));

describe('the layers (layers.json)', () => {
  it('cover every source folder of the repository', () => {
    const folders = readdirSync(ROOT).filter((name) => !name.startsWith('.') && name !== 'node_modules' && statSync(join(ROOT, name)).isDirectory());
    const withCode = folders.filter((name) => sourceFiles(join(ROOT, name)).length > 0);
    expect(withCode.filter((name) => !(name in LAYERS) && !TOP.includes(name))).toEqual([]);
  });

  it('are read from real imports (the check sees what it checks)', () => {
    expect(imports.length).toBeGreaterThan(500);
    expect(crossing.some((i) => i.from.startsWith('workflows/') && folderOf(i.to) === 'activities' && i.typeOnly)).toBe(true);
  });

  it('import only downwards: each folder from itself and the folders it lists', () => {
    const wrong = crossing
      .filter((i) => !TOP.includes(folderOf(i.from)))
      .filter((i) => {
        const from = folderOf(i.from);
        const to = folderOf(i.to);
        if (LAYERS[from]!.includes(to)) return false;
        return !(i.typeOnly && (TYPE_ONLY[from] ?? []).includes(to));
      })
      .map((i) => `${i.from} → ${i.to}${i.typeOnly ? ' (type)' : ''}`);
    expect(wrong).toEqual([]);
  });

  it('leave no cycle between folders, type-only imports included', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of crossing) {
      if (!edges.has(folderOf(i.from))) edges.set(folderOf(i.from), new Set());
      edges.get(folderOf(i.from))!.add(folderOf(i.to));
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const walk = (folder: string, path: string[]): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') {
        cycles.push([...path.slice(path.indexOf(folder)), folder].join(' → '));
        return;
      }
      state.set(folder, 'open');
      for (const next of edges.get(folder) ?? []) walk(next, [...path, folder]);
      state.set(folder, 'done');
    };
    for (const folder of edges.keys()) walk(folder, []);
    expect(cycles).toEqual([]);
  });

  it('keep the layer table itself acyclic, so the order it implies is total', () => {
    const order: string[] = [];
    const remaining = new Map(Object.entries(LAYERS).map(([k, v]) => [k, [...v, ...(TYPE_ONLY[k] ?? [])]]));
    while (remaining.size > 0) {
      const ready = [...remaining].filter(([, deps]) => deps.every((d) => order.includes(d))).map(([k]) => k);
      expect(ready, `no layer can come next after ${order.join(', ')}`).not.toEqual([]);
      for (const k of ready) {
        order.push(k);
        remaining.delete(k);
      }
    }
    expect(order[0]).toBe('domain');
  });
});
