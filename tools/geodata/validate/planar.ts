/**
 * Planar geometry for the validator: a local equal-area projection, polygons as flat Float64Arrays in metres, and
 * an exact (to floating point) intersection area that needs no polygon-clipping library.
 *
 * Why not turf.intersect: turf 7 clips with polyclip-ts on BigNumbers, which takes milliseconds per pair and throws on
 * near-degenerate shapes. Checking 15k neighbouring grid pairs that way takes minutes. Instead, the indicator function
 * of a polygon is a signed sum of "fan" triangles (origin, edge start, edge end), so
 * area(A ∩ B) = Σᵢ Σⱼ sᵢ sⱼ area(Tᵢ ∩ Tⱼ), and a triangle–triangle intersection is a tiny convex clip. Large polygons
 * are first cut into tiles (Sutherland–Hodgman against each tile keeps the winding function inside the tile), so
 * each tile has few edges and the double sum stays small.
 */
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** A ring as [x0, y0, x1, y1, …] in metres, without repeating the first vertex at the end. */
export type PlanarRing = Float64Array;
/** A polygon or multipolygon flattened to rings, each with a sign: +1 for an outer ring, −1 for a hole. */
export interface PlanarShape {
  rings: PlanarRing[];
  signs: number[];
  /** each ring's [minX, minY, maxX, maxY] */
  ringBoxes: Array<[number, number, number, number]>;
  /** [minX, minY, maxX, maxY] in metres */
  bbox: [number, number, number, number];
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * Lambert cylindrical equal-area projection with its standard parallel at the city's latitude: areas are exact on
 * the sphere, shapes are true near the centre, which is all a city-sized check needs.
 */
export class LocalProjection {
  private readonly kx: number;
  private readonly ky: number;
  constructor(
    readonly lon0: number,
    readonly lat0: number,
  ) {
    const c = Math.cos(lat0 * RAD);
    this.kx = EARTH_RADIUS_M * c * RAD;
    this.ky = EARTH_RADIUS_M / c;
  }
  x(lon: number): number {
    return (lon - this.lon0) * this.kx;
  }
  y(lat: number): number {
    return Math.sin(lat * RAD) * this.ky - Math.sin(this.lat0 * RAD) * this.ky;
  }
  /** Back to [lon, lat], for messages that say where something is. */
  inverse(x: number, y: number): [number, number] {
    return [x / this.kx + this.lon0, Math.asin(Math.max(-1, Math.min(1, y / this.ky + Math.sin(this.lat0 * RAD)))) / RAD];
  }
}

/** Signed area of a flat ring (positive when counter-clockwise). */
export function ringSignedArea(ring: PlanarRing): number {
  const n = ring.length >> 1;
  let sum = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    sum += (ring[2 * j]! - ring[2 * i]!) * (ring[2 * j + 1]! + ring[2 * i + 1]!);
  }
  return sum / 2;
}

/** Projects a GeoJSON polygon or multipolygon; drops the closing vertex and consecutive duplicates. */
export function toPlanar(geometry: Polygon | MultiPolygon, projection: LocalProjection): PlanarShape {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const rings: PlanarRing[] = [];
  const signs: number[] = [];
  const ringBoxes: Array<[number, number, number, number]> = [];
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    polygon.forEach((ring, r) => {
      const flat = flattenRing(ring, projection);
      if (flat.length < 6) return;
      rings.push(flat);
      signs.push(r === 0 ? 1 : -1);
      const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let i = 0; i < flat.length; i += 2) {
        const x = flat[i]!;
        const y = flat[i + 1]!;
        if (x < box[0]) box[0] = x;
        if (y < box[1]) box[1] = y;
        if (x > box[2]) box[2] = x;
        if (y > box[3]) box[3] = y;
      }
      ringBoxes.push(box);
      bbox[0] = Math.min(bbox[0], box[0]);
      bbox[1] = Math.min(bbox[1], box[1]);
      bbox[2] = Math.max(bbox[2], box[2]);
      bbox[3] = Math.max(bbox[3], box[3]);
    });
  }
  return { rings, signs, ringBoxes, bbox };
}

