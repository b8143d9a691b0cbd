import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRenewalCycle } from '../../application/renewal-cycles';
import { addDays, shanghaiDate } from '../../domain/civil-date';
import { DEVELOPMENT_DATA_KEY } from '../../config/data-keys';
import { PiiCipher } from '../../db/pii-cipher';
import { startDevServer } from '../../scripts/temporal-env';
import { enqueuePolicyChange } from '../../db/repositories/policy-admin-outbox';
import { startPolicyAdminReceiver } from '../../integrations/policy-admin/receiver';
import { freshDatabase, type TestDatabase } from '../support/database';
import { samplePolicy, seedPolicy } from '../support/fixtures';

/**
 * The worker as operators run it (`npm run worker`, workers/main.ts), in a process of its own: its
 * HTTP endpoints on a port of the system's choosing, readiness that follows the database, metrics
 * with the business figures and the SDK's own, and a SIGTERM that ends it cleanly.
 */
const TASK_QUEUE = 'worker-process';
let env: TestWorkflowEnvironment;
let database: TestDatabase;

interface RunningWorker {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** Starts workers/main.ts; resolves once it prints `until` (its health line, or its polling line). */
function startWorker(databaseUrl: string, until: 'health' | 'polling' = 'polling', more: Record<string, string> = {}): Promise<RunningWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: env.address, TASK_QUEUE, BANK_MODE: 'files', SMS_PROVIDER: 'record', WORKER_HTTP_PORT: '0', WORKER_SHUTDOWN_GRACE_MS: '3000', ...more },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let url = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout.push(line);
      url = /^health (http:\/\/[^/]+)\/healthz/.exec(line)?.[1] ?? url;
      if (line.startsWith(until === 'health' ? 'health ' : 'renewal worker polling')) resolve({ child, url, stdout, stderr, exited });
    });
    void exited.then((code) => reject(new Error(`worker exited before it was ready (${code}): ${stderr.join('')}`)));
  });
}

const get = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
};

beforeAll(async () => {
  env = (await startDevServer()).env;
  database = await freshDatabase();
});

afterAll(async () => {
  await database?.drop();
  await env?.teardown();
});

describe('the worker process', () => {
  it('serves health, readiness and metrics, then stops cleanly on SIGTERM', async () => {
    // A cycle to work on, so the SDK has pollers and tasks to count.
    const dueDate = addDays(shanghaiDate(Date.now()), 45);
    await seedPolicy(database.db, new PiiCipher(DEVELOPMENT_DATA_KEY), samplePolicy({ policyNo: 'P-WP-0001', nextDueDate: dueDate }));
    const worker = await startWorker(database.url);
    try {
      expect(worker.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { handle } = await startRenewalCycle(env.client, { policyNo: 'P-WP-0001', dueDate }, TASK_QUEUE);
      while (!(await database.db('audit_events').where({ kind: 'cycle_opened' }).first())) await new Promise((resolve) => setTimeout(resolve, 200));

      expect(await get(`${worker.url}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
      expect(await get(`${worker.url}/readyz`)).toEqual({ status: 200, body: 'ready\n' });
      const metrics = await get(`${worker.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('renewals_operations_figures_up 1');
      expect(metrics.body).toContain('renewals_provider_circuits_open 0');
      expect(metrics.body).toContain('renewals_unknown_debits_over_a_day 0');
      expect(metrics.body).toMatch(/^temporal_\w+/m); // the SDK's own, from core's exporter
      expect(metrics.body).not.toContain('SDK metrics unavailable');
      // No personal data in any label: the policy's holder, mobile, ID and account are nowhere.
      for (const personal of ['张三丰', '13812348000', '320102198001011234', '6222021234567890123', 'P-WP-0001']) expect(metrics.body).not.toContain(personal);
      await handle.terminate('test done');

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(worker.stdout.at(-1)).toBe('renewal worker stopped');
      expect(worker.stderr.join('')).toContain('closing the relay, the endpoints, SMTP, the Temporal connection and the database pool');
      await expect(fetch(`${worker.url}/healthz`)).rejects.toThrow();
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it('relays the outbox to POLICY_ADMIN_URL, signed, and says so at start; without it, in the demo, says the stand-in', async () => {
    const secret = 'worker-process-policy-admin-secret-0123456789';
    const receiver = await startPolicyAdminReceiver({ secret });
    await seedPolicy(database.db, new PiiCipher(DEVELOPMENT_DATA_KEY), samplePolicy({ policyNo: 'P-WP-0002', holderIdNo: '320102198001015678' }));
    await database.db.transaction((trx) => enqueuePolicyChange(trx, { eventId: 'policy_suspended:wp-1', kind: 'policy_suspended', policyNo: 'P-WP-0002', payload: { lapsedDueDate: '2026-12-24' } }));
    const worker = await startWorker(database.url, 'polling', { POLICY_ADMIN_URL: receiver.url, POLICY_ADMIN_SECRET: secret, POLICY_ADMIN_RELAY_EVERY_MS: '100' });
    try {
      expect(worker.stdout.at(-1)).toMatch(new RegExp(`; policy administration: signed HTTP to ${receiver.url.replace(/[.]/g, '\\.')}$`));
      expect(worker.stdout.filter((line) => line.startsWith('stand-in:') && line.includes('policy administration'))).toEqual([]);
      while (!(await database.db('policy_admin_outbox').where({ event_id: 'policy_suspended:wp-1' }).whereNotNull('delivered_at').first())) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.accepted.map((c) => [c.eventId, c.policyNo])).toEqual([['policy_suspended:wp-1', 'P-WP-0002']]);
      expect(worker.stderr.join('')).toContain('policy administration changes relayed');
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await receiver.close();
    }
    const demo = await startWorker(database.url, 'polling');
    try {
      expect(demo.stdout.at(-1)).toMatch(/; policy administration: in-memory stand-in$/);
      // Letters are stored for the print house, not kept in memory (docs/architecture.md#letters).
      expect(demo.stdout.at(-1)).toContain('letters rendered to PDF and stored in the database for print house DEMO-PRINT');
      expect(demo.stdout.filter((line) => line.startsWith('stand-in:') && line.includes('letter'))).toEqual([]);
      expect(demo.stdout).toContain('stand-in: policy administration changes (suspension, reinstatement, reduced paid-up, premium loans) are delivered to an in-memory stand-in: no POLICY_ADMIN_URL (RENEWALS_ENV=demo only)');
      demo.child.kill('SIGTERM');
      expect(await demo.exited).toBe(0);
    } finally {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    }
  });

  it('is alive but not ready while its database does not answer, and polls nothing until the data key is checked', async () => {
    const unreachable = new URL(database.url);
    unreachable.pathname = '/renewals_no_such_database';
    const worker = await startWorker(unreachable.toString(), 'health');
    try {
      expect(await get(`${worker.url}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
      const ready = await get(`${worker.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/^not ready: database: .*renewals_no_such_database/);
      expect((await get(`${worker.url}/metrics`)).body).toContain('renewals_operations_figures_up 0');
      // The key ring cannot be checked without the database: no work is taken meanwhile.
      expect(worker.stdout.some((line) => line.startsWith('renewal worker polling'))).toBe(false);
      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(0);
      expect(worker.stdout.at(-1)).toBe('renewal worker stopped');
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });
});
