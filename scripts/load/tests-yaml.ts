import type { Severity, TestSpec } from '../core/types.ts';
import { isRecord, type YamlReader, type YamlRecord } from './values.ts';
import type { YamlPath } from './yaml-file.ts';

/** Keys a test's `config:` (or, as older dbt allowed, its arguments) may set. */
const TEST_CONFIG_KEYS = ['severity', 'where', 'enabled', 'tags', 'meta'] as const;

/** dbt options strata does not implement; rejected rather than silently changing a test's meaning. */
const UNSUPPORTED_TEST_CONFIG = ['error_if', 'warn_if', 'store_failures', 'store_failures_as', 'limit', 'fail_calc'];

/**
 * Reads the `tests:` and `data_tests:` lists of a model, seed, source table or column entry.
 *
 * An entry is a name (`unique`) or a one-key map (`accepted_values: {values: [...]}`). Config
 * (`severity`, `where`, `enabled`) may sit under `config:` or directly among the arguments;
 * dbt 1.10's `arguments:` block is merged into the arguments. `where` and a custom `name` are
 * kept in `args` (compile reads them from there); `dbt_utils.` prefixes are dropped.
 */
export function readTests(
  r: YamlReader,
  entry: YamlRecord,
  path: YamlPath,
  column: string | undefined,
): TestSpec[] {
  const specs: TestSpec[] = [];
  for (const key of ['tests', 'data_tests'] as const) {
    r.list(entry[key], [...path, key], `'${key}'`).forEach((item, index) => {
      const spec = readTest(r, item, [...path, key, index], column);
      if (spec) specs.push(spec);
    });
  }
  return specs;
}

function readTest(r: YamlReader, item: unknown, path: YamlPath, column: string | undefined): TestSpec | undefined {
  const location = { file: r.file, line: r.line(path) };
  if (typeof item === 'string') {
    return { test: testName(item), ...(column === undefined ? {} : { column }), args: {}, severity: 'error', location };
  }
  const keys = isRecord(item) ? Object.keys(item) : [];
  if (!isRecord(item) || keys.length !== 1) {
    r.fail(path, 'a test must be a name (unique) or a map with one key (accepted_values: {values: [...]})');
    return undefined;
  }
  const name = keys[0] as string;
  const rawArgs = item[name] ?? {};
  if (!isRecord(rawArgs)) {
    r.fail(path, `the arguments of test '${name}' must be a mapping`);
    return undefined;
  }
  const { config: rawConfig, arguments: nested, ...direct } = rawArgs;
  const config = r.record(rawConfig, [...path, name, 'config'], 'test config') ?? {};
  const args: Record<string, unknown> = { ...direct, ...(r.record(nested, [...path, name, 'arguments'], 'test arguments') ?? {}) };
  const settings: Record<string, unknown> = {};
  for (const key of TEST_CONFIG_KEYS) {
    if (key in args) settings[key] = args[key];
    if (key in config) settings[key] = config[key];
    delete args[key];
  }
  for (const key of Object.keys(config)) {
    if (!(TEST_CONFIG_KEYS as readonly string[]).includes(key)) {
      const why = UNSUPPORTED_TEST_CONFIG.includes(key) ? 'is not supported by strata' : 'is not a test config key';
      r.fail([...path, name, 'config', key], `test config '${key}' ${why} (known: ${TEST_CONFIG_KEYS.join(', ')})`);
    }
  }
  if (settings['enabled'] === false) return undefined;
  const severity = readSeverity(r, settings['severity'], [...path, name]);
  const where = r.string(settings['where'], [...path, name], "test 'where'");
  if (where !== undefined) args['where'] = where;
  const columnName = typeof args['column_name'] === 'string' ? args['column_name'] : column;
  delete args['column_name'];
  return {
    test: testName(name),
    ...(columnName === undefined ? {} : { column: columnName }),
    args,
    severity: severity ?? 'error',
    location,
  };
}

function readSeverity(r: YamlReader, value: unknown, path: YamlPath): Severity | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value.toLowerCase() : '';
  if (text === 'error' || text === 'warn') return text;
  r.fail(path, `test severity must be 'error' or 'warn', got ${JSON.stringify(value)}`);
  return undefined;
}

/** `dbt_utils.expression_is_true` → `expression_is_true`. */
function testName(name: string): string {
  return name.startsWith('dbt_utils.') ? name.slice('dbt_utils.'.length) : name;
}
