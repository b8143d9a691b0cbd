import { createServer } from 'node:net';

/**
 * The SDK's own metrics (pollers, task latencies, slots, activity failures) come from Temporal core's
 * Prometheus exporter, the one SDK 1.24 supports for Prometheus (its buffered alternative is marked
 * experimental). It listens on a loopback port of its own, chosen free at start-up, and the worker's
 * /metrics reads it there and serves it with the business figures: one endpoint to scrape.
 */
export function freeLoopbackAddress(): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

/** Core's exposition, or a comment saying why it is missing (the business figures still go out). */
export async function readSdkMetrics(address: string, timeoutMs = 2_000): Promise<string> {
  try {
    const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return `# SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# SDK metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`;
  }
}
