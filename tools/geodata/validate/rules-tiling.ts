/**
 * The tiling rules, measured with planar area sums in a local equal-area projection:
 * - siblings (same level) do not overlap: candidate pairs come from a flatbush over bounding boxes;
 * - every child lies inside its parent: area(child) − area(child ∩ parent);
 * - siblings leave no gap in their parent: area(parent) − Σ area(child ∩ parent) + Σ overlaps among them, not
 *   counting water (the package's water mask) that no child covers;
 * - no area has a hole, inside its parent, that neither a sibling nor water fills. A level dissolved from grids
 *   turns a gap between grids into such a hole, so this is what catches gaps inside the outline. Each hole is
 *   reported once, at the lowest level where it appears. Districts have no parent in the package, so a district's
 *   hole may be an enclave of a district left out of the package: a warning unless `districtHoles` is 'error'.
 * Amounts at or under the tolerance are floating-point noise and pass; the tolerance is printed with the result.
 */
import Flatbush from 'flatbush';
import { AREA_LEVELS, type AreaLevel } from '../../../server/geodata/types.js';
import { formatArea, formatLonLat, type Problem } from './problem.js';
import { intersectionArea, ringAsShape, shapeContains, ringSignedArea, shapeArea, toPlanar, type LocalProjection, type PlanarShape } from './planar.js';
import type { AreaFeature } from './read-package.js';

interface Piece {
  area: AreaFeature;
  shape: PlanarShape;
  size: number;
}

export interface TilingOptions {
  /** amounts up to this many m² pass (default 1) */
  toleranceM2: number;
  /** how to report a district's unfilled hole (default 'warning': it may be an enclave outside the package) */
  districtHoles?: 'warning' | 'error';
}

const PARENT_LEVEL: Record<AreaLevel, AreaLevel | null> = { district: null, street: 'district', community: 'street', grid: 'community' };

/** Runs every tiling rule over all levels; areas that fail `usable` (bad coordinates or geometry) are left out. */
export function checkTiling(
  areas: Record<AreaLevel, AreaFeature[]>,
  water: PlanarShape[],
  usable: (a: AreaFeature) => boolean,
  projection: LocalProjection,
  options: TilingOptions,
  problems: Problem[],
): void {
  const tol = options.toleranceM2;
  const reportedHoles = new Set<string>();
  const pieces = new Map<AreaFeature, Piece>();
  for (const level of AREA_LEVELS)
    for (const area of areas[level]) {
      if (!area.geometry || !usable(area)) continue;
      const shape = toPlanar(area.geometry, projection);
      pieces.set(area, { area, shape, size: shapeArea(shape) });
    }
  for (const level of AREA_LEVELS) {
    const levelPieces = areas[level].map((a) => pieces.get(a)).filter((p): p is Piece => p !== undefined);
    const overlapInParent = checkOverlaps(level, levelPieces, tol, problems);
    const parentLevel = PARENT_LEVEL[level];
    if (parentLevel !== null) checkNestingAndGaps({ level, parentLevel, areas, pieces, overlapInParent, water, tol, projection, problems });
  }
  // holes from the grids upwards, so a gap is reported at the lowest level that encloses it
  for (const level of [...AREA_LEVELS].reverse()) {
    const parentLevel = PARENT_LEVEL[level];
    const parentShapes = new Map<string, PlanarShape>();
    if (parentLevel)
      for (const p of areas[parentLevel]) {
        const piece = pieces.get(p);
        if (piece && p.code !== undefined) parentShapes.set(p.code, piece.shape);
      }
    const list = areas[level].map((a) => pieces.get(a)).filter((p): p is Piece => p !== undefined);
    checkHoles(level, list, parentLevel ? (a) => (a.parent !== undefined ? parentShapes.get(a.parent) ?? null : null) : () => null, {
      water,
      tol,
      severity: parentLevel ? 'error' : options.districtHoles ?? 'warning',
      projection,
      reported: reportedHoles,
      problems,
    });
  }
}

interface LevelContext {
  level: AreaLevel;
  parentLevel: AreaLevel;
  areas: Record<AreaLevel, AreaFeature[]>;
  pieces: Map<AreaFeature, Piece>;
  /** overlap among siblings per parent code, counted once in the coverage */
  overlapInParent: Map<string, number>;
  water: PlanarShape[];
  tol: number;
  projection: LocalProjection;
  problems: Problem[];
}

const waterIn = (water: PlanarShape[], shape: PlanarShape) => water.reduce((sum, w) => sum + intersectionArea(shape, w), 0);

