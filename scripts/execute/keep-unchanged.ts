import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { hashFiles, runnerCode } from '../load/file-hashes.ts';
import { qualified, rowsDiffer } from '../core/sql.ts';
import type { CompiledNode, Manifest, NodeResult, Plan, PlannedNode, PlannedTest, PublishedState } from '../core/types.ts';
import { hasCitus } from './distribute.ts';
import { hash, InputVersions } from './input-versions.ts';
import { keepPublished } from './materializations/store.ts';
import type { TestInputs } from '../audit/run-tests.ts';

/**
 * Keeps a table-like node whose inputs did not change (docs/storage.md, "Unchanged nodes are
 * kept"). With every source in one database, a retail day rebuilt the airline's gold tables from
 * rows no batch had touched (2.6 s for `loyalty_members` alone, docs/benchmarks.md): a cost that
 * grew with the other sources' history, not with the new data.
 *
 * A table, seed or TypeScript model records, when a build writes it, what it computes (its
 * definition: compiled SQL, module or file, config, vars and the runner's own code) and the
 * version of every input it read (execute/input-versions.ts). A later build keeps the published
 * partition instead of writing a new one when both are the same, so the rows would be the same:
 * the node's build view reads the kept partition, its pointer does not move, and the nodes after it
 * see an input that did not change. A node whose only moved inputs are views or sources (every load
 * adds a row to `bronze.load_batches`) is written, compared with its published rows, and kept when
 * they are equal. Never kept: on `--full-refresh`, SQL that reads the clock or a random number,
 * a node reading an input whose version is unknown, and a Citus reference node.
 *
 * Incremental models and snapshots record their inputs too, but are never kept as a partition
 * (their row versions go on in the published one). Even with no new rows they read: a snapshot
 * compares every row of its input with its current version (segment_history: 1.2 s of a build
 * with nothing new at 10 M lines), an incremental model finds that nothing is new
 * (customer_clv_summary: 0.8 s, its sources' as-of days). When the published build's run read
 * inputs of the same versions, running again would change nothing: a snapshot is idempotent, and
 * an incremental model equals its full refresh, which did not change. So it runs with
 * `inputsUnchanged`: it only forgets the row versions of unpublished builds and views the
 * published ones.
 */
