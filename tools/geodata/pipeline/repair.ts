/**
 * District polygon repair and datum conversion. The echarts polygons are GCJ-02 on a 1/1024° lattice with duplicate
 * vertices and back-and-forth spikes (GEODATA.md). Repair works on the exact lattice (integers), where "same vertex"
 * needs no tolerance; then every vertex is converted GCJ-02 → WGS84 with gcoord. The conversion is a pure function
 * of the vertex, so a border vertex shared by two districts stays shared after it.
 */
import gcoord from 'gcoord';
import type { LonLat } from './city-config';
import { polygonArea, ringSignedArea, type PolygonRings } from './planar';

const LATTICE = 1024;

/** Removes repeated vertices and A→B→A spikes from a closed ring of lattice integers; returns it closed. */
export function repairLatticeRing(ring: Array<[number, number]>): Array<[number, number]> {
  const open = ring.slice();
  const first = open[0], last = open[open.length - 1];
  if (first && last && first[0] === last[0] && first[1] === last[1]) open.pop();
  let changed = true;
  // A spike removal can expose another (A→B→C→B→A), so repeat until the ring is stable.
  while (changed && open.length >= 3) {
    changed = false;
    for (let i = 0; i < open.length && open.length >= 3; i++) {
      const n = open.length;
      const prev = open[(i - 1 + n) % n] as [number, number];
      const cur = open[i] as [number, number];
      const next = open[(i + 1) % n] as [number, number];
      if (cur[0] === next[0] && cur[1] === next[1]) {
        open.splice(i, 1);
        changed = true;
        i--;
      } else if (prev[0] === next[0] && prev[1] === next[1]) {
        // cur is the tip of a spike: drop it and the repeated base vertex after it.
        const removeAt = [i, (i + 1) % n].sort((a, b) => b - a);
        for (const r of removeAt) open.splice(r, 1);
        changed = true;
        i = Math.max(-1, i - 2);
      } else if ((cur[0] - prev[0]) * (next[1] - prev[1]) === (cur[1] - prev[1]) * (next[0] - prev[0]) &&
        (cur[0] - prev[0]) * (next[0] - cur[0]) + (cur[1] - prev[1]) * (next[1] - cur[1]) < 0) {
        // Collinear reversal (A→B→C with C back between A and B): a spike with a non-shared tip.
        open.splice(i, 1);
        changed = true;
        i = Math.max(-1, i - 2);
      }
    }
  }
  if (open.length < 3) return [];
  return [...open, open[0] as [number, number]];
}

export interface RepairReport {
  verticesIn: number;
  verticesOut: number;
  /** absolute area change from repair, m² (measured before datum conversion) */
  areaChangeM2: number;
}

/**
 * Repairs a district's polygons on the lattice and converts them to WGS84.
 * @param toMetres planar projection used to measure the area change, m²
 */
export function repairAndConvert(
  polygons: number[][][][],
  toMetres: (p: LonLat) => [number, number],
): { polygons: PolygonRings[]; report: RepairReport } {
  let verticesIn = 0, verticesOut = 0, areaBefore = 0, areaAfter = 0;
  const out: PolygonRings[] = [];
  for (const polygon of polygons) {
    const rings: PolygonRings = [];
    polygon.forEach((ring, ringIndex) => {
      verticesIn += ring.length;
      const lattice = ring.map((p) => [Math.round((p[0] as number) * LATTICE), Math.round((p[1] as number) * LATTICE)] as [number, number]);
      const metresBefore = ring.map((p) => toMetres([p[0] as number, p[1] as number]));
      const sign = ringIndex === 0 ? 1 : -1;
      areaBefore += sign * Math.abs(ringSignedArea(metresBefore));
      const repaired = repairLatticeRing(lattice);
      if (repaired.length === 0) return;
      verticesOut += repaired.length;
      const gcj = repaired.map(([x, y]) => [x / LATTICE, y / LATTICE] as LonLat);
      areaAfter += sign * Math.abs(ringSignedArea(gcj.map(toMetres)));
      const wgs = gcj.map((p) => {
        const [lon, lat] = gcoord.transform(p, gcoord.GCJ02, gcoord.WGS84) as [number, number];
        return [lon, lat] as [number, number];
      });
      rings.push(wgs);
    });
    if (rings.length > 0 && polygonArea(rings) > 0) out.push(rings);
  }
  return { polygons: out, report: { verticesIn, verticesOut, areaChangeM2: Math.abs(areaAfter - areaBefore) } };
}

/** Converts one GCJ-02 point to WGS84. */
export function gcjToWgs(p: LonLat): LonLat {
  const [lon, lat] = gcoord.transform(p, gcoord.GCJ02, gcoord.WGS84) as [number, number];
  return [lon, lat];
}
