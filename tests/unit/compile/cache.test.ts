import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { compileSelection } from '../../../scripts/cli/session.ts';
import { CACHE_FILE, compileCached, type CompiledProject } from '../../../scripts/compile/cache.ts';
import { compileProject } from '../../../scripts/compile/index.ts';
import { loadProject } from '../../../scripts/load/index.ts';
import { scratchDir } from '../../support/scratch.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'mini');

describe('the compile cache', () => {
  let root = '';
  let target = '';
  let compiles = 0;
  const fresh = (vars: Record<string, unknown> = {}) => async (): Promise<CompiledProject> => {
    compiles += 1;
    const project = await loadProject(root);
    return { project, manifest: compileProject(project, { vars }) };
  };
  const compile = (vars: Record<string, unknown> = {}) => compileCached(root, target, vars, fresh(vars));
  const sqlOf = (result: CompiledProject, name: string) => result.manifest.nodes.find((n) => n.name === name)?.sql;

  beforeEach(async () => {
    const dir = scratchDir('compile-cache');
    root = join(dir, 'mini');
    target = join(dir, 'target');
    await cp(MINI, root, { recursive: true });
    compiles = 0;
  });

  it('gives back the very same project and manifest while no file changes, without compiling', async () => {
    const first = await compile();
    expect(first.cached).toBe(false);
    const second = await compile();
    expect(second.cached).toBe(true);
    expect(compiles).toBe(1);
    expect(second.key).toBe(first.key);
    // Maps, nested configs and the TS model's declaration survive the round trip
    expect({ project: second.project, manifest: second.manifest }).toEqual({ project: first.project, manifest: first.manifest });
    expect(second.project.properties).toBeInstanceOf(Map);
  });

  it('compiles again after any file it reads changes, is added or is removed', async () => {
    await compile();
    const edits: [string, () => Promise<void>][] = [
      ['a model', () => writeFile(join(root, 'models/silver/customers.sql'), 'select 1 as customer_id\n')],
      ['a macro added', () => writeFile(join(root, 'macros/extra.sql'), '{% macro extra() %}1{% endmacro %}\n')],
      ['a seed', async () => writeFile(join(root, 'seeds/segment_rules.csv'), `${await readFile(join(root, 'seeds/segment_rules.csv'), 'utf8')}\n`)],
      ['a singular test removed', () => rm(join(root, 'tests/data/no_negative_totals.sql'))],
      ['schema.yml', async () => writeFile(join(root, 'schema.yml'), (await readFile(join(root, 'schema.yml'), 'utf8')).replace('min_amount: 0', 'min_amount: 5'))],
      ['the TS model', async () => writeFile(join(root, 'models/gold/segment_sizes.ts'), `${await readFile(join(root, 'models/gold/segment_sizes.ts'), 'utf8')}\n// changed\n`)],
    ];
    for (const [what, edit] of edits) {
      await edit();
      const before = compiles;
      const after = await compile();
      expect(after.cached, what).toBe(false);
      expect(compiles, what).toBe(before + 1);
      expect((await compile()).cached, `${what}, then nothing`).toBe(true);
    }
    expect(sqlOf(await compile(), 'customers')).toBe('select 1 as customer_id');
  });

  it('keys on the vars', async () => {
    expect((await compile({ min_amount: 1 })).cached).toBe(false);
    expect((await compile({ min_amount: 1 })).cached).toBe(true);
    expect((await compile({ min_amount: 2 })).cached).toBe(false);
    expect((await compile({ min_amount: 2 })).manifest.vars).toMatchObject({ min_amount: 2 });
  });

  it('does not keep a compile during which a file changed', async () => {
    const model = join(root, 'models/silver/customers.sql');
    const original = await readFile(model, 'utf8');
    // the file is saved while the project compiles: the compile may have read either version
    const racing = await compileCached(root, target, {}, async () => {
      const result = await fresh()();
      await writeFile(model, 'select 2 as customer_id\n');
      return result;
    });
    expect(racing.cached).toBe(false);
    const next = await compile();
    expect(next.cached).toBe(false);
    expect(sqlOf(next, 'customers')).toBe('select 2 as customer_id');
    // and back to the first contents: compiled, not the racing compile's result
    await writeFile(model, original);
    expect((await compile()).cached).toBe(false);
  });

  it('treats a damaged or foreign cache file as a miss', async () => {
    await compile();
    await writeFile(join(target, CACHE_FILE), 'not a cache');
    expect((await compile()).cached).toBe(false);
    expect((await compile()).cached).toBe(true);
  });

  it('keeps nothing for a project whose root file does not read, and compiling says why', async () => {
    await writeFile(join(root, 'schema.yml'), 'project: [unclosed\n');
    await expect(compile()).rejects.toThrow(/schema\.yml/);
    await expect(readFile(join(target, CACHE_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('warns once of an unknown var, whether the compile is made or taken from the cache', async () => {
    const options = { projectDir: root, select: [], exclude: [], vars: { no_such_var: 1 }, threads: 1, fullRefresh: false };
    for (const cached of [false, true]) {
      const warned: string[] = [];
      await compileSelection(options, (line) => warned.push(line), target);
      expect([cached, warned]).toEqual([cached, [expect.stringMatching(/^--vars: no_such_var is not a var of this project/)]]);
    }
    expect(await readFile(join(target, CACHE_FILE))).toBeDefined();
  });
});
