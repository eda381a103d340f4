import { sql, type Kysely } from 'kysely';
import { UsageError } from '../../scripts/core/errors.ts';
import { defineModel, qualified, quoteIdent } from '../../scripts/core/ts-model.ts';
import { addSums, experimentFigures, NO_USERS, type ArmSums, type ExperimentFigures } from '../../scripts/experiment/results.ts';

/**
 * Gold: how the perk experiment is doing, per traveller segment (the stratum a traveller was
 * assigned in) and overall: users per arm, conversion (booked again after the start), bookings
 * and spend per user, treatment − control with a 95% confidence interval and a p-value
 * (two-proportion z-test for conversion, Welch's t for spend), and the minimum detectable effect
 * at 80% power for the current arm sizes (scripts/experiment/stats.ts).
 *
 * The heavy part is one SQL aggregate (sums per segment and arm); TypeScript only does the
 * statistics on those few rows. Empty when no traveller is assigned.
 *
 * Vars:
 *   perk_experiment        the experiment (default 'perks-2023'), as in perk_assignments
 *   perk_experiment_start  YYYY-MM-DD: bookings from then on are outcomes; null: not started
 *   perk_baseline_days     days before the start (or before the latest booking, when not
 *                          started) whose bookings give the baseline for the power figures (90)
 */
export default defineModel({
  dependsOn: ['perk_assignments', 'travel_trips'],
  description: 'Perk experiment results per traveller segment and overall.',
  async run(ctx) {
    const experiment = stringVar(ctx.vars, 'perk_experiment', 'perks-2023');
    const startVar = ctx.vars['perk_experiment_start'] ?? null;
    if (startVar !== null && (typeof startVar !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(startVar))) {
      throw new UsageError(`var perk_experiment_start must be a date YYYY-MM-DD or null, got ${JSON.stringify(startVar)}`);
    }
    const days = ctx.vars['perk_baseline_days'] ?? 90;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
      throw new UsageError(`var perk_baseline_days must be a whole number of days, at least 1, got ${JSON.stringify(days)}`);
    }
    const assignments = qualified(ctx.ref('perk_assignments'));
    const trips = qualified(ctx.ref('travel_trips'));
    // as text, so that timestamps without a zone never pass through a JavaScript Date
    const bounds = (
      await sql<{ start_at: string | null; latest: string | null; pre_from: string | null; pre_to: string | null; started: boolean }>`
        with b as (
          select ${startVar}::timestamp as start_at,
                 (select max(ordered_at) from ${sql.raw(trips)} where user_known and not cancelled) as latest
        )
        select start_at::text, latest::text,
               (coalesce(start_at, latest + interval '1 second') - make_interval(days => ${days}))::text as pre_from,
               coalesce(start_at, latest + interval '1 second')::text as pre_to,
               coalesce(latest >= start_at, false) as started
        from b`.execute(ctx.db)
    ).rows[0]!;
    const started = bounds.started;
    const groups = (
      await sql<GroupRow>`
        with assigned as (
          -- a withdrawn traveller (user row retracted) was never a unit of the experiment
          select * from ${sql.raw(assignments)} where experiment = ${experiment} and not withdrawn
        ),
        trips as (
          select customer_id, ordered_at, (coalesce(flight_spend, 0) + coalesce(hotel_spend, 0))::float8 as spend
          from ${sql.raw(trips)}
          where user_known and not cancelled
        ),
        per_user as (
          select
            a.customer_id, a.stratum_segment_id, a.stratum_segment_name, a.perk_name, a.arm,
            count(t.customer_id) filter (where t.ordered_at >= ${bounds.start_at}::timestamp)                    as bookings,
            coalesce(sum(t.spend) filter (where t.ordered_at >= ${bounds.start_at}::timestamp), 0)               as spend,
            count(t.customer_id) filter (where t.ordered_at >= ${bounds.pre_from}::timestamp and t.ordered_at < ${bounds.pre_to}::timestamp) as pre_bookings,
            coalesce(sum(t.spend) filter (where t.ordered_at >= ${bounds.pre_from}::timestamp and t.ordered_at < ${bounds.pre_to}::timestamp), 0) as pre_spend
          from assigned as a
          left join trips as t on t.customer_id = a.customer_id
          group by 1, 2, 3, 4, 5
        )
        select
          stratum_segment_id as segment_id, stratum_segment_name as segment_name, perk_name, arm,
          count(*)::int                                   as n,
          count(*) filter (where bookings > 0)::int       as converted,
          sum(bookings)::float8                           as bookings,
          sum(spend)::float8                              as spend,
          sum(spend * spend)::float8                      as spend_squares,
          count(*) filter (where pre_bookings > 0)::int   as pre_converted,
          sum(pre_spend)::float8                          as pre_spend,
          sum(pre_spend * pre_spend)::float8              as pre_spend_squares
        from per_user
        group by 1, 2, 3, 4
        order by 1, 4`.execute(ctx.db)
    ).rows;

    const phase = bounds.start_at === null ? 'not started' : started ? 'running' : 'before start';
    const rows: ResultRow[] = [];
    const segments = [...new Map(groups.map((g) => [g.segment_id, g])).values()];
    const armOf = (list: readonly GroupRow[], arm: string): ArmSums =>
      list.filter((g) => g.arm === arm).map(toSums).reduce(addSums, NO_USERS);
    const scope = (name: 'overall' | 'segment', list: readonly GroupRow[], first: GroupRow | undefined): ResultRow => ({
      experiment,
      scope: name,
      segment_id: first?.segment_id ?? null,
      segment_name: first?.segment_name ?? 'All travellers',
      perk_name: first?.perk_name ?? null,
      phase,
      experiment_start: startVar,
      baseline_from: bounds.pre_from,
      baseline_to: bounds.pre_to,
      outcomes_until: started ? bounds.latest : null,
      users_holdout: armOf(list, 'holdout').n,
      ...experimentFigures(armOf(list, 'treatment'), armOf(list, 'control'), started),
    });
    if (groups.length > 0) rows.push(scope('overall', groups, undefined));
    for (const segment of segments) rows.push(scope('segment', groups.filter((g) => g.segment_id === segment.segment_id), segment));
    await writeResults(ctx.db, qualified(ctx.this), rows);
    ctx.log(`${experiment}: ${phase}, ${groups.reduce((s, g) => s + g.n, 0)} travellers in ${segments.length} segments`);
    return { rows: rows.length };
  },
});

