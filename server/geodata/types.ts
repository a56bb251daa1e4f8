/**
 * The city package, as loaded in memory. The on-disk format is documented in geodata/README.md:
 *
 * geodata/<city>/
 *   city.json               CityMeta
 *   areas.topo.json         quantised TopoJSON with shared arcs; objects `district`, `street`, `community`, `grid`,
 *                           each geometry's properties an AreaProperties
 *   service-centres.geojson FeatureCollection<Point, ServiceCentreProperties>
 *   departments.geojson     FeatureCollection<Point, DepartmentProperties>
 *   water.geojson           FeatureCollection<Polygon | MultiPolygon> (the water mask; may be empty)
 *   staff.json              Record<gridCode, StaffMember[]>
 *
 * Every coordinate is WGS84 [lon, lat]; sources in GCJ-02 / BD-09 are converted at build or import time.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

export const AREA_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export type AreaLevel = (typeof AREA_LEVELS)[number];
/** Code length per level: district 6 (GB/T 2260), street +3, community +3, grid +3. */
export const CODE_LENGTH: Record<AreaLevel, number> = { district: 6, street: 9, community: 12, grid: 15 };

export interface CityMeta {
  /** package id, the folder name, e.g. `kunming` */
  id: string;
  /** e.g. 昆明市 */
  name: string;
  nameEn: string;
  /** the city's 6-digit code, e.g. 530100 */
  code: string;
  /** always `wgs84` for a built package */
  crs: 'wgs84';
  center: [number, number];
  view: { center: [number, number]; zoom: number; bounds: [number, number, number, number] };
  timezone: string;
  /** which parts are synthetic, stated honestly; shown in the UI */
  synthetic: Record<string, string | boolean>;
  provenance: Array<{ what: string; source: string; licence: string; note?: string }>;
  counts: Record<AreaLevel, number>;
}

export interface AreaProperties {
  code: string;
  name: string;
  level: AreaLevel;
  /** parent's code; a district's parent is the city code */
  parent: string;
  households: number;
  population: number;
}

export type ServiceCentreLevel = 'city' | 'district' | 'street' | 'community' | 'station';
export interface ServiceCentreProperties {
  id: string;
  name: string;
  level: ServiceCentreLevel;
  /** the area it serves: the city code, or a district/street/community code */
  area: string;
}

export const DEPARTMENT_KINDS = [
  'public-security',
  'urban-management',
  'market-supervision',
  'housing',
  'water',
  'ecology-environment',
  'health',
  'judiciary',
  'fire',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];
export interface DepartmentProperties {
  /** unique id, used in whistles and dispatches */
  code: string;
  name: string;
  kind: DepartmentKind;
  level: 'city' | 'district' | 'street';
  /** the area it serves: `city`, or a district or street code */
  jurisdiction: string;
}

export type StaffRole = 'secretary' | 'head' | 'worker' | 'volunteer';
export interface StaffMember {
  role: StaffRole;
  name: string;
  phone: string;
  synthetic: true;
}

/** An area with its geometry decoded (WGS84). */
export interface Area extends AreaProperties {
  geometry: Polygon | MultiPolygon;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
}

export interface CityGeodata {
  dir: string;
  meta: CityMeta;
  /** every area of every level, by code */
  areas: Map<string, Area>;
  grids: Area[];
  serviceCentres: Array<{ position: Position } & ServiceCentreProperties>;
  departments: Array<{ position: Position } & DepartmentProperties>;
  staff: Record<string, StaffMember[]>;
}
