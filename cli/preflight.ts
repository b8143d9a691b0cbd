import { creditor } from './context';

/**
 * Settings a command cannot run without, checked before sign-in (which reads the database): a shell
 * that is missing the insurer's own configuration hears that first, in one line, and nothing is read.
 */
const PREFLIGHT: Readonly<Record<string, () => unknown>> = {
  'bank export': creditor,
  'bank ingest': creditor,
};

export function preflight(path: string): void {
  PREFLIGHT[path]?.();
}
