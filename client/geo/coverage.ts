/**
 * 15-minute service circles (15分钟服务圈) and the grids that fall outside every one of them.
 *
 * The radius is a walking distance turned into a straight-line one: 15 min × 4.5 km/h = 1.125 km walked; streets
 * are not straight, so the crow-flies reach is that times a detour factor of 0.85, ≈ 0.96 km. A grid is a coverage
 * gap when its representative point lies farther than that from every service centre. Computed once at load with a
 * flatbush index over the centres (k-nearest with a distance cap), in a local metric projection.
 */
import Flatbush from 'flatbush';

export const WALK_MINUTES = 15;
export const WALK_SPEED_KMH = 4.5;
export const DETOUR_FACTOR = 0.85;
/** ≈ 956 m. */
export const SERVICE_CIRCLE_RADIUS_M = (WALK_MINUTES / 60) * WALK_SPEED_KMH * 1000 * DETOUR_FACTOR;

const METRES_PER_DEGREE_LAT = 110_574;

/**
 * Indexes (into `gridPoints`) of the grids farther than `radiusM` from every centre.
 *
 * @example
 * ```ts
 * coverageGaps([[102.7, 25.04]], [[102.7, 25.04], [102.8, 25.04]]); // Uint32Array [1]
 * ```
 */
export function coverageGaps(
  centres: ReadonlyArray<readonly [number, number]>,
  gridPoints: ReadonlyArray<readonly [number, number]>,
  radiusM = SERVICE_CIRCLE_RADIUS_M,
): Uint32Array {
  if (gridPoints.length === 0) return new Uint32Array(0);
  if (centres.length === 0) return Uint32Array.from(gridPoints.keys());
  // An equirectangular projection at the data's mean latitude: errors stay well under 1% across a city.
  let latSum = 0;
  for (const [, lat] of centres) latSum += lat;
  const cosLat = Math.cos(((latSum / centres.length) * Math.PI) / 180);
  const mx = (lon: number) => lon * METRES_PER_DEGREE_LAT * cosLat;
  const my = (lat: number) => lat * METRES_PER_DEGREE_LAT;

  const index = new Flatbush(centres.length);
  for (const [lon, lat] of centres) index.add(mx(lon), my(lat), mx(lon), my(lat));
  index.finish();

  const gaps: number[] = [];
  gridPoints.forEach(([lon, lat], i) => {
    if (index.neighbors(mx(lon), my(lat), 1, radiusM).length === 0) gaps.push(i);
  });
  return Uint32Array.from(gaps);
}
