import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** The environment of this test process without the variables named: a shell where they are unset. */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of names) delete env[name];
  return env;
}

/** A TypeScript entry point (the CLI, the worker, a script) in its own process, as an operator runs it. */
export function startChild(entry: 'cli' | 'worker' | 'migrate', args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const argv = entry === 'cli' ? [resolve('bin/renewals'), ...args] : ['--import', 'tsx', entry === 'worker' ? 'workers/main.ts' : 'scripts/migrate.ts', ...args];
  return spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a child to end, with everything it printed. */
export function finished(child: ChildProcess): Promise<ChildRun> {
  return new Promise((done, fail) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, out, err }));
  });
}

export function runChild(entry: 'cli' | 'worker' | 'migrate', args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return finished(startChild(entry, args, env));
}
