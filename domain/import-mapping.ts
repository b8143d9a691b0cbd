/**
 * A mapping file (docs/business-rules.md#mapping-file): how a core system's own export names our
 * columns and writes our codes. Pure: `parseImportMapping` checks the parsed JSON and names the
 * first bad key; `headerColumn` and `mapCodes` apply it to a header cell and to a row.
 *
 *   { "kind": "policies",
 *     "columns": { "保单号": "policy_no", "证件类型": "holder_id_type", … },
 *     "ignore": ["备注"],
 *     "codes": { "holder_id_type": { "0": "ID", "1": "PASSPORT" }, "bank_code": { "0102": "ICBC" } } }
 */
import { COLUMNS_OF, IMPORT_KINDS, OPTIONAL_COLUMNS_OF, type ImportKind } from './import-columns';
import { normaliseCode, resolveAlias, VOCABULARIES, VOCABULARY_OF_COLUMN } from './import-aliases';

export interface ImportMapping {
  kind: ImportKind;
  /** Header cell as `headerName` reads it → our column. */
  columns: ReadonlyMap<string, string>;
  /** Header cells (as `headerName` reads them) whose column is skipped. */
  ignore: ReadonlySet<string>;
  /** Our column → (code as `normaliseCode` reads it → our value). */
  codes: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

const TOP_KEYS = ['$comment', 'kind', 'columns', 'ignore', 'codes'] as const;

/** A header cell as the importer compares it: BOM removed, trimmed, lower case (NFKC, so full-width letters read as ASCII). */
export function headerName(raw: string): string {
  return raw.replace(/^\uFEFF/, '').normalize('NFKC').trim().toLowerCase();
}

const quote = (key: string) => JSON.stringify(key);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a parsed mapping file for the file kind being imported. Throws a MappingError naming the key
 * at fault, e.g. `columns."保单号" must name a column of policies.csv …`.
 */
export function parseImportMapping(json: unknown, kind: ImportKind): ImportMapping {
  const fail = (path: string, problem: string): never => {
    throw new MappingError(`${path} ${problem}`);
  };
  if (!isObject(json)) return fail('the mapping', 'must be a JSON object with "columns", "codes" and/or "ignore"');
  for (const key of Object.keys(json)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) fail(quote(key), `is not a key of a mapping file (${TOP_KEYS.join(', ')})`);
  }
  if (json.kind !== undefined) {
    if (typeof json.kind !== 'string' || !(IMPORT_KINDS as readonly string[]).includes(json.kind)) fail('"kind"', `must be one of ${IMPORT_KINDS.join(', ')}`);
    if (json.kind !== kind) fail('"kind"', `is ${json.kind as string} but the file is imported as ${kind}`);
  }

  const ours = [...COLUMNS_OF[kind], ...OPTIONAL_COLUMNS_OF[kind]];
  const columns = new Map<string, string>();
  const targets = new Map<string, string>();
  if (json.columns !== undefined) {
    if (!isObject(json.columns)) fail('"columns"', 'must be an object: the core system’s column name → ours');
    for (const [source, target] of Object.entries(json.columns as Record<string, unknown>)) {
      const path = `columns.${quote(source)}`;
      const name = headerName(source);
      if (name === '') fail(path, 'names an empty column');
      if (typeof target !== 'string' || !ours.includes(target)) fail(path, `must name a column of ${kind}.csv (${ours.join(', ')})`);
      if (columns.has(name)) fail(path, `repeats a column already mapped (names are compared trimmed and in lower case)`);
      const earlier = targets.get(target as string);
      if (earlier !== undefined) fail(path, `maps to ${String(target)}, as columns.${quote(earlier)} does already`);
      columns.set(name, target as string);
      targets.set(target as string, source);
    }
  }

  const ignore = new Set<string>();
  if (json.ignore !== undefined) {
    if (!Array.isArray(json.ignore)) fail('"ignore"', 'must be a list of the core system’s column names to skip');
    (json.ignore as unknown[]).forEach((source, i) => {
      if (typeof source !== 'string' || headerName(source) === '') fail(`ignore[${i}]`, 'must be a column name');
      const name = headerName(source as string);
      if (columns.has(name)) fail(`ignore[${i}]`, 'is also mapped in "columns"');
      ignore.add(name);
    });
  }

  const codes = new Map<string, Map<string, string>>();
  if (json.codes !== undefined) {
    if (!isObject(json.codes)) fail('"codes"', 'must be an object: our column → { the core system’s code → ours }');
    for (const [column, table] of Object.entries(json.codes as Record<string, unknown>)) {
      const path = `codes.${quote(column)}`;
      if (!ours.includes(column)) fail(path, `must name a column of ${kind}.csv (${ours.join(', ')})`);
      if (!isObject(table)) fail(path, 'must be an object: the core system’s code → ours');
      const vocabulary = VOCABULARY_OF_COLUMN[kind][column];
      const map = new Map<string, string>();
      for (const [code, value] of Object.entries(table as Record<string, unknown>)) {
        const codePath = `${path}.${quote(code)}`;
        const key = normaliseCode(code);
        if (map.has(key)) fail(codePath, 'repeats a code already mapped (codes are compared trimmed, in upper case, full-width as ASCII)');
        if (typeof value !== 'string' || value.trim() === '') fail(codePath, 'must be a non-empty text');
        let ourValue = (value as string).trim();
        if (vocabulary !== undefined) {
          const canonical = resolveAlias(vocabulary, ourValue);
          if (canonical === undefined) fail(codePath, `must be one of ${VOCABULARIES[vocabulary].join(', ')}`);
          ourValue = canonical!;
        } else if (ourValue.length > 200) {
          fail(codePath, 'is longer than 200 characters');
        }
        map.set(key, ourValue);
      }
      codes.set(column, map);
    }
  }
  return { kind, columns, ignore, codes };
}

/** Our column for a header cell: the mapping's name for it, else the cell itself; undefined when ignored. */
export function headerColumn(mapping: ImportMapping | undefined, raw: string): string | undefined {
  const name = headerName(raw);
  if (!mapping) return name;
  if (mapping.ignore.has(name)) return undefined;
  return mapping.columns.get(name) ?? name;
}

/** A row with the mapping's codes replaced by ours; cells with no mapped code are left as they are. */
export function mapCodes(mapping: ImportMapping | undefined, values: Readonly<Record<string, string>>): Record<string, string> {
  if (!mapping || mapping.codes.size === 0) return { ...values };
  const mapped: Record<string, string> = { ...values };
  for (const [column, table] of mapping.codes) {
    const cell = values[column];
    if (cell === undefined) continue;
    const ours = table.get(normaliseCode(cell));
    if (ours !== undefined) mapped[column] = ours;
  }
  return mapped;
}
