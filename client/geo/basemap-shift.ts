/**
 * Our data is WGS84. A Chinese intranet basemap (AMap/Tencent tiles in GCJ-02, Baidu in BD-09) draws the same street
 * a few hundred metres away, so when such a basemap is configured every coordinate we draw is moved into the
 * basemap's CRS with gcoord. With the default offline style (WGS84) this is the identity and costs nothing.
 */
import gcoord from 'gcoord';
import type { BasemapCrs } from '../config';

export type CoordinateShift = (lon: number, lat: number) => [number, number];

const identity: CoordinateShift = (lon, lat) => [lon, lat];

/** The function that moves a WGS84 [lon, lat] into the basemap's CRS. */
export function basemapShift(crs: BasemapCrs): CoordinateShift {
  if (crs === 'wgs84') return identity;
  const target = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  return (lon, lat) => {
    const out = gcoord.transform<[number, number]>([lon, lat], gcoord.WGS84, target);
    return [out[0], out[1]];
  };
}

export function isIdentityShift(shift: CoordinateShift): boolean {
  return shift === identity;
}

/** Applies `shift` to every position of a GeoJSON geometry tree, in place (used once at load). */
export function shiftCoordinatesInPlace(coordinates: unknown, shift: CoordinateShift): void {
  if (!Array.isArray(coordinates) || coordinates.length === 0) return;
  if (typeof coordinates[0] === 'number') {
    const [lon, lat] = shift(coordinates[0] as number, coordinates[1] as number);
    coordinates[0] = lon;
    coordinates[1] = lat;
    return;
  }
  for (const child of coordinates) shiftCoordinatesInPlace(child, shift);
}
