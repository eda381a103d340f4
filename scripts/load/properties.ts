import type { ColumnSpec, NodeProperties } from '../core/types.ts';
import { readTests } from './tests-yaml.ts';
import { isRecord, type YamlReader, type YamlRecord } from './values.ts';
import type { YamlPath } from './yaml-file.ts';

/** Keys dbt allows on a model or seed entry; the ones strata does not use are accepted and ignored. */
const NODE_KEYS = [
  'name', 'description', 'config', 'columns', 'tests', 'data_tests',
  'docs', 'meta', 'access', 'group', 'constraints', 'versions', 'latest_version', 'deprecation_date',
];

const COLUMN_KEYS = [
  'name', 'description', 'data_type', 'tests', 'data_tests',
  'meta', 'quote', 'tags', 'constraints', 'policy_tags', 'config', 'granularity', 'docs',
];

/**
 * Reads a `models:` or `seeds:` list of a property file into NodeProperties, one per entry.
 * Entries without a name are reported and skipped.
 */
export function readNodeProperties(r: YamlReader, list: unknown, key: 'models' | 'seeds'): NodeProperties[] {
  const result: NodeProperties[] = [];
  r.list(list, [key], `'${key}'`).forEach((entry, index) => {
    const path = [key, index];
    if (!isRecord(entry)) {
      r.fail(path, `each entry of '${key}' must be a mapping with a name`);
      return;
    }
    if (typeof entry['name'] !== 'string' || entry['name'] === '') {
      r.fail(path, `an entry of '${key}' has no name`);
      return;
    }
    r.checkKeys(entry, path, NODE_KEYS, `${key.slice(0, -1)} '${entry['name']}'`);
    const description = r.string(entry['description'], [...path, 'description'], 'description');
    result.push({
      name: entry['name'],
      ...(description === undefined ? {} : { description }),
      config: r.record(entry['config'], [...path, 'config'], 'config') ?? {},
      columns: readColumns(r, entry, path),
      tests: readTests(r, entry, path, undefined),
      location: { file: r.file, line: r.line(path) },
    });
  });
  return result;
}

/** Reads the `columns:` list of a model, seed or source table entry. */
export function readColumns(r: YamlReader, entry: YamlRecord, path: YamlPath): ColumnSpec[] {
  const columns: ColumnSpec[] = [];
  r.list(entry['columns'], [...path, 'columns'], "'columns'").forEach((column, index) => {
    const columnPath = [...path, 'columns', index];
    if (!isRecord(column) || typeof column['name'] !== 'string' || column['name'] === '') {
      r.fail(columnPath, 'a column entry needs a name');
      return;
    }
    r.checkKeys(column, columnPath, COLUMN_KEYS, `column '${column['name']}'`);
    const description = r.string(column['description'], [...columnPath, 'description'], 'description');
    const dataType = r.string(column['data_type'], [...columnPath, 'data_type'], 'data_type');
    const dimension = readDimension(r, column, columnPath);
    columns.push({
      name: column['name'],
      ...(description === undefined ? {} : { description }),
      ...(dataType === undefined ? {} : { dataType }),
      tests: readTests(r, column, columnPath, column['name']),
      ...(dimension === undefined ? {} : { dimension }),
    });
  });
  return columns;
}

/**
 * A column's `meta: {dimension: …}`: true names the dimension after the column, a string gives
 * it another name (customer_segments.segment_name is the dimension `segment`); false or absent:
 * not a dimension. Other meta keys are the project's own and are ignored.
 */
function readDimension(r: YamlReader, column: YamlRecord, path: YamlPath): string | undefined {
  const meta = column['meta'];
  if (meta === undefined || meta === null) return undefined;
  if (!isRecord(meta)) {
    r.fail([...path, 'meta'], 'meta must be a mapping');
    return undefined;
  }
  const flag = meta['dimension'];
  if (flag === undefined || flag === false) return undefined;
  if (flag === true) return column['name'] as string;
  if (typeof flag === 'string' && /^[a-z_][a-z0-9_]*$/.test(flag)) return flag;
  r.fail([...path, 'meta', 'dimension'], `meta.dimension must be true, false or a lower-case dimension name, got ${JSON.stringify(flag)}`);
  return undefined;
}
