import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { ConnectionError, StrataError } from '../core/errors.ts';
import type { Database } from '../db/connect.ts';
import { stateDirOf } from '../db/embedded.ts';
import { describeUrl } from '../db/redact.ts';

export interface ReadOnlyLimits {
  /** rows a result may return before it is cut */
  readonly rowLimit: number;
  /** milliseconds a statement may run */
  readonly statementTimeoutMs: number;
}

/**
 * A pool logged in AS the BI role (not `set role` from the owner: a session that started as the
 * owner could switch back), with every transaction read-only and a statement timeout set at
 * connection time. The URL is STRATA_BI_URL when set, else the project's database URL with the
 * BI role as user and the password strata keeps in `.strata/bi-password`.
 */
export async function openBiPool(db: Database, role: string, projectDir: string, limits: ReadOnlyLimits): Promise<pg.Pool> {
  const url = process.env['STRATA_BI_URL'] ?? (await biUrl(db.url, role, projectDir));
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    application_name: 'strata-mcp',
    options: `-c default_transaction_read_only=on -c statement_timeout=${limits.statementTimeoutMs} -c idle_in_transaction_session_timeout=${limits.statementTimeoutMs * 2}`,
  });
  pool.on('error', () => {});
  try {
    (await pool.connect()).release();
  } catch (error) {
    const { host, port, database } = describeUrl(url);
    await pool.end().catch(() => {});
    throw new ConnectionError(host, port, database, `as BI role ${role}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return pool;
}

async function biUrl(ownerUrl: string, role: string, projectDir: string): Promise<string> {
  const file = join(stateDirOf(projectDir), 'bi-password');
  if (!existsSync(file)) {
    throw new StrataError(
      `the MCP server connects as the BI role ${role}, whose password strata keeps in ${file}; that file does not exist. ` +
        'Run npm run build-models once (it creates the role), or set STRATA_BI_URL.',
    );
  }
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = (await readFile(file, 'utf8')).trim();
  return url.toString();
}