/** Each child of `level` inside its parent, and each parent covered by its children (water aside). */
function checkNestingAndGaps({ level, parentLevel, areas, pieces, overlapInParent, water, tol, projection, problems }: LevelContext): void {
  const parents = new Map<string, AreaFeature>();
  for (const p of areas[parentLevel]) if (p.code !== undefined) parents.set(p.code, p);
  // children of each parent, and whether any child had to be left out (then the gap sum would be wrong)
  const children = new Map<string, { covered: number; wet: number; incomplete: boolean; count: number; pieces: Piece[] }>();
  for (const child of areas[level]) {
    if (child.parent === undefined) continue;
    const entry = children.get(child.parent) ?? { covered: 0, wet: 0, incomplete: false, count: 0, pieces: [] };
    children.set(child.parent, entry);
    entry.count++;
    const piece = pieces.get(child);
    const parent = parents.get(child.parent);
    const parentPiece = parent && pieces.get(parent);
    if (!piece || !parentPiece) {
      entry.incomplete = true;
      continue;
    }
    const inside = intersectionArea(piece.shape, parentPiece.shape);
    entry.covered += inside;
    entry.pieces.push(piece);
    if (water.length > 0) entry.wet += waterIn(water, piece.shape);
    const outside = piece.size - inside;
    if (outside > tol)
      problems.push({
        rule: 'nesting',
        severity: 'error',
        subject: level,
        ref: child.ref,
        message: `${level} ${child.ref} lies outside its ${parentLevel} ${child.parent} by ${formatArea(outside)} (of its ${formatArea(piece.size)})`,
        amount: { value: outside, unit: 'm²' },
      });
  }
  for (const [parentCode, entry] of children) {
    const parent = parents.get(parentCode);
    const parentPiece = parent && pieces.get(parent);
    if (!parent || !parentPiece || entry.incomplete) continue;
    const covered = entry.covered - (overlapInParent.get(parentCode) ?? 0);
    const openWater = water.length > 0 ? Math.max(0, waterIn(water, parentPiece.shape) - entry.wet) : 0;
    const gap = parentPiece.size - covered - openWater;
    const wet = openWater > tol ? `, water ${formatArea(openWater)} not counted` : '';
    if (gap <= tol) continue;
    const near = locateGap(parentPiece.shape, entry.pieces, water, projection);
    const where = near ? `, e.g. at ${formatLonLat(near.lon, near.lat)} beside ${level} ${near.ref}` : '';
    problems.push({
        rule: 'gap',
        severity: 'error',
        subject: parentLevel,
        ref: parent.ref,
        message: `${parentLevel} ${parent.ref}: its ${entry.count} ${level}s leave a gap of ${formatArea(gap)} (${parentLevel} ${formatArea(parentPiece.size)}, covered ${formatArea(covered)}${wet})${where}`,
        amount: { value: gap, unit: 'm²' },
      });
  }
  for (const parent of areas[parentLevel])
    if (parent.code !== undefined && !children.has(parent.code) && pieces.has(parent))
      problems.push({
        rule: 'gap',
        severity: 'error',
        subject: parentLevel,
        ref: parent.ref,
        message: `${parentLevel} ${parent.ref} has no ${level}s: a gap of ${formatArea(pieces.get(parent)!.size)}`,
        amount: { value: pieces.get(parent)!.size, unit: 'm²' },
      });
}

/** Reports overlapping pairs of one level; returns the overlap total per parent code (for the gap sum). */
function checkOverlaps(level: AreaLevel, list: Piece[], tol: number, problems: Problem[]): Map<string, number> {
  const perParent = new Map<string, number>();
  if (list.length < 2) return perParent;
  const index = new Flatbush(list.length);
  for (const p of list) index.add(p.shape.bbox[0], p.shape.bbox[1], p.shape.bbox[2], p.shape.bbox[3]);
  index.finish();
  list.forEach((a, i) => {
    const [x0, y0, x1, y1] = a.shape.bbox;
    for (const j of index.search(x0, y0, x1, y1)) {
      if (j <= i) continue;
      const b = list[j]!;
      const overlap = intersectionArea(a.shape, b.shape);
      if (overlap <= tol) continue;
      problems.push({
        rule: 'overlap',
        severity: 'error',
        subject: level,
        ref: a.area.ref,
        message: `${level} ${a.area.ref} overlaps ${b.area.ref} by ${formatArea(overlap)}`,
        amount: { value: overlap, unit: 'm²' },
      });
      if (a.area.parent !== undefined && a.area.parent === b.area.parent)
        perParent.set(a.area.parent, (perParent.get(a.area.parent) ?? 0) + overlap);
    }
  });
  return perParent;
}

