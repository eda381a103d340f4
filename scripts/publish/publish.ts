import type pg from 'pg';
import { qualified, quoteIdent } from '../core/sql.ts';
import type { CompiledNode, Manifest } from '../core/types.ts';
import type { OperationsProject } from '../load/operations.ts';
import { applyBiAccess, type BiAccess } from './bi-role.ts';
import { DEFAULT_RETRY, inShortLockTransaction, type RetryOptions } from './lock-retry.ts';
import { dimensionColumns } from './dimensions.ts';
import { installOperations, OPERATIONS_SCHEMA } from './operations.ts';
import type { LiveRow } from './published-state.ts';
import { swapView } from './swap-view.ts';

export interface PublishRequest {
  readonly manifest: Manifest;
  readonly buildId: number;
  /** the nodes whose pointer moves: a build's outputs, or a whole earlier publication (rollback) */
  readonly rows: readonly LiveRow[];
  readonly kind: 'publish' | 'rollback';
  readonly by: string;
  readonly retry?: RetryOptions;
  readonly bi: BiAccess;
  /** the gold operations (functions over the public gold views), created once the views point at the build */
  readonly operations?: OperationsProject;
}

/**
 * Write-audit-publish, the last step, in ONE transaction: the pointer rows of
 * `strata_meta.live` move to this build (one UPDATE; readers never wait for it, and each reader
 * statement sees the old build or the new one, whole, by MVCC), the publication is recorded, and
 * the one BI-access rule is applied. A public view is (re)defined only when it is new or its
 * definition changed (new column layout, changed view model): the only case that takes a lock a
 * reader holds, retried with a short lock_timeout. A failure leaves the old build published, whole.
 * @returns the publication id
 */
export async function publish(pool: pg.Pool, request: PublishRequest): Promise<number> {
  const client = await pool.connect();
  try {
    return await inShortLockTransaction(
      client,
      async () => {
        await defineChangedViews(client, request);
        await client.query(
          `insert into strata_meta.live
             (node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build)
           select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])
           on conflict (node_id) do update set
             kind = excluded.kind, public_schema = excluded.public_schema, public_name = excluded.public_name,
             view_sql = excluded.view_sql, physical_schema = excluded.physical_schema,
             physical_name = excluded.physical_name, gen = excluded.gen, data_build = excluded.data_build`,
          columnsOf(request.rows),
        );
        const inserted = await client.query<{ publication_id: string }>(
          `insert into strata_meta.publications (build_id, kind, published_by) values ($1, $2, $3) returning publication_id`,
          [request.buildId, request.kind, request.by],
        );
        const publicationId = Number(inserted.rows[0]!.publication_id);
        await client.query(
          `insert into strata_meta.published_relations
             (publication_id, node_id, public_schema, public_name, physical_schema, physical_name, kind, view_sql, gen, data_build)
           select $1, node_id, public_schema, public_name, physical_schema, physical_name, kind, view_sql, gen, data_build
             from strata_meta.live`,
          [publicationId],
        );
        if (request.operations) {
          const dimensions = dimensionColumns(request.manifest, OPERATIONS_SCHEMA);
          for (const note of await installOperations(client, request.operations, request.bi.role, dimensions)) request.retry?.log?.(note);
        }
        await applyBiAccess(client, request.bi, request.manifest);
        if (request.kind === 'publish') {
          await client.query('update strata_meta.builds set published = true where build_id = $1', [request.buildId]);
        }
        return publicationId;
      },
      request.retry ?? DEFAULT_RETRY,
    );
  } finally {
    client.release();
  }
}

/** New views and views whose definition changed, inputs before the views reading them. */
async function defineChangedViews(client: pg.PoolClient, request: PublishRequest): Promise<void> {
  const live = await client.query<LiveRow & { present: boolean }>(
    `select node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build,
            to_regclass(format('%I.%I', public_schema, public_name)) is not null as present
       from strata_meta.live`,
  );
  const current = new Map(live.rows.map((r) => [r.node_id, r]));
  const nodes = new Map(request.manifest.nodes.map((n) => [n.id, n]));
  const changed = request.rows.filter((row) => {
    const now = current.get(row.node_id);
    return !now || !now.present || now.view_sql !== row.view_sql || now.public_schema !== row.public_schema || now.public_name !== row.public_name;
  });
  // every public view strata defines, as it must read after this publish
  const next = new Map<string, LiveRow>(live.rows.map((r) => [r.node_id, r]));
  for (const row of request.rows) next.set(row.node_id, row);
  const byName = new Map([...next.values()].map((r) => [qualified({ schema: r.public_schema, name: r.public_name }), r]));
  const ours = new Set(byName.keys());
  const schemas = new Set<string>();
  const define = async (row: LiveRow): Promise<readonly string[]> => {
    if (!schemas.has(row.public_schema)) {
      await client.query(`create schema if not exists ${quoteIdent(row.public_schema)}`);
      schemas.add(row.public_schema);
    }
    const node = nodes.get(row.node_id);
    return swapView(client, {
      node: row.node_id,
      publicRelation: { schema: row.public_schema, name: row.public_name },
      sql: row.view_sql,
      columns: node?.columns ?? [],
      ours,
      ...(node?.description ? { description: node.description } : {}),
    });
  };
  const dropped = new Set<string>();
  for (const row of inDependencyOrder(changed, nodes)) {
    for (const name of await define(row)) dropped.add(name);
  }
  // strata's views dropped with a view whose columns changed are defined again, inputs first
  const again = [...dropped].map((name) => byName.get(name)!).filter((r) => !changed.includes(r));
  for (const row of inDependencyOrder(again, nodes)) await define(row);
}

/** Rows ordered so a view model comes after the nodes it reads (depth-first on dependsOn). */
function inDependencyOrder(rows: readonly LiveRow[], nodes: ReadonlyMap<string, CompiledNode>): readonly LiveRow[] {
  const byId = new Map(rows.map((r) => [r.node_id, r]));
  const out: LiveRow[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dep of nodes.get(id)?.dependsOn ?? []) visit(dep);
    const row = byId.get(id);
    if (row) out.push(row);
  };
  for (const r of [...rows].sort((a, b) => a.node_id.localeCompare(b.node_id))) visit(r.node_id);
  return out;
}

function columnsOf(rows: readonly LiveRow[]): unknown[] {
  return [
    rows.map((r) => r.node_id),
    rows.map((r) => r.kind),
    rows.map((r) => r.public_schema),
    rows.map((r) => r.public_name),
    rows.map((r) => r.view_sql),
    rows.map((r) => r.physical_schema),
    rows.map((r) => r.physical_name),
    rows.map((r) => r.gen),
    rows.map((r) => r.data_build),
  ];
}

/** What one build wrote, ready to publish (`strata_meta.build_outputs`). */
export async function buildOutputs(db: pg.Pool | pg.PoolClient, buildId: number): Promise<readonly LiveRow[]> {
  const found = await db.query<LiveRow>(
    `select node_id, kind, public_schema, public_name, view_sql, physical_schema, physical_name, gen, data_build
       from strata_meta.build_outputs where build_id = $1 order by node_id`,
    [buildId],
  );
  return found.rows;
}
