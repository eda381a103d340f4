import { LEVEL_Z, nameWithRules, type ChosenName } from './namer.ts';
import type { Population } from './position.ts';

/**
 * Names for traveller segments, in the words of the TravelTide case study, from each centre's
 * position among travellers (z per feature of gold.traveler_features; a feature not clustered on
 * counts as average). The first rule that holds names the segment; collisions get a qualifier and
 * overrides (seed traveler_segment_name_overrides) win, as for customer segments (nameWithRules).
 *
 * | rule (high/low: centre at least 0.5 sd above/below the travellers' mean) | name |
 * |---|---|
 * | trips low, weekend-trip share high | Weekend getaways |
 * | trips low | Occasional travellers |
 * | seats or rooms per booking high | Families |
 * | cancellation rate high | Flexible planners |
 * | share of bookings made with a discount high | Discount hunters |
 * | trips high, and nights per stay or days booked ahead low | Business regulars |
 * | total spend high | Big spenders |
 * | trips high | Frequent travellers |
 * | otherwise | Typical travellers |
 */
export const TRAVEL_NAME_RULES: readonly (ChosenName & { readonly when: (z: (f: string) => number) => boolean })[] = [
  { name: 'Weekend getaways', uses: ['trips', 'weekend_trip_share'], when: (z) => z('trips') <= -LEVEL_Z && z('weekend_trip_share') >= LEVEL_Z },
  { name: 'Occasional travellers', uses: ['trips'], when: (z) => z('trips') <= -LEVEL_Z },
  { name: 'Families', uses: ['avg_seats_per_flight', 'avg_rooms_per_stay'], when: (z) => z('avg_seats_per_flight') >= LEVEL_Z || z('avg_rooms_per_stay') >= LEVEL_Z },
  { name: 'Flexible planners', uses: ['cancellation_rate'], when: (z) => z('cancellation_rate') >= LEVEL_Z },
  { name: 'Discount hunters', uses: ['discount_booking_share'], when: (z) => z('discount_booking_share') >= LEVEL_Z },
  {
    name: 'Business regulars',
    uses: ['trips', 'avg_nights_per_stay', 'avg_days_booked_ahead'],
    when: (z) => z('trips') >= LEVEL_Z && (z('avg_nights_per_stay') <= -LEVEL_Z || z('avg_days_booked_ahead') <= -LEVEL_Z),
  },
  { name: 'Big spenders', uses: ['total_spend'], when: (z) => z('total_spend') >= LEVEL_Z },
  { name: 'Frequent travellers', uses: ['trips'], when: (z) => z('trips') >= LEVEL_Z },
  { name: 'Typical travellers', uses: [], when: () => true },
];

/** Readable, unique traveller segment names; the same contract as nameSegments. */
export function nameTravellerSegments(
  centres: readonly Readonly<Record<string, number>>[],
  population: Population,
  overrides?: ReadonlyMap<number, string>,
  ids?: readonly number[],
): string[] {
  return nameWithRules(
    centres,
    population,
    (_centre, positions) => TRAVEL_NAME_RULES.find((rule) => rule.when((f) => positions.get(f) ?? 0))!,
    overrides,
    ids,
  );
}