export class UnchangedNodes {
  private readonly versions: InputVersions;
  private modules: Promise<string> | undefined;
  private citus: Promise<boolean> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly manifest: Manifest,
    private readonly plan: Plan,
    private readonly published: PublishedState,
    private readonly project: { readonly dir: string; readonly seedTypes: ReadonlyMap<string, Readonly<Record<string, string>>> },
  ) {
    this.versions = new InputVersions(pool, manifest, plan, published);
  }

  /** Runs a node with `write`, or keeps its published rows when nothing it computes or reads changed. */
  async run(planned: PlannedNode, write: (planned: PlannedNode) => Promise<NodeResult>): Promise<NodeResult> {
    const kind = await this.recordKind(planned);
    if (kind === undefined) return write(planned);
    const seen = await this.observe(planned.node);
    return kind === 'versioned' ? this.runVersioned(planned, write, seen) : this.runTable(planned, write, seen);
  }

  /** A table, seed or TypeScript model: kept, written and found equal, or written. */
  private async runTable(planned: PlannedNode, write: (planned: PlannedNode) => Promise<NodeResult>, { definition, inputs, known }: Observed): Promise<NodeResult> {
    const started = performance.now();
    const id = planned.node.id;
    // the published rows it may keep: a whole partition, known inputs, no --full-refresh
    const previous = known && planned.previous !== undefined && !planned.previous.versioned && !this.plan.fullRefresh ? planned.previous : undefined;
    const moved = previous === undefined ? undefined : await this.movedSince(previous.gen, id, definition, inputs);
    if (previous !== undefined && moved?.length === 0) {
      await keepPublished(this.pool, planned, previous.partition);
      this.versions.wrote(id, previous.gen);
      return { id, status: 'success', rows: null, durationMs: performance.now() - started, keptFrom: previous.gen };
    }
    const result = await write(planned);
    if (result.status !== 'success') return result;
    // written again only because a view or source it reads moved (`bronze.load_batches` moves with
    // every load of any source): the stored nodes it reads are as they were, so its rows may be too
    const viewsMoved = moved !== undefined && moved.length > 0 && moved.every((input) => /^[ht]/.test(inputs[input] ?? ''));
    if (previous !== undefined && viewsMoved && (await sameRows(this.pool, planned))) {
      await keepPublished(this.pool, planned, previous.partition, { replacing: true });
      await this.record(previous.gen, id, definition, inputs);
      this.versions.wrote(id, previous.gen);
      return { ...result, keptFrom: previous.gen };
    }
    this.versions.wrote(id, planned.buildId);
    if (known) await this.record(planned.buildId, id, definition, inputs);
    return result;
  }

  /**
   * An incremental model or snapshot, run whole or, when nothing it computes or reads changed
   * since the published build ran it (`previous.dataBuild`, whose record this compares with),
   * with `inputsUnchanged`. Its record is written under this build either way, for the next build
   * to compare with.
   */
  private async runVersioned(planned: PlannedNode, write: (planned: PlannedNode) => Promise<NodeResult>, { definition, inputs, known }: Observed): Promise<NodeResult> {
    const id = planned.node.id;
    const previous = known && planned.isIncremental && !this.plan.fullRefresh ? planned.previous : undefined;
    const moved = previous === undefined ? undefined : await this.movedSince(previous.dataBuild, id, definition, inputs);
    const unchanged = previous !== undefined && moved?.length === 0;
    const result = await write(unchanged ? { ...planned, inputsUnchanged: true } : planned);
    if (result.status !== 'success') return result;
    if (known) await this.record(planned.buildId, id, definition, inputs);
    return unchanged ? { ...result, rows: 0, keptFrom: previous.dataBuild } : result;
  }

  /** What a node computes and the versions of what it reads, and whether every one is known. */
  private async observe(node: CompiledNode): Promise<Observed> {
    const definition = await this.definitionOf(node);
    const inputs = await this.inputsOf(node);
    return { definition, inputs, known: Object.values(inputs).every((v) => v !== null) };
  }

  private async record(build: number, nodeId: string, definition: string, inputs: Readonly<Record<string, string | null>>): Promise<void> {
    await this.pool.query(
      `insert into strata_meta.node_inputs (build_id, node_id, definition, inputs) values ($1, $2, $3, $4)
       on conflict (build_id, node_id) do update set definition = excluded.definition, inputs = excluded.inputs`,
      [build, nodeId, definition, JSON.stringify(inputs)],
    );
  }

  /**
   * What a test reads (execute/input-versions.ts), and the published build in which it passed on
   * inputs of the very same versions, when there is one: its verdict would be the same, so it need
   * not run. Never on `--full-refresh`, nor for a test whose SQL reads the clock (freshness).
   */
  async testInputs(planned: PlannedTest): Promise<TestInputs> {
    const test = planned.test;
    if (NOT_REPEATABLE.test(test.sql)) return {};
    const ids = [...new Set([...test.dependsOn, ...(test.attachedTo === undefined ? [] : [test.attachedTo]), ...test.sources])].sort();
    const versions = await Promise.all(ids.map((id) => this.versions.versionOf(id)));
    if (versions.some((v) => v === null)) return {};
    const inputs = Object.fromEntries(ids.map((id, i) => [id, versions[i]!]));
    const build = this.published.buildId;
    if (build === null || this.plan.fullRefresh || this.published.passedTests?.[String(build)]?.[test.id] !== test.definition) return { inputs };
    const before = this.published.passedInputs?.[test.id];
    return before !== undefined && sameInputs(before, inputs) ? { inputs, passedIn: build } : { inputs };
  }

  /**
   * Whether a later build may compare this node with a record of what it computed and read: a
   * table, seed or TypeScript model, kept whole (`table`); an incremental SQL model or snapshot,
   * which then does not run its query (`versioned`); or neither. Never SQL that reads the clock or
   * a random number, nor, on Citus, a reference node, whose rows are every build's in one
   * reference table (store-reference.ts).
   */
  private async recordKind(planned: PlannedNode): Promise<'table' | 'versioned' | undefined> {
    const node = planned.node;
    this.citus ??= hasCitus(this.pool);
    if (node.config.reference === true && (await this.citus)) return undefined;
    if (node.language === 'ts' || node.resourceType === 'seed') return 'table';
    if (NOT_REPEATABLE.test(node.sql ?? '') || NOT_REPEATABLE.test(node.sqlIncremental ?? '')) return undefined;
    const m = node.config.materialized;
    return m === 'table' ? 'table' : m === 'incremental' || m === 'snapshot' ? 'versioned' : undefined;
  }

  /** The inputs that differ from those recorded with the partition `build` wrote; undefined when its definition differs or nothing is recorded. */
  private async movedSince(build: number, nodeId: string, definition: string, inputs: Readonly<Record<string, string | null>>): Promise<readonly string[] | undefined> {
    const found = await this.pool.query<{ definition: string; inputs: Record<string, string | null> }>(
      'select definition, inputs from strata_meta.node_inputs where build_id = $1 and node_id = $2',
      [build, nodeId],
    );
    const row = found.rows[0];
    if (row === undefined || row.definition !== definition) return undefined;
    return movedInputs(row.inputs, inputs);
  }

  /**
   * The node's inputs; for a TypeScript model that reads another model's published rows
   * (`ctx.published('<name>')` in its module, other than its own), also the publication it read
   * them in: feature_drift compares its inputs with the published build's and names that build.
   */
  private async inputsOf(node: CompiledNode): Promise<Record<string, string | null>> {
    const inputs = await this.versions.inputsOf(node);
    if (node.language !== 'ts') return inputs;
    const others = publishedReads(await readFile(node.module, 'utf8')).filter((name) => name !== node.name);
    if (others.length > 0) inputs['published build'] = String(this.published.buildId);
    return inputs;
  }

  private async definitionOf(node: CompiledNode): Promise<string> {
    const common = { code: await runnerCode(), vars: this.manifest.vars, config: node.config };
    if (node.resourceType === 'seed') {
      const file = await readFile(join(this.project.dir, node.path), 'utf8');
      return hash({ ...common, seed: hash(file), types: this.project.seedTypes.get(node.name) ?? {} });
    }
    if (node.language === 'ts') {
      this.modules ??= projectModules(this.project.dir);
      return hash({ ...common, models: await this.modules });
    }
    return hash({ ...common, sql: node.sql, sqlIncremental: node.sqlIncremental ?? null });
  }
}

