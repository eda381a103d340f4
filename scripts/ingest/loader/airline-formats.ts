import type { TableFormat } from './table-formats.ts';

/**
 * Maven Analytics' "Airline Loyalty Program" files (../shared/data/airline_loyalty, current
 * release). Both files start with a byte-order mark, end lines with CRLF and have column names with
 * spaces; the loader's decoder drops the mark, its splitter the CR, and columns are found by name.
 */

/** Customer Loyalty History: one row per member (landing.airline_members). */
export const AIRLINE_MEMBERS: TableFormat = {
  name: 'airline_members',
  table: 'landing.airline_members',
  columns: [
    { header: 'Loyalty Number', column: 'loyalty_number', kind: 'integer' },
    { header: 'Country', column: 'country', kind: 'text' },
    { header: 'Province', column: 'province', kind: 'text' },
    { header: 'City', column: 'city', kind: 'text' },
    { header: 'Postal Code', column: 'postal_code', kind: 'text' },
    { header: 'Gender', column: 'gender', kind: 'text' },
    { header: 'Education', column: 'education', kind: 'text' },
    { header: 'Salary', column: 'salary', kind: 'numeric' },
    { header: 'Marital Status', column: 'marital_status', kind: 'text' },
    { header: 'Loyalty Card', column: 'loyalty_card', kind: 'text' },
    { header: 'CLV', column: 'clv', kind: 'numeric' },
    { header: 'Enrollment Type', column: 'enrollment_type', kind: 'text' },
    { header: 'Enrollment Year', column: 'enrollment_year', kind: 'integer' },
    { header: 'Enrollment Month', column: 'enrollment_month', kind: 'integer' },
    { header: 'Cancellation Year', column: 'cancellation_year', kind: 'integer' },
    { header: 'Cancellation Month', column: 'cancellation_month', kind: 'integer' },
  ],
};

/** Customer Flight Activity (current release): one row per member and month (landing.airline_flight_activity). */
export const AIRLINE_FLIGHT_ACTIVITY: TableFormat = {
  name: 'airline_flight_activity',
  table: 'landing.airline_flight_activity',
  columns: [
    { header: 'Loyalty Number', column: 'loyalty_number', kind: 'integer' },
    { header: 'Year', column: 'year', kind: 'integer' },
    { header: 'Month', column: 'month', kind: 'integer' },
    { header: 'Total Flights', column: 'total_flights', kind: 'integer' },
    { header: 'Distance', column: 'distance', kind: 'integer' },
    { header: 'Points Accumulated', column: 'points_accumulated', kind: 'numeric' },
    { header: 'Points Redeemed', column: 'points_redeemed', kind: 'integer' },
    { header: 'Dollar Cost Points Redeemed', column: 'dollar_cost_points_redeemed', kind: 'integer' },
  ],
  // The earlier (2023) release has these two columns; its figures differ from the current
  // release's (points about distance / 10 there, about 1 per km here), so the two are never mixed.
  refuse: [
    {
      header: 'Flights Booked',
      reason:
        'it has "Flights Booked", so it is the earlier (2023) release of Customer Flight Activity, whose figures ' +
        'differ from the current release\'s; strata reads the current release only and never mixes the two',
    },
  ],
};

/** Table formats the loader recognises by header, tried in this order before the order-line formats. */
export const TABLE_FORMATS: readonly TableFormat[] = [AIRLINE_MEMBERS, AIRLINE_FLIGHT_ACTIVITY];
