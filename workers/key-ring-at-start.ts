import { KeyRingRefused, type KeyRingState } from '../db/key-ring';

/** A start-up check's verdict that no retry can change (the worker's own database role, say). */
export class WorkerRefused extends Error {
  override readonly name = 'WorkerRefused';
}

/**
 * The key ring check a worker makes before it takes any work (db/key-ring.ts). A wrong key ends the
 * process at once; a database that does not answer yet is asked again every `retryMs`, so the
 * process stays alive (not ready) under an orchestrator instead of crash-looping. Nothing is polled
 * from Temporal meanwhile: no activity may write under a key the database has not accepted.
 * Undefined when the process is told to stop first.
 */
export async function checkKeyRingWhenDatabaseAnswers(
  check: () => Promise<KeyRingState>,
  options: { retryMs: number; stopped: Promise<void>; onWait: (reason: string) => void },
): Promise<KeyRingState | undefined> {
  const stop = options.stopped.then(() => 'stop' as const);
  for (;;) {
    try {
      const answer = await Promise.race([check(), stop]);
      if (answer === 'stop') return undefined;
      return answer;
    } catch (error) {
      if (error instanceof KeyRingRefused || error instanceof WorkerRefused) throw error;
      options.onWait(`database: ${error instanceof Error ? error.message : String(error)}`);
    }
    const pause = new Promise<'again'>((resolve) => setTimeout(() => resolve('again'), options.retryMs).unref());
    if ((await Promise.race([pause, stop])) === 'stop') return undefined;
  }
}
