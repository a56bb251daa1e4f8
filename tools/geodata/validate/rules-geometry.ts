/**
 * Geometry validity of each area, in raw lon/lat so orientation signs are those of the file's own numbers.
 *
 * A ring that crosses itself (a bowtie) or another ring of its polygon is an error. A ring that only touches itself
 * at one point is allowed: districts in Hefei and Harbin have parts that meet at a single vertex, and `booleanValid`
 * wrongly rejects them. The difference is whether the two passes through the shared point interleave.
 */
import Flatbush from 'flatbush';
import type { Position } from 'geojson';
import { formatLonLat, type Problem } from './problem.js';
import type { AreaFeature } from './read-package.js';

interface Ring {
  xs: Float64Array;
  ys: Float64Array;
  n: number;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

function toRing(positions: Position[]): Ring {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of positions) {
    const x = p[0]!;
    const y = p[1]!;
    if (xs.length > 0 && xs[xs.length - 1] === x && ys[ys.length - 1] === y) continue;
    xs.push(x);
    ys.push(y);
  }
  while (xs.length > 1 && xs[0] === xs[xs.length - 1] && ys[0] === ys[ys.length - 1]) {
    xs.pop();
    ys.pop();
  }
  return { xs: Float64Array.from(xs), ys: Float64Array.from(ys), n: xs.length };
}

function ringArea(r: Ring): number {
  let s = 0;
  for (let i = 0, j = r.n - 1; i < r.n; j = i++) s += (r.xs[j]! - r.xs[i]!) * (r.ys[j]! + r.ys[i]!);
  return s / 2;
}

/** Strictly inside the counter-clockwise arc from angle a to angle b. */
function strictlyBetween(a: number, b: number, x: number): boolean {
  const span = (b - a + 2 * Math.PI) % (2 * Math.PI);
  const off = (x - a + 2 * Math.PI) % (2 * Math.PI);
  return off > 0 && off < span;
}

interface Findings {
  crossings: Array<[number, number]>;
  spikes: Array<[number, number]>;
}

/** Finds crossings and spikes among the rings of one polygon. */
function inspectPolygon(rings: Ring[], f: Findings): void {
  // segments: ring index and start vertex
  const segRing: number[] = [];
  const segIndex: number[] = [];
  rings.forEach((r, ri) => {
    for (let i = 0; i < r.n; i++) {
      segRing.push(ri);
      segIndex.push(i);
    }
  });
  const count = segRing.length;
  if (count === 0) return;
  const end = (ri: number, i: number): number => (i + 1) % rings[ri]!.n;
  const index = new Flatbush(count);
  for (let s = 0; s < count; s++) {
    const r = rings[segRing[s]!]!;
    const i = segIndex[s]!;
    const j = end(segRing[s]!, i);
    index.add(Math.min(r.xs[i]!, r.xs[j]!), Math.min(r.ys[i]!, r.ys[j]!), Math.max(r.xs[i]!, r.xs[j]!), Math.max(r.ys[i]!, r.ys[j]!));
  }
  index.finish();
  for (let s = 0; s < count; s++) {
    const ra = segRing[s]!;
    const A = rings[ra]!;
    const ai = segIndex[s]!;
    const aj = end(ra, ai);
    const ax = A.xs[ai]!, ay = A.ys[ai]!, bx = A.xs[aj]!, by = A.ys[aj]!;
    // a spike: the ring comes straight back along the edge it arrived on
    const ak = end(ra, aj);
    const cx = A.xs[ak]!, cy = A.ys[ak]!;
    if (A.n >= 3 && orient(ax, ay, bx, by, cx, cy) === 0 && (bx - ax) * (cx - bx) + (by - ay) * (cy - by) < 0) f.spikes.push([bx, by]);
    for (const t of index.search(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by))) {
      if (t <= s) continue;
      const rb = segRing[t]!;
      const B = rings[rb]!;
      const ci = segIndex[t]!;
      const cj = end(rb, ci);
      if (ra === rb && (ci === aj || cj === ai)) continue; // neighbours share a vertex by construction
      const px = B.xs[ci]!, py = B.ys[ci]!, qx = B.xs[cj]!, qy = B.ys[cj]!;
      const o1 = orient(ax, ay, bx, by, px, py);
      const o2 = orient(ax, ay, bx, by, qx, qy);
      const o3 = orient(px, py, qx, qy, ax, ay);
      const o4 = orient(px, py, qx, qy, bx, by);
      if (o1 * o2 < 0 && o3 * o4 < 0) {
        const d = (bx - ax) * (qy - py) - (by - ay) * (qx - px);
        const u = ((px - ax) * (qy - py) - (py - ay) * (qx - px)) / d;
        f.crossings.push([ax + u * (bx - ax), ay + u * (by - ay)]);
        continue;
      }
      if (o1 === 0 && o2 === 0) {
        // collinear: overlapping with positive length means the boundary runs over itself
        const len = (bx - ax) * (bx - ax) + (by - ay) * (by - ay);
        const tp = ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len;
        const tq = ((qx - ax) * (bx - ax) + (qy - ay) * (by - ay)) / len;
        if (Math.min(Math.max(tp, tq), 1) - Math.max(Math.min(tp, tq), 0) > 0) f.spikes.push([Math.max(Math.min(tp, tq), 0) * (bx - ax) + ax, Math.max(Math.min(tp, tq), 0) * (by - ay) + ay]);
        continue;
      }
      // a vertex of one segment lying inside the other: a crossing only if the ring passes through to the far side
      const onSegment = (vx: number, vy: number, sx: number, sy: number, ex: number, ey: number) =>
        orient(sx, sy, ex, ey, vx, vy) === 0 && (vx - sx) * (vx - ex) + (vy - sy) * (vy - ey) < 0;
      const passesThrough = (R: Ring, v: number, sx: number, sy: number, ex: number, ey: number) => {
        const prev = (v - 1 + R.n) % R.n;
        const next = (v + 1) % R.n;
        return orient(sx, sy, ex, ey, R.xs[prev]!, R.ys[prev]!) * orient(sx, sy, ex, ey, R.xs[next]!, R.ys[next]!) < 0;
      };
      if (onSegment(px, py, ax, ay, bx, by) && passesThrough(B, ci, ax, ay, bx, by)) f.crossings.push([px, py]);
      else if (onSegment(ax, ay, px, py, qx, qy) && passesThrough(A, ai, px, py, qx, qy)) f.crossings.push([ax, ay]);
    }
  }
  inspectSharedVertices(rings, f);
}

