/**
 * The city-package validator: every rule of issue 2, run over a package folder, with every problem reported (not
 * only the first). Used by `npm run geodata:check`, by the importer before it commits a package, and by tests.
 *
 * @example
 * ```ts
 * const problems = validateCityPackage('geodata/kunming');
 * if (!isAcceptable(problems)) for (const p of problems) console.error(p.message);
 * ```
 */
import { AREA_LEVELS } from '../../../server/geodata/types.js';
import { LocalProjection, toPlanar } from './planar.js';
import type { Problem } from './problem.js';
import { readCityPackage, type AreaFeature, type PackageContents } from './read-package.js';
import { checkCodes } from './rules-codes.js';
import { CHINA_RANGE, checkCrsRange, inRange } from './rules-crs.js';
import { checkGeometry } from './rules-geometry.js';
import { checkPointsInAreas } from './rules-points.js';
import { checkTiling } from './rules-tiling.js';

export { formatArea, isAcceptable, RULES, type Problem, type Rule } from './problem.js';

export interface ValidateOptions {
  /** area amounts (overlap, gap, outside parent) up to this many m² pass; default 1 m² */
  toleranceM2?: number;
  /**
   * A district's hole that no district fills: 'warning' (default; it may be an enclave of a district the package
   * leaves out) or 'error' (the importer's choice when it dissolved the districts from grids).
   */
  districtHoles?: 'warning' | 'error';
}

export const DEFAULT_TOLERANCE_M2 = 1;

/** Validates the city package in `dir` and returns every problem found, errors and warnings. */
export function validateCityPackage(dir: string, options: ValidateOptions = {}): Problem[] {
  return validateCityPackageWithCounts(dir, options).problems;
}

/** What was read, so a report can say what the verdict covers. */
export type CheckedCounts = Record<(typeof AREA_LEVELS)[number] | 'serviceCentres' | 'departments', number>;

/** As `validateCityPackage`, plus how many features of each kind were checked. */
export function validateCityPackageWithCounts(dir: string, options: ValidateOptions = {}): { problems: Problem[]; checked: CheckedCounts } {
  const problems: Problem[] = [];
  const pkg = readCityPackage(dir, problems);
  validateContents(pkg, options, problems);
  const checked = {
    district: pkg.areas.district.length,
    street: pkg.areas.street.length,
    community: pkg.areas.community.length,
    grid: pkg.areas.grid.length,
    serviceCentres: pkg.serviceCentres.length,
    departments: pkg.departments.length,
  };
  return { problems, checked };
}

function validateContents(pkg: PackageContents, options: ValidateOptions, problems: Problem[]): void {
  const all: AreaFeature[] = AREA_LEVELS.flatMap((l) => pkg.areas[l]);
  const byCode = checkCodes(pkg, problems);
  const crs = pkg.meta?.crs ?? 'wgs84';
  const outOfRange = checkCrsRange(
    all,
    [
      ...pkg.serviceCentres.map((point) => ({ subject: 'service-centre', point })),
      ...pkg.departments.map((point) => ({ subject: 'department', point })),
    ],
    problems,
    crs,
  );
  const inRangeAreas = all.filter((a) => !outOfRange.has(a));
  const broken = checkGeometry(inRangeAreas, problems);
  const usable = (a: AreaFeature) => a.geometry !== null && !outOfRange.has(a) && !broken.has(a);
  const projection = projectionFor(pkg, inRangeAreas);
  const water = pkg.water.map((g) => toPlanar(g, projection));
  checkTiling(pkg.areas, water, usable, projection, { toleranceM2: options.toleranceM2 ?? DEFAULT_TOLERANCE_M2, districtHoles: options.districtHoles ?? 'warning' }, problems);
  const cityRefs = new Set(['city', pkg.meta?.code].filter((x): x is string => x !== undefined));
  const pointsIn = (subject: 'service-centre' | 'department', points: typeof pkg.serviceCentres) =>
    checkPointsInAreas(subject, points.filter((p) => inRange(p.lon, p.lat)), byCode, cityRefs, pkg.areas.district, usable, projection, problems);
  pointsIn('service-centre', pkg.serviceCentres);
  pointsIn('department', pkg.departments);
}

/** Centred on the city's declared centre, or on its areas when the centre is implausible. */
function projectionFor(pkg: PackageContents, areas: AreaFeature[]): LocalProjection {
  const c = pkg.meta?.center;
  if (c && inRange(c[0], c[1], CHINA_RANGE)) return new LocalProjection(c[0], c[1]);
  let lon = 0;
  let lat = 0;
  let n = 0;
  for (const a of areas) {
    const g = a.geometry;
    const p = g ? (g.type === 'Polygon' ? g.coordinates[0]?.[0] : g.coordinates[0]?.[0]?.[0]) : undefined;
    if (!p) continue;
    lon += p[0]!;
    lat += p[1]!;
    n++;
  }
  return n > 0 ? new LocalProjection(lon / n, lat / n) : new LocalProjection(102.7, 25);
}
