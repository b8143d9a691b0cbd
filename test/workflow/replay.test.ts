import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../workers/renewal-worker';

/**
 * Histories recorded from real runs (time-skipping server) and kept as fixtures. Every change to
 * workflow code must still replay them: a cycle started months ago is replayed by today's worker.
 * Add a fixture for each behaviour change that ships (see README, "Changing rules in flight").
 */
const dir = join(__dirname, '..', 'fixtures', 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

/** Every payload's data, decoded: workflow inputs, results, activity arguments, search attributes. */
function decodedPayloads(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => decodedPayloads(n, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.data === 'string' && record.metadata) out.push(Buffer.from(record.data, 'base64').toString('utf8'));
    Object.values(record).forEach((v) => decodedPayloads(v, out));
  }
  return out;
}

const PERSONAL_DATA = [
  { what: 'mobile number', pattern: /(?<!\d)1[3-9]\d{9}(?!\d)/ },
  { what: 'ID card number', pattern: /(?<!\d)\d{17}[\dXx](?!\d)/ },
  { what: 'bank account number', pattern: /(?<!\d)\d{16,19}(?!\d)/ },
  { what: 'email address', pattern: /[\w.+-]+@[\w-]+\.[\w.]+/ },
  { what: 'Chinese personal name field', pattern: /holder_?name|account_?name|accountName|holderName/i },
];

describe('stored renewal-cycle histories', () => {
  it('exist', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(2);
  });

  it('would notice personal data if a payload carried it', () => {
    const samples = ['{"to":"13812348000"}', '{"id":"320102198001011234"}', '{"acct":"6222021234567890123"}', '{"mail":"a.b@example.cn"}', '{"holderName":"x"}'];
    expect(samples.map((s) => PERSONAL_DATA.some(({ pattern }) => pattern.test(s)))).toEqual([true, true, true, true, true]);
  });

  it.each(fixtures)('%s replays against the current workflow code', async (file) => {
    const history: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
  });

  it.each(fixtures)('%s carries no personal data in any payload', (file) => {
    const payloads = decodedPayloads(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    expect(payloads.length).toBeGreaterThan(10);
    for (const payload of payloads) {
      for (const { what, pattern } of PERSONAL_DATA) {
        expect(pattern.test(payload), `${what} in payload ${payload.slice(0, 200)}`).toBe(false);
      }
    }
  });
});
