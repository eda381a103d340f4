import { cumulative } from '../../../core/random.ts';

/**
 * The kinds of traveller the TravelTide generator mixes, as the case study describes them. Each
 * differs from the others in the ways the case names, so traveller segments have something real
 * to recover (and RFM, which sees only recency, frequency and spend, much less):
 * - cost optimisers browse a lot and book mostly when a discount is offered;
 * - business travellers book often, late, alone, short stays, few bags, always a return flight;
 * - flexibility seekers book and then cancel a good share of their trips;
 * - families book several seats and rooms, many bags, long stays, well ahead;
 * - occasional leisure travellers seldom book; weekend trips are common.
 */
export interface TravelArchetype {
  readonly name: TravelArchetypeName;
  /** share of users */
  readonly share: number;
  /** browsing sessions per month (mean) */
  readonly sessionsPerMonth: number;
  /** mean page clicks per session */
  readonly clicks: number;
  /** chance a session books a trip, without and with a discount offered */
  readonly bookWithout: number;
  readonly bookWithDiscount: number;
  /** chance a booked trip is later cancelled */
  readonly cancel: number;
  /** [min, max] seats and rooms */
  readonly seats: readonly [number, number];
  readonly rooms: readonly [number, number];
  /** mean checked bags per seat */
  readonly bagsPerSeat: number;
  /** [min, max] nights away */
  readonly nights: readonly [number, number];
  /** [min, max] days booked ahead */
  readonly ahead: readonly [number, number];
  /** chance of a return flight */
  readonly returnFlight: number;
  /** chance a trip has a flight, a hotel (at least one of them) */
  readonly flight: number;
  readonly hotel: number;
  /** chance a trip is a Friday-or-Saturday to weekend trip */
  readonly weekend: number;
  /** hotel price band, USD per room per night */
  readonly roomPrice: readonly [number, number];
  /** [min, max] age */
  readonly age: readonly [number, number];
  readonly married: number;
  readonly children: number;
}

export type TravelArchetypeName = 'cost_optimiser' | 'business' | 'flexibility_seeker' | 'family' | 'occasional_leisure';

export const TRAVEL_ARCHETYPES: readonly TravelArchetype[] = [
  {
    name: 'cost_optimiser', share: 0.22, sessionsPerMonth: 3, clicks: 22, bookWithout: 0.04, bookWithDiscount: 0.45, cancel: 0.03,
    seats: [1, 2], rooms: [1, 1], bagsPerSeat: 0.6, nights: [2, 6], ahead: [10, 60], returnFlight: 0.9, flight: 0.85, hotel: 0.75,
    weekend: 0.15, roomPrice: [40, 120], age: [22, 60], married: 0.35, children: 0.2,
  },
  {
    name: 'business', share: 0.18, sessionsPerMonth: 3.5, clicks: 8, bookWithout: 0.35, bookWithDiscount: 0.38, cancel: 0.04,
    seats: [1, 1], rooms: [1, 1], bagsPerSeat: 0.15, nights: [1, 3], ahead: [1, 10], returnFlight: 0.98, flight: 0.95, hotel: 0.8,
    weekend: 0.02, roomPrice: [150, 320], age: [28, 58], married: 0.55, children: 0.3,
  },
  {
    name: 'flexibility_seeker', share: 0.15, sessionsPerMonth: 2.5, clicks: 15, bookWithout: 0.22, bookWithDiscount: 0.28, cancel: 0.45,
    seats: [1, 2], rooms: [1, 1], bagsPerSeat: 0.7, nights: [3, 8], ahead: [5, 45], returnFlight: 0.7, flight: 0.8, hotel: 0.8,
    weekend: 0.1, roomPrice: [80, 200], age: [22, 55], married: 0.4, children: 0.2,
  },
  {
    name: 'family', share: 0.2, sessionsPerMonth: 2, clicks: 18, bookWithout: 0.15, bookWithDiscount: 0.25, cancel: 0.05,
    seats: [3, 6], rooms: [2, 3], bagsPerSeat: 1.1, nights: [5, 14], ahead: [40, 150], returnFlight: 0.97, flight: 0.9, hotel: 0.95,
    weekend: 0.03, roomPrice: [70, 180], age: [30, 52], married: 0.9, children: 1,
  },
  {
    name: 'occasional_leisure', share: 0.25, sessionsPerMonth: 1.2, clicks: 12, bookWithout: 0.08, bookWithDiscount: 0.12, cancel: 0.05,
    seats: [1, 2], rooms: [1, 1], bagsPerSeat: 0.8, nights: [2, 6], ahead: [15, 90], returnFlight: 0.85, flight: 0.6, hotel: 0.85,
    weekend: 0.5, roomPrice: [60, 160], age: [20, 75], married: 0.45, children: 0.15,
  },
];

/** Running sums of the shares, for Random.weighted. */
export const TRAVEL_ARCHETYPE_SHARES = cumulative(TRAVEL_ARCHETYPES.map((a) => a.share));
