/** What the segment step reads: the feature columns' presence, the fitted sample, the published centres and ids ever used, the name overrides. */
import { sql, type Kysely } from 'kysely';
import { UsageError } from '../../core/errors.ts';
import type { PublishedFit } from '../../core/refit-policy.ts';
import { qualified, quoteIdent } from '../../core/sql.ts';
import type { Relation } from '../../core/types.ts';
import type { PreviousCentre } from '../match.ts';
import { applyTransform, type FeatureTransform } from '../transform.ts';
import type { SegmentSettings } from './settings.ts';

/** One sampled customer's features, by column name. */
export type FeatureRow = Readonly<Record<string, number>>;

/** Fails, naming the var, when a configured feature is not a column of the feature table. */
export async function checkFeatureColumns(
  db: Kysely<unknown>,
  relation: Relation,
  features: readonly string[],
  table: string,
  featuresVar: string,
): Promise<void> {
  const result = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = ${qualified(relation)}::regclass and attnum > 0 and not attisdropped`.execute(db);
  const columns = new Set(result.rows.map((r) => r.name));
  const missing = features.filter((f) => !columns.has(f));
  if (missing.length > 0) {
    throw new UsageError(`var ${featuresVar} names ${missing.join(', ')}, not a column of ${table} (columns: ${[...columns].join(', ')})`);
  }
}

/**
 * The fitted sample: the `sample` customers with the smallest md5 of id and seed. Which
 * customers are chosen does not depend on row order or physical layout, and the same data and
 * seed give the same sample. Rows come back in that hash order.
 */
export async function readSample(db: Kysely<unknown>, relation: Relation, settings: SegmentSettings): Promise<FeatureRow[]> {
  // float8 because numeric columns would arrive as strings
  const columns = settings.features.map((f) => `${quoteIdent(f)}::double precision as ${quoteIdent(f)}`).join(', ');
  const result = await sql.raw<FeatureRow>(`
    select ${columns}
    from ${qualified(relation)}
    order by md5(customer_id::text || ':' || '${settings.seed}'), customer_id
    limit ${settings.sample}`).execute(db);
  return result.rows;
}

/**
 * The published segments' centres in THIS build's standardised space (the transform is refitted
 * every build, so the stored original-unit centres are re-standardised), for matchSegmentIds.
 *
 * One more entry carries the highest segment id ever recorded, with no coordinates: it matches
 * nothing (its length differs), and matchSegmentIds numbers new segments above it, so an id that
 * lapsed in an earlier build is never handed to a different segment.
 */
export async function previousCentres(
  db: Kysely<unknown>,
  published: Relation | undefined,
  fits: Relation,
  transform: FeatureTransform,
): Promise<PreviousCentre[]> {
  const rows = published
    ? (await sql.raw<Record<string, unknown>>(`select * from ${qualified(published)}`).execute(db)).rows
    : [];
  const previous = rows.map((row) => {
    const original = transform.features.map((f) => row[`o_${f}`]);
    // a centre without every current feature (the feature set changed) can match nothing
    const comparable = original.every((x): x is number => typeof x === 'number');
    const centre = comparable
      ? applyTransform(transform, Object.fromEntries(transform.features.map((f, i) => [f, original[i] as number])))
      : [];
    return { id: Number(row['segment_id']), centre };
  });
  const ever = await sql.raw<{ id: number | null }>(`
    select max((s ->> 'segment_id')::integer) as id
    from ${qualified(fits)}, jsonb_array_elements(segments) as s`).execute(db);
  const highest = ever.rows[0]?.id ?? 0;
  return [...previous, { id: highest, centre: [] }];
}

/** Names fixed by the seed segment_name_overrides (segment_id → name), used verbatim. */
export async function nameOverrides(db: Kysely<unknown>, overrides: Relation): Promise<Map<number, string>> {
  const result = await sql.raw<{ segment_id: number | null; segment_name: string | null }>(
    `select segment_id, segment_name from ${qualified(overrides)}`,
  ).execute(db);
  return new Map(
    result.rows.flatMap((r) => (r.segment_id === null || !r.segment_name ? [] : [[Number(r.segment_id), r.segment_name] as const])),
  );
}

/**
 * The fit behind the published centres, for the refit rule (scripts/core/refit-policy.ts):
 * undefined when nothing is published, the table has no rows (a tolerant domain with no data) or
 * it was written before the fit's population and settings were kept with it.
 */
export async function publishedFit(
  db: Kysely<unknown>,
  published: Relation | undefined,
  settings: SegmentSettings,
): Promise<PublishedFit | undefined> {
  if (!published) return undefined;
  const row = (await sql.raw<{ c: Record<string, unknown> }>(`select to_jsonb(c) as c from ${qualified(published)} as c limit 1`).execute(db)).rows[0]?.c;
  // centres written before the purchases were kept have another layout: refit (their rows cannot be copied either)
  if (!row || row['fit_customers'] === undefined || row['fit_purchases'] === undefined || row['fit_settings'] === undefined) return undefined;
  const same = await sql<{ same: boolean }>`select ${JSON.stringify(row['fit_settings'])}::jsonb = ${JSON.stringify(settings)}::jsonb as same`.execute(db);
  return {
    build: Number(row['build_id']),
    population: Number(row['fit_customers']),
    purchases: Number(row['fit_purchases']),
    sameSettings: same.rows[0]?.same === true,
  };
}

/** Rows of a table (the centres written). */
export async function countRows(db: Kysely<unknown>, relation: Relation): Promise<number> {
  const result = await sql.raw<{ n: string }>(`select count(*) as n from ${qualified(relation)}`).execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * What the refit rule measures change in (scripts/core/refit-policy.ts): the feature table's rows
 * (customers) and the sum of its `purchases` column (each customer's orders or trips), one scan.
 */
export async function populationOf(db: Kysely<unknown>, relation: Relation, purchases: string): Promise<{ customers: number; purchases: number }> {
  const result = await sql.raw<{ n: string; bought: string | null }>(
    `select count(*) as n, sum(${quoteIdent(purchases)}) as bought from ${qualified(relation)}`,
  ).execute(db);
  return { customers: Number(result.rows[0]?.n ?? 0), purchases: Number(result.rows[0]?.bought ?? 0) };
}
