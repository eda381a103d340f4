/**
 * Sections that exist only when their gold tables do: the travel domain (perks and experiment
 * arms), the airline domain (cancellation by card tier and province) and feature drift. They are
 * built by other parts of the project; each query names the tables and columns it needs, looks
 * them up in the published catalog, and the section is left out when they are missing, so the
 * report and dashboard work on any project.
 */
import type { GoldCatalog } from './catalog.ts';
import { num0, str, type Queryable, type Row } from './run.ts';

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The first of `candidates` that `table` has, or undefined. */
function pick(catalog: GoldCatalog, table: string, candidates: readonly string[]): string | undefined {
  return candidates.find((c) => catalog.has(table, c));
}

export interface CategoryRate {
  readonly category: string;
  readonly members: number;
  readonly cancelled: number;
  readonly rate: number;
}

export interface AirlineSection {
  readonly byTier: readonly CategoryRate[];
  readonly byProvince: readonly CategoryRate[];
  readonly tierColumn: string;
}

const MEMBERS = 'loyalty_members';
const TIER_COLUMNS = ['card_tier', 'loyalty_card', 'card'] as const;

/** Cancellation rate by card tier and by province, from gold.loyalty_members (airline); undefined when it has no members. */
export async function loadAirline(db: Queryable, catalog: GoldCatalog): Promise<AirlineSection | undefined> {
  const tier = pick(catalog, MEMBERS, TIER_COLUMNS);
  if (!tier || !catalog.has(MEMBERS, 'province', 'is_cancelled')) return undefined;
  const by = async (column: string): Promise<CategoryRate[]> => {
    const { rows } = await db.query(
      `select ${quoteIdent(column)}::text as category, count(*) as members,
              count(*) filter (where is_cancelled) as cancelled,
              avg(case when is_cancelled then 1.0 else 0.0 end) as rate
         from gold.${MEMBERS}
        group by 1
        order by 1`,
    );
    return (rows as Row[]).map((r) => ({ category: str(r.category), members: num0(r.members), cancelled: num0(r.cancelled), rate: num0(r.rate) }));
  };
  const byTier = await by(tier);
  // published but empty (a project without airline data): the domain is not present
  if (byTier.length === 0) return undefined;
  return { byTier, byProvince: await by('province'), tierColumn: tier };
}

export interface PerkArmRow {
  readonly segment: string;
  readonly perk: string;
  readonly arm: string;
  readonly users: number;
}

export interface TravelSection {
  readonly perksByArm: readonly PerkArmRow[];
  /** gold.experiment_results as published, every column, when present */
  readonly experiment: readonly Row[];
}

const ASSIGNMENTS = 'perk_assignments';
// column names as the travel domain's property file (models/gold/_travel__models.yml) has them
const SEGMENT_COLUMNS = ['stratum_segment_name', 'segment_name', 'segment'] as const;
const PERK_COLUMNS = ['perk_name', 'perk'] as const;
/** experiment_results columns the report shows, when present (the table has many more) */
const EXPERIMENT_COLUMNS = [
  'scope', 'segment_name', 'perk_name', 'phase', 'users_treatment', 'users_control', 'users_holdout',
  'conversion_treatment', 'conversion_control', 'conversion_diff', 'conversion_ci_low', 'conversion_ci_high', 'conversion_p_value',
  'spend_diff', 'spend_ci_low', 'spend_ci_high',
] as const;

/** Users per segment, perk and experiment arm (gold.perk_assignments), with experiment_results; undefined when nobody is assigned. */
export async function loadTravel(db: Queryable, catalog: GoldCatalog): Promise<TravelSection | undefined> {
  const segment = pick(catalog, ASSIGNMENTS, SEGMENT_COLUMNS);
  const perk = pick(catalog, ASSIGNMENTS, PERK_COLUMNS);
  if (!segment || !perk || !catalog.has(ASSIGNMENTS, 'arm')) return undefined;
  // a withdrawn traveller (user row retracted) is no user of the experiment
  const present = catalog.has(ASSIGNMENTS, 'withdrawn') ? 'where not withdrawn' : '';
  const { rows } = await db.query(
    `select ${quoteIdent(segment)}::text as segment, ${quoteIdent(perk)}::text as perk, arm::text as arm, count(*) as users
       from gold.${ASSIGNMENTS}
      ${present}
      group by 1, 2, 3
      order by 1, 2, 3`,
  );
  // published but empty (a project without travel data): the domain is not present
  if (rows.length === 0) return undefined;
  const shown = EXPERIMENT_COLUMNS.filter((c) => catalog.has('experiment_results', c));
  const experiment = shown.length
    ? ((await db.query(`select ${shown.map(quoteIdent).join(', ')} from gold.experiment_results limit 200`)).rows as Row[])
    : [];
  return {
    perksByArm: (rows as Row[]).map((r) => ({ segment: str(r.segment), perk: str(r.perk), arm: str(r.arm), users: num0(r.users) })),
    experiment,
  };
}

export interface DriftSection {
  /** gold.feature_drift as published, every column */
  readonly rows: readonly Row[];
  /** feature and PSI per row when the table has those columns (for the chart) */
  readonly psi: readonly { feature: string; psi: number }[];
}

// ops' gold.feature_drift names a measure by kind and name (models/gold/_scoring__models.yml)
const DRIFT_LABELS = [['kind', 'name'], ['feature']] as const;

/** gold.feature_drift, when published: shown whole, with a PSI chart when it has feature and psi. */
export async function loadDrift(db: Queryable, catalog: GoldCatalog): Promise<DriftSection | undefined> {
  if (!catalog.has('feature_drift')) return undefined;
  const label = DRIFT_LABELS.find((columns) => catalog.has('feature_drift', ...columns));
  // in the order of its label (a build writes its measures at once, in no fixed order)
  const order = label ? ` order by ${label.map((c) => `"${c}"`).join(', ')}` : '';
  const rows = (await db.query(`select * from gold.feature_drift${order} limit 500`)).rows as Row[];
  const psi =
    label && catalog.has('feature_drift', 'psi')
      ? rows.filter((r) => r.psi !== null && r.psi !== undefined).map((r) => ({ feature: label.map((c) => str(r[c])).join(': '), psi: num0(r.psi) }))
      : [];
  return { rows, psi };
}
