import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `renewals login` keeps the personal token: $XDG_CONFIG_HOME/renewals/token, else
 * ~/.config/renewals/token; the directory 0700 and the file 0600 (docs/architecture.md#people).
 */
export function tokenFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'renewals', 'token');
}

export async function writeTokenFile(token: string): Promise<string> {
  const path = tokenFilePath();
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  // Written 0600 from the start, so the secret is never readable by others, not even briefly.
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

export async function readTokenFile(): Promise<string | undefined> {
  try {
    const text = (await readFile(tokenFilePath(), 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function deleteTokenFile(): Promise<void> {
  await rm(tokenFilePath(), { force: true });
}
