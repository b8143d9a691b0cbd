import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { isCivilDate, shanghaiDate } from '../../../domain/civil-date';
import { formatYuan } from '../../../domain/money';

/**
 * A file we cannot trust as a whole (malformed, wrong message, control totals that do not add up),
 * or input we refuse to write. Messages name the element path or the field, never personal data.
 */
export class Iso20022Error extends Error {
  readonly problems: readonly string[];

  constructor(context: string, problems: readonly string[]) {
    super(`${context}: ${problems.join('; ')}`);
    this.name = 'Iso20022Error';
    this.problems = problems;
  }
}

export const CURRENCY = 'CNY';

const NAMESPACE_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:';

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * One element of a parsed file with its path, so that every complaint names where it is
 * (XPath-style, 1-based indexes: `PmtInf/DrctDbtTxInf[3]/InstdAmt`).
 */
export class XmlNode {
  constructor(
    readonly value: unknown,
    readonly path: string,
    private readonly fail: (problem: string) => never,
  ) {}

  private childPath(name: string): string {
    return this.path ? `${this.path}/${name}` : name;
  }

  private raw(name: string): unknown {
    if (typeof this.value !== 'object' || this.value === null) return undefined;
    return (this.value as Record<string, unknown>)[name];
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  optional(name: string): XmlNode | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return new XmlNode(value[0], this.childPath(name), this.fail);
    return new XmlNode(value, this.childPath(name), this.fail);
  }

  child(name: string): XmlNode {
    return this.optional(name) ?? this.fail(`${this.childPath(name)} is missing`);
  }

  /** Every occurrence of a repeatable element (declared as such to the parser). */
  list(name: string): XmlNode[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = Array.isArray(value) ? value : [value];
    return items.map((item, index) => new XmlNode(item, `${this.childPath(name)}[${index + 1}]`, this.fail));
  }

  /** The element's own text ('' for an empty element). */
  ownText(): string {
    if (typeof this.value === 'string') return this.value;
    if (typeof this.value === 'object' && this.value !== null) {
      const text = (this.value as Record<string, unknown>)['#text'];
      if (typeof text === 'string') return text;
      if (Object.keys(this.value).every((key) => key.startsWith('@_'))) return '';
    }
    return this.fail(`${this.path} must be a simple value, not a group of elements`);
  }

  optionalText(name: string): string | undefined {
    const node = this.optional(name);
    if (!node) return undefined;
    const text = node.ownText();
    return text === '' ? undefined : text;
  }

  text(name: string): string {
    return this.optionalText(name) ?? this.fail(`${this.childPath(name)} is missing or empty`);
  }

  attribute(name: string): string | undefined {
    const value = this.raw(`@_${name}`);
    return typeof value === 'string' ? value : undefined;
  }

  /** Resolves a path of single elements ('Id/Othr/Id'), or undefined if any step is absent. */
  optionalAt(path: string): XmlNode | undefined {
    const [first, ...rest] = path.split('/');
    let node = this.optional(first ?? '');
    for (const step of rest) node = node?.optional(step);
    return node;
  }

  optionalTextAt(path: string): string | undefined {
    const node = this.optionalAt(path);
    if (!node) return undefined;
    const text = node.ownText();
    return text === '' ? undefined : text;
  }

  textAt(path: string): string {
    return this.optionalTextAt(path) ?? this.fail(`${this.childPath(path)} is missing or empty`);
  }

  /** An amount element (`<InstdAmt Ccy="CNY">12.30</InstdAmt>`) in whole fen. */
  amountFen(name: string): number {
    const node = this.child(name);
    const currency = node.attribute('Ccy');
    if (currency !== CURRENCY) this.fail(`${node.path} is in ${currency ?? 'no currency'}, expected ${CURRENCY}`);
    return decimalToFen(node.ownText(), node.path, this.fail);
  }

  optionalAmountFen(name: string): number | undefined {
    return this.has(name) ? this.amountFen(name) : undefined;
  }

  /** A decimal total such as CtrlSum, in whole fen. */
  optionalDecimalFen(name: string): { fen: number; text: string } | undefined {
    const text = this.optionalText(name);
    if (text === undefined) return undefined;
    return { fen: decimalToFen(text, this.childPath(name), this.fail), text };
  }

