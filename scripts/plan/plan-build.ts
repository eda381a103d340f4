import { UsageError } from '../core/errors.ts';
import type { Manifest, Plan, PublishedState, Relation } from '../core/types.ts';
import { buildTag, versionedSchema } from './build-tag.ts';
import { planNode } from './plan-node.ts';
import { planTests } from './plan-tests.ts';
import { changedRowsScope, keyScopedSql } from './scoped-keys.ts';
import { scopedSubject } from './scoped-tests.ts';
import { buildLookup, publicRelationOf } from './relations.ts';

/** What plan needs besides the manifest; the build id is decided by the caller (the database). */
export interface PlanInput {
  readonly buildId: number;
  /** node ids from selectNodes */
  readonly selected: ReadonlySet<string>;
  readonly published: PublishedState;
  readonly fullRefresh: boolean;
}

/**
 * Decides the physical name of everything a build writes and reads, and resolves every
 * relation token. Pure: the same manifest and input give the same plan, byte for byte.
 * Throws a UsageError listing every unselected, never-published node the selection reads.
 *
 * @example planBuild(manifest, { buildId: 42, selected, published, fullRefresh: false })
 * // nodes[i].target = { schema: 'gold__b000042', name: 'customers' }
 */
export function planBuild(manifest: Manifest, input: PlanInput): Plan {
  const tag = buildTag(input.buildId);
  const built = manifest.nodes.filter(
    (n) => input.selected.has(n.id) && n.config.materialized !== 'ephemeral',
  );
  const layers = [...new Set(built.map((n) => n.config.schema))].sort();
  const schemas = Object.fromEntries(layers.map((l) => [l, versionedSchema(l, tag)]));
  const targets = new Map<string, Relation>(
    built.map((n) => [n.id, { schema: versionedSchema(n.config.schema, tag), name: publicRelationOf(n).name }]),
  );
  const lookup = buildLookup(manifest, targets, input.published);

  const problems: string[] = [];
  const ctx = { manifest, published: input.published, fullRefresh: input.fullRefresh, buildId: input.buildId, lookup, problems };
  const nodes = built.map((n) => planNode(n, targets.get(n.id)!, ctx));
  if (problems.length > 0) {
    throw new UsageError(`cannot plan this build:\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}`);
  }

  const overlay: Record<string, Relation> = { ...input.published.relations, ...Object.fromEntries(targets) };
  const publishRelations = Object.fromEntries(
    Object.keys(overlay).sort().map((id) => [id, overlay[id]!]),
  );

  const planned = new Map(nodes.map((p) => [p.node.id, p]));
  const keyScope = { manifest, planned, published: input.published, lookup, fullRefresh: input.fullRefresh };
  return {
    buildId: input.buildId,
    buildTag: tag,
    nodes,
    tests: planTests(
      manifest, input.selected, lookup,
      (test) => scopedSubject(test, manifest, planned, input.published),
      (test) => keyScopedSql(test, keyScope),
      (test) => changedRowsScope(test, keyScope),
    ),
    schemas,
    publishRelations,
    fullRefresh: input.fullRefresh,
  };
}
