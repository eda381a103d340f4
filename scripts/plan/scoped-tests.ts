import type { CompiledTest, Manifest, PlannedNode, PlannedTest, PublishedState, Relation } from '../core/types.ts';

/** The build view of the rows an incremental or snapshot build adds: `<target>__strata_added`. */
export function addedRelationOf(target: Relation): Relation {
  // identifiers are cut at 63 bytes by PostgreSQL; cutting here keeps every mention identical
  return { schema: target.schema, name: `${target.name}__strata_added`.slice(0, 63) };
}

/** True when the plan scoped the test to part of its subject (the rows added or changed, or the keys touched). */
export function isScoped(test: PlannedTest): boolean {
  return test.scopedToAdded === true || test.scopedToChanges === true || test.scopedToKeys !== undefined;
}

/**
 * True when the same test, with the same definition (CompiledTest.definition: its SQL, severity,
 * check and scope), passed in `build`. A test edited in place keeps its id but not its definition:
 * it checks every row again.
 */
export function passedBefore(test: CompiledTest, build: number, published: PublishedState): boolean {
  const passed = published.passedTests?.[String(build)];
  return passed !== undefined && Object.hasOwn(passed, test.id) && passed[test.id] === test.definition;
}

/**
 * The relation a test should read its subject from when it may check only the rows this build
 * added, or undefined when it must check every row. A test is scoped when all of these hold:
 * - it is row-local (not_null, accepted_values, expression_is_true, relationships): a row's
 *   verdict depends on that row alone and on the other relations it reads;
 * - its subject is built incrementally by this build (the plan gave it an `added` view), so the
 *   rows it keeps from earlier builds are exactly the published ones;
 * - the same test, with the same definition, passed in the build whose rows the subject shows
 *   (`dataBuild`): every kept row passed it then. A new or edited test, or one that failed or
 *   warned, checks every row again;
 * - every other relation it reads (a relationships test's parent) is published by a build no
 *   newer than that one and not rebuilt now, so a kept row's verdict cannot have changed; it
 *   reads no source (sources change under every build), and it does not read its subject twice.
 */
export function scopedSubject(
  test: CompiledTest,
  manifest: Manifest,
  planned: ReadonlyMap<string, PlannedNode>,
  published: PublishedState,
): Relation | undefined {
  const check = test.check;
  if (check?.kind !== 'row' || test.sources.length > 0) return undefined;
  const subject = planned.get(check.subjectId);
  if (subject?.added === undefined || subject.previous === undefined) return undefined;
  const dataBuild = subject.previous.dataBuild;
  if (!passedBefore(test, dataBuild, published)) return undefined;
  for (const other of test.dependsOn) {
    if (other === check.subjectId) continue;
    const stored = published.stored[other];
    if (planned.has(other) || stored === undefined || stored.dataBuild > dataBuild) return undefined;
  }
  const readsSubjectAgain = Object.values(manifest.tokens).some(
    (t) => (t.target === check.subjectId || t.target === 'this') && check.failsWhen.includes(t.token),
  );
  return readsSubjectAgain ? undefined : subject.added;
}
