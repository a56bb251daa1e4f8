/**
 * What the simulator needs to know about a city, prepared once: grids weighted by population, a way to draw a point
 * that really lies in a grid (as the server will locate it after converting it back from the channel's CRS), and
 * the departments by level and jurisdiction, nearest first.
 */
import type { Position } from 'geojson';
import type { Crs } from '../../protocol/events';
import type { Area, AreaProperties, CityMeta, DepartmentKind, DepartmentProperties } from '../geodata/types';
import { createGridIndex, type GridIndex } from '../geodata/grid-index';
import { fromWgs84, toWgs84 } from '../ingest/crs';
import { cumulative, type Random } from './random';

/** The part of a loaded city package (`CityGeodata`) that the simulator uses. */
export interface SimCity {
  meta: Pick<CityMeta, 'code' | 'name'>;
  grids: readonly Area[];
  departments: ReadonlyArray<{ position: Position } & DepartmentProperties>;
  /** names of districts, streets and communities, for addresses (optional) */
  areas?: ReadonlyMap<string, Pick<AreaProperties, 'name'>>;
}

type Department = { position: Position } & DepartmentProperties;
type DepartmentLevel = DepartmentProperties['level'];

/** A point drawn for an incident: where it truly is, what the channel sends, and the grid the server will find. */
export interface IncidentPoint {
  /** WGS84, as the server will hold it after converting `sent` back */
  wgs84: [number, number];
  /** in the channel's CRS, as emitted */
  sent: [number, number];
  gridIndex: number;
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;

export class CityModel {
  readonly grids: readonly Area[];
  private readonly weights: Float64Array;
  private readonly index: GridIndex;
  private readonly byJurisdiction = new Map<string, Department[]>();
  private readonly byLevel = new Map<DepartmentLevel, Department[]>();

  constructor(readonly city: SimCity) {
    if (city.grids.length === 0) throw new RangeError('city.grids: the simulator needs at least one grid');
    if (city.departments.length === 0) {
      throw new RangeError('city.departments: the simulator needs departments to dispatch cases to and to summon by whistle');
    }
    this.grids = city.grids;
    this.weights = cumulative(city.grids.map(gridResidents));
    this.index = createGridIndex(city.grids);
    for (const department of city.departments) {
      const key = `${department.level}:${department.jurisdiction}`;
      (this.byJurisdiction.get(key) ?? this.byJurisdiction.set(key, []).get(key))?.push(department);
      (this.byLevel.get(department.level) ?? this.byLevel.set(department.level, []).get(department.level))?.push(department);
    }
  }

  /** A grid index drawn by population. */
  pickGrid(random: Random): number {
    return random.pickCumulative(this.weights);
  }

  /**
   * A point in grid `gridIndex`, as the channel would send it in `crs`. The point is kept only if, converted back to
   * WGS84 the way ingest does it, it still lies in the same grid, so the simulator's view and the server agree.
   * Returns undefined for a grid too thin to hit (the caller picks another grid).
   */
  pointIn(gridIndex: number, crs: Crs, random: Random): IncidentPoint | undefined {
    const grid = this.grids[gridIndex] as Area;
    const [minLon, minLat, maxLon, maxLat] = grid.bbox;
    for (let attempt = 0; attempt < 40; attempt++) {
      const lon = minLon + random.next() * (maxLon - minLon);
      const lat = minLat + random.next() * (maxLat - minLat);
      if (this.index.locateIndex(lon, lat) !== gridIndex) continue;
      const converted = fromWgs84([lon, lat], crs);
      const sent: [number, number] = [round7(converted[0]), round7(converted[1])];
      const back = toWgs84(sent, crs);
      if (this.index.locateIndex(back[0], back[1]) === gridIndex) return { wgs84: back, sent, gridIndex };
    }
    return undefined;
  }

  /**
   * A readable address: street + community names where the package has them, then the grid's, without a name that
   * the next one repeats (大观街道三合营社区第2网格, not 大观街道三合营社区三合营社区第2网格: grids are often named after
   * their community).
   */
  addressOf(gridIndex: number): string | undefined {
    const grid = this.grids[gridIndex] as Area;
    const names = this.city.areas;
    if (names === undefined) return grid.name;
    const parts = [names.get(grid.code.slice(0, 9))?.name ?? '', names.get(grid.code.slice(0, 12))?.name ?? '', grid.name];
    return parts.filter((part, i) => part !== '' && !parts[i + 1]?.startsWith(part)).join('').slice(0, 200) || undefined;
  }

  /**
   * Up to `count` departments of `level` serving the grid's street (street level), district (district level) or
   * the city, preferring `kinds` in order, nearest first. Falls back to the nearest of that level anywhere when the
   * jurisdiction has none.
   */
  departmentsFor(gridCode: string, at: readonly [number, number], level: DepartmentLevel, kinds: readonly DepartmentKind[], count: number): string[] {
    const jurisdiction = level === 'street' ? gridCode.slice(0, 9) : level === 'district' ? gridCode.slice(0, 6) : undefined;
    let candidates =
      jurisdiction === undefined
        ? this.byLevel.get('city') ?? []
        : this.byJurisdiction.get(`${level}:${jurisdiction}`) ?? [];
    if (candidates.length === 0) candidates = this.byLevel.get(level) ?? [];
    if (candidates.length === 0) return [];
    const cosLat = Math.cos((at[1] * Math.PI) / 180);
    const distance = (d: Department): number => {
      const dx = ((d.position[0] as number) - at[0]) * cosLat;
      const dy = (d.position[1] as number) - at[1];
      return dx * dx + dy * dy;
    };
    const sorted = [...candidates].sort((a, b) => distance(a) - distance(b) || a.code.localeCompare(b.code));
    const chosen: string[] = [];
    for (const kind of kinds) {
      if (chosen.length >= count) break;
      const match = sorted.find((d) => d.kind === kind && !chosen.includes(d.code));
      if (match !== undefined) chosen.push(match.code);
    }
    for (const department of sorted) {
      if (chosen.length >= count) break;
      if (!chosen.includes(department.code)) chosen.push(department.code);
    }
    return chosen;
  }

  /** Levels that have any department, for dispatch fallbacks. */
  hasLevel(level: DepartmentLevel): boolean {
    return (this.byLevel.get(level)?.length ?? 0) > 0;
  }
}

/** Population drives demand; households (≈ 2.6 people each) stand in where a package lacks population. */
function gridResidents(grid: Pick<Area, 'population' | 'households'>): number {
  return grid.population > 0 ? grid.population : Math.max(1, grid.households * 2.6);
}

/** The residents of a city package's grids, as the simulator weighs them: what its default rate is in proportion to. */
export function residentsOf(city: { grids: ReadonlyArray<Pick<Area, 'population' | 'households'>> }): number {
  let sum = 0;
  for (const grid of city.grids) sum += gridResidents(grid);
  return sum;
}
