import { CompileError, CompileErrors } from '../core/errors.ts';
import type { Manifest, Project } from '../core/types.ts';
import { assembleNodes, createInliner } from './assemble.ts';
import { draftModel, draftSeed, type Draft } from './drafts.ts';
import { createEnvironment } from './environment.ts';
import { orderGraph } from './graph.ts';
import { linkNodes, type NameIndex } from './link.ts';
import { compileSingularTests } from './singular-tests.ts';
import { didYouMean } from '../core/suggest.ts';
import { finishTests } from './test-ids.ts';
import { collectTokens } from './tokens.ts';
import { compileYamlTests } from './yaml-tests.ts';

export interface CompileOptions {
  /** override the project's vars (`--vars`) */
  readonly vars?: Readonly<Record<string, unknown>>;
}

/**
 * Compiles a loaded project into a Manifest: renders every SQL model and singular test, resolves
 * and validates config, links refs and sources, orders the graph, inlines ephemeral models and
 * builds the data tests' SQL. Pure: no database, no clock, no files; the same project and
 * options give a byte-identical manifest.
 *
 * Throws CompileErrors with every problem found (not only the first), each naming the node and
 * its `file:line`.
 *
 * @example
 * const manifest = compileProject(await loadProject('.'), { vars: { churn_days: 60 } });
 */
export function compileProject(project: Project, options: CompileOptions = {}): Manifest {
  const errors: CompileError[] = [];
  const vars = { ...project.settings.vars, ...(options.vars ?? {}) };
  const seedNames = new Set(project.seeds.map((s) => s.name));
  const environment = createEnvironment(vars, seedNames, project.macros, errors);

  const drafts: Draft[] = [
    ...project.models.map((m) => draftModel(environment, m, project.properties.get(m.name), errors)),
    ...project.seeds.map((s) => draftSeed(s, project.properties.get(s.name), errors)),
  ];
  checkNames(project, drafts, errors);
  const enabled = drafts.filter((d) => d.config.enabled);
  const index: NameIndex = {
    byName: new Map(enabled.map((d) => [d.name, d])),
    disabled: new Set(drafts.filter((d) => !d.config.enabled).map((d) => d.name)),
  };
  const sourceIds = new Set(project.sources.map((s) => `source.${s.source}.${s.name}`));
  const deps = linkNodes(index, sourceIds, errors);
  const { order, cycles } = orderGraph(enabled.map((d) => d.id), deps);
  const byId = new Map(enabled.map((d) => [d.id, d]));
  for (const cycle of cycles) errors.push(cycleError(cycle, byId));
  if (cycles.length > 0) throw new CompileErrors(errors);

  const inliner = createInliner(order, byId, deps);
  const nodes = assembleNodes(order, byId, deps, inliner);
  const testDrafts = [
    ...compileYamlTests(project.properties, project.sources, index, errors),
    ...compileSingularTests(project.singularTests, environment, index, sourceIds, inliner, errors),
  ];
  const tests = finishTests(testDrafts, order, inliner.isEphemeral, errors);
  if (errors.length > 0) throw new CompileErrors(errors);
  return {
    projectName: project.settings.name,
    nodes,
    tests,
    sources: project.sources,
    tokens: collectTokens([...nodes.flatMap((n) => [n.sql ?? '', n.sqlIncremental ?? '']), ...tests.map((t) => t.sql)]),
    vars,
  };
}

/** A model and a seed with one name, and YAML properties for a name that is neither. */
function checkNames(project: Project, drafts: readonly Draft[], errors: CompileError[]): void {
  const models = new Map(project.models.map((m) => [m.name, m.path]));
  for (const seed of project.seeds) {
    const model = models.get(seed.name);
    if (model !== undefined) {
      errors.push(new CompileError(`seed.${seed.name}`, { file: seed.path, line: 1 }, `has the same name as model ${model}; ref('${seed.name}') would be ambiguous`));
    }
  }
  const names = drafts.map((d) => d.name);
  for (const [name, entry] of project.properties) {
    if (!names.includes(name)) {
      errors.push(new CompileError(undefined, entry.location, `properties for '${name}', but no model or seed is named '${name}'${didYouMean(name, names)}`));
    }
  }
}

/** `dependency cycle: a (models/a.sql:3) → b (models/b.sql:1) → a`, each arrow a ref at that line. */
function cycleError(cycle: readonly string[], drafts: ReadonlyMap<string, Draft>): CompileError {
  const steps = cycle.map((id, i) => {
    const draft = drafts.get(id)!;
    const next = drafts.get(cycle[(i + 1) % cycle.length]!)!;
    return `${draft.name} (${draft.path}:${draft.lineOf(next.name)})`;
  });
  const first = drafts.get(cycle[0]!)!;
  const location = { file: first.path, line: first.lineOf(drafts.get(cycle[1 % cycle.length]!)!.name) };
  return new CompileError(first.id, location, `dependency cycle (each refers to the next): ${steps.join(' → ')} → ${first.name}`);
}
