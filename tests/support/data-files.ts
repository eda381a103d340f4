import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the large reference data sets live (UCI Online Retail, the full CDNOW cohort): too big for
 * the repository. STRATA_DATA_DIR overrides the default, /work/shared/data.
 */
export const DATA_DIR = process.env.STRATA_DATA_DIR ?? '/work/shared/data';

/**
 * The path of a data file under DATA_DIR; throws, naming the path and how to provide it, when the
 * file is absent, so a test that needs it fails with that sentence rather than ENOENT deep inside.
 *
 * @example const ONLINE_RETAIL = dataFile('online_retail/online_retail.csv.gz');
 */
export function dataFile(relative: string): string {
  const path = join(DATA_DIR, relative);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is absent: this test needs the reference data set ${relative}. ` +
        `Put the data sets under ${DATA_DIR} (see /work/shared/data/*/README.md) or set STRATA_DATA_DIR to where they are.`,
    );
  }
  return path;
}

/** The UCI Online Retail file (541,909 lines), gzipped. */
export const onlineRetailFile = (): string => dataFile('online_retail/online_retail.csv.gz');
