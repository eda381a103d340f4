import { UsageError } from '../../../core/errors.ts';
import { count, log, openIngestDatabase } from '../../cli-support.ts';
import { generateTravel, resolveTravelOptions, type TravelGenerateOptions } from './generate.ts';

/** The generate command's options that apply to --domain travel. */
export interface TravelCliOptions {
  readonly users?: number;
  readonly seed: number;
  readonly start?: string;
  readonly months?: number;
  readonly firstUserId?: number;
  readonly out?: string;
  readonly projectDir: string;
}

/** `npm run generate -- --domain travel --users N --seed S`: synthetic TravelTide data into landing. */
export async function runTravel(raw: TravelCliOptions): Promise<number> {
  if (raw.users === undefined) throw new UsageError('--users <n> is required for --domain travel');
  if (raw.out !== undefined) throw new UsageError('--out is for --domain retail; travel data goes into the database');
  const options: TravelGenerateOptions = {
    users: raw.users,
    seed: raw.seed,
    ...(raw.start !== undefined ? { start: raw.start } : {}),
    ...(raw.months !== undefined ? { months: raw.months } : {}),
    ...(raw.firstUserId !== undefined ? { firstUserId: raw.firstUserId } : {}),
  };
  resolveTravelOptions(options); // bad options fail before a server starts
  const db = await openIngestDatabase(raw.projectDir);
  try {
    const result = await generateTravel(db.pool, options);
    if (result.alreadyGenerated) {
      log(`these options were generated before as batch ${result.batchId}: nothing added`);
      return 0;
    }
    const r = result.rows;
    log(
      `generated ${count(r.users)} users, ${count(r.sessions)} sessions, ${count(r.flights)} flights and ${count(r.hotels)} hotel stays ` +
        `as batch ${result.batchId} in ${result.seconds.toFixed(1)}s; true archetypes are in landing.travel_archetypes`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
