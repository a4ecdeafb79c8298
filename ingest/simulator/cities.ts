/**
 * The simulated chain: 50 stores in real US cities across six time zones (one currency, so
 * chain-wide sums mean something), each with its coordinates, IANA zone, size and opening
 * hours. Sizes scale the store's traffic; hours bound when it sells.
 */
import type { NewStore, OpeningHours } from "../../lib/stores.ts";

/** A simulated store. */
export interface SimStore {
  id: string;
  name: string;
  city: string;
  region: string;
  lat: number;
  lon: number;
  timezone: string;
  /** Traffic multiplier (1 = an average store). */
  size: number;
  /** Opening hour and closing hour (local, 0-24) by weekday, Sunday first. */
  hours: [number, number][];
  registers: number;
}

// city, state, lat, lon, zone, size
const CITIES: [string, string, number, number, string, number][] = [
  ["New York", "NY", 40.7128, -74.006, "America/New_York", 1.6],
  ["Los Angeles", "CA", 34.0522, -118.2437, "America/Los_Angeles", 1.5],
  ["Chicago", "IL", 41.8781, -87.6298, "America/Chicago", 1.4],
  ["Houston", "TX", 29.7604, -95.3698, "America/Chicago", 1.3],
  ["Phoenix", "AZ", 33.4484, -112.074, "America/Phoenix", 1.2],
  ["Philadelphia", "PA", 39.9526, -75.1652, "America/New_York", 1.2],
  ["San Antonio", "TX", 29.4241, -98.4936, "America/Chicago", 1.0],
  ["San Diego", "CA", 32.7157, -117.1611, "America/Los_Angeles", 1.1],
  ["Dallas", "TX", 32.7767, -96.797, "America/Chicago", 1.2],
  ["San Jose", "CA", 37.3382, -121.8863, "America/Los_Angeles", 1.0],
  ["Austin", "TX", 30.2672, -97.7431, "America/Chicago", 1.1],
  ["Jacksonville", "FL", 30.3322, -81.6557, "America/New_York", 0.9],
  ["Fort Worth", "TX", 32.7555, -97.3308, "America/Chicago", 0.9],
  ["Columbus", "OH", 39.9612, -82.9988, "America/New_York", 0.9],
  ["Charlotte", "NC", 35.2271, -80.8431, "America/New_York", 1.0],
  ["San Francisco", "CA", 37.7749, -122.4194, "America/Los_Angeles", 1.3],
  ["Indianapolis", "IN", 39.7684, -86.1581, "America/Indiana/Indianapolis", 0.9],
  ["Seattle", "WA", 47.6062, -122.3321, "America/Los_Angeles", 1.2],
  ["Denver", "CO", 39.7392, -104.9903, "America/Denver", 1.1],
  ["Washington", "DC", 38.9072, -77.0369, "America/New_York", 1.2],
  ["Boston", "MA", 42.3601, -71.0589, "America/New_York", 1.2],
  ["El Paso", "TX", 31.7619, -106.485, "America/Denver", 0.7],
  ["Nashville", "TN", 36.1627, -86.7816, "America/Chicago", 1.0],
  ["Detroit", "MI", 42.3314, -83.0458, "America/Detroit", 0.9],
  ["Oklahoma City", "OK", 35.4676, -97.5164, "America/Chicago", 0.8],
  ["Portland", "OR", 45.5152, -122.6784, "America/Los_Angeles", 1.0],
  ["Las Vegas", "NV", 36.1699, -115.1398, "America/Los_Angeles", 1.1],
  ["Memphis", "TN", 35.1495, -90.049, "America/Chicago", 0.8],
  ["Louisville", "KY", 38.2527, -85.7585, "America/Kentucky/Louisville", 0.8],
  ["Baltimore", "MD", 39.2904, -76.6122, "America/New_York", 0.9],
  ["Milwaukee", "WI", 43.0389, -87.9065, "America/Chicago", 0.8],
  ["Albuquerque", "NM", 35.0844, -106.6504, "America/Denver", 0.7],
  ["Tucson", "AZ", 32.2226, -110.9747, "America/Phoenix", 0.7],
  ["Fresno", "CA", 36.7378, -119.7871, "America/Los_Angeles", 0.7],
  ["Sacramento", "CA", 38.5816, -121.4944, "America/Los_Angeles", 0.8],
  ["Kansas City", "MO", 39.0997, -94.5786, "America/Chicago", 0.8],
  ["Atlanta", "GA", 33.749, -84.388, "America/New_York", 1.2],
  ["Miami", "FL", 25.7617, -80.1918, "America/New_York", 1.2],
  ["Minneapolis", "MN", 44.9778, -93.265, "America/Chicago", 1.0],
  ["New Orleans", "LA", 29.9511, -90.0715, "America/Chicago", 0.8],
  ["Cleveland", "OH", 41.4993, -81.6944, "America/New_York", 0.8],
  ["Tampa", "FL", 27.9506, -82.4572, "America/New_York", 0.9],
  ["Pittsburgh", "PA", 40.4406, -79.9959, "America/New_York", 0.8],
  ["Cincinnati", "OH", 39.1031, -84.512, "America/New_York", 0.8],
  ["Salt Lake City", "UT", 40.7608, -111.891, "America/Denver", 0.8],
  ["Boise", "ID", 43.615, -116.2023, "America/Boise", 0.6],
  ["Anchorage", "AK", 61.2181, -149.9003, "America/Anchorage", 0.6],
  ["Honolulu", "HI", 21.3069, -157.8583, "Pacific/Honolulu", 0.7],
  ["Raleigh", "NC", 35.7796, -78.6382, "America/New_York", 0.8],
  ["St. Louis", "MO", 38.627, -90.1994, "America/Chicago", 0.8],
];

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** The first `count` (≤ 50) stores of the chain, largest cities first. */
export function simStores(count = 50): SimStore[] {
  if (count < 1 || count > CITIES.length) {
    throw new Error(`--stores must be from 1 to ${CITIES.length}, got ${count}`);
  }
  return CITIES.slice(0, count).map(([city, region, lat, lon, timezone, size], i) => {
    // Big-city stores open longer; Sundays are shorter everywhere.
    const open = size >= 1.2 ? 7 : 8, close = size >= 1.2 ? 22 : 21;
    const hours: [number, number][] = [[10, 18], ...Array(5).fill([open, close]), [9, close]];
    return {
      id: `${slug(city)}-${String(i + 1).padStart(2, "0")}`,
      name: `Tillstream ${city}`,
      city,
      region,
      lat,
      lon,
      timezone,
      size,
      hours,
      registers: Math.max(2, Math.round(size * 4)),
    };
  });
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const hhmm = (h: number) => `${String(h).padStart(2, "0")}:00`;

/** The row `addStore` takes for a simulated store (USD, opening hours as HH:MM). */
export function storeRecord(s: SimStore): NewStore {
  const opening_hours: OpeningHours = {};
  s.hours.forEach(([o, c], d) => {
    opening_hours[DAYS[d]] = [hhmm(o), hhmm(c)];
  });
  return {
    id: s.id,
    name: s.name,
    city: s.city,
    region: s.region,
    country: "US",
    lat: s.lat,
    lon: s.lon,
    timezone: s.timezone,
    currency: "USD",
    opening_hours,
  };
}