/** Two passes through the same vertex: a crossing when their directions interleave, a harmless touch otherwise. */
function inspectSharedVertices(rings: Ring[], f: Findings): void {
  const visits = new Map<string, Array<[number, number]>>();
  rings.forEach((r, ri) => {
    for (let i = 0; i < r.n; i++) {
      const key = `${r.xs[i]},${r.ys[i]}`;
      const list = visits.get(key);
      if (list) list.push([ri, i]);
      else visits.set(key, [[ri, i]]);
    }
  });
  for (const list of visits.values()) {
    if (list.length < 2) continue;
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const [r1, i1] = list[a]!;
        const [r2, i2] = list[b]!;
        const R1 = rings[r1]!;
        const R2 = rings[r2]!;
        const x = R1.xs[i1]!;
        const y = R1.ys[i1]!;
        const angle = (R: Ring, k: number) => Math.atan2(R.ys[k]! - y, R.xs[k]! - x);
        const p1 = angle(R1, (i1 - 1 + R1.n) % R1.n);
        const q1 = angle(R1, (i1 + 1) % R1.n);
        const p2 = angle(R2, (i2 - 1 + R2.n) % R2.n);
        const q2 = angle(R2, (i2 + 1) % R2.n);
        if (p2 === p1 || p2 === q1 || q2 === p1 || q2 === q1) continue;
        if (strictlyBetween(p1, q1, p2) !== strictlyBetween(p1, q1, q2)) f.crossings.push([x, y]);
      }
    }
  }
}

/** Checks every area's rings; returns the areas whose geometry is unusable for area sums. */
export function checkGeometry(areas: AreaFeature[], problems: Problem[]): Set<AreaFeature> {
  const broken = new Set<AreaFeature>();
  for (const area of areas) {
    const g = area.geometry;
    if (!g) continue;
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    const f: Findings = { crossings: [], spikes: [] };
    let degenerate = 0;
    for (const polygon of polygons) {
      const rings = polygon.map(toRing);
      const usable = rings.filter((r) => r.n >= 3);
      const before = f.crossings.length;
      inspectPolygon(usable, f);
      // a zero-area ring is degenerate unless it is a symmetric bowtie, which the crossing already explains
      degenerate += rings.length - usable.length;
      if (f.crossings.length === before) degenerate += usable.filter((r) => ringArea(r) === 0).length;
    }
    const name = `${area.level} ${area.ref}`;
    if (degenerate > 0) {
      broken.add(area);
      problems.push({ rule: 'geometry-degenerate', severity: 'error', subject: area.level, ref: area.ref, message: `${name}: ${degenerate} ring(s) with fewer than 3 distinct vertices or no area`, amount: { value: degenerate, unit: 'count' } });
    }
    if (f.crossings.length > 0) {
      broken.add(area);
      const [x, y] = f.crossings[0]!;
      problems.push({
        rule: 'geometry-crossing',
        severity: 'error',
        subject: area.level,
        ref: area.ref,
        message: `${name}: boundary crosses itself at ${formatLonLat(x, y)} (${f.crossings.length} crossing${f.crossings.length > 1 ? 's' : ''}; a self-crossing, not a single-point touch)`,
        amount: { value: f.crossings.length, unit: 'count' },
      });
    }
    if (f.spikes.length > 0) {
      const [x, y] = f.spikes[0]!;
      problems.push({
        rule: 'geometry-spike',
        severity: 'warning',
        subject: area.level,
        ref: area.ref,
        message: `${name}: boundary runs back over itself at ${formatLonLat(x, y)} (${f.spikes.length} spike${f.spikes.length > 1 ? 's' : ''})`,
        amount: { value: f.spikes.length, unit: 'count' },
      });
    }
  }
  return broken;
}
