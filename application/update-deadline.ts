import { DEFAULT_UPDATE_TIMEOUT_MS } from '../config/settings';

/**
 * An update waits for a worker to run the workflow: with none running it would wait for ever. Past
 * this (RENEWALS_UPDATE_TIMEOUT_MS, read by the entry point) the operator is told, rather than left
 * looking at a silent terminal.
 */
export interface UpdateOptions {
  updateTimeoutMs?: number;
}

export function updateTimeoutMs(options: UpdateOptions = {}): number {
  return options.updateTimeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS;
}
