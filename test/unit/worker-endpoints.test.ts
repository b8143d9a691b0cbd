import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationsFigures } from '../../db/repositories/operations-figures';
import type { Readiness } from '../../workers/readiness';
import { startWorkerEndpoints, type WorkerEndpoints } from '../../workers/worker-endpoints';
import { workerMetrics } from '../../workers/worker-metrics';

const FIGURES: OperationsFigures = {
  debits: [
    { outcome: 'succeeded', bank: 'ICBC', count: 364 },
    { outcome: 'failed', bank: 'PSBC', count: 156 },
  ],
  contacts: [{ channel: 'sms', outcome: 'delivered', count: 12 }],
  openTasks: [{ role: 'operations', age: 'over_7d', count: 2 }],
  unknownDebitsOverADay: 1,
  providerCircuitsOpen: 0,
};

let readiness: Readiness = { ready: true };
let figures: () => Promise<OperationsFigures> = () => Promise.resolve(FIGURES);
let endpoints: WorkerEndpoints;

beforeAll(async () => {
  endpoints = await startWorkerEndpoints({
    host: '127.0.0.1',
    port: 0,
    readiness: () => Promise.resolve(readiness),
    metrics: workerMetrics({ figures: () => figures(), sdkMetrics: () => Promise.resolve('# TYPE temporal_worker_start counter\ntemporal_worker_start 1\n'), minIntervalMs: 0 }),
  });
});

afterAll(async () => {
  await endpoints?.close();
});

const get = async (path: string) => {
  const response = await fetch(`${endpoints.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
};

describe('the worker endpoints', () => {
  it('/healthz answers while the process lives', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('/readyz answers 200 when ready and 503 with the reason when not', async () => {
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
    readiness = { ready: false, reason: 'worker DRAINING' };
    expect(await get('/readyz')).toMatchObject({ status: 503, body: 'not ready: worker DRAINING\n' });
    readiness = { ready: true };
  });

  it('/metrics serves the business figures, the process and the SDK in Prometheus text', async () => {
    const { status, type, body } = await get('/metrics');
    expect(status).toBe(200);
    expect(type).toContain('text/plain');
    expect(body).toContain('renewals_operations_figures_up 1');
    expect(body).toContain('renewals_debit_attempts{outcome="succeeded",bank="ICBC"} 364');
    expect(body).toContain('renewals_debit_attempts{outcome="failed",bank="PSBC"} 156');
    expect(body).toContain('renewals_contact_attempts{channel="sms",outcome="delivered"} 12');
    expect(body).toContain('renewals_open_tasks{role="operations",age="over_7d"} 2');
    expect(body).toContain('renewals_unknown_debits_over_a_day 1');
    expect(body).toContain('renewals_provider_circuits_open 0');
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('temporal_worker_start 1');
  });

  it('/metrics says so when the figures cannot be read, and serves no stale ones', async () => {
    figures = () => Promise.reject(new Error('connection refused'));
    const { status, body } = await get('/metrics');
    figures = () => Promise.resolve(FIGURES);
    expect(status).toBe(200);
    expect(body).toContain('renewals_operations_figures_up 0');
    expect(body).not.toContain('renewals_debit_attempts{');
  });

  it('serves nothing else', async () => {
    expect((await get('/policies')).status).toBe(404);
    expect((await fetch(`${endpoints.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
