import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { InputError } from '../../core/errors.ts';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import { copyInputError } from './copy-error.ts';
import type { SeedColumn } from './infer-columns.ts';
import { stripBom } from './strip-bom.ts';

/**
 * Creates the seed's table at `target` and streams the CSV into it with COPY, in one
 * transaction. Empty fields, quoted or not, are NULL. Returns the number of rows loaded; a
 * value the column's type rejects is an InputError naming file, line and column.
 */
export async function loadSeed(
  client: pg.PoolClient,
  target: Relation,
  absPath: string,
  columns: readonly SeedColumn[],
): Promise<number> {
  const table = qualified(target);
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  await client.query('begin');
  try {
    await client.query(`create table ${table} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`).catch((error: unknown) => {
      throw new InputError(absPath, undefined, `cannot create the seed table: ${(error as Error).message}`, { cause: error });
    });
    // force_null makes a quoted "" NULL too, as an unquoted empty field is
    const copy = client.query(
      copyFrom(`copy ${table} (${names}) from stdin with (format csv, header true, null '', force_null (${names}))`),
    );
    await pipeline(createReadStream(absPath), stripBom(), copy);
    await client.query('commit');
    return copy.rowCount;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw (await copyInputError(absPath, error)) ?? error;
  }
}
