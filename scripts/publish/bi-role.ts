import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Relation } from '../core/types.ts';

export interface BiAccess {
  readonly role: string;
  /** public layers the role may read (default gold) */
  readonly layers: readonly string[];
  /** public views holding personal data: never granted */
  readonly hidden: readonly Relation[];
}

/**
 * Creates the read-only BI role when it is missing. Its password is generated once and kept in
 * `.strata/bi-password` (gitignored, mode 600); it is never printed. Returns a note for the user,
 * or a warning when the connecting user may not create roles.
 */
export async function ensureBiRole(pool: pg.Pool, role: string, stateDir: string): Promise<string> {
  const exists = await pool.query('select 1 from pg_roles where rolname = $1', [role]);
  const passwordFile = join(stateDir, 'bi-password');
  if (exists.rowCount && exists.rowCount > 0) return `BI role ${role} exists`;
  const password = existsSync(passwordFile)
    ? (await readFile(passwordFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  // the file first: a role whose password nobody kept would be useless
  await mkdir(stateDir, { recursive: true });
  await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  try {
    await pool.query(`create role ${quoteIdent(role)} login password ${quoteLiteral(password)} nosuperuser nocreatedb nocreaterole`);
  } catch (error) {
    return `could not create BI role ${role}: ${(error as Error).message}`;
  }
  return `created BI role ${role}; its password is in ${passwordFile}`;
}

/** Grants, inside the publish transaction, so the new views are readable the moment they appear. */
export async function grantBi(client: pg.PoolClient, access: BiAccess): Promise<void> {
  const found = await client.query('select 1 from pg_roles where rolname = $1', [access.role]);
  if (!found.rowCount) return;
  const role = quoteIdent(access.role);
  for (const layer of access.layers) {
    const exists = await client.query('select 1 from pg_namespace where nspname = $1', [layer]);
    if (!exists.rowCount) continue;
    await client.query(`grant usage on schema ${quoteIdent(layer)} to ${role}`);
    await client.query(`grant select on all tables in schema ${quoteIdent(layer)} to ${role}`);
  }
  for (const relation of access.hidden) {
    const exists = await client.query('select to_regclass($1) as r', [qualified(relation)]);
    if (exists.rows[0]?.r) await client.query(`revoke all on ${qualified(relation)} from ${role}`);
  }
}
