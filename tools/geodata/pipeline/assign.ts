/**
 * Which grid each piece belongs to. A cell's "home" piece (the one holding its seed) is its grid. Every other piece
 * (a part cut off by a concave border, or the part of a cell that spills over into another district) joins the
 * neighbouring grid of the same district with which it shares the longest border. Then communities are made
 * contiguous: a detached group of a community's grids joins the neighbouring community it borders most.
 */
import type { Piece } from './cells';
import { pointInRings, type Point } from './planar';

export interface GridAssignment {
  /** grid (= seed) index of every piece */
  gridOfPiece: Int32Array;
  /** community code of every grid (may differ from the seed's after contiguity repair) */
  communityOfGrid: string[];
  /** how many pieces were reassigned from their own cell, and how many grids changed community */
  stats: { reassignedPieces: number; nearestFallback: number; gridsMovedCommunity: number };
}

type Neighbours = ReadonlyArray<ReadonlyArray<{ piece: number; lengthM: number }>>;

/** Assigns pieces to grids and repairs community contiguity. */
export function assignPieces(
  pieces: readonly Piece[],
  seeds: readonly { position: Point; district: number; community: string }[],
  neighbours: Neighbours,
): GridAssignment {
  const gridOfPiece = new Int32Array(pieces.length).fill(-1);
  const homeOfCell = new Map<number, number>();
  pieces.forEach((p, i) => {
    const seed = seeds[p.cell]!;
    if (p.district !== seed.district) return;
    const current = homeOfCell.get(p.cell);
    if (pointInRings(seed.position, p.rings)) homeOfCell.set(p.cell, i);
    else if (current === undefined) homeOfCell.set(p.cell, i);
    else if (!pointInRings(seed.position, pieces[current]!.rings) && p.areaM2 > pieces[current]!.areaM2) homeOfCell.set(p.cell, i);
  });
  for (const [cell, piece] of homeOfCell) gridOfPiece[piece] = cell;
  seeds.forEach((_, cell) => {
    if (!homeOfCell.has(cell)) throw new Error(`grid seed ${cell} has no piece of its own cell on its district's land`);
  });

  let reassignedPieces = 0;
  for (let progress = true; progress;) {
    progress = false;
    pieces.forEach((p, i) => {
      if (gridOfPiece[i] !== -1) return;
      let best = -1, bestLength = 0;
      for (const n of neighbours[i]!) {
        const g = gridOfPiece[n.piece]!;
        if (g < 0 || pieces[n.piece]!.district !== p.district) continue;
        if (n.lengthM > bestLength || (n.lengthM === bestLength && g < best)) { best = g; bestLength = n.lengthM; }
      }
      if (best >= 0) { gridOfPiece[i] = best; reassignedPieces++; progress = true; }
    });
  }
  // A piece cut off from the rest of its district (a small exclave) has no same-district neighbour: nearest seed.
  let nearestFallback = 0;
  pieces.forEach((p, i) => {
    if (gridOfPiece[i] !== -1) return;
    const at = p.rings[0]![0]!;
    let best = -1, bestD = Infinity;
    seeds.forEach((s, g) => {
      if (s.district !== p.district) return;
      const d = Math.hypot(s.position[0] - at[0], s.position[1] - at[1]);
      if (d < bestD) { bestD = d; best = g; }
    });
    if (best < 0) throw new Error(`piece ${i} of district ${p.district} has no grid to join`);
    gridOfPiece[i] = best;
    nearestFallback++;
  });

  const communityOfGrid = seeds.map((s) => s.community);
  const gridsMovedCommunity = repairCommunityContiguity(pieces, seeds, neighbours, gridOfPiece, communityOfGrid);
  return { gridOfPiece, communityOfGrid, stats: { reassignedPieces, nearestFallback, gridsMovedCommunity } };
}

/** Grid adjacency with shared border length, derived from piece adjacency. */
function gridNeighbours(pieces: readonly Piece[], neighbours: Neighbours, gridOfPiece: Int32Array, gridCount: number): Array<Map<number, number>> {
  const out = Array.from({ length: gridCount }, () => new Map<number, number>());
  pieces.forEach((p, i) => {
    const g = gridOfPiece[i]!;
    for (const n of neighbours[i]!) {
      const h = gridOfPiece[n.piece]!;
      if (h === g || pieces[n.piece]!.district !== p.district) continue;
      out[g]!.set(h, (out[g]!.get(h) ?? 0) + n.lengthM);
    }
  });
  return out;
}

function repairCommunityContiguity(
  pieces: readonly Piece[],
  seeds: readonly { district: number }[],
  neighbours: Neighbours,
  gridOfPiece: Int32Array,
  communityOfGrid: string[],
): number {
  const adjacency = gridNeighbours(pieces, neighbours, gridOfPiece, seeds.length);
  const area = new Float64Array(seeds.length);
  pieces.forEach((p, i) => (area[gridOfPiece[i]!] = area[gridOfPiece[i]!]! + p.areaM2));
  let moved = 0;
  for (let round = 0; round < 10; round++) {
    let movedThisRound = 0;
    const members = new Map<string, number[]>();
    communityOfGrid.forEach((c, g) => { const l = members.get(c); if (l) l.push(g); else members.set(c, [g]); });
    for (const [community, grids] of [...members.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      const components = connectedComponents(grids, adjacency, (g) => communityOfGrid[g] === community);
      if (components.length < 2) continue;
      components.sort((a, b) => componentArea(b, area) - componentArea(a, area) || a[0]! - b[0]!);
      for (const component of components.slice(1)) {
        const inComponent = new Set(component);
        const border = new Map<string, number>();
        for (const g of component) {
          for (const [h, len] of adjacency[g]!) {
            if (inComponent.has(h) || communityOfGrid[h] === community) continue;
            border.set(communityOfGrid[h]!, (border.get(communityOfGrid[h]!) ?? 0) + len);
          }
        }
        const target = [...border.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
        if (!target) continue; // an island with no land neighbour keeps its community
        for (const g of component) communityOfGrid[g] = target[0];
        movedThisRound += component.length;
      }
    }
    moved += movedThisRound;
    if (movedThisRound === 0) break;
  }
  return moved;
}

function componentArea(component: number[], area: Float64Array): number {
  return component.reduce((s, g) => s + area[g]!, 0);
}

/** Connected components of `nodes` under `adjacency`, walking only nodes that satisfy `keep`. */
export function connectedComponents(nodes: readonly number[], adjacency: ReadonlyArray<Map<number, number>>, keep: (n: number) => boolean): number[][] {
  const seen = new Set<number>();
  const components: number[][] = [];
  for (const start of nodes) {
    if (seen.has(start)) continue;
    const component: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const n = stack.pop()!;
      component.push(n);
      for (const m of adjacency[n]!.keys()) {
        if (!seen.has(m) && keep(m)) { seen.add(m); stack.push(m); }
      }
    }
    components.push(component.sort((a, b) => a - b));
  }
  return components;
}
