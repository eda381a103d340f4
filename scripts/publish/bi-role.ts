import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Manifest } from '../core/types.ts';
import { publicRelationOf } from '../plan/relations.ts';

/** Who may read what: the settings the one BI-access rule (`applyBiAccess`) needs. */
export interface BiAccess {
  readonly role: string;
  /** public layers the role may read (default gold) */
  readonly layers: readonly string[];
}

/** The project's BI settings. */
export function biAccessOf(settings: { readonly biRole: string; readonly biLayers: readonly string[] }): BiAccess {
  return { role: settings.biRole, layers: settings.biLayers };
}

/**
 * The password kept in `file`, or a new one kept there. Two builds of one project may start at
 * once (test files do): the file is created exclusively, so one password wins and the other
 * process reads it, waiting out the moment between the file's creation and its content. An empty
 * file (left by a strata that wrote it non-atomically) is replaced.
 */
async function keptPassword(file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const fresh = randomBytes(18).toString('base64url');
  try {
    await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const kept = (await readFile(file, 'utf8')).trim();
    if (kept) return kept;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await writeFile(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
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
  // the file first: a role whose password nobody kept would be useless
  const password = await keptPassword(passwordFile);
  try {
    await pool.query(`create role ${quoteIdent(role)} login password ${quoteLiteral(password)} nosuperuser nocreatedb nocreaterole`);
  } catch (error) {
    return `could not create BI role ${role}: ${(error as Error).message}`;
  }
  return `created BI role ${role}; its password is in ${passwordFile}`;
}

/**
 * The one BI-access rule, applied by every publish (build and rollback) inside its transaction:
 * the BI role may use the BI layers and read every relation in them except the public views of
 * `pii: true` models; it gets nothing anywhere else (silver, bronze, strata_store, strata_meta).
 * Privileges are compared first and changed only where they differ, so a publish that changes
 * nothing takes no lock a reader could notice.
 */
export async function applyBiAccess(client: pg.PoolClient, access: BiAccess, manifest: Manifest): Promise<void> {
  const found = await client.query('select 1 from pg_roles where rolname = $1', [access.role]);
  if (!found.rowCount) return;
  const role = quoteIdent(access.role);
  const hidden = new Set(manifest.nodes.filter((n) => n.config.pii).map((n) => qualified(publicRelationOf(n))));
  const relations = await client.query<{ schema: string; name: string; readable: boolean; used: boolean }>(
    `select n.nspname as schema, c.relname as name,
            has_table_privilege($1, c.oid, 'select') as readable,
            has_schema_privilege($1, n.oid, 'usage') as used
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($2) and c.relkind in ('r', 'v', 'm', 'p', 'f')
      order by 1, 2`,
    [access.role, access.layers],
  );
  const layers = await client.query<{ schema: string; used: boolean }>(
    `select nspname as schema, has_schema_privilege($1, oid, 'usage') as used from pg_namespace where nspname = any($2)`,
    [access.role, access.layers],
  );
  for (const layer of layers.rows) {
    if (!layer.used) await client.query(`grant usage on schema ${quoteIdent(layer.schema)} to ${role}`);
  }
  for (const r of relations.rows) {
    const name = qualified({ schema: r.schema, name: r.name });
    const allowed = !hidden.has(name);
    if (allowed && !r.readable) await client.query(`grant select on ${name} to ${role}`);
    if (!allowed && r.readable) await client.query(`revoke all on ${name} from ${role}`);
  }
}
