import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectSettings } from '../core/types.ts';
import type { Database } from '../db/connect.ts';

/** How a BI tool connects: the read-only role's connection string, never a password. */
export async function biConnectionHint(settings: ProjectSettings, db: Database, stateDir: string): Promise<string> {
  const url = new URL(db.displayUrl);
  url.username = settings.biRole;
  url.password = '';
  const passwordFile = join(stateDir, 'bi-password');
  const where = existsSync(passwordFile)
    ? `password in ${passwordFile}`
    : `set its password with: alter role ${settings.biRole} password '…'`;
  const server = db.embedded ? ` (embedded server; keep it running with: npm run db)` : '';
  return `BI tools: ${url.toString()}  (${where}; reads ${settings.biLayers.join(', ')})${server}`;
}