interface GroupRow {
  readonly segment_id: number;
  readonly segment_name: string;
  readonly perk_name: string | null;
  readonly arm: string;
  readonly n: number;
  readonly converted: number;
  readonly bookings: number;
  readonly spend: number;
  readonly spend_squares: number;
  readonly pre_converted: number;
  readonly pre_spend: number;
  readonly pre_spend_squares: number;
}

type ResultRow = {
  readonly experiment: string;
  readonly scope: 'overall' | 'segment';
  readonly segment_id: number | null;
  readonly segment_name: string;
  readonly perk_name: string | null;
  readonly phase: string;
  readonly experiment_start: string | null;
  readonly baseline_from: string | null;
  readonly baseline_to: string | null;
  readonly outcomes_until: string | null;
  readonly users_holdout: number;
} & ExperimentFigures;

function toSums(g: GroupRow): ArmSums {
  return {
    n: g.n,
    converted: g.converted,
    bookings: g.bookings,
    spend: g.spend,
    spendSquares: g.spend_squares,
    preConverted: g.pre_converted,
    preSpend: g.pre_spend,
    preSpendSquares: g.pre_spend_squares,
  };
}

function stringVar(vars: Readonly<Record<string, unknown>>, name: string, fallback: string): string {
  const value = vars[name] ?? fallback;
  if (typeof value !== 'string' || value === '') throw new UsageError(`var ${name} must be a non-empty text, got ${JSON.stringify(value)}`);
  return value;
}

/** The table's columns and types, in order (the ResultRow keys). */
const COLUMNS: readonly (readonly [keyof ResultRow, string])[] = [
  ['experiment', 'text not null'],
  ['scope', 'text not null'],
  ['segment_id', 'integer'],
  ['segment_name', 'text not null'],
  ['perk_name', 'text'],
  ['phase', 'text not null'],
  ['experiment_start', 'date'],
  ['baseline_from', 'timestamp'],
  ['baseline_to', 'timestamp'],
  ['outcomes_until', 'timestamp'],
  ['users_treatment', 'integer not null'],
  ['users_control', 'integer not null'],
  ['users_holdout', 'integer not null'],
  ['conversion_treatment', 'double precision'],
  ['conversion_control', 'double precision'],
  ['conversion_diff', 'double precision'],
  ['conversion_ci_low', 'double precision'],
  ['conversion_ci_high', 'double precision'],
  ['conversion_p_value', 'double precision'],
  ['bookings_per_user_treatment', 'double precision'],
  ['bookings_per_user_control', 'double precision'],
  ['spend_per_user_treatment', 'double precision'],
  ['spend_per_user_control', 'double precision'],
  ['spend_diff', 'double precision'],
  ['spend_ci_low', 'double precision'],
  ['spend_ci_high', 'double precision'],
  ['spend_p_value', 'double precision'],
  ['spend_df', 'double precision'],
  ['baseline_conversion', 'double precision'],
  ['mde_conversion', 'double precision'],
  ['baseline_spend_sd', 'double precision'],
  ['mde_spend', 'double precision'],
];

async function writeResults(db: Kysely<unknown>, table: string, rows: readonly ResultRow[]): Promise<void> {
  await sql.raw(`create table ${table} (${COLUMNS.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ')})`).execute(db);
  if (rows.length === 0) return;
  const values = rows.map((row) => sql`(${sql.join(COLUMNS.map(([name]) => row[name] ?? null))})`);
  await sql`insert into ${sql.raw(table)} (${sql.raw(COLUMNS.map(([n]) => quoteIdent(n)).join(', '))}) values ${sql.join(values)}`.execute(db);
}
