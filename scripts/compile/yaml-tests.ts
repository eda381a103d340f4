import { CompileError } from '../core/errors.ts';
import type { NodeProperties, SourceTable, TestSpec } from '../core/types.ts';
import { compileGenericTest, type Resolved, type TestSubject } from './generic-tests.ts';
import { resolveRef, type NameIndex } from './link.ts';
import type { TestDraft } from './test-ids.ts';
import { freshnessSql } from './test-sql.ts';
import { relationToken } from './tokens.ts';

/**
 * Compiles the tests declared in YAML: on models and seeds (their own and their columns'), on
 * source tables, and each source table's freshness thresholds (a warn test and an error test).
 * Tests of disabled models are left out; tests of ephemeral models are errors (there is no
 * relation to query).
 */
export function compileYamlTests(
  properties: ReadonlyMap<string, NodeProperties>,
  sources: readonly SourceTable[],
  index: NameIndex,
  errors: CompileError[],
): TestDraft[] {
  const sourceIds = new Set(sources.map((s) => `source.${s.source}.${s.name}`));
  const resolve = resolver(index, sourceIds);
  const drafts: TestDraft[] = [];
  const add = (subject: TestSubject, specs: readonly TestSpec[]) => {
    for (const spec of specs) {
      const test = compileGenericTest(subject, spec, resolve, errors);
      if (!test) continue;
      const column = test.column === undefined ? '' : `.${test.column}`;
      drafts.push({
        baseId: test.customName === undefined ? `test.${test.test}.${subject.label}${column}` : `test.${test.customName}`,
        test: test.test,
        ...(test.column === undefined ? {} : { column: test.column }),
        severity: spec.severity,
        sql: test.sql,
        ...(test.check === undefined ? {} : { check: test.check }),
        ...(test.scopeBy === undefined ? {} : { scopeBy: test.scopeBy }),
        reads: test.reads,
        location: spec.location,
      });
    }
  };
  for (const [name, entry] of [...properties].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const node = index.byName.get(name);
    if (!node) continue;
    const specs = allSpecs(entry.tests, entry.columns);
    if (node.config.materialized === 'ephemeral' && specs.length > 0) {
      errors.push(new CompileError(node.id, specs[0]!.location, 'has data tests but is ephemeral (no relation to query); test the models that use it'));
      continue;
    }
    add({ id: node.id, label: name, token: relationToken(node.id) }, specs);
  }
  for (const table of sources) {
    const id = `source.${table.source}.${table.name}`;
    add({ id, label: id, token: relationToken(id) }, allSpecs(table.tests, table.columns));
    drafts.push(...freshnessTests(table, id, errors));
  }
  return drafts;
}

function allSpecs(own: readonly TestSpec[], columns: readonly { readonly tests: readonly TestSpec[] }[]): TestSpec[] {
  return [...own, ...columns.flatMap((c) => c.tests)];
}

function freshnessTests(table: SourceTable, id: string, errors: CompileError[]): TestDraft[] {
  const { freshness, loadedAtField } = table;
  if (!freshness) return [];
  if (loadedAtField === undefined) {
    errors.push(new CompileError(id, table.location, 'has freshness but no loaded_at_field to measure it by'));
    return [];
  }
  const thresholds: [seconds: number | undefined, severity: 'warn' | 'error'][] = [
    [freshness.warnAfterSeconds, 'warn'],
    [freshness.errorAfterSeconds, 'error'],
  ];
  return thresholds
    .filter((t): t is [number, 'warn' | 'error'] => t[0] !== undefined)
    .map(([seconds, severity]) => ({
      baseId: `test.freshness_${severity}.${id}`,
      test: 'freshness',
      severity,
      sql: freshnessSql(relationToken(id), loadedAtField, seconds),
      reads: [id],
      location: table.location,
    }));
}

/** Resolves a relationships test's `to:` text: `ref('x')` (also `ref('pkg', 'x')`) or `source('s', 't')`. */
function resolver(index: NameIndex, sourceIds: ReadonlySet<string>): (text: string) => Resolved {
  return (text) => {
    const call = /^\s*(ref|source)\s*\(\s*(.*?)\s*\)\s*$/.exec(text);
    const args = call ? [...call[2]!.matchAll(/(['"])(.*?)\1/g)].map((m) => m[2]!) : [];
    if (call?.[1] === 'ref' && args.length >= 1) {
      const target = resolveRef(index, args[args.length - 1]!);
      if ('error' in target) return { error: `'to' ${target.error}` };
      if (target.config.materialized === 'ephemeral') return { error: `'to' refers to ephemeral model '${target.name}', which has no relation` };
      return { token: relationToken(target.id), id: target.id };
    }
    if (call?.[1] === 'source' && args.length === 2) {
      const id = `source.${args[0]}.${args[1]}`;
      if (!sourceIds.has(id)) return { error: `'to' refers to source '${args[0]}.${args[1]}', which does not exist` };
      return { token: relationToken(id), id };
    }
    return { error: `'to' must be ref('model') or source('source', 'table'), got ${JSON.stringify(text)}` };
  };
}

