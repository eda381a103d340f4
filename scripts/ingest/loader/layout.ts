import { InputError, UsageError } from '../../core/errors.ts';
import { FIELDS, FIELD_SPECS, FORMAT_NAMES, looseName, type Field, type Format, type FormatName } from './formats.ts';

/** ours → theirs: strata's field name → the column name in the company's file. */
export type ColumnMap = Readonly<Partial<Record<Field, string>>>;

/** Where each of strata's fields sits in one particular file. */
export interface Layout {
  readonly format: FormatName;
  readonly header: readonly string[];
  /** header position feeding each field; -1 when the file has no such column */
  readonly index: Readonly<Record<Field, number>>;
}

/**
 * Parses `--map` arguments (`ours=theirs`, several per argument when comma-separated) into a
 * ColumnMap. `ours` is one of strata's field names or an alias (`invoice_no`, `CustomerID`, …).
 *
 * @example parseColumnMap(['customer_id=ClientNumber']) // { customer_id: 'ClientNumber' }
 */
export function parseColumnMap(args: readonly string[]): ColumnMap {
  const pairs: [string, string][] = [];
  for (const pair of args.flatMap((a) => a.split(','))) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new UsageError(`--map ${pair}: expected ours=theirs, for example --map customer_id=ClientNumber`);
    }
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1)]);
  }
  return columnMapFromPairs(pairs);
}

/** A ColumnMap from an ours → theirs record whose keys may be aliases; unknown keys are refused. */
export function columnMapOf(map: Readonly<Record<string, string>>): ColumnMap {
  return columnMapFromPairs(Object.entries(map));
}

function columnMapFromPairs(pairs: readonly (readonly [string, string])[]): ColumnMap {
  const map: Partial<Record<Field, string>> = {};
  for (const [ours, theirs] of pairs) {
    const field = fieldNamed(ours);
    if (!field) {
      throw new UsageError(`--map ${ours}=${theirs}: strata has no column "${ours}"; its columns are ${FIELDS.join(', ')}`);
    }
    if (map[field] !== undefined) throw new UsageError(`--map ${ours}=${theirs}: ${field} is mapped twice`);
    map[field] = theirs;
  }
  return map;
}

/** The field a `--map` key names, by field name or alias, ignoring case. */
export function fieldNamed(name: string): Field | undefined {
  const wanted = name.toLowerCase();
  return FIELDS.find((f) => f === wanted || FIELD_SPECS[f].aliases.some((a) => a.toLowerCase() === wanted));
}

/**
 * Finds each field's column in a file's header: the mapped name when `map` names one, else the
 * format's default. Fails, listing the header, when a mapped column is missing or a required
 * field has no column.
 */
export function resolveLayout(file: string, header: readonly string[], format: Format, map: ColumnMap, detected = false): Layout {
  // a format guessed from the header may be the wrong guess: say how to choose another
  const choose = detected
    ? `; the ${format.name} format was detected from the header: if the file is another format, say so with --format ${FORMAT_NAMES.filter((n) => n !== format.name).join(' or --format ')}`
    : '';
  const listing = `the file's header columns are: ${header.map((h) => JSON.stringify(h)).join(', ')}${choose}`;
  const index = {} as Record<Field, number>;
  for (const field of FIELDS) {
    const mapped = map[field];
    const wanted = mapped ?? format.headers[field];
    index[field] = wanted === undefined ? -1 : findColumn(header, wanted);
    if (mapped !== undefined && index[field] < 0) {
      throw new InputError(file, 1, `--map ${field}=${mapped}: the file has no column "${mapped}"; ${listing}`);
    }
  }
  const missing = format.required.filter((f) => index[f] < 0);
  if (missing.length > 0) {
    const names = missing.map((f) => `${f} (looked for "${format.headers[f]}")`).join(', ');
    throw new InputError(
      file,
      1,
      `the ${format.name} format needs a column for ${names}; name yours with --map ${missing[0]}=<your column>; ${listing}`,
    );
  }
  if (!format.amountGroups.some((group) => group.every((f) => index[f] >= 0))) {
    const groups = format.amountGroups.map((g) => g.join(' and ')).join(', or ');
    throw new InputError(file, 1, `the ${format.name} format needs ${groups}; ${listing}`);
  }
  return { format: format.name, header, index };
}

/** Exact name first; then ignoring case and surrounding spaces, which exports vary freely. */
function findColumn(header: readonly string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const loose = looseName(name);
  return header.findIndex((h) => looseName(h) === loose);
}
