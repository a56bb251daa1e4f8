/**
 * Topology steps. Pieces are turned into one quantised TopoJSON so that adjacency is exact (two pieces touch when
 * they share an arc); grids are merged from pieces, and every upper level from grids, by merging shared arcs
 * (topojson-client `mergeArcs`). All four levels then reference the same arcs: no T-junctions, and nesting stays
 * exact after quantisation because a parent's boundary is literally made of its children's arcs.
 */
import { feature, mergeArcs, quantize } from 'topojson-client';
import { topology } from 'topojson-server';
import type { Feature, FeatureCollection, GeoJsonProperties, MultiPolygon as GeoMultiPolygon, Polygon as GeoPolygon } from 'geojson';
import type { GeometryObject, MultiPolygon, Polygon, Topology, Transform } from 'topojson-specification';
import type { LocalProjection, Point, PolygonRings } from './planar';

export type ArcGeometry = Polygon<GeoJsonProperties> | MultiPolygon<GeoJsonProperties>;

export interface PieceTopology {
  topology: Topology;
  geometries: Array<Polygon<GeoJsonProperties>>;
  /** for each piece, its neighbours and the length of border shared with each, metres */
  neighbours: Array<Array<{ piece: number; lengthM: number }>>;
}

/** Decodes arc `index` of a quantised, delta-encoded topology to lon/lat. */
function decodeArc(topo: Topology, index: number): Point[] {
  const arc = topo.arcs[index] ?? [];
  const t = topo.transform;
  let x = 0, y = 0;
  return arc.map((p) => {
    if (!t) return [p[0] as number, p[1] as number] as Point;
    x += p[0] as number;
    y += p[1] as number;
    return [x * t.scale[0] + t.translate[0], y * t.scale[1] + t.translate[1]] as Point;
  });
}

function arcsOf(g: GeometryObject<GeoJsonProperties>): number[] {
  if (g.type === 'Polygon') return g.arcs.flat();
  if (g.type === 'MultiPolygon') return g.arcs.flat(2);
  return [];
}

/** Builds the quantised topology of all pieces (given in metres) and their adjacency. */
export function buildPieceTopology(pieces: readonly { rings: PolygonRings }[], projection: LocalProjection, quantization: number): PieceTopology {
  const collection: FeatureCollection<GeoPolygon> = {
    type: 'FeatureCollection',
    features: pieces.map((p) => ({
      type: 'Feature', properties: {},
      geometry: { type: 'Polygon', coordinates: p.rings.map((r) => r.map((q) => projection.toLonLat(q))) },
    })),
  };
  const topo = topology({ pieces: collection }, quantization);
  const object = topo.objects.pieces;
  if (!object || object.type !== 'GeometryCollection') throw new Error('topology lost the pieces collection');
  const geometries = object.geometries.map((g, i) => {
    if (g.type !== 'Polygon') throw new Error(`piece ${i} became ${g.type} in the topology`);
    return g;
  });
  if (geometries.length !== pieces.length) throw new Error(`topology has ${geometries.length} pieces, expected ${pieces.length}`);
  const owners = new Map<number, number[]>();
  geometries.forEach((g, i) => {
    for (const a of arcsOf(g)) {
      const arc = a < 0 ? ~a : a;
      const list = owners.get(arc);
      if (list) list.push(i); else owners.set(arc, [i]);
    }
  });
  const neighbours: PieceTopology['neighbours'] = pieces.map(() => []);
  for (const [arc, list] of [...owners.entries()].sort((a, b) => a[0] - b[0])) {
    if (list.length < 2) continue;
    const coords = decodeArc(topo, arc).map((p) => projection.toMetres(p));
    let lengthM = 0;
    for (let i = 1; i < coords.length; i++) lengthM += Math.hypot(coords[i]![0] - coords[i - 1]![0], coords[i]![1] - coords[i - 1]![1]);
    const [a, b] = list as [number, number];
    if (a === b) continue;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const entry = neighbours[from]!.find((n) => n.piece === to);
      if (entry) entry.lengthM += lengthM; else neighbours[from]!.push({ piece: to, lengthM });
    }
  }
  return { topology: topo, geometries, neighbours };
}

