import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError, UsageError } from '../core/errors.ts';
import { CITUS_SHA256, CITUS_VERSION, cacheDir, tarballPath } from './paths.ts';
import { run } from './run.ts';

/** Debian packages Citus needs to compile against the system PostgreSQL 15 (README of issue 14). */
export const BUILD_PACKAGES = [
  'postgresql-15', 'postgresql-server-dev-15', 'libcurl4-openssl-dev', 'liblz4-dev', 'libzstd-dev', 'libkrb5-dev',
  'libssl-dev', 'libselinux1-dev', 'libxslt1-dev', 'libpam0g-dev', 'libreadline-dev', 'zlib1g-dev', 'flex', 'bison',
];

export interface PgInstall {
  readonly bindir: string;
  readonly pkglibdir: string;
  readonly sharedir: string;
}

/** Where the system PostgreSQL keeps its programs and extensions, from pg_config. */
export async function pgInstall(): Promise<PgInstall> {
  const ask = async (flag: string): Promise<string> => {
    try {
      return (await run('pg_config', [flag])).trim();
    } catch {
      throw new UsageError(
        `pg_config was not found: Citus builds against the system PostgreSQL 15 and its server headers.\n` +
          `Install them with: apt-get install -y ${BUILD_PACKAGES.join(' ')}`,
      );
    }
  };
  return { bindir: await ask('--bindir'), pkglibdir: await ask('--pkglibdir'), sharedir: await ask('--sharedir') };
}

/** True when this Citus version is installed into the system PostgreSQL. */
export async function citusInstalled(pg: PgInstall): Promise<boolean> {
  const control = join(pg.sharedir, 'extension', 'citus.control');
  if (!existsSync(join(pg.pkglibdir, 'citus.so')) || !existsSync(control)) return false;
  // default_version names the extension's SQL version (13.2-1), which starts with the release's minor
  return (await readFile(control, 'utf8')).includes(`default_version = '${CITUS_VERSION.split('.').slice(0, 2).join('.')}`);
}

/**
 * Compiles Citus from the vendored source once per machine (the build tree stays in the cache) and
 * installs it into the system PostgreSQL. Without LLVM bitcode (`with_llvm=no`): JIT inlining of
 * Citus functions is not worth minutes of compiling on a 2-core machine.
 */
export async function ensureCitus(projectDir: string, log: (line: string) => void): Promise<PgInstall> {
  const pg = await pgInstall();
  if (await citusInstalled(pg)) return pg;
  if (!existsSync(join(pg.pkglibdir, '..', '..', '..', 'include', 'postgresql', '15', 'server')) && !existsSync('/usr/include/postgresql/15/server')) {
    throw new UsageError(`the PostgreSQL 15 server headers are missing. Install them with: apt-get install -y ${BUILD_PACKAGES.join(' ')}`);
  }
  const source = join(cacheDir(), `citus-${CITUS_VERSION}`);
  if (!existsSync(join(source, 'configure'))) await unpack(tarballPath(projectDir), log);
  if (!existsSync(join(source, 'Makefile.global'))) {
    log(`configuring Citus ${CITUS_VERSION} in ${source}`);
    await run('./configure', ['--without-libcurl'], { cwd: source });
  }
  log(`compiling Citus ${CITUS_VERSION} (once per machine; a few minutes on 2 cores)`);
  await run('make', ['-j2', 'with_llvm=no'], { cwd: source, keep: 30 });
  log('installing Citus into the system PostgreSQL');
  await run('make', ['install', 'with_llvm=no'], { cwd: source, keep: 30 });
  if (!(await citusInstalled(pg))) throw new StrataError(`Citus ${CITUS_VERSION} was built but pg_config's directories do not show it installed`);
  return pg;
}

async function unpack(tarball: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(tarball)) throw new UsageError(`the Citus source ${tarball} is missing (set CITUS_TARBALL to its path)`);
  const digest = await sha256(tarball);
  if (digest !== CITUS_SHA256) throw new StrataError(`${tarball} has sha256 ${digest}, expected ${CITUS_SHA256}: not the vendored Citus ${CITUS_VERSION}`);
  await mkdir(cacheDir(), { recursive: true });
  log(`unpacking ${tarball} into ${cacheDir()}`);
  await run('tar', ['-xzf', tarball, '-C', cacheDir()]);
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
