import type { CompiledTest, Manifest, PlannedTest, Relation, TestCheck } from '../core/types.ts';
import type { Lookup } from './relations.ts';
import type { ChangedRowsScope } from './scoped-keys.ts';
import { resolveTokens } from './tokens.ts';

/**
 * The tests this build runs: those attached to a selected node, and source tests of a source
 * a selected node reads. A test is left out when one of its inputs is neither built by this
 * build nor published (it could not run; the nodes it needs are not part of this build).
 * `scope` names, for a test that may check only the rows this build added, the relation holding
 * them (plan/scoped-tests.ts): its subject is read from there, in its check and in its own query.
 * Otherwise `scopeKeys` may give, for a test local to a key (`scope_by`), the SQL that checks only
 * the key values this build touched (plan/scoped-keys.ts).
 */
export function planTests(
  manifest: Manifest,
  selected: ReadonlySet<string>,
  lookup: (target: string) => Lookup,
  scope: (test: CompiledTest) => Relation | undefined = () => undefined,
  scopeKeys: (test: CompiledTest) => string | undefined = () => undefined,
  scopeChanged: (test: CompiledTest) => ChangedRowsScope | undefined = () => undefined,
): readonly PlannedTest[] {
  const readSources = new Set(
    manifest.nodes.filter((n) => selected.has(n.id)).flatMap((n) => n.sources),
  );
  const triggered = (t: CompiledTest): boolean =>
    t.attachedTo !== undefined ? selected.has(t.attachedTo) : t.sources.some((s) => readSources.has(s));

  const planned: PlannedTest[] = [];
  for (const test of manifest.tests) {
    if (!triggered(test)) continue;
    let runnable = true;
    const added = scope(test);
    const subjectId = test.check?.subjectId;
    const resolve = (target: string): Relation => {
      const id = target === 'this' ? (test.attachedTo ?? 'this') : target;
      if (added !== undefined && id === subjectId) return added;
      const found = lookup(id);
      if (found.ok) return found.relation;
      runnable = false;
      return { schema: '?', name: '?' };
    };
    const full = resolveTokens(test.sql, manifest.tokens, resolve);
    const byKeys = added === undefined && runnable ? scopeKeys(test) : undefined;
    const changed = added === undefined && byKeys === undefined && runnable ? scopeChanged(test) : undefined;
    // a row-local test scoped by keys runs its own (scoped) query: the shared pass over its
    // subject would read every row; one scoped to changed rows shares a pass over them
    const resolved = resolveCheck(test.check, (text) => resolveTokens(text, manifest.tokens, resolve));
    const check = byKeys !== undefined && resolved?.kind === 'row' ? undefined
      : changed !== undefined && resolved?.kind === 'row' ? { ...resolved, subject: changed.subject }
      : resolved;
    const sql = byKeys ?? changed?.sql ?? full;
    const scoped = added !== undefined ? { scopedToAdded: true as const }
      : byKeys !== undefined ? { scopedToKeys: test.scopeBy! }
      : changed !== undefined ? { scopedToChanges: true as const }
      : {};
    if (runnable) planned.push({ test, sql, ...(check === undefined ? {} : { check }), ...scoped });
  }
  return planned;
}

function resolveCheck(check: TestCheck | undefined, resolve: (text: string) => string): TestCheck | undefined {
  if (check === undefined) return undefined;
  return check.kind === 'row'
    ? { ...check, subject: resolve(check.subject), failsWhen: resolve(check.failsWhen) }
    : { ...check, subject: resolve(check.subject) };
}
