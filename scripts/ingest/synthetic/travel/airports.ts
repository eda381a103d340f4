/** Home and destination airports the generator draws from: IATA code, city, country, latitude, longitude. */
export interface Airport {
  readonly code: string;
  readonly city: string;
  readonly country: 'usa' | 'canada';
  readonly lat: number;
  readonly lon: number;
}

export const AIRPORTS: readonly Airport[] = [
  { code: 'JFK', city: 'new york', country: 'usa', lat: 40.64, lon: -73.779 },
  { code: 'LAX', city: 'los angeles', country: 'usa', lat: 33.942, lon: -118.408 },
  { code: 'ORD', city: 'chicago', country: 'usa', lat: 41.979, lon: -87.904 },
  { code: 'DFW', city: 'dallas', country: 'usa', lat: 32.896, lon: -97.037 },
  { code: 'SFO', city: 'san francisco', country: 'usa', lat: 37.619, lon: -122.375 },
  { code: 'SEA', city: 'seattle', country: 'usa', lat: 47.449, lon: -122.309 },
  { code: 'MIA', city: 'miami', country: 'usa', lat: 25.793, lon: -80.291 },
  { code: 'BOS', city: 'boston', country: 'usa', lat: 42.364, lon: -71.005 },
  { code: 'ATL', city: 'atlanta', country: 'usa', lat: 33.637, lon: -84.428 },
  { code: 'DEN', city: 'denver', country: 'usa', lat: 39.862, lon: -104.673 },
  { code: 'LAS', city: 'las vegas', country: 'usa', lat: 36.08, lon: -115.152 },
  { code: 'MCO', city: 'orlando', country: 'usa', lat: 28.429, lon: -81.309 },
  { code: 'YYZ', city: 'toronto', country: 'canada', lat: 43.677, lon: -79.631 },
  { code: 'YVR', city: 'vancouver', country: 'canada', lat: 49.194, lon: -123.184 },
  { code: 'YUL', city: 'montreal', country: 'canada', lat: 45.471, lon: -73.741 },
  { code: 'YOW', city: 'ottawa', country: 'canada', lat: 45.323, lon: -75.669 },
];

/** Great-circle distance in km (haversine, earth radius 6371 km). */
export function distanceKm(a: Airport, b: Airport): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export const AIRLINES: readonly string[] = ['Delta Air Lines', 'American Airlines', 'United Airlines', 'Air Canada', 'WestJet', 'Southwest Airlines'];
export const HOTEL_CHAINS: readonly string[] = ['Hilton', 'Marriott', 'Hyatt', 'NH Hotel', 'Choice Hotels', 'Best Western'];