  /** A count such as NbOfTxs (Max15NumericText). */
  optionalCount(name: string): number | undefined {
    const text = this.optionalText(name);
    if (text === undefined) return undefined;
    if (!/^\d{1,15}$/.test(text)) this.fail(`${this.childPath(name)} ${JSON.stringify(text)} is not a count`);
    return Number(text);
  }

  date(name: string): string {
    const text = this.text(name);
    if (!isCivilDate(text)) this.fail(`${this.childPath(name)} ${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
    return text;
  }

  optionalDate(name: string): string | undefined {
    return this.has(name) ? this.date(name) : undefined;
  }

  /**
   * An ISODateTime as an ISO instant. Banks often omit the offset; such a time is read as
   * Shanghai wall-clock time, the only reading that makes sense for a Chinese bank's file.
   */
  dateTime(name: string): string {
    const text = this.text(name);
    const match = DATE_TIME.exec(text);
    if (!match || !Number.isFinite(Date.parse(match[2] ? text : `${text}+08:00`))) {
      this.fail(`${this.childPath(name)} ${JSON.stringify(text)} is not a date and time`);
    }
    return match[2] ? text : `${text}+08:00`;
  }

  boolean(name: string): boolean | undefined {
    const text = this.optionalText(name);
    if (text === undefined) return undefined;
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return this.fail(`${this.childPath(name)} ${JSON.stringify(text)} is not true or false`);
  }

  /** A date given as `<Dt>` or `<DtTm>` (DateAndDateTimeChoice), as a Shanghai civil date. */
  dateOrDateTime(name: string): string {
    const node = this.child(name);
    if (node.has('Dt')) return node.date('Dt');
    if (node.has('DtTm')) return shanghaiDate(Date.parse(node.dateTime('DtTm')));
    return this.fail(`${node.path} has neither Dt nor DtTm`);
  }
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/;

/** Exact decimal to fen: '12.3', '12.30', '12.300' are all 1230; '12.345' is refused. */
export function decimalToFen(text: string, path: string, fail: (problem: string) => never): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return fail(`${path} ${JSON.stringify(text)} is not a non-negative decimal amount`);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > 2) return fail(`${path} ${text} is not a whole number of fen`);
  const fen = Number(match[1]) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) return fail(`${path} ${text} is too large`);
  return fen;
}

/**
 * Parses a document of one ISO 20022 message and returns its message element (the child of
 * Document). Refuses malformed XML, another message, or another version of this one.
 */
export function parseMessage(
  xml: string,
  message: string,
  rootElement: string,
  repeatable: ReadonlySet<string>,
): { root: XmlNode; fail: (problem: string) => never } {
  const context = `${message} rejected`;
  const fail = (problem: string): never => {
    throw new Iso20022Error(context, [problem]);
  };
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    fail(`malformed XML at line ${wellFormed.err.line}, column ${wellFormed.err.col}: ${wellFormed.err.msg}`);
  }
  // ISO 20022 files have no DTD; refusing one rules out entity-expansion tricks.
  if (/<!DOCTYPE/i.test(xml)) fail('DOCTYPE declarations are not allowed in ISO 20022 files');
  const namespace = `${NAMESPACE_PREFIX}${message}`;
  checkNamespace(xml, namespace, fail);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => repeatable.has(name),
  });
  const parsed: unknown = parser.parse(xml);
  const document = new XmlNode(parsed, '', fail).optional('Document');
  if (!document) return fail('no Document element');
  const root = document.optional(rootElement);
  if (!root) return fail(`Document does not contain ${rootElement}`);
  return { root: new XmlNode(root.value, '', fail), fail };
}

/**
 * The Document element must declare this message's namespace (default or prefixed). Read from the
 * root start tag itself: parsing a large file a second time just for this would double the cost.
 */
function checkNamespace(xml: string, namespace: string, fail: (problem: string) => never): void {
  const root = /<(?:([A-Za-z_][\w.-]*):)?Document\b([^>]*)>/.exec(xml);
  if (!root) return fail('no Document element');
  const prefix = root[1];
  let declared: string | undefined;
  for (const attribute of (root[2] ?? '').matchAll(/xmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    if (attribute[1] === prefix) declared = attribute[2] ?? attribute[3];
  }
  if (declared !== namespace) {
    fail(`Document namespace is ${declared === undefined ? 'missing' : JSON.stringify(declared)}, expected "${namespace}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: false,
});

/** Serialises a message; `body` keys must be in the XSD's sequence order. */
export function buildMessage(message: string, rootElement: string, body: object): string {
  const document = { Document: { '@_xmlns': `${NAMESPACE_PREFIX}${message}`, [rootElement]: body } };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document)}`;
}

export function amountElement(fen: number): { '#text': string; '@_Ccy': string } {
  return { '#text': formatYuan(fen), '@_Ccy': CURRENCY };
}

/** A reason as ISO 20022 writes it: registered codes (4 characters) under Cd, bank codes under Prtry. */
export function reasonElement(code: string, proprietary: boolean | undefined): { Cd: string } | { Prtry: string } {
  return proprietary || !ISO_REASON.test(code) ? { Prtry: code } : { Cd: code };
}

const ISO_REASON = /^[A-Z0-9]{4}$/;

/** Reads a StatusReason / ReturnReason choice. */
export function readReason(reason: XmlNode | undefined): { reasonCode?: string; reasonProprietary?: true } {
  if (!reason) return {};
  const code = reason.optionalText('Cd');
  if (code !== undefined) return { reasonCode: code };
  const proprietary = reason.optionalText('Prtry');
  if (proprietary !== undefined) return { reasonCode: proprietary, reasonProprietary: true };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Checking input before writing

/** Collects every problem with the input, so one error lists them all. */
export class InputProblems {
  private readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
  }

  /**
   * A text field the XSD bounds (Max35Text etc.). `echo` false keeps personal data (names,
   * account numbers) out of the message.
   */
  text(where: string, field: string, value: unknown, maxLength: number, options: { optional?: boolean; echo?: boolean } = {}): void {
    if (value === undefined && options.optional) return;
    const shown = options.echo === false ? '' : ` (${JSON.stringify(value)})`;
    if (typeof value !== 'string' || value.trim() === '') {
      this.add(`${where}${field} is missing or empty`);
    } else if (value !== value.trim()) {
      this.add(`${where}${field} has leading or trailing whitespace${shown}`);
    } else if (Array.from(value).length > maxLength) {
      this.add(`${where}${field} is longer than ${maxLength} characters${shown}`);
    } else if (CONTROL_CHARACTERS.test(value)) {
      this.add(`${where}${field} contains control characters`);
    }
  }

  date(where: string, field: string, value: unknown): void {
    if (!isCivilDate(value)) this.add(`${where}${field} is not a date (YYYY-MM-DD): ${JSON.stringify(value)}`);
  }

  instant(where: string, field: string, value: unknown): void {
    const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
    if (!match || !match[2] || !Number.isFinite(Date.parse(value as string))) {
      this.add(`${where}${field} is not an ISO instant with an offset (e.g. 2025-03-01T09:00:00+08:00): ${JSON.stringify(value)}`);
    }
  }

  positiveFen(where: string, field: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      this.add(`${where}${field} must be a positive whole number of fen, got ${JSON.stringify(value)}`);
    }
  }

  count(where: string, field: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.add(`${where}${field} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
    }
  }

  oneOf(where: string, field: string, value: unknown, allowed: readonly string[], optional = false): void {
    if (value === undefined && optional) return;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.add(`${where}${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
  }

  throwIfAny(context: string): void {
    if (this.problems.length > 0) throw new Iso20022Error(context, this.problems);
  }
}

// XML 1.0 cannot carry these at all.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** `instructions[2] (endToEndId "P1-2025-03") ` — how an item is named in input errors. */
export function itemLabel(list: string, index: number, endToEndId: unknown): string {
  const id = typeof endToEndId === 'string' && endToEndId !== '' ? ` (endToEndId ${JSON.stringify(endToEndId)})` : '';
  return `${list}[${index}]${id}: `;
}

export function sumFen(amounts: readonly number[]): number {
  return amounts.reduce((total, fen) => total + fen, 0);
}

export { formatYuan };
