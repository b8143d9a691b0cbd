import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryPages, validateXML } from 'xmllint-wasm';

export type Iso20022Schema = 'pain.008.001.02' | 'pain.002.001.03' | 'camt.054.001.02';

export const ISO20022_SCHEMAS: readonly Iso20022Schema[] = ['pain.008.001.02', 'pain.002.001.03', 'camt.054.001.02'];

/**
 * The vendored XSDs sit next to this module under tsx and vitest; a build in dist/ keeps its
 * compiled code apart from them, so look for the source tree too.
 */
function schemaDirectory(): string {
  const candidates = [
    join(__dirname, 'schemas'),
    join(__dirname, '..', '..', '..', '..', 'integrations', 'bank', 'iso20022', 'schemas'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'pain.008.001.02.xsd')));
  if (!found) throw new Error(`ISO 20022 schemas not found (looked in ${candidates.join(', ')})`);
  return found;
}

const schemaTexts = new Map<Iso20022Schema, Promise<string>>();

function schemaText(schema: Iso20022Schema): Promise<string> {
  let text = schemaTexts.get(schema);
  if (!text) {
    text = readFile(join(schemaDirectory(), `${schema}.xsd`), 'utf8');
    schemaTexts.set(schema, text);
  }
  return text;
}

/**
 * Validates a document against the ISO 20022 schema of its message (libxml2's xmllint, compiled
 * to WebAssembly). Returns the problems found, each with its line; an empty list means valid.
 */
export async function validateIso20022(xml: string, schema: Iso20022Schema): Promise<string[]> {
  if (!ISO20022_SCHEMAS.includes(schema)) throw new RangeError(`unknown ISO 20022 schema: ${JSON.stringify(schema)}`);
  const result = await validateXML({
    xml: [{ fileName: 'message.xml', contents: xml }],
    schema: [{ fileName: `${schema}.xsd`, contents: await schemaText(schema) }],
    // The default 32 MiB is too little for a month's collection file; memory grows only as needed.
    maxMemoryPages: 2 * memoryPages.GiB,
  });
  if (result.valid) return [];
  const problems = result.errors.map((error) => {
    // Element names without their namespace: the schema already says which one.
    const message = error.message.replace(/\{urn:iso:std:iso:20022:tech:xsd:[^}]*\}/g, '');
    return error.loc ? `line ${error.loc.lineNumber}: ${message}` : message;
  });
  // xmllint can fail without a parsable error line (e.g. a file that is not XML at all).
  return problems.length > 0 ? problems : [result.rawOutput.trim() || 'not valid'];
}
