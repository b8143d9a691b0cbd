import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleTimeline } from '../../application/history-timeline';
import { SmtpEmail } from '../../integrations/messaging/smtp-email';
import { ensureTemporalCli } from '../../scripts/provision/temporal-cli';
import { startDevServer } from '../../scripts/temporal-env';
import { renewalsDataConverter } from '../../workers/data-converter';
import { decodedPayloads, failureTexts, personalDataIn } from '../support/personal-data-scan';
import { startRefusingSmtp } from '../support/refusing-smtp';
import '../support/quiet-runtime';

/**
 * A notice the mail server refuses: the server's reply ("550 5.1.1 <…>: Recipient address
 * rejected") becomes the activity's failure, its address masked by the adapter. With the
 * project's data converter that text reaches neither the history nor `temporal workflow describe`
 * (text or JSON, while the activity is retried and once the workflow has failed), yet a client with
 * the data key still reads it (the renewals CLI's timeline, masked), and the history replays.
 */
const RECIPIENT = 'zhang@example.cn';
const taskQueue = 'failure-payloads';
let env: TestWorkflowEnvironment;
let smtp: Awaited<ReturnType<typeof startRefusingSmtp>>;
let email: SmtpEmail;
let temporalCli: string;

beforeAll(async () => {
  env = (await startDevServer()).env;
  const executable = ensureTemporalCli().executable;
  if (executable.type !== 'existing-path') throw new Error('this test runs the temporal CLI: provision a build (TEMPORAL_CLI_PATH or the cache)');
  temporalCli = executable.path;
  smtp = await startRefusingSmtp();
  email = new SmtpEmail(smtp.url, 'renewals@insurer.example');
});

afterAll(async () => {
  email?.close();
  await smtp?.close();
  await env?.teardown();
});

/** What an operator sees: `temporal workflow describe`, as text and as JSON. */
function describeOutputs(workflowId: string): string[] {
  const run = (...args: string[]) => execFileSync(temporalCli, ['workflow', 'describe', '--workflow-id', workflowId, '--address', env.address, ...args], { encoding: 'utf8' });
  return [run(), run('--output', 'json')];
}

/**
 * Neither the address nor the server's words anywhere in the text, and no personal data of any shape
 * in a failure's message or stack (the rest of describe's output has build IDs that look like emails).
 */
function expectNoneOf(texts: string[], failures: string[], where: string): void {
  for (const text of texts) {
    expect(text, where).not.toContain(RECIPIENT);
    expect(text, where).not.toContain('Recipient address rejected');
  }
  for (const text of failures) expect(personalDataIn(text), `${where}: ${text.slice(0, 300)}`).toEqual([]);
}

describe('a failure quoting personal data', () => {
  it('stays out of describe output and history, and is read back with the data key', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: join(__dirname, '..', 'support', 'failing-notice', 'workflows.ts'),
      dataConverter: renewalsDataConverter(),
      activities: {
        deliverNotice: async (contactId: string) => {
          await email.send({ contactId, to: RECIPIENT, subject: '续期提醒', text: '您的保单即将到期', html: '<p>您的保单即将到期</p>' });
        },
      },
    });
    const workflowId = `failing-notice-${Date.now()}`;
    const { pending, failure, closed } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('failingNotice', { taskQueue, workflowId, args: ['c-1'] });
      // While the activity waits for its next attempt, describe shows its last failure.
      let described = await handle.describe();
      while (!described.raw.pendingActivities?.[0]?.lastFailure) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        described = await handle.describe();
      }
      const pending = describeOutputs(workflowId);
      const failure = await handle.result().then(
        () => undefined,
        (error: unknown) => error as Error & { cause?: Error & { cause?: Error } },
      );
      return { pending, failure, closed: describeOutputs(workflowId) };
    });

    expect(pending.join('\n')).toContain('Encoded failure');
    expectNoneOf(pending, failureTexts(JSON.parse(pending[1]!)), 'describe while the activity is retried');
    expectNoneOf(closed, failureTexts(JSON.parse(closed[1]!)), 'describe once the workflow failed');

    // The project's own clients hold the key: the reason is still there for the renewals CLI.
    expect(failure?.cause?.cause?.message).toContain('550 5.1.1 <[recipient]>: Recipient address rejected');

    // `renewals policy history` opens it too, and masks the address as every output does.
    const timeline = (await cycleTimeline(env.client, workflowId)).entries.map((e) => e.text).join('\n');
    expect(timeline).toContain('Recipient address rejected');
    expect(timeline).not.toContain(RECIPIENT);

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const json: unknown = JSON.parse(historyToJSON(history));
    expect(failureTexts(json)).toContain('Encoded failure');
    expectNoneOf([...decodedPayloads(json), JSON.stringify(json)], failureTexts(json), 'history');
    await Worker.runReplayHistory({ workflowsPath: join(__dirname, '..', 'support', 'failing-notice', 'workflows.ts'), dataConverter: renewalsDataConverter() }, history);
  });
});
