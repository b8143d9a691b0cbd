import { createServer, type Server } from 'node:http';
import type { Readiness } from './readiness';
import type { WorkerMetrics } from './worker-metrics';

export interface WorkerEndpoints {
  /** http://host:port, with the port the system chose when asked for 0. */
  url: string;
  close(): Promise<void>;
}

/**
 * The worker process's HTTP face for its orchestrator and Prometheus: /healthz (the process
 * answers), /readyz (ready to take work, else 503 with the reason) and /metrics (Prometheus text).
 * Nothing else is served; no URL carries anything but these paths.
 */
export function startWorkerEndpoints(options: { host: string; port: number; readiness: () => Promise<Readiness>; metrics: WorkerMetrics }): Promise<WorkerEndpoints> {
  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(body);
    };
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
    const answer = async (): Promise<void> => {
      switch (path) {
        case '/healthz':
          return reply(200, 'ok\n');
        case '/readyz': {
          const readiness = await options.readiness();
          return readiness.ready ? reply(200, 'ready\n') : reply(503, `not ready: ${readiness.reason}\n`);
        }
        case '/metrics':
          return reply(200, await options.metrics.exposition(), options.metrics.contentType);
        default:
          return reply(404, 'not found: /healthz, /readyz, /metrics\n');
      }
    };
    answer().catch((error: unknown) => reply(500, `error: ${error instanceof Error ? error.message : String(error)}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
