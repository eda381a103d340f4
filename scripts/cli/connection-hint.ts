import { join } from 'node:path';
import type { ProjectSettings } from '../core/types.ts';
import type { Database } from '../db/connect.ts';
import { checkBiPassword } from '../publish/bi-password-check.ts';

/**
 * How a BI tool connects: the read-only role's connection string, never a password. The kept
 * password is tried once (a cheap connection) so the hint never points at a file that no longer works.
 */
export async function biConnectionHint(settings: ProjectSettings, db: Database, stateDir: string): Promise<string> {
  const url = new URL(db.displayUrl);
  url.username = settings.biRole;
  url.password = '';
  const passwordFile = join(stateDir, 'bi-password');
  const check = await checkBiPassword(db.url, settings.biRole, passwordFile);
  const setIt = `alter role ${settings.biRole} password '…'`;
  const where = check.ok
    ? `password in ${passwordFile}`
    : check.reason === 'no password file'
      ? `set its password with: ${setIt}`
      : check.reason === 'mismatch'
        ? `the password in ${passwordFile} does NOT work: the role's password was changed elsewhere (another checkout on this server?); ` +
          `set it again with ${setIt} and write the same password into ${passwordFile}`
        : `could not connect as ${settings.biRole} with the password in ${passwordFile}: ${check.detail}`;
  const server = db.embedded ? ` (embedded server; keep it running with: npm run db)` : '';
  return `BI tools: ${url.toString()}  (${where}; reads ${settings.biLayers.join(', ')})${server}`;
}
