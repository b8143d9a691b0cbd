import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../workers/renewal-worker';

/**
 * The patch marker 'contacts-never-hold-up-the-cycle' is what keeps a cycle recorded before contacts
 * could wait replaying as it ran: bundled without it (the new path always), that history no longer
 * replays; with it (replay.test.ts), it does.
 */
const histories = join(__dirname, '..', 'fixtures', 'histories');
const guard = resolve(__dirname, '..', '..', 'workflows', 'contact-wait-guard');
const unguarded = resolve(__dirname, '..', 'support', 'contact-wait-unguarded.ts');

describe('the contacts-never-hold-up-the-cycle guard', () => {
  it('a history recorded before it fails replay when the new path is taken without the marker', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: workflowsPath(),
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => ({ ...config, resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string>), [guard]: unguarded } } }),
    });
    const history: unknown = JSON.parse(readFileSync(join(histories, 'renewal-cycle-paid-first-debit.json'), 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle }, history)).rejects.toThrow(/[Nn]ondeterminis|attemptContact|sendContact/);
  });

  it('and a history recorded with the new path replays with the marker', async () => {
    const history: unknown = JSON.parse(readFileSync(join(histories, 'renewal-cycle-email-waits-debit-on-time.json'), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
  });
});
