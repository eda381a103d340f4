import { join, resolve } from 'node:path';
import { runBuild, type BuildOutcome } from '../../scripts/cli/build.ts';
import { compileSelection, type CommonOptions } from '../../scripts/cli/session.ts';
import { openDatabase, type Database } from '../../scripts/db/connect.ts';
import { runMigrations } from '../../scripts/db/migrate.ts';
import { formatSummary } from '../../scripts/report/summary.ts';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { testTargetDir } from './scratch.ts';

export interface BuildOptions {
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  readonly fullRefresh?: boolean;
  readonly threads?: number;
  /** where TypeScript models run (BuildRun.tsModels; default: the build's thread) */
  readonly tsModels?: 'worker' | 'thread';
}

/** Opens a project's database at `url` (migrated), as the CLI does with DATABASE_URL. */
export async function openTestProjectDb(url: string, projectDir: string): Promise<Database> {
  const db = await openDatabase({ projectDir: resolve(projectDir), databaseUrl: url });
  await runMigrations(db.pool);
  return db;
}

/**
 * A database of its own for the tests of one file (or describe block), opened for a project
 * (migrated) before them and dropped after them. `projectDir` may be a function, for a project
 * the file writes in a `beforeAll` registered before this call.
 *
 * @example const project = useProjectDatabase('keep_unchanged', PROJECT); … project.db.pool
 */
export function useProjectDatabase(label: string, projectDir: string | (() => string)): { readonly db: Database; readonly url: string } {
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase(label);
    db = await openTestProjectDb(testDb.url, typeof projectDir === 'string' ? projectDir : projectDir());
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the test database ${label} opens in beforeAll, before the tests`);
    return value;
  };
  return {
    get db(): Database {
      return opened(db);
    },
    /** for connections of a test's own (a reader holding a transaction) */
    get url(): string {
      return opened(testDb).url;
    },
  };
}

/** One `build-models` of a project against a test database, as the CLI runs it. */
export async function buildProject(db: Database, projectDir: string, options: BuildOptions = {}): Promise<BuildOutcome> {
  const common: CommonOptions = {
    projectDir,
    select: options.select ?? [],
    exclude: options.exclude ?? [],
    vars: options.vars ?? {},
    threads: options.threads ?? 4,
    fullRefresh: options.fullRefresh ?? false,
  };
  // test files build the same project at once: each writes target/ files in its own folder
  const compiled = await compileSelection(common, undefined, testTargetDir());
  return runBuild({ command: 'build', options: common, compiled, db, log: () => {}, ...(options.tsModels ? { tsModels: options.tsModels } : {}) });
}

/** buildProject, for a test that needs the build published: a build that was not fails with its summary. */
export async function buildPublished(db: Database, projectDir: string, options: BuildOptions = {}): Promise<BuildOutcome> {
  const outcome = await buildProject(db, projectDir, options);
  if (!outcome.report.published) throw new Error(`expected the build to publish; ${whyNot(outcome)}`);
  return outcome;
}

export function fixture(name: string): string {
  return join(import.meta.dirname, '..', 'fixtures', name);
}

/** A build's terminal summary, as an assertion message: a failing build says what blocked it. */
export function whyNot(outcome: BuildOutcome): string {
  return `build exited ${outcome.exitCode}:\n${formatSummary(outcome.report)}`;
}
