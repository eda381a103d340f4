import { CompileErrors, type CompileError } from '../../../scripts/core/errors.ts';
import { compileProject } from '../../../scripts/compile/index.ts';
import type { ModelFile, NodeProperties, Project, SeedFile, SourceTable, TestSpec } from '../../../scripts/core/types.ts';
import { modelDefaults } from '../../../scripts/load/folder-config.ts';

/** What a test project holds; files are given by path, as load would find them. */
export interface ProjectSpec {
  readonly models?: Readonly<Record<string, string>>;
  readonly tsModels?: Readonly<Record<string, { text: string; dependsOn: string[]; config?: Record<string, unknown> }>>;
  readonly seeds?: readonly string[];
  readonly macros?: Readonly<Record<string, string>>;
  readonly tests?: Readonly<Record<string, string>>;
  readonly sources?: readonly Partial<SourceTable>[];
  readonly properties?: readonly (Partial<NodeProperties> & { name: string })[];
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** A Project built in memory (folder defaults as load gives them) for compile's unit tests. */
export function makeProject(spec: ProjectSpec): Project {
  const folderConfig = (path: string) => modelDefaults(path.split('/').length > 2 ? path.split('/')[1] : undefined, 'analytics');
  const stem = (path: string) => path.split('/').pop()!.replace(/\.[^.]+$/, '');
  const models: ModelFile[] = [
    ...Object.entries(spec.models ?? {}).map(([path, text]) => ({
      name: stem(path), path, language: 'sql' as const, text, folderConfig: folderConfig(path),
    })),
    ...Object.entries(spec.tsModels ?? {}).map(([path, m]) => ({
      name: stem(path), path, language: 'ts' as const, text: m.text, folderConfig: folderConfig(path),
      ts: { dependsOn: m.dependsOn, config: m.config ?? {}, module: `/abs/${path}` },
    })),
  ];
  const seeds: SeedFile[] = (spec.seeds ?? []).map((path) => ({
    name: stem(path), path, columnTypes: {}, folderConfig: { schema: 'bronze' },
  }));
  const sources: SourceTable[] = (spec.sources ?? []).map((s) => ({
    source: 'shop', name: 'orders', schema: 'shop', identifier: s.name ?? 'orders', columns: [], tests: [],
    location: { file: 'schema.yml', line: 1 }, ...s,
  }));
  const properties = new Map<string, NodeProperties>(
    (spec.properties ?? []).map((p) => [p.name, { config: {}, columns: [], tests: [], location: { file: 'schema.yml', line: 1 }, ...p }]),
  );
  return {
    settings: { name: 'test', dir: '/abs', vars: spec.vars ?? {}, biRole: 'strata_bi', biLayers: ['gold'], keepBuilds: 3, metadataSchema: 'strata_meta' },
    sources,
    models,
    seeds,
    macros: Object.entries(spec.macros ?? {}).map(([path, text]) => ({ path, text })),
    properties,
    singularTests: Object.entries(spec.tests ?? {}).map(([path, text]) => ({ name: stem(path), path, text })),
  };
}

/** A generic test declared in YAML at `line`. */
export function spec(test: string, column?: string, args: Record<string, unknown> = {}, line = 10): TestSpec {
  return { test, ...(column === undefined ? {} : { column }), args, severity: 'error', location: { file: 'schema.yml', line } };
}

/** The errors compile throws for `project` (fails the test when it compiles). */
export function compileErrors(project: Project, vars?: Record<string, unknown>): readonly CompileError[] {
  try {
    compileProject(project, vars ? { vars } : {});
  } catch (error) {
    if (error instanceof CompileErrors) return error.errors;
    throw error;
  }
  throw new Error('expected compile to fail');
}
