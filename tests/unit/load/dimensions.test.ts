import { afterAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../../scripts/core/errors.ts';
import type { CompiledNode, Manifest } from '../../../scripts/core/types.ts';
import { loadProject } from '../../../scripts/load/index.ts';
import { dimensionColumns, dimensionColumnsSql } from '../../../scripts/publish/dimensions.ts';
import { loadErrors, removeProjects, writeProject } from './temp-project.ts';

afterAll(removeProjects);

const SCHEMA = [
  'version: 2',
  'project: {name: dims}',
  'models:',
  '  - name: members',
  '    columns:',
  '      - {name: customer_id}',
  '      - {name: province, meta: {dimension: true}}',
  '      - {name: segment_name, meta: {dimension: segment, owner: marketing}}',
  '      - {name: driver_1, meta: {dimension: false}}',
  '      - {name: model_label}',
].join('\n');

describe('meta.dimension in the property files', () => {
  it('names the dimension after the column (true) or as given; false and absent are not dimensions', async () => {
    const dir = await writeProject({ 'schema.yml': SCHEMA, 'models/members.sql': 'select 1' });
    const columns = (await loadProject(dir)).properties.get('members')!.columns;
    expect(columns.map((c) => [c.name, c.dimension])).toEqual([
      ['customer_id', undefined],
      ['province', 'province'],
      ['segment_name', 'segment'],
      ['driver_1', undefined],
      ['model_label', undefined],
    ]);
  });

  it('refuses a value that is not true, false or a lower-case name, at its line', async () => {
    const errors = await loadErrors({
      'schema.yml': 'version: 2\nproject: {name: dims}\nmodels:\n  - name: members\n    columns:\n      - name: province\n        meta: {dimension: Province Name}\n',
      'models/members.sql': 'select 1',
    });
    expect(errors).toEqual(['schema.yml:7 meta.dimension must be true, false or a lower-case dimension name, got "Province Name"']);
  });
});

describe('dimensionColumns', () => {
  const node = (name: string, schema: string, columns: Record<string, string | undefined>): CompiledNode =>
    ({
      id: `model.${name}`,
      name,
      config: { schema },
      columns: Object.entries(columns).map(([c, dimension]) => ({ name: c, tests: [], ...(dimension ? { dimension } : {}) })),
    }) as unknown as CompiledNode;
  const manifest = (nodes: CompiledNode[]): Manifest => ({ nodes }) as unknown as Manifest;

  it("lists the gold models' flagged columns by name, and writes them as the SQL function's rows", () => {
    const columns = dimensionColumns(
      manifest([
        node('customer_segments', 'gold', { segment_name: 'segment', distance: undefined }),
        node('customer_features', 'gold', { country: 'country' }),
        node('stg_members', 'silver', { province: 'province' }),
      ]),
      'gold',
    );
    expect(columns).toEqual([
      { dimension: 'country', view: 'customer_features', column: 'country' },
      { dimension: 'segment', view: 'customer_segments', column: 'segment_name' },
    ]);
    expect(dimensionColumnsSql('gold', columns)).toContain(`values ('country', 'customer_features', 'country'),`);
    expect(dimensionColumnsSql('gold', [])).toContain('where false');
  });

  it('refuses a dimension name flagged on two columns, naming both', () => {
    const twice = manifest([node('a', 'gold', { gender: 'gender' }), node('b', 'gold', { sex: 'gender' })]);
    expect(() => dimensionColumns(twice, 'gold')).toThrow(StrataError);
    expect(() => dimensionColumns(twice, 'gold')).toThrow(/dimension "gender" is flagged twice \(meta.dimension\): model.a.gender and model.b.sex/);
  });
});
