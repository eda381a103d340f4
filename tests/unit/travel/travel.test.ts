import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAVELER_SEGMENT_FEATURES } from '../../../models/gold/traveler_segment_centres.ts';
import { travelRowConverter } from '../../../scripts/ingest/travel/convert.ts';
import { columnPositions, detectTravelTable, TRAVEL_TABLES } from '../../../scripts/ingest/travel/tables.ts';
import { generateTraveller, travelArchetypeOf } from '../../../scripts/ingest/synthetic/travel/traveller.ts';
import { nameTravellerSegments } from '../../../scripts/segment/travel-names.ts';

describe('TravelTide tables', () => {
  it('are recognised by their exact header, in any order and case', () => {
    for (const table of TRAVEL_TABLES) {
      const header = table.columns.map((c) => c.name);
      expect(detectTravelTable(header)?.name).toBe(table.name);
      expect(detectTravelTable([...header].reverse().map((h) => ` ${h.toUpperCase()}`))?.name).toBe(table.name);
      expect(detectTravelTable(header.slice(1))).toBeUndefined();
    }
    expect(detectTravelTable(['InvoiceNo', 'StockCode'])).toBeUndefined();
  });

  it('convert rows to COPY text, or say which column is wrong', () => {
    const hotels = TRAVEL_TABLES.find((t) => t.name === 'hotels')!;
    const header = ['trip_id', 'hotel_name', 'nights', 'rooms', 'check_in_time', 'check_out_time', 'hotel_per_room_usd'];
    const convert = travelRowConverter(hotels, header, columnPositions(hotels, header));
    expect(convert(['1-a', 'NH Hotel  - ottawa', '-1', '1', '2023-03-31 13:32:21.030000', '2023-04-07 11:00:00.000000', '110'])).toBe(
      '1-a\tNH Hotel  - ottawa\t-1\t1\t2023-03-31 13:32:21.030000\t2023-04-07 11:00:00.000000\t110',
    );
    expect(convert(['1-a', 'x', 'two', '1', '2023-01-01', '2023-01-02', '1'])).toEqual({ reason: 'bad number', column: 'nights', value: 'two' });
    expect(convert(['1-a', 'x'])).toMatchObject({ reason: 'wrong column count' });
  });
});

describe('the travel generator', () => {
  it('is deterministic per (seed, user), and the archetype can be read again alone', () => {
    const window = { startMs: Date.UTC(2023, 0, 1), months: 6 };
    const a = generateTraveller(7, 12, 2_000_001, window);
    expect(generateTraveller(7, 12, 2_000_001, window)).toEqual(a);
    expect(travelArchetypeOf(7, 12)).toBe(a.archetype);
    expect(a.userId).toBe(2_000_013);
    // every flight and hotel belongs to a trip a session of this user booked
    const booked = new Set(a.sessions.map((s) => s.split('\t')[2]).filter((t) => t !== '\\N'));
    for (const row of [...a.flights, ...a.hotels]) expect(booked.has(row.split('\t')[0]!)).toBe(true);
    // no session starts after the window's last day
    for (const s of a.sessions) expect(s.split('\t')[3]! < '2023-07-01').toBe(true);
  });
});

describe('traveller segment names', () => {
  it("speak the case study's words and stay unique", () => {
    const population = Object.fromEntries(TRAVELER_SEGMENT_FEATURES.map((f) => [f, { mean: 0, sd: 1 }]));
    const names = nameTravellerSegments(
      [{ avg_seats_per_flight: 2 }, { discount_booking_share: 1 }, { trips: -1, weekend_trip_share: 1 }, { trips: -1 }, {}, { cancellation_rate: 3 }],
      population,
      new Map([[5, 'Everyone else']]),
      [1, 2, 3, 4, 5, 6],
    );
    expect(names).toEqual(['Families', 'Discount hunters', 'Weekend getaways', 'Occasional travellers', 'Everyone else', 'Flexible planners']);
  });

  it('default to the same feature list in the TypeScript fit and the SQL assignment', () => {
    const sqlText = readFileSync(join(import.meta.dirname, '..', '..', '..', 'models', 'gold', 'traveler_segments.sql'), 'utf8');
    const list = /var\('traveler_segment_features', \[([^\]]*)\]\)/.exec(sqlText)![1]!;
    expect(list.split(',').map((s) => s.trim().replaceAll("'", ''))).toEqual([...TRAVELER_SEGMENT_FEATURES]);
  });
});
