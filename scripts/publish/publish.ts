import type pg from 'pg';
import { quoteIdent } from '../core/ts-model.ts';
import type { Manifest, Relation } from '../core/types.ts';
import type { OperationsProject } from '../load/operations.ts';
import { grantBi, type BiAccess } from './bi-role.ts';
import { DEFAULT_RETRY, inShortLockTransaction, type RetryOptions } from './lock-retry.ts';
import { installOperations } from './operations.ts';
import { swapView } from './swap-view.ts';

export interface PublishRequest {
  readonly manifest: Manifest;
  readonly buildId: number;
  /** node id → physical relation the public view must show */
  readonly relations: Readonly<Record<string, Relation>>;
  readonly kind: 'publish' | 'rollback';
  readonly by: string;
  readonly retry?: RetryOptions;
  readonly bi?: BiAccess;
  /** the gold operations (functions over the public gold views), created once the views point at the build */
  readonly operations?: OperationsProject;
}

/**
 * Write-audit-publish, the last step: in ONE transaction every public view is pointed at its
 * physical object and the publication is recorded. Readers see the old build or the new one,
 * never a mix, and a failure anywhere leaves the old build published, whole.
 * @returns the publication id
 */
export async function publish(pool: pg.Pool, request: PublishRequest): Promise<number> {
  const client = await pool.connect();
  try {
    return await inShortLockTransaction(
      client,
      async () => {
        const layers = new Set<string>();
        const published: { node: string; publicRelation: Relation; physical: Relation }[] = [];
        for (const node of request.manifest.nodes) {
          const physical = request.relations[node.id];
          if (!physical || node.config.materialized === 'ephemeral') continue;
          const publicRelation = { schema: node.config.schema, name: node.config.alias ?? node.name };
          if (!layers.has(publicRelation.schema)) {
            await client.query(`create schema if not exists ${quoteIdent(publicRelation.schema)}`);
            layers.add(publicRelation.schema);
          }
          await swapView(client, {
            node: node.id,
            publicRelation,
            physical,
            columns: node.columns,
            ...(node.description ? { description: node.description } : {}),
          });
          published.push({ node: node.id, publicRelation, physical });
        }
        const inserted = await client.query<{ publication_id: string }>(
          `insert into strata_meta.publications (build_id, kind, published_by) values ($1, $2, $3) returning publication_id`,
          [request.buildId, request.kind, request.by],
        );
        const publicationId = Number(inserted.rows[0]!.publication_id);
        await client.query(
          `insert into strata_meta.published_relations
             (publication_id, node_id, public_schema, public_name, physical_schema, physical_name)
           select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
          [
            publicationId,
            published.map((p) => p.node),
            published.map((p) => p.publicRelation.schema),
            published.map((p) => p.publicRelation.name),
            published.map((p) => p.physical.schema),
            published.map((p) => p.physical.name),
          ],
        );
        if (request.operations) await installOperations(client, request.operations, request.bi?.role);
        if (request.bi) await grantBi(client, request.bi);
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