function flattenRing(ring: Position[], projection: LocalProjection): PlanarRing {
  const out: number[] = [];
  for (const p of ring) {
    const x = projection.x(p[0]!);
    const y = projection.y(p[1]!);
    const k = out.length;
    if (k >= 2 && out[k - 2] === x && out[k - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return Float64Array.from(out);
}

/** Area of a shape in m²: outer rings minus holes, whatever their orientation. */
export function shapeArea(shape: PlanarShape): number {
  let sum = 0;
  shape.rings.forEach((ring, i) => {
    sum += shape.signs[i]! * Math.abs(ringSignedArea(ring));
  });
  return sum;
}

let clipFrom = new Float64Array(64);
let clipTo = new Float64Array(64);

/** Clips one ring against an axis-aligned rectangle (Sutherland–Hodgman); the result may have zero-width bridges. */
export function clipRingToRect(ring: PlanarRing, minX: number, minY: number, maxX: number, maxY: number): PlanarRing {
  // each pass at most doubles the vertices in theory; n + 8 per pass is the practical bound, so size for 2n + 16
  const capacity = 2 * ring.length + 32;
  if (clipFrom.length < capacity) {
    clipFrom = new Float64Array(capacity);
    clipTo = new Float64Array(capacity);
  }
  let src = clipFrom;
  let dst = clipTo;
  src.set(ring);
  let n = ring.length >> 1;
  for (let pass = 0; pass < 4 && n > 0; pass++) {
    // pass 0 keeps x ≥ minX, 1 keeps x ≤ maxX, 2 keeps y ≥ minY, 3 keeps y ≤ maxY
    const onX = pass < 2;
    const limit = pass === 0 ? minX : pass === 1 ? maxX : pass === 2 ? minY : maxY;
    const sign = pass === 0 || pass === 2 ? 1 : -1;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const j = i + 1 === n ? 0 : i + 1;
      const x1 = src[2 * i]!;
      const y1 = src[2 * i + 1]!;
      const x2 = src[2 * j]!;
      const y2 = src[2 * j + 1]!;
      const d1 = sign * ((onX ? x1 : y1) - limit);
      const d2 = sign * ((onX ? x2 : y2) - limit);
      if (d1 >= 0) {
        dst[2 * m] = x1;
        dst[2 * m + 1] = y1;
        m++;
      }
      if (d1 >= 0 !== d2 >= 0) {
        const t = d1 / (d1 - d2);
        // snap the crossing onto the clip line exactly, so neighbouring tiles meet without slivers
        dst[2 * m] = onX ? limit : x1 + t * (x2 - x1);
        dst[2 * m + 1] = onX ? y1 + t * (y2 - y1) : limit;
        m++;
      }
    }
    const swap = src;
    src = dst;
    dst = swap;
    n = m;
  }
  return src.slice(0, 2 * n);
}

function clipShape(shape: PlanarShape, minX: number, minY: number, maxX: number, maxY: number): PlanarShape {
  const rings: PlanarRing[] = [];
  const signs: number[] = [];
  const ringBoxes: Array<[number, number, number, number]> = [];
  shape.rings.forEach((ring, i) => {
    const [x0, y0, x1, y1] = shape.ringBoxes[i]!;
    // a ring whose box misses the tile cannot cover any of it; one inside the tile needs no clipping
    if (x1 < minX || x0 > maxX || y1 < minY || y0 > maxY) return;
    const inside = x0 >= minX && x1 <= maxX && y0 >= minY && y1 <= maxY;
    const clipped = inside ? ring : clipRingToRect(ring, minX, minY, maxX, maxY);
    if (clipped.length >= 6) {
      rings.push(clipped);
      signs.push(shape.signs[i]!);
      ringBoxes.push(inside ? shape.ringBoxes[i]! : [minX, minY, maxX, maxY]);
    }
  });
  return { rings, signs, ringBoxes, bbox: [minX, minY, maxX, maxY] };
}

/** Fan triangles of a shape about an origin: [ax, ay, bx, by, weight] per edge, counter-clockwise, weight ±1. */
function fanTriangles(shape: PlanarShape, ox: number, oy: number): Float64Array {
  const out: number[] = [];
  shape.rings.forEach((ring, r) => {
    const n = ring.length >> 1;
    const orientation = Math.sign(ringSignedArea(ring));
    if (orientation === 0) return;
    // weight makes outer rings count +1 and holes −1 whatever the file's winding order
    const ringWeight = shape.signs[r]! * orientation;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      const ax = ring[2 * i]! - ox;
      const ay = ring[2 * i + 1]! - oy;
      const bx = ring[2 * j]! - ox;
      const by = ring[2 * j + 1]! - oy;
      const cross = ax * by - ay * bx;
      if (cross === 0) continue;
      if (cross > 0) out.push(ax, ay, bx, by, ringWeight);
      else out.push(bx, by, ax, ay, -ringWeight);
    }
  });
  return Float64Array.from(out);
}

const scratchA = new Float64Array(64);
const scratchB = new Float64Array(64);

/** Area of the intersection of two counter-clockwise triangles that share the vertex (0, 0). */
function fanPairArea(t: Float64Array, i: number, u: Float64Array, j: number): number {
  let src = scratchA;
  let dst = scratchB;
  src[0] = 0;
  src[1] = 0;
  src[2] = t[i]!;
  src[3] = t[i + 1]!;
  src[4] = t[i + 2]!;
  src[5] = t[i + 3]!;
  let n = 3;
  const u1x = u[j]!;
  const u1y = u[j + 1]!;
  const u2x = u[j + 2]!;
  const u2y = u[j + 3]!;
  for (let e = 0; e < 3 && n > 0; e++) {
    // the clip edges of U in order: origin → u1, u1 → u2, u2 → origin
    const x1 = e === 0 ? 0 : e === 1 ? u1x : u2x;
    const y1 = e === 0 ? 0 : e === 1 ? u1y : u2y;
    const ex = (e === 0 ? u1x : e === 1 ? u2x : 0) - x1;
    const ey = (e === 0 ? u1y : e === 1 ? u2y : 0) - y1;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const l = (k + 1) % n;
      const px = src[2 * k]!;
      const py = src[2 * k + 1]!;
      const qx = src[2 * l]!;
      const qy = src[2 * l + 1]!;
      const dp = ex * (py - y1) - ey * (px - x1);
      const dq = ex * (qy - y1) - ey * (qx - x1);
      if (dp >= 0) {
        dst[2 * m] = px;
        dst[2 * m + 1] = py;
        m++;
      }
      if ((dp >= 0) !== (dq >= 0)) {
        const s = dp / (dp - dq);
        dst[2 * m] = px + s * (qx - px);
        dst[2 * m + 1] = py + s * (qy - py);
        m++;
      }
    }
    const swap = src;
    src = dst;
    dst = swap;
    n = m;
  }
  let area = 0;
  for (let k = 0; k < n; k++) {
    const l = (k + 1) % n;
    area += src[2 * k]! * src[2 * l + 1]! - src[2 * l]! * src[2 * k + 1]!;
  }
  return area / 2;
}

