import type { ProjectSettings, VarType } from '../core/types.ts';
import { DEFAULT_SCHEMA } from './folder-config.ts';
import type { YamlRecord } from './values.ts';

/** Settings as configured in dbt_project.yml or schema.yml's `project:` block; all optional. */
export interface ConfiguredSettings {
  readonly name?: string;
  readonly vars?: YamlRecord;
  readonly varTypes?: Readonly<Record<string, VarType>>;
  readonly biRole?: string;
  readonly biLayers?: readonly string[];
  readonly keepBuilds?: number;
  readonly metadataSchema?: string;
  readonly defaultSchema?: string;
  readonly modelPaths?: readonly string[];
  readonly macroPaths?: readonly string[];
  readonly seedPaths?: readonly string[];
  readonly testPaths?: readonly string[];
  /** folder config trees, rooted at the model (seed) path: `{gold: {+materialized: table}}` */
  readonly modelsTrees?: readonly YamlRecord[];
  readonly seedsTrees?: readonly YamlRecord[];
}

/** Where a project keeps each kind of file, plus what load needs beyond ProjectSettings. */
export interface ResolvedSettings {
  readonly settings: ProjectSettings;
  readonly defaultSchema: string;
  readonly modelPaths: readonly string[];
  readonly macroPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly testPaths: readonly string[];
  readonly modelsTrees: readonly YamlRecord[];
  readonly seedsTrees: readonly YamlRecord[];
}

/**
 * Combines dbt_project.yml (first) and schema.yml `project:` (on top) into the settings, with
 * defaults. Singular tests default to `tests/data` in a strata project (its `tests/` holds the
 * runner's own tests) and to dbt's `tests` in a dbt project.
 */
export function resolveSettings(
  dir: string,
  fallbackName: string,
  dbt: ConfiguredSettings | undefined,
  strata: ConfiguredSettings | undefined,
): ResolvedSettings {
  const pick = <K extends keyof ConfiguredSettings>(key: K): ConfiguredSettings[K] => strata?.[key] ?? dbt?.[key];
  const isDbt = dbt !== undefined;
  return {
    settings: {
      name: pick('name') ?? fallbackName,
      dir,
      vars: { ...(dbt?.vars ?? {}), ...(strata?.vars ?? {}) },
      ...(dbt?.varTypes || strata?.varTypes ? { varTypes: { ...(dbt?.varTypes ?? {}), ...(strata?.varTypes ?? {}) } } : {}),
      biRole: pick('biRole') ?? 'strata_bi',
      biLayers: pick('biLayers') ?? ['gold'],
      keepBuilds: pick('keepBuilds') ?? 3,
      metadataSchema: pick('metadataSchema') ?? 'strata_meta',
    },
    defaultSchema: pick('defaultSchema') ?? DEFAULT_SCHEMA,
    modelPaths: pick('modelPaths') ?? ['models'],
    macroPaths: pick('macroPaths') ?? ['macros'],
    seedPaths: pick('seedPaths') ?? ['seeds'],
    testPaths: pick('testPaths') ?? (isDbt ? ['tests'] : ['tests/data']),
    modelsTrees: [...(dbt?.modelsTrees ?? []), ...(strata?.modelsTrees ?? [])],
    seedsTrees: [...(dbt?.seedsTrees ?? []), ...(strata?.seedsTrees ?? [])],
  };
}