interface HoleContext {
  water: PlanarShape[];
  tol: number;
  severity: 'error' | 'warning';
  projection: LocalProjection;
  /** vertices of holes already reported at a lower level */
  reported: Set<string>;
  problems: Problem[];
}

/**
 * Holes that no sibling and no water fill, counting only the part inside the parent (a street's hole that is the
 * district's own enclave is not the street's gap).
 */
function checkHoles(level: AreaLevel, list: Piece[], parentOf: (a: AreaFeature) => PlanarShape | null, ctx: HoleContext): void {
  let index: Flatbush | undefined;
  for (const piece of list) {
    piece.shape.signs.forEach((sign, r) => {
      if (sign !== -1) return;
      const ring = piece.shape.rings[r]!;
      const keys: string[] = [];
      for (let i = 0; i < ring.length; i += 2) keys.push(`${ring[i]},${ring[i + 1]}`);
      if (keys.some((k) => ctx.reported.has(k))) return;
      const hole = ringAsShape(piece.shape, r);
      const parent = parentOf(piece.area);
      let open = parent ? intersectionArea(hole, parent) : Math.abs(ringSignedArea(ring));
      if (open <= ctx.tol) return;
      if (!index) {
        index = new Flatbush(list.length);
        for (const p of list) index.add(p.shape.bbox[0], p.shape.bbox[1], p.shape.bbox[2], p.shape.bbox[3]);
        index.finish();
      }
      // siblings fill it, and so may the area's own islands inside the hole (hole ∩ itself is exactly those)
      for (const j of index.search(hole.bbox[0], hole.bbox[1], hole.bbox[2], hole.bbox[3])) open -= intersectionArea(hole, list[j]!.shape);
      for (const w of ctx.water) open -= intersectionArea(hole, w);
      if (open <= ctx.tol) return;
      for (const k of keys) ctx.reported.add(k);
      const [lon, lat] = ctx.projection.inverse(ring[0]!, ring[1]!);
      const why = parent ? '' : ': a gap, or an enclave of an area outside the package';
      ctx.problems.push({
        rule: 'gap',
        severity: ctx.severity,
        subject: level,
        ref: piece.area.ref,
        message: `${level} ${piece.area.ref} encloses a gap of ${formatArea(open)} that no ${level} fills (a hole at ${formatLonLat(lon, lat)})${why}`,
        amount: { value: open, unit: 'm²' },
      });
    });
  }
}

/**
 * Where a gap is, for the message: a point just beside a child edge that no sibling shares, inside the parent and
 * inside no child or water. Only unmatched edges can border a gap, so only those are probed (5 points each, both sides).
 * Null when no probe lands in the gap (a gap narrower than the probe's 5 cm step).
 */
function locateGap(parent: PlanarShape, children: Piece[], water: PlanarShape[], projection: LocalProjection): { lon: number; lat: number; ref: string } | null {
  const uses = new Map<string, number>();
  const key = (ax: number, ay: number, bx: number, by: number) => (ax < bx || (ax === bx && ay < by) ? `${ax},${ay},${bx},${by}` : `${bx},${by},${ax},${ay}`);
  const edges: Array<[number, number, number, number, Piece]> = [];
  for (const child of children)
    for (const ring of child.shape.rings) {
      const n = ring.length >> 1;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const e: [number, number, number, number, Piece] = [ring[2 * j]!, ring[2 * j + 1]!, ring[2 * i]!, ring[2 * i + 1]!, child];
        edges.push(e);
        const k = key(e[0], e[1], e[2], e[3]);
        uses.set(k, (uses.get(k) ?? 0) + 1);
      }
    }
  const inGap = (x: number, y: number) =>
    shapeContains(parent, x, y) && !children.some((c) => shapeContains(c.shape, x, y)) && !water.some((w) => shapeContains(w, x, y));
  for (const [ax, ay, bx, by, child] of edges) {
    if (uses.get(key(ax, ay, bx, by)) !== 1) continue;
    const len = Math.hypot(bx - ax, by - ay);
    if (len === 0) continue;
    const step = Math.min(0.05, len / 1000);
    const nx = (-(by - ay) / len) * step;
    const ny = ((bx - ax) / len) * step;
    for (const t of [0.5, 0.1, 0.3, 0.7, 0.9])
      for (const side of [1, -1]) {
        const x = ax + t * (bx - ax) + side * nx;
        const y = ay + t * (by - ay) + side * ny;
        if (!inGap(x, y)) continue;
        const [lon, lat] = projection.inverse(x, y);
        return { lon, lat, ref: child.area.ref };
      }
  }
  return null;
}
