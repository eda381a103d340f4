/**
 * The four TravelTide tables the loader recognises by their header, and the landing table each
 * lands in (migration "travel landing"). A file is a TravelTide table when its header holds
 * exactly that table's columns, in any order (names compared ignoring case and surrounding spaces).
 */

/** How a column's text is checked before it lands (see convert.ts). */
export type TravelColumnKind = 'text' | 'integer' | 'numeric' | 'timestamp' | 'date' | 'boolean';

export interface TravelColumn {
  readonly name: string;
  readonly kind: TravelColumnKind;
}

export type TravelTableName = 'users' | 'sessions' | 'flights' | 'hotels';

export interface TravelTable {
  readonly name: TravelTableName;
  /** load_batches.format of a batch of this table */
  readonly format: `traveltide_${TravelTableName}`;
  /** the landing table, schema-qualified */
  readonly landing: string;
  /** TravelTide's columns, in the landing table's order */
  readonly columns: readonly TravelColumn[];
}

const col = (name: string, kind: TravelColumnKind): TravelColumn => ({ name, kind });

export const TRAVEL_TABLES: readonly TravelTable[] = [
  {
    name: 'users',
    format: 'traveltide_users',
    landing: 'landing.travel_users',
    columns: [
      col('user_id', 'integer'), col('birthdate', 'date'), col('gender', 'text'), col('married', 'boolean'),
      col('has_children', 'boolean'), col('home_country', 'text'), col('home_city', 'text'), col('home_airport', 'text'),
      col('home_airport_lat', 'numeric'), col('home_airport_lon', 'numeric'), col('sign_up_date', 'date'),
    ],
  },
  {
    name: 'sessions',
    format: 'traveltide_sessions',
    landing: 'landing.travel_sessions',
    columns: [
      col('session_id', 'text'), col('user_id', 'integer'), col('trip_id', 'text'), col('session_start', 'timestamp'),
      col('session_end', 'timestamp'), col('flight_discount', 'boolean'), col('hotel_discount', 'boolean'),
      col('flight_discount_amount', 'numeric'), col('hotel_discount_amount', 'numeric'), col('flight_booked', 'boolean'),
      col('hotel_booked', 'boolean'), col('page_clicks', 'integer'), col('cancellation', 'boolean'),
    ],
  },
  {
    name: 'flights',
    format: 'traveltide_flights',
    landing: 'landing.travel_flights',
    columns: [
      col('trip_id', 'text'), col('origin_airport', 'text'), col('destination', 'text'), col('destination_airport', 'text'),
      col('seats', 'integer'), col('return_flight_booked', 'boolean'), col('departure_time', 'timestamp'),
      col('return_time', 'timestamp'), col('checked_bags', 'integer'), col('trip_airline', 'text'),
      col('destination_airport_lat', 'numeric'), col('destination_airport_lon', 'numeric'), col('base_fare_usd', 'numeric'),
    ],
  },
  {
    name: 'hotels',
    format: 'traveltide_hotels',
    landing: 'landing.travel_hotels',
    columns: [
      col('trip_id', 'text'), col('hotel_name', 'text'), col('nights', 'integer'), col('rooms', 'integer'),
      col('check_in_time', 'timestamp'), col('check_out_time', 'timestamp'), col('hotel_per_room_usd', 'numeric'),
    ],
  },
];

const normal = (name: string): string => name.trim().toLowerCase();

/**
 * The TravelTide table whose columns the header holds exactly, or undefined (then the file is an
 * order-lines file, handled by the order-lines loader).
 *
 * @example detectTravelTable(['trip_id', 'hotel_name', 'nights', ...])?.name // 'hotels'
 */
export function detectTravelTable(header: readonly string[]): TravelTable | undefined {
  const names = new Set(header.map(normal));
  return TRAVEL_TABLES.find((t) => t.columns.length === names.size && t.columns.every((c) => names.has(c.name)));
}

/** Position in the header of each of the table's columns (the header is known to hold them all). */
export function columnPositions(table: TravelTable, header: readonly string[]): number[] {
  const normalised = header.map(normal);
  return table.columns.map((c) => normalised.indexOf(c.name));
}
