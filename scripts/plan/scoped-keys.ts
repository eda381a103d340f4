import { VALUE_END, VALUE_START, qualified, quoteIdent, quoteLiteral, rowsDiffer } from '../core/sql.ts';
import type { CompiledTest, Manifest, PlannedNode, PublishedState, Relation } from '../core/types.ts';
import type { Lookup } from './relations.ts';
import { passedBefore } from './scoped-tests.ts';
import { replaceTokens } from './tokens.ts';
import { unionLegs } from './union-legs.ts';

/** The view of the row versions an incremental or snapshot build wrote or superseded: `<target>__strata_changed`. */
export function changedRelationOf(target: Relation): Relation {
  return { schema: target.schema, name: `${target.name}__strata_changed`.slice(0, 63) };
}

/**
 * How a relation's rows in this build may differ from what the published build showed:
 * - `none`: not at all (a stored node this build does not write);
 * - `rows`: `sql` returns every row that was added, removed or changed (old and new versions),
 *   possibly more, in the relation's own columns;
 * - `unknown`: no cheaper answer than reading all of it (a source, a view whose SQL changed).
 */
type Change = { readonly kind: 'none' } | { readonly kind: 'rows'; readonly sql: string } | { readonly kind: 'unknown' };

const NONE: Change = { kind: 'none' };
const UNKNOWN: Change = { kind: 'unknown' };

/** What deciding a test's scope needs of the plan. */
export interface KeyScopeContext {
  readonly manifest: Manifest;
  readonly planned: ReadonlyMap<string, PlannedNode>;
  readonly published: PublishedState;
  readonly lookup: (target: string) => Lookup;
  readonly fullRefresh: boolean;
}

/**
 * For a test declaring `scopeBy` (columns it is local to: its failing rows for one value of them
 * depend only on the rows holding that value), the SQL that checks only the values this build
 * touched, or undefined when it must check every row. Scoped when all of these hold:
 * - not --full-refresh, and the same test (same definition) passed in the published build, so
 *   every value no change touches still passes;
 * - every relation it reads has known changes (`changesOf`): no source without `changes:`, no view
 *   whose SQL changed.
 * The touched values are those of the changed rows (old and new versions) of every relation it
 * reads; each relation it reads is then read only at those values (through its indexes). With
 * several key columns, the groups of the first column's touched values (atTouched).
 */
export function keyScopedSql(test: CompiledTest, ctx: KeyScopeContext): string | undefined {
  const keys = test.scopeBy;
  const published = ctx.published.buildId;
  if (keys === undefined || ctx.fullRefresh || published === null) return undefined;
  if (!passedBefore(test, published, ctx.published)) return undefined;
  const reads = readsOf(test.sql, ctx.manifest, test.attachedTo);
  if (reads.length === 0 || reads.some((id) => rebuiltInFull(id, ctx))) return undefined;
  const changes = changesOfAll(reads, ctx);
  if (changes === undefined) return undefined;

  // the groups are found by the first key column (atTouched); with no changes, no values: an
  // empty set with that column's type
  const first = keys[0]!;
  const touched = changes.length === 0
    ? `select ${first} from ${qualified(relationOf(reads[0]!, test, ctx))} where false`
    : changes.map((sql) => `select ${first} from (\n${sql}\n) as strata_changed`).join('\nunion\n');
  return readingInstead(test.sql, ctx, (target) => {
    const relation = relationOf(target, test, ctx);
    return { name: relation.name, sql: atTouched(qualified(relation), first, touched) };
  }, 'strata_scoped');
}

/** A row-local test that checks only its subject's changed rows: its query, and the subject for the shared pass. */
export interface ChangedRowsScope {
  readonly sql: string;
  /** the changed rows as a parenthesized query, in place of the subject relation */
  readonly subject: string;
}

