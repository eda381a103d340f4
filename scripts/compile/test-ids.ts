import { createHash } from 'node:crypto';
import { CompileError } from '../core/errors.ts';
import type { CompiledTest, Severity, SourceLocation, TestCheck } from '../core/types.ts';

/** A compiled test before it gets its final id and the node it is attached to. */
export interface TestDraft {
  /** `test.<test>.<subject>[.<column>]`, or `test.<name>` for a custom name */
  readonly baseId: string;
  readonly test: string;
  readonly column?: string;
  readonly severity: Severity;
  readonly sql: string;
  readonly check?: TestCheck;
  /** columns the test is local to (CompiledTest.scopeBy) */
  readonly scopeBy?: readonly string[];
  /** model, seed and source ids the SQL reads */
  readonly reads: readonly string[];
  readonly location: SourceLocation;
}

/**
 * Gives each test its id and attaches it to the last node it reads in topological order (so it
 * runs once every input is built; ephemeral models are skipped, having no relation). Tests that
 * share a base id get a short hash of their SQL appended; two identical tests on one subject
 * are an error. Returned sorted by id.
 */
export function finishTests(
  drafts: readonly TestDraft[],
  order: readonly string[],
  isEphemeral: (id: string) => boolean,
  errors: CompileError[],
): CompiledTest[] {
  const position = new Map(order.map((id, i) => [id, i]));
  const groups = new Map<string, TestDraft[]>();
  for (const draft of drafts) groups.set(draft.baseId, [...(groups.get(draft.baseId) ?? []), draft]);
  const tests = new Map<string, CompiledTest>();
  for (const [baseId, group] of groups) {
    for (const draft of group) {
      const id = group.length === 1 ? baseId : `${baseId}.${shortHash(`${draft.severity}\n${draft.column ?? ''}\n${draft.sql}`)}`;
      const earlier = tests.get(id);
      if (earlier) {
        const at = `${earlier.location.file}:${earlier.location.line}`;
        errors.push(new CompileError(undefined, draft.location, `test ${draft.test} is declared twice the same way (also at ${at})`));
        continue;
      }
      const dependsOn = [...new Set(draft.reads.filter((r) => !r.startsWith('source.')))].sort();
      const sources = [...new Set(draft.reads.filter((r) => r.startsWith('source.')))].sort();
      const attachedTo = dependsOn
        .filter((d) => !isEphemeral(d) && position.has(d))
        .sort((a, b) => position.get(a)! - position.get(b)!)
        .at(-1);
      tests.set(id, {
        id,
        name: id.slice('test.'.length).replaceAll('.', '_'),
        ...(attachedTo === undefined ? {} : { attachedTo }),
        ...(draft.column === undefined ? {} : { column: draft.column }),
        test: draft.test,
        severity: draft.severity,
        sql: draft.sql,
        ...(draft.check === undefined ? {} : { check: draft.check }),
        ...(draft.scopeBy === undefined ? {} : { scopeBy: draft.scopeBy }),
        definition: definitionOf(draft),
        dependsOn,
        sources,
        location: draft.location,
      });
    }
  }
  return [...tests.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * What a test checks, as a hash: its SQL (relation tokens, not physical names, so a rebuild of
 * what it reads does not change it), severity, cheaper check and scope. A result recorded with
 * another definition is not a pass of this test (plan/scoped-tests.ts).
 */
function definitionOf(draft: TestDraft): string {
  const parts = [draft.test, draft.severity, draft.column ?? '', draft.sql, JSON.stringify(draft.check ?? null), JSON.stringify(draft.scopeBy ?? null)];
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
