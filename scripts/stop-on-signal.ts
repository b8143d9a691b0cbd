/**
 * Stops a server script once, on SIGINT or SIGTERM, one step after the other: stop its timers and
 * requests first, then release the Temporal connection and the database pool they were using.
 */
export function stopOnSignal(...steps: (() => unknown)[]): void {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const step of steps) await step();
    })());
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
