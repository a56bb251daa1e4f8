/**
 * Coordinates inside the declared CRS's plausible range. Every CRS a Chinese city uses (WGS84, CGCS2000, GCJ-02,
 * BD-09) is geographic, and China spans lon 73–135, lat 18–54; a coordinate with the two swapped lands far outside,
 * which is what this rule is for.
 */
import type { Position } from 'geojson';
import type { Problem } from './problem.js';
import type { AreaFeature, PointFeature } from './read-package.js';

export interface CrsRange {
  lon: [number, number];
  lat: [number, number];
}

/** China's extent, the same for the four accepted geographic CRS. */
export const CHINA_RANGE: CrsRange = { lon: [73, 135], lat: [18, 54] };

export function inRange(lon: number, lat: number, range: CrsRange = CHINA_RANGE): boolean {
  return lon >= range.lon[0] && lon <= range.lon[1] && lat >= range.lat[0] && lat <= range.lat[1];
}

interface Tally {
  total: number;
  outside: number;
  swapped: number;
  example?: [number, number];
}

function tally(positions: Iterable<Position>, range: CrsRange): Tally {
  const t: Tally = { total: 0, outside: 0, swapped: 0 };
  for (const p of positions) {
    const lon = p[0]!;
    const lat = p[1]!;
    t.total++;
    if (inRange(lon, lat, range)) continue;
    t.outside++;
    if (inRange(lat, lon, range)) t.swapped++;
    t.example ??= [lon, lat];
  }
  return t;
}

function* positionsOf(area: AreaFeature): Iterable<Position> {
  const g = area.geometry;
  if (!g) return;
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const polygon of polygons) for (const ring of polygon) yield* ring;
}

function describe(t: Tally, range: CrsRange, crs: string): string {
  const ex = t.example ? `, e.g. [${t.example[0]}, ${t.example[1]}]` : '';
  const hint = t.swapped === t.outside ? '; latitude and longitude look swapped' : '';
  return `${t.outside} of ${t.total} coordinates are outside the plausible ${crs} range (lon ${range.lon[0]}–${range.lon[1]}, lat ${range.lat[0]}–${range.lat[1]})${ex}${hint}`;
}

/**
 * Reports each area and point with coordinates out of range; returns the refs of areas left out of the geometric
 * checks, since their areas and overlaps would only echo this problem.
 */
export function checkCrsRange(
  areas: AreaFeature[],
  points: Array<{ subject: string; point: PointFeature }>,
  problems: Problem[],
  crs = 'wgs84',
  range: CrsRange = CHINA_RANGE,
): Set<AreaFeature> {
  const excluded = new Set<AreaFeature>();
  for (const area of areas) {
    const t = tally(positionsOf(area), range);
    if (t.outside === 0) continue;
    excluded.add(area);
    problems.push({
      rule: 'crs-range',
      severity: 'error',
      subject: area.level,
      ref: area.ref,
      message: `${area.level} ${area.ref}: ${describe(t, range, crs)}`,
      amount: { value: t.outside, unit: 'count' },
    });
  }
  for (const { subject, point } of points) {
    const t = tally([[point.lon, point.lat]], range);
    if (t.outside === 0) continue;
    problems.push({
      rule: 'crs-range',
      severity: 'error',
      subject,
      ref: point.ref,
      message: `${subject} ${point.ref}: ${describe(t, range, crs)}`,
      amount: { value: 1, unit: 'count' },
    });
  }
  return excluded;
}
