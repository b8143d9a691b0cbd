import { expect, vi } from 'vitest';
import { runCli } from '../../cli/program';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the renewals CLI in this process, capturing what it writes to stdout and stderr (as UTF-8). */
export async function runCliCaptured(args: readonly string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += Buffer.from(chunk).toString('utf8')), true));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += Buffer.from(chunk).toString('utf8')), true));
  try {
    return { code: await runCli(args), out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/**
 * A test file's CLI runner that keeps every byte printed (for its no-personal-data check), and a
 * `--json` variant that expects success and parses the answer.
 */
export function recordingCli(printed: string[]) {
  const cli = async (...args: string[]): Promise<CliRun> => {
    const run = await runCliCaptured(args);
    printed.push(run.out, run.err);
    return run;
  };
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const result = await cli(...args, '--json');
    expect(result, result.err).toMatchObject({ code: 0, err: '' });
    return JSON.parse(result.out) as T;
  };
  return { cli, json };
}
