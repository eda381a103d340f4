import { StrataError } from '../core/errors.ts';
import { NAME_RULES, qualifierPhrase, type Level, type Profile } from './names.ts';
import { featurePosition, type Population } from './position.ts';

/**
 * A segment averaging fewer orders than this is mostly one-time buyers: low frequency whatever
 * the population. Where most customers order once, one-timers sit near the average in z and
 * would otherwise never be called one-timers.
 */
export const ONE_TIMER_FREQUENCY = 1.5;

/** A centre this many population sds (or robust sds) from the middle is "high" or "low". */
export const LEVEL_Z = 0.5;

/**
 * Readable, unique names for the segments of one build.
 *
 * 1. Each centre (in ORIGINAL units, e.g. `inverseTransform` of the standardised centre) is
 *    placed in the population per feature (`featurePosition`: a z-score, on the log scale for a
 *    log1p'd feature) and recency_days, frequency, monetary and tenure_days become low / mid /
 *    high at ±0.5 (`LEVEL_Z`). Centres are averages, so they sit closer to the middle than
 *    individual customers; ±0.5 rather than the quartiles' ±0.674 keeps the names informative.
 *    A feature the model does not use counts as mid. A frequency below 1.5 orders
 *    (`ONE_TIMER_FREQUENCY`) is low whatever the population.
 * 2. The first rule of `NAME_RULES` that holds gives the name ("Recent high spenders",
 *    "Lapsed one-timers", "New customers", …).
 * 3. Names that collide (with each other or with an override) get a qualifier from the feature,
 *    among those the name does not already speak of, on which the segment stands furthest from
 *    the colliding group's average: "Lapsed one-timers (larger baskets)". Any name still
 *    repeated gets " 2", " 3", … in input order.
 * 4. `overrides` (segment id → name, from a seed) win over all of this and are used verbatim.
 *
 * `ids[i]` is the id of `centres[i]`, needed only to look up overrides; default i + 1.
 */
export function nameSegments(
  centres: readonly Readonly<Record<string, number>>[],
  population: Population,
  overrides?: ReadonlyMap<number, string>,
  ids?: readonly number[],
): string[] {
  if (ids && ids.length !== centres.length) {
    throw new StrataError(`nameSegments: ${centres.length} centres but ${ids.length} ids`);
  }
  return nameWithRules(centres, population, (c, z) => NAME_RULES.find((r) => r.when(profileOf(c, z)))!, overrides, ids);
}

/** A segment's generated name and the features that name already speaks of. */
export interface ChosenName {
  readonly name: string;
  readonly uses: readonly string[];
}

/**
 * The naming steps of `nameSegments` (positions, unique names with qualifiers, overrides) with
 * the rule choice left to the caller: `choose` gets a centre in original units and each
 * feature's position (z) in the population. Domains with their own vocabulary (traveller
 * segments) pass their own rules; `nameSegments` passes NAME_RULES.
 */
export function nameWithRules(
  centres: readonly Readonly<Record<string, number>>[],
  population: Population,
  choose: (centre: Readonly<Record<string, number>>, z: ReadonlyMap<string, number>) => ChosenName,
  overrides?: ReadonlyMap<number, string>,
  ids?: readonly number[],
): string[] {
  if (ids && ids.length !== centres.length) {
    throw new StrataError(`nameSegments: ${centres.length} centres but ${ids.length} ids`);
  }
  const positions = centres.map((c) => positionsOf(c, population));
  const rules = centres.map((c, i) => choose(c, positions[i]!));
  const fixed = centres.map((_, i) => overrides?.get(ids?.[i] ?? i + 1));
  const names = rules.map((rule, i) => fixed[i] ?? rule.name);

  const taken = new Set(fixed.filter((n) => n !== undefined));
  const byName = new Map<string, number[]>();
  names.forEach((name, i) => {
    if (fixed[i] === undefined) byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  for (const [name, group] of byName) {
    if (group.length === 1 && !taken.has(name)) continue;
    for (const i of group) {
      const phrase = distinguishingPhrase(i, group, positions, rules[i]!.uses);
      if (phrase) names[i] = `${name} (${phrase})`;
    }
  }
  return numberRepeats(names, fixed);
}

function positionsOf(centre: Readonly<Record<string, number>>, population: Population): Map<string, number> {
  const out = new Map<string, number>();
  for (const [feature, value] of Object.entries(centre)) {
    const spread = population[feature];
    if (spread && Number.isFinite(value)) out.set(feature, featurePosition(value, spread));
  }
  return out;
}

function profileOf(centre: Readonly<Record<string, number>>, z: ReadonlyMap<string, number>): Profile {
  const frequency = centre.frequency;
  return {
    recency: level(z.get('recency_days')),
    frequency: frequency !== undefined && frequency < ONE_TIMER_FREQUENCY ? 'low' : level(z.get('frequency')),
    monetary: level(z.get('monetary')),
    tenure: level(z.get('tenure_days')),
  };
}

function level(z: number | undefined): Level {
  if (z === undefined) return 'mid';
  return z >= LEVEL_Z ? 'high' : z <= -LEVEL_Z ? 'low' : 'mid';
}

/** The phrase for the feature on which segment i departs most from its group's average. */
function distinguishingPhrase(
  i: number,
  group: readonly number[],
  positions: readonly ReadonlyMap<string, number>[],
  uses: readonly string[],
): string | undefined {
  let best: { feature: string; offset: number } | undefined;
  for (const [feature, z] of positions[i]!) {
    if (uses.includes(feature)) continue;
    const groupMean = group.reduce((sum, j) => sum + (positions[j]!.get(feature) ?? 0), 0) / group.length;
    const offset = z - groupMean;
    // a lone segment colliding with an override has offset 0 everywhere: use its own z instead
    const signed = group.length === 1 ? z : offset;
    if (!best || Math.abs(signed) > Math.abs(best.offset)) best = { feature, offset: signed };
  }
  return best && best.offset !== 0 ? qualifierPhrase(best.feature, best.offset > 0) : undefined;
}

/** Appends " 2", " 3", … to generated names that still repeat; overrides stay verbatim. */
function numberRepeats(names: readonly string[], fixed: readonly (string | undefined)[]): string[] {
  const seen = new Set(fixed.filter((n) => n !== undefined));
  return names.map((name, i) => {
    if (fixed[i] !== undefined) return name;
    let candidate = name;
    for (let n = 2; seen.has(candidate); n++) candidate = `${name} ${n}`;
    seen.add(candidate);
    return candidate;
  });
}
