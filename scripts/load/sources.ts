import type { FreshnessSpec, SourceChanges, SourceTable } from '../core/types.ts';
import { readColumns } from './properties.ts';
import { readTests } from './tests-yaml.ts';
import { isRecord, type YamlReader, type YamlRecord } from './values.ts';
import type { YamlPath } from './yaml-file.ts';

const SOURCE_KEYS = [
  'name', 'schema', 'description', 'loaded_at_field', 'freshness', 'tables',
  'database', 'loader', 'meta', 'tags', 'config', 'quoting', 'overrides',
];
const TABLE_KEYS = [
  'name', 'identifier', 'description', 'loaded_at_field', 'freshness', 'columns', 'tests', 'data_tests',
  'meta', 'tags', 'config', 'quoting', 'external', 'docs', 'changes',
];
const PERIOD_SECONDS: Readonly<Record<string, number>> = { minute: 60, hour: 3600, day: 86_400 };

/**
 * Reads a `sources:` list into one SourceTable per table. A source's schema defaults to its
 * name and a table's identifier to its name, as in dbt; `loaded_at_field` and `freshness` are
 * inherited from the source unless the table sets them (`freshness: null` turns it off).
 */
export function readSources(r: YamlReader, list: unknown): SourceTable[] {
  const tables: SourceTable[] = [];
  r.list(list, ['sources'], "'sources'").forEach((source, index) => {
    const path = ['sources', index];
    if (!isRecord(source) || typeof source['name'] !== 'string' || source['name'] === '') {
      r.fail(path, 'a source entry needs a name');
      return;
    }
    const name = source['name'];
    r.checkKeys(source, path, SOURCE_KEYS, `source '${name}'`);
    const schema = r.string(source['schema'], [...path, 'schema'], 'source schema') ?? name;
    const loadedAt = r.string(source['loaded_at_field'], [...path, 'loaded_at_field'], 'loaded_at_field');
    const freshness = readFreshness(r, source['freshness'], [...path, 'freshness']);
    r.list(source['tables'], [...path, 'tables'], "'tables'").forEach((table, tableIndex) => {
      const tablePath = [...path, 'tables', tableIndex];
      if (!isRecord(table) || typeof table['name'] !== 'string' || table['name'] === '') {
        r.fail(tablePath, `a table of source '${name}' needs a name`);
        return;
      }
      tables.push(readTable(r, table, tablePath, { source: name, schema, loadedAt, freshness }));
    });
  });
  return tables;
}

interface Inherited {
  readonly source: string;
  readonly schema: string;
  readonly loadedAt: string | undefined;
  readonly freshness: FreshnessSpec | undefined;
}

function readTable(r: YamlReader, table: YamlRecord, path: YamlPath, from: Inherited): SourceTable {
  const name = table['name'] as string;
  r.checkKeys(table, path, TABLE_KEYS, `source table '${from.source}.${name}'`);
  const identifier = r.string(table['identifier'], [...path, 'identifier'], 'identifier') ?? name;
  const description = r.string(table['description'], [...path, 'description'], 'description');
  const loadedAt = r.string(table['loaded_at_field'], [...path, 'loaded_at_field'], 'loaded_at_field') ?? from.loadedAt;
  const freshness = 'freshness' in table ? readFreshness(r, table['freshness'], [...path, 'freshness']) : from.freshness;
  const changes = readChanges(r, table['changes'], [...path, 'changes']);
  return {
    source: from.source,
    name,
    schema: from.schema,
    identifier,
    ...(description === undefined ? {} : { description }),
    ...(loadedAt === undefined ? {} : { loadedAtField: loadedAt }),
    ...(freshness === undefined ? {} : { freshness }),
    ...(changes === undefined ? {} : { changes }),
    columns: readColumns(r, table, path),
    tests: readTests(r, table, path, undefined),
    location: { file: r.file, line: r.line(path) },
  };
}

/**
 * strata's `changes:` of a source table (SourceChanges): `{appended_by: <column>}` or
 * `transactions`; how an incremental build finds the rows the table gained.
 */
function readChanges(r: YamlReader, value: unknown, path: YamlPath): SourceChanges | undefined {
  if (value === undefined) return undefined;
  if (value === 'transactions') return { kind: 'transactions' };
  const record = isRecord(value) ? value : undefined;
  const column = record?.['appended_by'];
  if (record && Object.keys(record).length === 1 && typeof column === 'string' && /^[a-z_][a-z0-9_$]*$/.test(column)) return { kind: 'appended', column };
  r.fail(path, "'changes' is either {appended_by: <column>} (rows only added, in growing order of that column) or 'transactions' (a small table whose rows may be updated, never deleted)");
  return undefined;
}

/** `{warn_after: {count: 12, period: hour}, error_after: {...}}` → seconds; `null` → none. */
function readFreshness(r: YamlReader, value: unknown, path: YamlPath): FreshnessSpec | undefined {
  const freshness = r.record(value, path, 'freshness');
  if (!freshness) return undefined;
  r.checkKeys(freshness, path, ['warn_after', 'error_after'], 'freshness');
  const warn = readDuration(r, freshness['warn_after'], [...path, 'warn_after']);
  const error = readDuration(r, freshness['error_after'], [...path, 'error_after']);
  if (warn === undefined && error === undefined) return undefined;
  return {
    ...(warn === undefined ? {} : { warnAfterSeconds: warn }),
    ...(error === undefined ? {} : { errorAfterSeconds: error }),
  };
}

function readDuration(r: YamlReader, value: unknown, path: YamlPath): number | undefined {
  const duration = r.record(value, path, 'freshness threshold');
  if (!duration) return undefined;
  const { count, period } = duration;
  const seconds = typeof period === 'string' ? PERIOD_SECONDS[period] : undefined;
  if (typeof count !== 'number' || count <= 0 || seconds === undefined) {
    r.fail(path, "a freshness threshold needs a positive 'count' and a 'period' of minute, hour or day");
    return undefined;
  }
  return count * seconds;
}
