import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';

/**
 * The BI role's connection string: `STRATA_BI_URL` when set, else the project's database
 * (`ownerUrl`) with the BI role and the password strata keeps in `.strata/bi-password`. The
 * dashboard reads only through this role, so it sees exactly what a BI tool sees.
 */
export async function biUrl(ownerUrl: string, biRole: string, stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.STRATA_BI_URL) return env.STRATA_BI_URL;
  const passwordFile = join(stateDir, 'bi-password');
  if (!existsSync(passwordFile)) {
    throw new UsageError(
      `no password for the BI role ${biRole} in ${passwordFile}: run npm run build-models once (it creates the role), or set STRATA_BI_URL`,
    );
  }
  const url = new URL(ownerUrl);
  url.username = biRole;
  url.password = (await readFile(passwordFile, 'utf8')).trim();
  return url.toString();
}

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
