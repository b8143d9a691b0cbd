import { spawnSync } from 'node:child_process';

export interface RunResult {
  ok: boolean;
  output: string;
}

/** Runs a command to completion, capturing output so a failure can say why. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): RunResult {
  const result = spawnSync(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) return { ok: false, output: result.error.message };
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { ok: result.status === 0, output };
}

/** Whether a program is on PATH. */
export function hasCommand(command: string): boolean {
  return run('sh', ['-c', `command -v ${command}`]).ok;
}

/** The last lines of a command's output, enough to say why it failed. */
export function tail(output: string, lines = 15): string {
  return output.trim().split('\n').slice(-lines).join('\n');
}
