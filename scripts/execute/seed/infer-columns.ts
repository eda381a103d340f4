import { InputError } from '../../core/errors.ts';
import { csvRecords } from './csv-records.ts';
import { classifyValue, widen, type SeedType } from './infer-type.ts';

/** A seed table column: its CSV header name and SQL type. */
export interface SeedColumn {
  readonly name: string;
  readonly type: string;
}

/**
 * Reads a seed CSV once and decides each column's type: bigint, numeric, date, timestamp
 * (timestamptz when values carry an offset), boolean, else text. Empty fields are NULL and do
 * not count; a column with no values is text. `declared` (YAML `column_types`) wins.
 *
 * @example await inferSeedColumns('/p/seeds/rfm_rules.csv', { score: 'smallint' })
 * // [{ name: 'segment', type: 'text' }, { name: 'score', type: 'smallint' }]
 */
export async function inferSeedColumns(
  absPath: string,
  declared: Readonly<Record<string, string>>,
): Promise<readonly SeedColumn[]> {
  let header: readonly string[] | undefined;
  let types: (SeedType | undefined)[] = [];
  for await (const record of csvRecords(absPath)) {
    if (header === undefined) {
      header = checkHeader(absPath, record.fields, declared);
      types = header.map(() => undefined);
      continue;
    }
    record.fields.forEach((value, i) => {
      // a declared column is not inferred; a value that is '' is NULL
      if (value === '' || declared[header![i]!] !== undefined) return;
      types[i] = widen(types[i], classifyValue(value));
    });
  }
  if (header === undefined) throw new InputError(absPath, 1, 'the file is empty; a seed needs a header row');
  return header.map((name, i) => ({ name, type: declared[name] ?? types[i] ?? 'text' }));
}

function checkHeader(file: string, names: readonly string[], declared: Readonly<Record<string, string>>): readonly string[] {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name.trim() === '') throw new InputError(file, 1, `column ${i + 1} has an empty name in the header`);
    const before = seen.get(name);
    if (before !== undefined) {
      throw new InputError(file, 1, `column name "${name}" appears twice in the header (columns ${before + 1} and ${i + 1})`);
    }
    seen.set(name, i);
  });
  for (const name of Object.keys(declared)) {
    if (!seen.has(name)) {
      throw new InputError(file, 1, `column_types names "${name}", which is not a column of the file (columns: ${names.join(', ')})`);
    }
  }
  return names;
}
