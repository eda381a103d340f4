import { join, resolve } from 'node:path';
import { compileCached } from '../compile/cache.ts';
import { compileProject } from '../compile/index.ts';
import type { Manifest, Project } from '../core/types.ts';
import { openDatabase, type Database } from '../db/connect.ts';
import { runMigrations } from '../db/migrate.ts';
import { loadProject } from '../load/index.ts';
import { selectNodes } from '../plan/index.ts';
import { checkVars } from './vars-check.ts';

/** Options every command takes. */
export interface CommonOptions {
  readonly projectDir: string;
  readonly select: readonly string[];
  readonly exclude: readonly string[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly threads: number;
  readonly fullRefresh: boolean;
  /** where TypeScript models compute (BuildRun.tsModels) */
  readonly tsModels?: 'thread' | 'worker';
}

export interface Compiled {
  readonly project: Project;
  readonly manifest: Manifest;
  readonly selected: ReadonlySet<string>;
  readonly targetDir: string;
  /** what the compile was made from (compile/cache.ts): the target's artifacts of the same key need no rewriting */
  readonly compileKey?: string;
}

/**
 * load → compile → select: everything before a database is needed, or the last compile when
 * nothing it read has changed (compile/cache.ts, kept in `targetDir`, by default the project's
 * target/). `--vars` are checked first (a wrong type is a UsageError; an unknown name is a
 * warning, written with `warn`).
 */
export async function compileSelection(
  options: CommonOptions,
  warn: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
  targetDir: string = join(resolve(options.projectDir), 'target'),
): Promise<Compiled> {
  const root = resolve(options.projectDir);
  // checked before compiling with them; a cached compile checks them against its settings
  let warnings: readonly string[] | undefined;
  const { project, manifest, key } = await compileCached(root, targetDir, options.vars, async () => {
    const project = await loadProject(root);
    warnings = checkVars(options.vars, project.settings);
    return { project, manifest: compileProject(project, { vars: options.vars }) };
  });
  for (const warning of warnings ?? checkVars(options.vars, project.settings)) warn(warning);
  const selected = selectNodes(manifest, { select: options.select, exclude: options.exclude });
  return { project, manifest, selected, targetDir, ...(key === undefined ? {} : { compileKey: key }) };
}

/** The command's database, migrated; the embedded server when DATABASE_URL is not set. */
export async function openProjectDatabase(
  projectDir: string,
  log: (line: string) => void,
  poolSize = 10,
  /** a build's own (scripts/db/build-sessions.ts); default `strata` */
  applicationName?: string,
): Promise<Database> {
  const db = await openDatabase({
    projectDir: resolve(projectDir),
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    log,
    poolSize,
    ...(applicationName ? { applicationName } : {}),
  });
  try {
    const applied = await runMigrations(db.pool);
    for (const name of applied) log(`applied migration ${name}`);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
