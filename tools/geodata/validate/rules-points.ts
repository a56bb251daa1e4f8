/**
 * Service centres and departments lie inside the area they serve. A point outside is reported with its distance to
 * the area's boundary, which tells a rounding slip (metres) from a wrong area (kilometres).
 */
import { formatMetres, type Problem } from './problem.js';
import { distanceToBoundary, shapeContains, toPlanar, type LocalProjection, type PlanarShape } from './planar.js';
import type { AreaFeature, PointFeature } from './read-package.js';

export function checkPointsInAreas(
  subject: 'service-centre' | 'department',
  points: PointFeature[],
  byCode: Map<string, AreaFeature>,
  cityRefs: Set<string>,
  districts: AreaFeature[],
  usable: (a: AreaFeature) => boolean,
  projection: LocalProjection,
  problems: Problem[],
): void {
  const shapes = new Map<AreaFeature, PlanarShape>();
  const shapeOf = (a: AreaFeature): PlanarShape | undefined => {
    if (!a.geometry || !usable(a)) return undefined;
    let s = shapes.get(a);
    if (!s) {
      s = toPlanar(a.geometry, projection);
      shapes.set(a, s);
    }
    return s;
  };
  for (const point of points) {
    if (point.area === undefined) continue;
    const targets = cityRefs.has(point.area) ? districts : [byCode.get(point.area)].filter((a): a is AreaFeature => a !== undefined);
    const targetShapes = targets.map(shapeOf);
    if (targetShapes.length === 0 || targetShapes.some((s) => s === undefined)) continue; // reported by another rule
    const x = projection.x(point.lon);
    const y = projection.y(point.lat);
    if (targetShapes.some((s) => shapeContains(s!, x, y))) continue;
    const distance = Math.min(...targetShapes.map((s) => distanceToBoundary(s!, x, y)));
    const where = cityRefs.has(point.area) ? 'the city (every district)' : `its area ${targets[0]!.level} ${point.area}`;
    problems.push({
      rule: 'point-outside',
      severity: 'error',
      subject,
      ref: point.ref,
      message: `${subject} ${point.ref} lies outside ${where} by ${formatMetres(distance)}`,
      amount: { value: distance, unit: 'm' },
    });
  }
}
