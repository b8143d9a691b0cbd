import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OperatorError } from './errors';

/**
 * Files handed to people or banks: reports, audit exports, the pain.008, the simulator's outputs.
 * Each is written aside in full and then put in place, so nobody opens half a file; one holding
 * personal data is readable by its owner only (0600: PIPL Art. 51, least-privilege access); and a
 * file already there is replaced only when the operator says so (--force).
 */
export interface OutputFileOptions {
  /** Names, ID or account numbers, contact points: owner-only. Otherwise as the umask allows. */
  personalData: boolean;
  /** Replace a file already there. */
  force?: boolean;
}

/** An output file that is already there, and no --force: bad usage (exit code 2), said in one line. */
export class OutputFileExists extends OperatorError {
  constructor(
    readonly path: string,
    message = `${path} already exists: give --force to replace it`,
  ) {
    super(message, true);
    this.name = 'OutputFileExists';
  }
}

/** Before any work: refuse a file already there unless forced, in the command's own words if it has them. */
export function refuseExistingOutput(path: string, force: boolean | undefined, message?: string): void {
  if (!force && existsSync(path)) throw new OutputFileExists(path, message);
}

export interface StagedOutput {
  /** The file being written, next to its final place (so the move stays on one file system). */
  path: string;
  handle: FileHandle;
}

/** A new file only this user can write, beside `out`, with the mode `out` will have. */
export async function stageOutput(out: string, personalData: boolean): Promise<StagedOutput> {
  const path = join(dirname(resolve(out)), `.${basename(out)}.${randomBytes(4).toString('hex')}.partial`);
  return { path, handle: await open(path, 'wx', personalData ? 0o600 : 0o666) };
}

/**
 * Puts a staged file in place. Without force, a hard link is the move that cannot replace a file
 * someone created in the meantime; where the file system has no hard links, a last look before
 * the rename has to do.
 */
export async function placeOutput(staged: string, out: string, force: boolean | undefined): Promise<void> {
  if (force) {
    await rename(staged, out);
    return;
  }
  try {
    await link(staged, out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OutputFileExists(out);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    refuseExistingOutput(out, false);
    await rename(staged, out);
    return;
  }
  await unlink(staged);
}

/** Writes a whole output file: staged with its mode, then put in place. */
export async function writeOutputFile(out: string, content: string | Uint8Array, options: OutputFileOptions): Promise<void> {
  const staged = await stageOutput(out, options.personalData);
  try {
    await staged.handle.writeFile(content);
    await staged.handle.close();
    await placeOutput(staged.path, out, options.force);
  } finally {
    await staged.handle.close().catch(() => undefined);
    await rm(staged.path, { force: true });
  }
}