function fanIntersectionArea(a: PlanarShape, b: PlanarShape, ox: number, oy: number): number {
  const ta = fanTriangles(a, ox, oy);
  const tb = fanTriangles(b, ox, oy);
  let sum = 0;
  for (let i = 0; i < ta.length; i += 5) {
    for (let j = 0; j < tb.length; j += 5) {
      sum += ta[i + 4]! * tb[j + 4]! * fanPairArea(ta, i, tb, j);
    }
  }
  return sum;
}

/** Edges per tile above which the pair is cut into tiles before the fan sum. */
const EDGES_PER_TILE = 24;

/**
 * Area in m² of A ∩ B. Exact up to floating point for valid polygons (shared edges give 0, not slivers); inside a
 * self-crossing polygon it counts winding, which the geometry rule reports separately.
 */
export function intersectionArea(a: PlanarShape, b: PlanarShape): number {
  const minX = Math.max(a.bbox[0], b.bbox[0]);
  const minY = Math.max(a.bbox[1], b.bbox[1]);
  const maxX = Math.min(a.bbox[2], b.bbox[2]);
  const maxY = Math.min(a.bbox[3], b.bbox[3]);
  if (minX >= maxX || minY >= maxY) return 0;
  const edges = countEdges(a) + countEdges(b);
  const k = Math.max(1, Math.ceil(Math.sqrt(edges / EDGES_PER_TILE)));
  const w = (maxX - minX) / k;
  const h = (maxY - minY) / k;
  let sum = 0;
  for (let ix = 0; ix < k; ix++) {
    const x0 = minX + ix * w;
    const x1 = ix === k - 1 ? maxX : minX + (ix + 1) * w;
    for (let iy = 0; iy < k; iy++) {
      const y0 = minY + iy * h;
      const y1 = iy === k - 1 ? maxY : minY + (iy + 1) * h;
      const ca = clipShape(a, x0, y0, x1, y1);
      if (ca.rings.length === 0) continue;
      const cb = clipShape(b, x0, y0, x1, y1);
      if (cb.rings.length === 0) continue;
      sum += fanIntersectionArea(ca, cb, (x0 + x1) / 2, (y0 + y1) / 2);
    }
  }
  return sum;
}

function countEdges(shape: PlanarShape): number {
  let n = 0;
  for (const ring of shape.rings) n += ring.length >> 1;
  return n;
}

/** Crossing-number point-in-shape test (holes and multipolygons by even–odd). */
export function shapeContains(shape: PlanarShape, x: number, y: number): boolean {
  let inside = false;
  for (const ring of shape.rings) {
    const n = ring.length >> 1;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ring[2 * i + 1]!;
      const yj = ring[2 * j + 1]!;
      if (yi > y !== yj > y) {
        const xi = ring[2 * i]!;
        const xj = ring[2 * j]!;
        if (x < xi + ((y - yi) * (xj - xi)) / (yj - yi)) inside = !inside;
      }
    }
  }
  return inside;
}

/** Distance in metres from a point to the nearest edge of a shape. */
export function distanceToBoundary(shape: PlanarShape, x: number, y: number): number {
  let best = Infinity;
  for (const ring of shape.rings) {
    const n = ring.length >> 1;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const ax = ring[2 * j]!;
      const ay = ring[2 * j + 1]!;
      const dx = ring[2 * i]! - ax;
      const dy = ring[2 * i + 1]! - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
      if (d < best) best = d;
    }
  }
  return best;
}

/** One ring as a shape of its own (a hole treated as the area it leaves open). */
export function ringAsShape(shape: PlanarShape, index: number): PlanarShape {
  const box = shape.ringBoxes[index]!;
  return { rings: [shape.rings[index]!], signs: [1], ringBoxes: [box], bbox: [...box] };
}
