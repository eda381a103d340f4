import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileProject } from '../../../scripts/compile/index.ts';
import { writeCompiledArtifacts } from '../../../scripts/compile/write.ts';
import { makeProject } from './project.ts';

describe('writeCompiledArtifacts', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes formatted SQL with resolved names and a sorted manifest', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'strata-write-'));
    await mkdir(path.join(dir, 'compiled', 'models', 'gone'), { recursive: true });
    await writeFile(path.join(dir, 'compiled', 'models', 'gone', 'old.sql'), 'stale');
    const manifest = compileProject(makeProject({
      models: {
        'models/bronze/a.sql': 'SELECT id FROM {{ source("shop", "orders") }}',
        'models/gold/b.sql': "select id from {{ ref('a') }}\n{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}",
      },
      sources: [{ source: 'shop', name: 'orders', schema: 'landing' }],
      properties: [{ name: 'b', columns: [{ name: 'id', tests: [{ test: 'not_null', column: 'id', args: {}, severity: 'error', location: { file: 'schema.yml', line: 3 } }] }] }],
    }));
    const resolve = (target: string) => (target === 'this' ? '{{ this }}' : `"pub"."${target.split('.').pop()}"`);
    await writeCompiledArtifacts(dir, manifest, resolve);

    expect(await readFile(path.join(dir, 'compiled', 'models', 'gold', 'b.sql'), 'utf8')).toBe('select\n  id\nfrom\n  "pub"."a"\n');
    expect(await readFile(path.join(dir, 'compiled', 'models', 'bronze', 'a.sql'), 'utf8')).toBe('select\n  id\nfrom\n  "pub"."orders"\n');
    // the formatter cannot read `{{ this }}`: that file is written as compiled
    expect(await readFile(path.join(dir, 'compiled', 'models', 'gold', 'b.incremental.sql'), 'utf8')).toBe(
      'select id from "pub"."a"\nwhere id > (select max(id) from {{ this }})\n',
    );
    expect(await readFile(path.join(dir, 'compiled', 'tests', 'not_null_b_id.sql'), 'utf8')).toBe('select\n  *\nfrom\n  "pub"."b"\nwhere\n  id is null\n');
    expect(await readdir(path.join(dir, 'compiled', 'models'))).toEqual(['bronze', 'gold']);

    const text = await readFile(path.join(dir, 'manifest.json'), 'utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(manifest)));
    expect(Object.keys(JSON.parse(text))).toEqual(['nodes', 'projectName', 'sources', 'tests', 'tokens', 'vars']);
    expect(text.indexOf('"config"')).toBeLessThan(text.indexOf('"dependsOn"'));
  });
  it('formats again only the files whose SQL changed, and removes the files of removed models', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'strata-write-'));
    const resolve = (target: string) => `"pub"."${target.split('.').pop()}"`;
    const compile = (models: Record<string, string>) =>
      compileProject(makeProject({ models, sources: [{ source: 'shop', name: 'orders', schema: 'landing' }] }));
    const a = path.join(dir, 'compiled', 'models', 'bronze', 'a.sql');
    const b = path.join(dir, 'compiled', 'models', 'gold', 'b.sql');
    await writeCompiledArtifacts(dir, compile({
      'models/bronze/a.sql': 'select id from {{ source("shop", "orders") }}',
      'models/gold/b.sql': "select id from {{ ref('a') }}",
    }), resolve);
    // a marker in both files: kept where the SQL did not change, gone where it did
    await writeFile(a, 'kept\n');
    await writeFile(b, 'kept\n');
    await writeCompiledArtifacts(dir, compile({
      'models/bronze/a.sql': 'select id from {{ source("shop", "orders") }}',
      'models/gold/b.sql': "select id, 1 as one from {{ ref('a') }}",
    }), resolve);
    expect(await readFile(a, 'utf8')).toBe('kept\n');
    expect(await readFile(b, 'utf8')).toBe('select\n  id,\n  1 as one\nfrom\n  "pub"."a"\n');
    // a file deleted by hand is written again; a removed model's file is removed
    await rm(a);
    await writeCompiledArtifacts(dir, compile({ 'models/bronze/a.sql': 'select id from {{ source("shop", "orders") }}' }), resolve);
    expect(await readFile(a, 'utf8')).toBe('select\n  id\nfrom\n  "pub"."orders"\n');
    await expect(readFile(b, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('writes nothing for a compile of the key it last wrote, and everything that differs for another', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'strata-write-'));
    const resolve = (target: string) => `"pub"."${target.split('.').pop()}"`;
    const manifest = compileProject(makeProject({ models: { 'models/bronze/a.sql': 'select 1 as id' } }));
    const a = path.join(dir, 'compiled', 'models', 'bronze', 'a.sql');
    await writeCompiledArtifacts(dir, manifest, resolve, 'key-1');
    await writeFile(a, 'marker\n');
    await writeFile(path.join(dir, 'manifest.json'), 'marker\n');
    await writeCompiledArtifacts(dir, manifest, resolve, 'key-1');
    expect(await readFile(a, 'utf8')).toBe('marker\n');
    expect(await readFile(path.join(dir, 'manifest.json'), 'utf8')).toBe('marker\n');
    // another key: the manifest is written again (the SQL file, whose SQL did not change, is not)
    await writeCompiledArtifacts(dir, manifest, resolve, 'key-2');
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(manifest)));
    // the same key with manifest.json gone: written again
    await rm(path.join(dir, 'manifest.json'));
    await writeCompiledArtifacts(dir, manifest, resolve, 'key-2');
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(manifest)));
  });
});
