import { Random } from '../../../core/random.ts';
import { AIRLINES, AIRPORTS, HOTEL_CHAINS, distanceKm, type Airport } from './airports.ts';
import { TRAVEL_ARCHETYPES, TRAVEL_ARCHETYPE_SHARES, type TravelArchetype } from './archetypes.ts';

/** One synthetic traveller's rows, each as COPY text of its landing table's TravelTide columns. */
export interface TravellerRows {
  readonly userId: number;
  readonly archetype: TravelArchetype;
  readonly user: string;
  readonly sessions: readonly string[];
  readonly flights: readonly string[];
  readonly hotels: readonly string[];
}

export interface TravelWindow {
  /** first day sessions may fall on, UTC midnight in ms */
  readonly startMs: number;
  readonly months: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NULL = '\\N';

/** `YYYY-MM-DD HH:MM:SS` of a UTC instant (TravelTide's timestamps have no zone). */
function timestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
const date = (ms: number): string => timestamp(ms).slice(0, 10);
const between = (r: Random, [low, high]: readonly [number, number]): number => low + r.int(high - low + 1);

/** The archetype of user `index` of a run: the first draw of its own stream, so it can be read again alone. */
export function travelArchetypeOf(seed: number, index: number): TravelArchetype {
  return TRAVEL_ARCHETYPES[new Random(seed, index).weighted(TRAVEL_ARCHETYPE_SHARES)]!;
}

/**
 * Everything user `index` of a run does: a users row, sessions over the window, and a flight
 * and/or hotel row for every trip a session booked (cancelled ones included: TravelTide records
 * the cancellation in a later session). Depends only on (seed, index): users are independent,
 * so the writer can regenerate a user once per table and hold nothing.
 */
export function generateTraveller(seed: number, index: number, firstUserId: number, window: TravelWindow): TravellerRows {
  const r = new Random(seed, index);
  const archetype = TRAVEL_ARCHETYPES[r.weighted(TRAVEL_ARCHETYPE_SHARES)]!;
  const a = archetype;
  const userId = firstUserId + index;
  const home = r.pick(AIRPORTS);
  const age = between(r, a.age);
  const birth = window.startMs - age * 365.25 * DAY - r.int(365) * DAY;
  const married = r.chance(a.married);
  const children = r.chance(a.children);
  const signUp = window.startMs - r.int(330) * DAY;
  const user = [
    userId, date(birth), r.chance(0.5) ? 'F' : 'M', married, children, home.country, home.city, home.code,
    home.lat, home.lon, date(signUp),
  ].join('\t');

  // calendar months, so that a window never reaches past its last day
  const from = new Date(window.startMs);
  const windowMs = Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + window.months, from.getUTCDate()) - window.startMs - HOUR;
  // how much this user travels, around the archetype's mean
  const activity = r.gamma(4, 0.25);
  const count = Math.max(1, r.poisson(a.sessionsPerMonth * window.months * activity));
  const starts = Array.from({ length: count }, () => window.startMs + r.next() * windowMs).sort((x, y) => x - y);
  const sessions: string[] = [];
  const flights: string[] = [];
  const hotels: string[] = [];
  let sessionNo = 0;
  const session = (start: number, fields: readonly (string | number | boolean)[]): void => {
    const end = start + (1 + r.int(30)) * 60_000 + r.int(60_000);
    sessions.push([`${userId}-${++sessionNo}`, userId, ...fields.slice(0, 1), timestamp(start), timestamp(end), ...fields.slice(1)].join('\t'));
  };

  for (const start of starts) {
    const flightOffer = r.chance(0.2);
    const hotelOffer = r.chance(0.15);
    const flightAmount = flightOffer ? (1 + r.int(8)) * 0.05 : NULL;
    const hotelAmount = hotelOffer ? (1 + r.int(8)) * 0.05 : NULL;
    const clicks = 1 + r.poisson(a.clicks);
    const booked = r.chance(flightOffer || hotelOffer ? a.bookWithDiscount : a.bookWithout);
    if (!booked) {
      session(start, [NULL, flightOffer, hotelOffer, flightAmount, hotelAmount, false, false, clicks, false]);
      continue;
    }
    // a discount hunter books what is discounted
    let withFlight = flightOffer && a.bookWithDiscount > 2 * a.bookWithout ? true : r.chance(a.flight);
    const withHotel = hotelOffer && a.bookWithDiscount > 2 * a.bookWithout ? true : r.chance(a.hotel) || !withFlight;
    if (!withFlight && !withHotel) withFlight = true;
    const tripId = `${userId}-${hex32(r)}`;
    session(start, [tripId, flightOffer, hotelOffer, flightAmount, hotelAmount, withFlight, withHotel, clicks, false]);
    trip(r, a, home, tripId, start, withFlight, withHotel, flights, hotels);
    if (r.chance(a.cancel)) {
      const later = start + (1 + r.int(10)) * DAY + r.int(DAY);
      session(later, [tripId, false, false, NULL, NULL, withFlight, withHotel, 1 + r.poisson(4), true]);
    }
  }
  return { userId, archetype, user, sessions, flights, hotels };
}

function trip(
  r: Random,
  a: TravelArchetype,
  home: Airport,
  tripId: string,
  bookedMs: number,
  withFlight: boolean,
  withHotel: boolean,
  flights: string[],
  hotels: string[],
): void {
  let destination = r.pick(AIRPORTS);
  while (destination.code === home.code) destination = r.pick(AIRPORTS);
  let nights = between(r, a.nights);
  let departDay = Math.floor((bookedMs + between(r, a.ahead) * DAY) / DAY) * DAY;
  if (r.chance(a.weekend)) {
    // leave on the next Friday or Saturday, back by Sunday or Monday
    const dow = new Date(departDay).getUTCDay();
    departDay += ((5 - dow + 7) % 7) * DAY + (r.chance(0.3) ? DAY : 0);
    nights = 1 + r.int(2);
  }
  const departure = departDay + (6 + r.int(15)) * HOUR;
  const seats = between(r, a.seats);
  const returnFlight = r.chance(a.returnFlight);
  if (withFlight) {
    const km = distanceKm(home, destination);
    const business = a.name === 'business' ? 1.6 : 1;
    const fare = (80 + 0.12 * km) * seats * (returnFlight ? 1.8 : 1) * business * r.gamma(16, 1 / 16);
    const returnTime = returnFlight ? timestamp(departDay + nights * DAY + (7 + r.int(14)) * HOUR) : NULL;
    flights.push([
      tripId, home.code, destination.city, destination.code, seats, returnFlight, timestamp(departure), returnTime,
      r.poisson(a.bagsPerSeat * seats), r.pick(AIRLINES), destination.lat, destination.lon, fare.toFixed(2),
    ].join('\t'));
  }
  if (withHotel) {
    const checkIn = departure + (2 + r.int(6)) * HOUR;
    const checkOut = departDay + nights * DAY + 11 * HOUR;
    const price = between(r, a.roomPrice as [number, number]);
    hotels.push([
      tripId, `${r.pick(HOTEL_CHAINS)} - ${destination.city}`, nights, between(r, a.rooms), timestamp(checkIn), timestamp(checkOut), price,
    ].join('\t'));
  }
}

function hex32(r: Random): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += r.uint32().toString(16).padStart(8, '0');
  return out;
}
