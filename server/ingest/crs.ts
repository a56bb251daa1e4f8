/**
 * Coordinate conversion at the boundary: every location is stored and drawn in WGS84. CGCS2000 differs from WGS84
 * by centimetres, far below the grid index's precision, so it is taken as WGS84.
 */
import gcoord from 'gcoord';
import type { Crs } from '../../protocol/events';

const GCOORD_CRS: Record<Exclude<Crs, 'wgs84' | 'cgcs2000'>, Parameters<typeof gcoord.transform>[1]> = {
  gcj02: gcoord.GCJ02,
  bd09: gcoord.BD09,
};

/** Converts [lon, lat] from `crs` to WGS84. */
export function toWgs84(location: readonly [number, number], crs: Crs): [number, number] {
  if (crs === 'wgs84' || crs === 'cgcs2000') return [location[0], location[1]];
  const [lon, lat] = gcoord.transform([location[0], location[1]] as [number, number], GCOORD_CRS[crs], gcoord.WGS84);
  return [lon, lat];
}

/** Converts [lon, lat] from WGS84 to `crs` (tests and the simulator's inverse direction). */
export function fromWgs84(location: readonly [number, number], crs: Crs): [number, number] {
  if (crs === 'wgs84' || crs === 'cgcs2000') return [location[0], location[1]];
  const [lon, lat] = gcoord.transform([location[0], location[1]] as [number, number], gcoord.WGS84, GCOORD_CRS[crs]);
  return [lon, lat];
}