/**
 * For a row-local test (not_null, accepted_values, expression_is_true, relationships) whose
 * subject is a view or a source (no rows "added" to read, plan/scoped-tests.ts), the test's query
 * and subject reading only the subject's changed rows (`changesOf`: old and new versions), or
 * undefined when it must read every row. Scoped when all of these hold:
 * - not --full-refresh, and the same test (same definition) passed in the published build: every
 *   row of the published build passed it, and a row's verdict depends on that row alone, so a row
 *   that did not change still passes and an old version among the changes passes again;
 * - the subject's changes are known (a view over incremental models and appended sources, whose
 *   SQL did not change; a source declaring `changes:`);
 * - every other relation it reads (a relationships parent) did not change at all in this build,
 *   and its condition does not read the subject a second time.
 * For silver.order_lines (a view over incremental staging) this reads the batch's lines through
 * the staging `__strata_changed` view instead of every line.
 */
export function changedRowsScope(test: CompiledTest, ctx: KeyScopeContext): ChangedRowsScope | undefined {
  const check = test.check;
  const published = ctx.published.buildId;
  if (check?.kind !== 'row' || ctx.fullRefresh || published === null) return undefined;
  if (!passedBefore(test, published, ctx.published)) return undefined;
  const subjectId = check.subjectId;
  const node = ctx.manifest.nodes.find((n) => n.id === subjectId);
  if (!subjectId.startsWith('source.') && node?.config.materialized !== 'view') return undefined;
  if (!monotoneViews(subjectId, ctx)) return undefined;
  if (check.failsWhen.includes(check.subject)) return undefined;
  const others = readsOf(`${test.sql}\n${check.failsWhen}`, ctx.manifest, test.attachedTo).filter((id) => id !== subjectId);
  if (others.some((id) => changesOf(id, ctx, new Set()).kind !== 'none')) return undefined;
  const change = changesOf(subjectId, ctx, new Set());
  if (change.kind === 'unknown') return undefined;
  const relation = relationOrUnknown(subjectId, ctx);
  const rows = change.kind === 'rows' ? change.sql : `select * from ${qualified(relation)} where false`;
  return {
    sql: readingInstead(test.sql, ctx, (target) => (target === subjectId ? { name: relation.name, sql: rows } : undefined), 'strata_scoped'),
    subject: `(\n${rows}\n)`,
  };
}

/**
 * What may make a view's rows depend on rows other than the changed input rows they come from:
 * an aggregate or a window across rows, an anti-join, a set difference or a limit. A view whose
 * SQL has none of these (comments left out) is a select, where, join or union all of its inputs,
 * for which `viewChanges` is exact. A word test: it may refuse a view that would be fine (a column
 * named `count`), never the other way round.
 */
