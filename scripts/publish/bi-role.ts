import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { qualified, quoteIdent, quoteLiteral } from '../core/sql.ts';
import type { Manifest } from '../core/types.ts';
import { StrataError } from '../core/errors.ts';
import { hasCitus } from '../execute/distribute.ts';
import { STORE_SCHEMA } from '../execute/materializations/store-layout.ts';
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
  await grantShards(client, access, manifest);
}

/**
 * On Citus, a BI reader's query of a public view over a distributed table runs on the workers as
 * the BI role itself: the view owner's rights are checked on the coordinator only, so the workers
 * answer "permission denied for schema strata_store". The role gets, on the workers only, usage
 * of strata_store and SELECT on the shards of the distributed parents (and reference tables)
 * behind the BI layers' published views, except `pii` models (revoked if they were granted). On the coordinator it still
 * has nothing in strata_store: it reads the published rows through the views and cannot reach an
 * unpublished partition. Nothing happens on plain PostgreSQL. GRANT is idempotent, so every
 * publish (build and rollback) applies it again; a new parent (a changed column layout) is covered
 * the moment it is published.
 */
async function grantShards(client: pg.PoolClient, access: BiAccess, manifest: Manifest): Promise<void> {
  if (!(await hasCitus(client))) return;
  const pii = manifest.nodes.filter((n) => n.config.pii).map((n) => n.id);
  const parents = await client.query<{ parent: string; pii: boolean }>(
    `select distinct p.oid::regclass::text as parent, l.node_id = any($2) as pii
       from strata_meta.live l
       join pg_namespace n on n.nspname = l.physical_schema
       join pg_class c on c.relnamespace = n.oid and c.relname = l.physical_name
       join pg_inherits i on i.inhrelid = c.oid
       join pg_class p on p.oid = i.inhparent
       join pg_dist_partition d on d.logicalrelid = p.oid
      where l.kind = 'stored' and l.public_schema = any($1)
     union
     -- a reference node's build is a view of its reference table (store-reference.ts)
     select p.oid::regclass::text, l.node_id = any($2)
       from strata_meta.live l
       join pg_namespace n on n.nspname = l.physical_schema
       join pg_class c on c.relnamespace = n.oid and c.relname = l.physical_name and c.relkind = 'v'
       join pg_rewrite r on r.ev_class = c.oid
       join pg_depend dep on dep.objid = r.oid and dep.refobjid <> c.oid
       join pg_class p on p.oid = dep.refobjid
       join pg_dist_partition d on d.logicalrelid = p.oid and d.partmethod = 'n'
      where l.kind = 'stored' and l.public_schema = any($1)
      order by 1`,
    [access.layers, pii],
  );
  if (parents.rows.length === 0) return;
  // every shard of those parents, by name: one command per worker grants on the ones it holds
  // (one round trip for all of them; a run_command_on_shards per parent cost about 0.2 s each)
  const shards = await client.query<{ shard: string; pii: boolean }>(
    `select shard_name(s.logicalrelid, s.shardid) as shard, p.pii
       from pg_dist_shard s
       join unnest($1::text[], $2::boolean[]) as p (parent, pii) on s.logicalrelid = p.parent::regclass
      order by 1`,
    [parents.rows.map((r) => r.parent), parents.rows.map((r) => r.pii)],
  );
  const names = (hide: boolean): string =>
    `array[${shards.rows.filter((r) => r.pii === hide).map((r) => quoteLiteral(r.shard)).join(', ')}]::text[]`;
  const role = quoteIdent(access.role);
  await onWorkers(client, `select success, result from run_command_on_workers($1)`, [
    // on a worker, Citus would try to propagate a GRANT on a schema it knows and refuse
    // ("operation is not allowed on this node"): these grants are for that worker alone. A
    // worker holds some of the shards: to_regclass skips the others'.
    `set citus.enable_ddl_propagation to off;
     grant usage on schema ${quoteIdent(STORE_SCHEMA)} to ${role};
     do $grants$
     declare shard text;
     begin
       foreach shard in array ${names(false)} loop
         if to_regclass(shard) is not null then execute format('grant select on %s to %s', shard, ${quoteLiteral(role)}); end if;
       end loop;
       foreach shard in array ${names(true)} loop
         if to_regclass(shard) is not null then execute format('revoke all on %s from %s', shard, ${quoteLiteral(role)}); end if;
       end loop;
     end
     $grants$`,
  ]);
}

/** Citus's run_command_on_* report a failure per node as a row, not an error: make it one. */
async function onWorkers(client: pg.PoolClient, sql: string, params: readonly unknown[]): Promise<void> {
  const results = await client.query<{ success: boolean; result: string }>(sql, [...params]);
  const failed = results.rows.find((r) => !r.success);
  if (failed) throw new StrataError(`granting the BI role its rights on the Citus workers failed: ${failed.result}`);
}
