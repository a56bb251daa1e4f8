/**
 * Where a wall rests and what it tours follows the area it is subscribed to: a city wall tours the districts, a
 * district's wall its streets, a street's its communities, each ending on its own whole area.
 */
import { describe, expect, it } from 'vitest';
import { wallStops } from '../../client/app/tour-controller';
import type { AreaInfo } from '../../client/geo/city-model';

const area = (code: string, name: string, parent: string, level: AreaInfo['level'], bbox: AreaInfo['bbox']): AreaInfo => ({ code, name, parent, level, bbox, households: 0, population: 0 });
const districts = [area('530102', '五华区', '530100', 'district', [102.6, 25.0, 102.8, 25.2]), area('530103', '盘龙区', '530100', 'district', [102.7, 25.0, 102.9, 25.3])];
const streets = [
  area('530102001', '华山街道', '530102', 'street', [102.70, 25.03, 102.72, 25.05]),
  area('530102002', '护国街道', '530102', 'street', [102.71, 25.02, 102.73, 25.04]),
  area('530103001', '拓东街道', '530103', 'street', [102.72, 25.02, 102.74, 25.04]),
];
const communities = [area('530102001001', '文林社区', '530102001', 'community', [102.70, 25.04, 102.71, 25.05])];
const grids = [area('530102001001001', '文林社区第1网格', '530102001001', 'grid', [102.700, 25.040, 102.702, 25.042])];
const city = {
  meta: { name: '昆明市', view: { bounds: [102.5, 24.8, 103.0, 25.4] } },
  districts,
  areas: new Map([...districts, ...streets, ...communities, ...grids].map((a) => [a.code, a])),
} as unknown as Parameters<typeof wallStops>[0];

describe('a wall’s home and tour', () => {
  it('a city wall rests on the city and tours the districts, then the city', () => {
    const { home, stops } = wallStops(city, 'city');
    expect(home).toEqual({ code: 'city', name: '昆明市', bounds: [102.5, 24.8, 103.0, 25.4] });
    expect(stops.map((s) => s.code)).toEqual(['530102', '530103', 'city']);
  });

  it('a district’s wall rests on the district and tours only its own streets, then the district', () => {
    const { home, stops } = wallStops(city, '530102');
    expect(home).toEqual({ code: '530102', name: '五华区', bounds: [102.6, 25.0, 102.8, 25.2] });
    expect(stops.map((s) => s.code)).toEqual(['530102001', '530102002', '530102']);
    expect(stops[0]!.bounds).toEqual([102.70, 25.03, 102.72, 25.05]);
  });

  it('a street’s wall tours its communities; a grid’s wall rests on the grid', () => {
    expect(wallStops(city, '530102001').stops.map((s) => s.code)).toEqual(['530102001001', '530102001']);
    expect(wallStops(city, '530102001001001').stops.map((s) => s.code)).toEqual(['530102001001001']);
  });

  it('a city wall of a package with one district (hefei-shushan) is named for it and tours its streets, not the one district and back', () => {
    const one = { ...city, districts: [districts[0]!] } as typeof city;
    const { home, stops } = wallStops(one, 'city');
    expect(home).toEqual({ code: 'city', name: '五华区', bounds: [102.5, 24.8, 103.0, 25.4] });
    expect(stops.map((s) => s.code)).toEqual(['530102001', '530102002', 'city']);
  });

  it('an area the city does not know rests on the whole city', () => {
    expect(wallStops(city, '539999').home.code).toBe('city');
  });
});
