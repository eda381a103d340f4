import type pg from 'pg';
import type { Manifest, NodeResult } from '../core/types.ts';

/** The landing table whose rows say which batches are retracted. */
const BATCHES_SOURCE = 'source.landing.load_batches';

/**
 * After a build is published: records in strata_meta.applied_retractions every retracted batch
 * not recorded yet, when this build rebuilt, successfully, every node that reads the batches
 * (directly or through other nodes). Only then have all of them removed the batch's lines, and
 * the incremental models may stop recomputing what it touched. A build that selected only some
 * of them leaves the retraction pending. Returns the batches recorded.
 */
export async function recordAppliedRetractions(
  pool: pg.Pool,
  buildId: number,
  manifest: Manifest,
  nodes: readonly NodeResult[],
): Promise<readonly number[]> {
  const readers = readersOf(manifest, BATCHES_SOURCE);
  const built = new Set(nodes.filter((n) => n.status === 'success').map((n) => n.id));
  if (readers.size === 0 || ![...readers].every((id) => built.has(id))) return [];
  const recorded = await pool.query<{ batch_id: string }>(
    `insert into strata_meta.applied_retractions (batch_id, build_id)
     select batch_id, $1 from landing.load_batches
      where status = 'retracted'
        and batch_id not in (select batch_id from strata_meta.applied_retractions)
     returning batch_id`,
    [buildId],
  );
  return recorded.rows.map((r) => Number(r.batch_id)).sort((a, b) => a - b);
}

/** Every model that reads `source`, directly or through other models (ephemeral ones excluded: they are not built). */
function readersOf(manifest: Manifest, source: string): Set<string> {
  const readers = new Set<string>();
  const through = new Set<string>();
  for (const node of manifest.nodes) {
    // manifest.nodes is in topological order: a node's inputs come before it
    if (node.sources.includes(source) || node.dependsOn.some((d) => through.has(d))) {
      through.add(node.id);
      if (node.config.materialized !== 'ephemeral') readers.add(node.id);
    }
  }
  return readers;
}
