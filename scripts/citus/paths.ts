import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The Citus release strata builds against: the newest that supports PostgreSQL 15. */
export const CITUS_VERSION = '13.2.2';
export const CITUS_SHA256 = 'dd2453caec20a830e5e63f1def5c5a98cb6f57ae510407cdcd800916fcdab430';

/**
 * Where the Citus source is unpacked and built, and where the local cluster keeps its data: a cache
 * outside the repository, so Citus compiles once per machine and a fresh clone reuses it.
 * `STRATA_CACHE` moves it; the default follows XDG (`~/.cache/strata`).
 */
export function cacheDir(): string {
  return resolve(process.env.STRATA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'strata'));
}

/** The vendored source tarball, beside the project in `../shared/vendor/` (or `CITUS_TARBALL`). */
export function tarballPath(projectDir: string): string {
  return resolve(process.env.CITUS_TARBALL ?? join(projectDir, '..', 'shared', 'vendor', `citus-${CITUS_VERSION}.tar.gz`));
}