const NOT_MONOTONE = /\b(group\s+by|having|distinct|over\s*\(|over\s+\w+|window|not\s+exists|not\s+in|except|intersect|limit|fetch|offset|count|sum|min|max|avg|array_agg|string_agg|json_agg|jsonb_agg|bool_and|bool_or|every|rank|row_number|lag|lead|first_value|last_value|percentile_cont|percentile_disc|mode|random|now|current_timestamp|clock_timestamp)\b/i;

/**
 * True when `id` is a source, a stored node, or a view whose SQL and every view it reads pass
 * NOT_MONOTONE: the views a row-local test may read the changed rows of (changedRowsScope).
 */
function monotoneViews(id: string, ctx: KeyScopeContext, seen: ReadonlySet<string> = new Set()): boolean {
  if (id.startsWith('source.') || seen.has(id)) return true;
  const node = ctx.manifest.nodes.find((n) => n.id === id);
  if (node === undefined || node.config.materialized !== 'view') return true;
  if (node.sql === undefined) return false;
  const code = node.sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  if (NOT_MONOTONE.test(code)) return false;
  const next = new Set([...seen, id]);
  return readsOf(node.sql, ctx.manifest, undefined).every((read) => monotoneViews(read, ctx, next));
}

/**
 * `sql` as a query (`select * from (…) as <alias>`) that reads, in place of each relation token
 * `instead` gives rows for, a CTE of those rows named as the relation is (`order_lines`, so that
 * `order_lines.customer_id` still resolves). A CTE, not the subquery in the token's place:
 * PostgreSQL before 16 refuses a subquery in FROM without an alias ("subquery in FROM must have
 * an alias", seen on the Citus cluster's PostgreSQL 15), and a test's or a view's SQL may name a
 * relation without one. `not materialized` keeps each CTE inlined where it is read, as the
 * subquery was, so the planner still sees the literal values it holds. Tokens `instead` gives no
 * rows for are the relations as they are now.
 */
function readingInstead(
  sql: string,
  ctx: KeyScopeContext,
  instead: (target: string) => { readonly name: string; readonly sql: string } | undefined,
  alias: string,
): string {
  const ctes: string[] = [];
  const taken = new Set<string>();
  const body = replaceTokens(sql, ctx.manifest.tokens, (target) => {
    const rows = instead(target);
    if (rows === undefined) return qualified(relationOrUnknown(target, ctx));
    let name = rows.name;
    for (let n = 2; taken.has(name); n++) name = `${rows.name}_${n}`;
    taken.add(name);
    ctes.push(`${quoteIdent(name)} as not materialized (\n${rows.sql}\n)`);
    return quoteIdent(name);
  }, { multiline: true });
  return `${ctes.length > 0 ? `with ${ctes.join(',\n')}\n` : ''}select * from (\n${body}\n) as ${alias}`;
}

/**
 * `relation` read only at the touched key values, on one line: the rows whose first key column
 * holds one of the touched rows' values in it, and, when one of those is null, the rows where it
 * is null (a test that groups by the key groups nulls together). With several key columns this
 * reads every group sharing a first column value with a touched one: more than needed, never
 * less, and what it finds failing a full check finds too (matching the tuples as well made the
 * planner, misled by a new batch missing from the statistics, pair every row with every tuple:
 * 3.7 s instead of 0.3 s for landing's `(batch_id, source_line)`). The values are marked for the
 * runner to evaluate first and write in as a literal array (execute/resolve-values.ts): from a
 * sub-select the planner cannot know how many values there are, and for a column with few
 * distinct values (batch_id) it scanned the whole relation; with the literal it uses the index.
 * The null branch is apart because an `or` would also make it scan; on a literal without a null
 * the planner drops it.
 */
function atTouched(relation: string, first: string, touched: string): string {
  const values = valueOf(
    `select case when cardinality(strata_a.touched) > ${MAX_TOUCHED_VALUES} then null else strata_a.touched end from (` +
      `select coalesce(array_agg(distinct strata_t.${first}), '{}') as touched from (\n${touched}\n) as strata_t) as strata_a`,
  );
  const nulls = `array_position(${values}, null) is not null and strata_r.${first} is null`;
  return (
    `(select * from ${relation} as strata_r where strata_r.${first} = any (${values})` +
    ` union all select * from ${relation} as strata_r where ${values} is null` +
    ` union all select * from ${relation} as strata_r where ${nulls})`
  );
}

/**
 * Above this many touched values a scoped test reads every row instead (the value is null, and of
 * the three branches above only the middle one stays). A batch as large as its history touches
 * most keys anyway, and the literal array cost more than the scan: the airline's first activity
 * file touched 392,936 line keys, a literal of about 15 MB that the runner held, wrote into the
 * test and PostgreSQL parsed, and its `unique line_key` took 6.6–7.1 s beside the other tests.
 */
export const MAX_TOUCHED_VALUES = 100_000;

/** A scalar sub-select the runner evaluates before the test and writes in as a literal. */
function valueOf(select: string): string {
  return `${VALUE_START}(${select})${VALUE_END}`;
}

/**
 * True for a stored node this build rebuilds in full (a table, a TypeScript model, a seed, a full
 * refresh): its changes are all of its rows whenever any row differs, so a test reading it
 * directly would read everything and compare the old rows too; it is checked in full instead.
 */
function rebuiltInFull(id: string, ctx: KeyScopeContext): boolean {
  const planned = ctx.planned.get(id);
  return planned !== undefined && planned.node.config.materialized !== 'view' && planned.changed === undefined;
}

/** The node and source ids whose tokens appear in `sql` (`this` stands for `self`). */
function readsOf(sql: string, manifest: Manifest, self: string | undefined): string[] {
  const ids = new Set<string>();
  for (const token of Object.values(manifest.tokens)) {
    if (!sql.includes(token.token)) continue;
    const id = token.target === 'this' ? self : token.target;
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

/** Where this build reads `target` from (the test's `this` is the node it is attached to). */
function relationOf(target: string, test: CompiledTest, ctx: KeyScopeContext): Relation {
  const id = target === 'this' ? (test.attachedTo ?? target) : target;
  const found = ctx.lookup(id);
  return found.ok ? found.relation : { schema: '?', name: '?' };
}

/** The changed-rows SQL of every relation in `ids` that changed, or undefined if one is unknown. */
function changesOfAll(ids: readonly string[], ctx: KeyScopeContext, seen: ReadonlySet<string> = new Set()): string[] | undefined {
  const out: string[] = [];
  for (const id of ids) {
    const change = changesOf(id, ctx, seen);
    if (change.kind === 'unknown') return undefined;
    if (change.kind === 'rows') out.push(change.sql);
  }
  return out;
}

/**
 * How `id`'s rows changed in this build:
 * - a stored node this build does not write: not at all;
 * - an incremental model or snapshot built incrementally: its `__strata_changed` view;
 * - any other stored node this build rebuilds (a table, a TypeScript model, a seed): when its new
 *   rows differ from the published ones at all, all of them and all of the old ones (compared as
 *   text, so a changed column layout is a difference, not an error);
 * - a view model: its own SQL over the changes of what it reads (below);
 * - a source that declares `changes:` (SourceChanges), read from the published build's mark: the
 *   rows after it; any other source, or anything never published: unknown.
 */
function changesOf(id: string, ctx: KeyScopeContext, seen: ReadonlySet<string>): Change {
  if (seen.has(id)) return UNKNOWN;
  if (id.startsWith('source.')) return sourceChanges(id, ctx);
  const node = ctx.manifest.nodes.find((n) => n.id === id);
  const planned = ctx.planned.get(id);
  if (node === undefined || node.config.materialized === 'ephemeral') return UNKNOWN;
  if (node.config.materialized === 'view') return viewChanges(id, ctx, new Set([...seen, id]));
  const old = ctx.published.relations[id];
  if (old === undefined) return UNKNOWN;
  if (planned === undefined) return NONE;
  if (planned.changed !== undefined) return { kind: 'rows', sql: `select * from ${qualified(planned.changed)}` };
  const now = qualified(planned.target);
  const was = qualified(old);
  return {
    kind: 'rows',
    sql: `select * from (select * from ${now} union all select (jsonb_populate_record(null::${now}, to_jsonb(o))).* from ${was} as o) as strata_both where ${rowsDiffer(now, was)}`,
  };
}

/**
 * A view model's changed rows: its SQL evaluated with one changed input replaced by that input's
 * changed rows and every other input as it is now. Exact for a view that is monotone in each
 * input (select, where, join, union all, group by the key: every output row comes from input
 * rows, and an output row that differs has a changed input row among them). When more than one
 * input changed in this build (a join of two of them could pair two old versions), the view's
 * changes are all of its rows. A view that is a `union all` of legs (plan/union-legs.ts) is taken
 * leg by leg: a leg that reads no changed input adds nothing, and two changed inputs in different
 * legs are no reason to take every row. A view whose SQL differs from the published one changed
 * every row: unknown. (docs/storage.md, "Tests local to a key", says which views this holds for.)
 */
function viewChanges(id: string, ctx: KeyScopeContext, seen: ReadonlySet<string>): Change {
  const node = ctx.manifest.nodes.find((n) => n.id === id)!;
  const planned = ctx.planned.get(id);
  const publishedSql = ctx.published.viewSql?.[id];
  if (publishedSql === undefined || (planned !== undefined && planned.publicSql !== publishedSql) || node.sql === undefined) return UNKNOWN;
  const body = node.sql.replace(/[\s;]+$/, '');
  const split = unionLegs(body);
  const parts = split === undefined ? [{ sql: body, reads: body }] : split.legs.map((sql, i) => ({ sql, reads: split.reads[i]! }));
  const branches: string[] = [];
  for (const part of parts) {
    const change = queryChanges(part.sql, readsOf(part.reads, ctx.manifest, undefined), ctx, seen);
    if (change.kind === 'unknown') return UNKNOWN;
    if (change.kind === 'rows') branches.push(change.sql);
  }
  return branches.length === 0 ? NONE : { kind: 'rows', sql: branches.join('\nunion all\n') };
}

/** The changed rows of `sql` (a view's body, or one leg of it) that reads the inputs `reads`. */
function queryChanges(sql: string, reads: readonly string[], ctx: KeyScopeContext, seen: ReadonlySet<string>): Change {
  const changed: { id: string; sql: string }[] = [];
  for (const read of reads) {
    const change = changesOf(read, ctx, seen);
    if (change.kind === 'unknown') return UNKNOWN;
    if (change.kind === 'rows') changed.push({ id: read, sql: change.sql });
  }
  if (changed.length === 0) return NONE;
  // whether each input changed at all, asked once (a materialized CTE): each branch's condition
  // reads it. Asked in every branch, the test of a table model rebuilt in full (stg_airline_members,
  // every row compared) ran three times in each statement that found the touched keys.
  const asked = changed.map((c, i) => `exists (select 1 from (\n${c.sql}\n) as strata_c) as c${i}`);
  const flag = (i: number): string => `strata_changed_inputs.c${i}`;
  const branches = changed.map((c, i) => {
    const over = readingInstead(sql, ctx, (target) => (target === c.id ? { name: relationOrUnknown(target, ctx).name, sql: c.sql } : undefined), 'strata_v');
    const only = changed.map((_, j) => (j === i ? flag(j) : `not ${flag(j)}`)).join(' and ');
    return `select * from (\n${over}\n) as strata_vc\nwhere (select ${only} from strata_changed_inputs)`;
  });
  if (changed.length > 1) {
    const now = readingInstead(sql, ctx, () => undefined, 'strata_v');
    const count = changed.map((_, j) => `${flag(j)}::int`).join(' + ');
    branches.push(`select * from (\n${now}\n) as strata_all\nwhere (select ${count} from strata_changed_inputs) > 1`);
  }
  const inputs = `with strata_changed_inputs as materialized (\nselect ${asked.join(',\n')}\n)`;
  return { kind: 'rows', sql: `select * from (\n${inputs}\n${branches.join('\nunion all\n')}\n) as strata_q` };
}

function relationOrUnknown(target: string, ctx: KeyScopeContext): Relation {
  const found = ctx.lookup(target);
  return found.ok ? found.relation : { schema: '?', name: '?' };
}

/**
 * A source's rows written since the published build started (its mark, audit/source-marks.ts):
 * `appended_by` rows after the largest value it saw, a literal so the planner uses the column's
 * index; `transactions` rows whose writing transaction its snapshot did not see (xmin, compared
 * modulo 2^32 as PostgreSQL compares transaction ids: an xmin at or after the snapshot's xmax, or
 * in progress then). Deleted rows are not seen: the declaration says there are none.
 */
function sourceChanges(id: string, ctx: KeyScopeContext): Change {
  const table = ctx.manifest.sources.find((s) => `source.${s.source}.${s.name}` === id);
  const mark = ctx.published.sourceMarks?.[id];
  if (table?.changes === undefined || mark === undefined) return UNKNOWN;
  const relation = qualified({ schema: table.schema, name: table.identifier });
  if (table.changes.kind === 'appended') {
    const column = quoteIdent(table.changes.column);
    return { kind: 'rows', sql: mark === '' ? `select * from ${relation}` : `select * from ${relation} where ${column} > ${quoteLiteral(mark)}` };
  }
  const snapshot = `${quoteLiteral(mark)}::pg_snapshot`;
  const xid = 'strata_s.xmin::text::bigint';
  const wrap = (x: string) => `(${x})::text::numeric % 4294967296`;
  return {
    kind: 'rows',
    sql:
      `select strata_s.* from ${relation} as strata_s where ` +
      `((${xid} - ${wrap(`pg_snapshot_xmax(${snapshot})`)} + 4294967296) % 4294967296 < 2147483648` +
      ` or ${xid} in (select ${wrap('x')} from pg_snapshot_xip(${snapshot}) as x))`,
  };
}
