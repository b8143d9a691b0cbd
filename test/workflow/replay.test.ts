import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { renewalsDataConverter } from '../../workers/data-converter';
import { workflowsPath } from '../../workers/renewal-worker';
import { decodedPayloads, failureTexts, PERSONAL_DATA } from '../support/personal-data-scan';

/**
 * Histories recorded from real runs (time-skipping server) and kept as fixtures. Every change to
 * workflow code must still replay them: a cycle started months ago is replayed by today's worker.
 * Add a fixture for each behaviour change that ships (see README, "Changing rules in flight").
 * The replay worker has the production data converter: failures recorded by today's workers are
 * encoded and sealed, older ones plain, and both must decode.
 */
const dir = join(__dirname, '..', 'fixtures', 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

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
    await Worker.runReplayHistory({ workflowsPath: workflowsPath(), dataConverter: renewalsDataConverter() }, history);
  });

  it('would notice personal data in a failure message or stack trace', () => {
    const history = { events: [{ activityTaskFailedEventAttributes: { failure: { message: 'Encoded failure', cause: { message: "Can't send mail - all recipients were rejected: 550 5.1.1 <zhang@example.cn>: Recipient address rejected" } } } }] };
    expect(failureTexts(history).some((text) => PERSONAL_DATA.some(({ pattern }) => pattern.test(text)))).toBe(true);
  });

  it.each(fixtures)('%s carries no personal data in any failure message', (file) => {
    for (const text of failureTexts(JSON.parse(readFileSync(join(dir, file), 'utf8')))) {
      for (const { what, pattern } of PERSONAL_DATA) {
        expect(pattern.test(text), `${what} in failure ${text.slice(0, 200)}`).toBe(false);
      }
    }
  });

  it.each(fixtures)('%s carries no personal data in any payload', (file) => {
    const payloads = decodedPayloads(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    // An orphan notice is short (input, the send, its answer, the result); a cycle carries many more.
    expect(payloads.length).toBeGreaterThan(file.startsWith('orphan-notice') ? 3 : 10);
    for (const payload of payloads) {
      for (const { what, pattern } of PERSONAL_DATA) {
        expect(pattern.test(payload), `${what} in payload ${payload.slice(0, 200)}`).toBe(false);
      }
    }
  });
});
