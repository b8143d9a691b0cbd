/**
 * What the personal-data scans look for in Temporal's view of a workflow (stored histories,
 * `temporal workflow describe` output): the shapes of docs/business-rules.md#personal-data.
 */
export const PERSONAL_DATA = [
  { what: 'mobile number', pattern: /(?<!\d)1[3-9]\d{9}(?!\d)/ },
  { what: 'ID card number', pattern: /(?<!\d)\d{17}[\dXx](?!\d)/ },
  { what: 'bank account number', pattern: /(?<!\d)\d{16,19}(?!\d)/ },
  { what: 'email address', pattern: /[\w.+-]+@[\w-]+\.[\w.]+/ },
  { what: 'Chinese personal name field', pattern: /holder_?name|account_?name|accountName|holderName/i },
];

/** Every payload's data, decoded: workflow inputs, results, activity arguments, search attributes, failure attributes. */
export function decodedPayloads(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => decodedPayloads(n, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata) out.push(Buffer.from(record.data, 'base64').toString('utf8'));
    Object.values(record).forEach((v) => decodedPayloads(v, out));
  }
  return out;
}

/** Every failure's message and stack trace in a history (the only `message` fields a history has). */
export function failureTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => failureTexts(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'message' || key === 'stackTrace') && typeof value === 'string') out.push(value);
      else failureTexts(value, out);
    }
  }
  return out;
}

/** The personal data found in a text, by kind: empty when there is none. */
export function personalDataIn(text: string): string[] {
  return PERSONAL_DATA.filter(({ pattern }) => pattern.test(text)).map(({ what }) => what);
}
