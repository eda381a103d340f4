import { describeNode } from '../core/errors.ts';
import { qualified } from '../core/sql.ts';
import type { Manifest } from '../core/types.ts';
import { publicRelationOf, sourceRelations } from './relations.ts';

/**
 * Token target → the name a person would query: models and seeds by their public view
 * (`"gold"."customers"`), sources by their physical table. For the `compile` command, whose
 * output is meant to be read or pasted into psql, not executed by a build.
 * `self` is the node whose SQL is being resolved (for `this`); without it `this` is written back
 * as `{{ this }}`, as the model's author wrote it.
 */
export function publicPlanResolver(manifest: Manifest, self?: string): (target: string) => string {
  const nodes = new Map(manifest.nodes.map((n) => [n.id, n]));
  const sources = sourceRelations(manifest);
  return (target) => {
    const id = target === 'this' ? self : target;
    if (id === undefined) return '{{ this }}';
    const source = sources.get(id);
    if (source) return qualified(source);
    const node = nodes.get(id);
    if (!node) throw new Error(`publicPlanResolver: ${describeNode(id, undefined)} is not in the manifest`);
    return qualified(publicRelationOf(node));
  };
}
