import { createHash } from 'node:crypto';
import type pg from 'pg';
import { readSourceMarks } from '../audit/source-marks.ts';
import { qualified } from '../core/sql.ts';
import type { CompiledNode, Manifest, Plan, PlannedNode, PublishedState, Relation, SourceTable } from '../core/types.ts';
import { FROM, TO } from './materializations/store-layout.ts';

/**
 * The version of every input a build's nodes read (docs/storage.md, "Unchanged nodes are kept"):
 * two equal versions of an input are the same rows. Each is decided once per build:
 * - a table-like node this build writes: `b<this build>` (new rows, whatever they hold);
 * - a node this build keeps: `b<the build that wrote its partition>`;
 * - an incremental model or snapshot: its partition and the newest build that added or superseded
 *   one of its row versions, up to the build that shows it (through the `_strata_from` and
 *   `_strata_to` indexes: a few index pages, not the table);
 * - a view or an ephemeral model: a hash of its SQL and of its inputs' versions;
 * - a source that declares `changes: appended_by`: the largest value this build starts reading
 *   from (its mark, audit/source-marks.ts); `changes: transactions`: a hash of every row version's
 *   transaction and place (the declaration says the table is small);
 * - anything else: unknown (null). A source without `changes:` may change in any way, and a view
 *   this build does not select is not followed; a node reading one is never kept.
 * A version is computed when a node that reads it is about to run, so every input it names is built.
 */
export class InputVersions {
  private readonly versions = new Map<string, Promise<string | null>>();
  private readonly written = new Map<string, number>();
  private readonly planned: ReadonlyMap<string, PlannedNode>;
  private readonly nodes: ReadonlyMap<string, CompiledNode>;
  private readonly buildId: number;
  private marks: Promise<Record<string, string>> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly manifest: Manifest,
    plan: Plan,
    private readonly published: PublishedState,
  ) {
    this.buildId = plan.buildId;
    this.planned = new Map(plan.nodes.map((p) => [p.node.id, p]));
    this.nodes = new Map(manifest.nodes.map((n) => [n.id, n]));
  }

  /** A table-like node of this build is done: its rows are the partition `gen` wrote (this build's, or a kept one's). */
  wrote(id: string, gen: number): void {
    this.written.set(id, gen);
  }

  /** The version of a node or source id (see the class comment); null when it cannot be known. */
  versionOf(id: string): Promise<string | null> {
    let found = this.versions.get(id);
    if (found === undefined) {
      found = this.compute(id);
      this.versions.set(id, found);
    }
    return found;
  }

  /** Every input of `node` (models, seeds, sources it reads) → its version, sorted by id. */
  async inputsOf(node: CompiledNode): Promise<Record<string, string | null>> {
    const ids = [...new Set([...node.dependsOn, ...node.sources])].sort();
    const versions = await Promise.all(ids.map((id) => this.versionOf(id)));
    return Object.fromEntries(ids.map((id, i) => [id, versions[i]!]));
  }

  private async compute(id: string): Promise<string | null> {
    if (id.startsWith('source.')) return this.sourceVersion(id);
    const node = this.nodes.get(id);
    if (node === undefined) return null;
    const m = node.config.materialized;
    if (m === 'view' || m === 'ephemeral') {
      // a view in the plan is its SQL over its inputs; an ephemeral model is inlined into its reader
      if (m === 'view' && !this.planned.has(id)) return null;
      const inputs = await this.inputsOf(node);
      if (Object.values(inputs).some((v) => v === null)) return null;
      return `h${hash([node.sql ?? '', inputs])}`;
    }
    const planned = this.planned.get(id);
    if (planned === undefined) {
      // not selected: its published rows
      const stored = this.published.stored[id];
      if (stored === undefined) return null;
      return stored.versioned ? this.rowVersions(stored.partition, stored.gen, stored.dataBuild) : `b${stored.gen}`;
    }
    if (m === 'incremental' || m === 'snapshot') {
      if (planned.isIncremental && planned.previous) return this.rowVersions(planned.previous.partition, planned.previous.gen, planned.buildId);
      // a new partition: every row version is this build's, as rowVersions would find it
      return `v${planned.buildId}.${planned.buildId}`;
    }
    const gen = this.written.get(id);
    return gen === undefined ? null : `b${gen}`;
  }

  /** `v<gen>.<newest build that added or superseded a row version, up to and including upTo>`. */
  private async rowVersions(partition: Relation, gen: number, upTo: number): Promise<string> {
    const p = qualified(partition);
    // literal bounds: the planner matches them to the partial indexes (`_strata_from > gen`, `_strata_to is not null`)
    const found = await this.pool.query<{ last: string | null }>(
      `select greatest(
         (select max(${FROM}) from ${p} where ${FROM} > ${gen} and ${FROM} <= ${upTo}),
         (select max(${TO}) from ${p} where ${TO} is not null and ${TO} <= ${upTo})) as last`,
    );
    return `v${gen}.${found.rows[0]?.last ?? gen}`;
  }

  private async sourceVersion(id: string): Promise<string | null> {
    const table = this.manifest.sources.find((s) => `source.${s.source}.${s.name}` === id);
    if (table?.changes === undefined) return null;
    if (table.changes.kind === 'appended') {
      this.marks ??= readSourceMarks(this.pool, this.buildId);
      const mark = (await this.marks)[id];
      return mark === undefined ? null : `a${mark}`;
    }
    return this.rowsWritten(table);
  }

  /**
   * `t<hash>` of every row version's (xmin, ctid): an insert, an update or a delete changes it. A
   * `vacuum full` changes it too (a node is then rebuilt once, never wrongly kept).
   */
  private async rowsWritten(table: SourceTable): Promise<string> {
    const found = await this.pool.query<{ h: string }>(
      `select md5(coalesce(string_agg(xmin::text || '@' || ctid::text, ',' order by ctid), '')) as h
         from ${qualified({ schema: table.schema, name: table.identifier })}`,
    );
    return `t${found.rows[0]!.h}`;
  }
}

/** A short stable hash of plain data. */
export function hash(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').slice(0, 20);
}