/** Merges groups of geometries of one topology; each group becomes one (Multi)Polygon referencing the same arcs. */
export function mergeGroups(topo: Topology, geometries: readonly ArcGeometry[], groups: readonly number[][]): ArcGeometry[] {
  return groups.map((members) => {
    const merged = mergeArcs(topo, members.map((m) => geometries[m]! as Polygon | MultiPolygon));
    if (merged.arcs.length === 1) return { type: 'Polygon', arcs: merged.arcs[0]! } as Polygon;
    return { type: 'MultiPolygon', arcs: merged.arcs } as MultiPolygon;
  });
}

/** Decodes an arc geometry of a topology to GeoJSON coordinates (lon/lat). */
export function decodeGeometry(topo: Topology, g: ArcGeometry): GeoPolygon | GeoMultiPolygon {
  const f = feature(topo, g as Polygon) as Feature<GeoPolygon | GeoMultiPolygon>;
  return f.geometry;
}

/**
 * Rebuilds a clean topology from already-merged grid geometries: arcs then break only where grids meet, not where
 * the pieces inside a grid met. Quantising with the piece topology's transform keeps every vertex on the same
 * integer lattice.
 */
export function rebuildGridTopology(grids: Array<GeoPolygon | GeoMultiPolygon>, transform: Transform): { topology: Topology; geometries: ArcGeometry[] } {
  const collection: FeatureCollection<GeoPolygon | GeoMultiPolygon> = {
    type: 'FeatureCollection',
    features: grids.map((geometry) => ({ type: 'Feature', properties: {}, geometry })),
  };
  const raw = topology({ grid: collection }) as unknown as Parameters<typeof quantize>[0];
  const topo = quantize(raw, transform) as unknown as Topology;
  const object = topo.objects.grid;
  if (!object || object.type !== 'GeometryCollection') throw new Error('topology lost the grid collection');
  const geometries = object.geometries.map((g, i) => {
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') throw new Error(`grid ${i} became ${g.type} (degenerate geometry)`);
    return g;
  });
  return { topology: topo, geometries };
}

/**
 * Drops rings that quantisation collapsed to no area (a sliver piece narrower than one step): a zero-area hole, or
 * a zero-area part of a MultiPolygon. They cover nothing, and the validator rightly calls them degenerate.
 * @param ringAreaM2 planar area of a decoded ring, m²
 * @returns the cleaned geometry and how many rings were dropped
 */
export function dropCollapsedRings(topo: Topology, g: ArcGeometry, ringAreaM2: (ring: Point[]) => number): { geometry: ArcGeometry; dropped: number } {
  const parts = g.type === 'Polygon' ? [g.arcs] : g.arcs;
  let dropped = 0;
  const area = (ring: number[]) => ringAreaM2(decodeRing(topo, ring));
  const kept = parts
    .map((rings) => rings.filter((ring, i) => {
      if (i === 0 || area(ring) >= 0.01) return true;
      dropped++;
      return false;
    }))
    .filter((rings) => {
      if (parts.length === 1 || area(rings[0]!) >= 0.01) return true;
      dropped++;
      return false;
    });
  if (dropped === 0) return { geometry: g, dropped };
  const props = { properties: g.properties };
  const geometry: ArcGeometry = kept.length === 1
    ? { type: 'Polygon', arcs: kept[0]!, ...props }
    : { type: 'MultiPolygon', arcs: kept, ...props };
  return { geometry, dropped };
}

/** Decodes a ring given as arc indices (negative: reversed) to lon/lat points. */
function decodeRing(topo: Topology, ring: number[]): Point[] {
  const out: Point[] = [];
  for (const a of ring) {
    const points = decodeArc(topo, a < 0 ? ~a : a);
    if (a < 0) points.reverse();
    out.push(...(out.length > 0 ? points.slice(1) : points));
  }
  return out;
}