/**
 * SQL whose result is not a function of its inputs: the clock, random numbers, sequences. A word
 * test on the compiled SQL (comments included): it may refuse a model that would be fine, never
 * the other way. A data test's SQL too: source freshness compares with `now()`.
 */
const NOT_REPEATABLE =
  /\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|random|setseed|gen_random_uuid|uuid_generate_v4|nextval|txid_current|pg_current_snapshot)\s*\(|\b(current_date|current_time|current_timestamp|localtime|localtimestamp)\b/i;

/** Names a module reads published rows of: `published('<name>')` with a literal name. */
export function publishedReads(source: string): readonly string[] {
  return [...source.matchAll(/\bpublished\(\s*(['"`])([\w.]+)\1\s*\)/g)].map((m) => m[2]!);
}

/** The inputs whose versions differ between two records (one missing in either counts). */
function movedInputs(before: Readonly<Record<string, string | null>>, now: Readonly<Record<string, string | null>>): string[] {
  const ids = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...ids].filter((id) => before[id] !== now[id]);
}

function sameInputs(before: Readonly<Record<string, string | null>>, now: Readonly<Record<string, string | null>>): boolean {
  return movedInputs(before, now).length === 0;
}

/** True when the rows the build wrote for `p` are, as a multiset, its published rows. */
async function sameRows(pool: pg.Pool, p: PlannedNode): Promise<boolean> {
  const found = await pool.query<{ same: boolean }>(`select not ${rowsDiffer(qualified(p.target), qualified(p.publicRelation))} as same`);
  return found.rows[0]?.same === true;
}

/** What a node computes (its definition's hash) and the versions of its inputs (UnchangedNodes.observe). */
interface Observed {
  readonly definition: string;
  readonly inputs: Record<string, string | null>;
  /** every input's version is known */
  readonly known: boolean;
}

/** The project's TypeScript under models/: a model's module and the helpers it may import. */
function projectModules(dir: string): Promise<string> {
  return hashFiles(dir, 'models', ['.ts']);
}
