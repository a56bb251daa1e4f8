/**
 * Which grid is this point in? The relay and ingest ask this for every incident, so it must be fast: a flatbush over
 * the grids' bounding boxes finds the few candidates, then an exact crossing-number test on flat Float64Arrays picks
 * the grid.
 *
 * In front of that sits a raster of small cells over the grids' extent (about 64 per grid, at most 4M cells = 16 MB):
 * a cell that no grid edge touches lies wholly inside one grid or outside all of them, so its answer is stored and a
 * point there is answered with one array read. Only points in cells that an edge crosses take the flatbush path, so
 * the raster changes no answer, only the time (most points answer in tens of nanoseconds).
 *
 * A point on an edge shared by two grids belongs to exactly one of them. The crossing test is half-open in y
 * (an edge counts when one end is above the point and the other is not) and strict in x, and each edge's crossing
 * is computed from its lower end, so both grids compute the bit-identical x for their shared edge: the point falls in
 * the grid to the edge's right (or above a horizontal edge), never in both and never in neither.
 *
 * @example
 * ```ts
 * const index = createGridIndex(city.grids);
 * const grid = index.locate(102.7123, 25.0412); // '530102001001005' or null
 * const chain = grid && areaChainOf(grid);      // { district: '530102', street: '530102001', … }
 * ```
 */
import Flatbush from 'flatbush';
import { CODE_LENGTH, type Area } from './types.js';

export interface GridIndex {
  /** number of grids indexed */
  readonly size: number;
  /** The code of the grid containing (lon, lat) in WGS84, or null when the point is in no grid. */
  locate(lon: number, lat: number): string | null;
  /** As `locate`, but the grid's position in the array given to `createGridIndex`, or −1. */
  locateIndex(lon: number, lat: number): number;
  /**
   * Every grid whose polygon contains the point, by the same edge rule. More than one means the grids overlap;
   * for diagnostics and tests, not the hot path.
   */
  locateAll(lon: number, lat: number): string[];
}

/** The codes of a grid and the areas above it, by the coding rule (each level adds 3 digits). */
export interface AreaChain {
  district: string;
  street: string;
  community: string;
  grid: string;
}

function checkGridCode(gridCode: string): void {
  if (!/^\d+$/.test(gridCode) || gridCode.length !== CODE_LENGTH.grid)
    throw new Error(`grid code "${gridCode}" must be ${CODE_LENGTH.grid} digits`);
}

/** The community code of a grid (its first 12 digits). */
export function communityOf(gridCode: string): string {
  checkGridCode(gridCode);
  return gridCode.slice(0, CODE_LENGTH.community);
}

/** The street code of a grid (its first 9 digits). */
export function streetOf(gridCode: string): string {
  checkGridCode(gridCode);
  return gridCode.slice(0, CODE_LENGTH.street);
}

/** The district code of a grid (its first 6 digits). */
export function districtOf(gridCode: string): string {
  checkGridCode(gridCode);
  return gridCode.slice(0, CODE_LENGTH.district);
}

/** Grid, community, street and district codes of a grid code. */
export function areaChainOf(gridCode: string): AreaChain {
  checkGridCode(gridCode);
  return {
    district: gridCode.slice(0, CODE_LENGTH.district),
    street: gridCode.slice(0, CODE_LENGTH.street),
    community: gridCode.slice(0, CODE_LENGTH.community),
    grid: gridCode,
  };
}

/**
 * Builds the index. Holes and multipolygons are handled (even–odd over all rings of a grid). Throws, naming the
 * grid, on a geometry that is not a Polygon or MultiPolygon or has a non-finite coordinate.
 */
export function createGridIndex(grids: readonly Area[]): GridIndex {
  const codes = grids.map((g) => g.code);
  // vertices of every ring, rings of every grid: [ringStart[r], ringStart[r+1]) and [gridRing[g], gridRing[g+1])
  const xy: number[] = [];
  const ringStart: number[] = [];
  const gridRing: number[] = [];
  const boxes: number[] = [];
  grids.forEach((grid, g) => {
    gridRing.push(ringStart.length);
    const geometry = grid.geometry;
    if (geometry?.type !== 'Polygon' && geometry?.type !== 'MultiPolygon')
      throw new Error(`grid ${grid.code ?? `#${g}`}: geometry must be a Polygon or MultiPolygon`);
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const polygon of polygons)
      for (const ring of polygon) {
        ringStart.push(xy.length >> 1);
        for (const p of ring) {
          const x = p[0]!;
          const y = p[1]!;
          if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`grid ${grid.code}: coordinate [${x}, ${y}] is not a finite number`);
          xy.push(x, y);
          if (x < minX) minX = x;
          if (y < minY) minY = y;
          if (x > maxX) maxX = x;
          if (y > maxY) maxY = y;
        }
      }
    boxes.push(minX, minY, maxX, maxY);
  });
  gridRing.push(ringStart.length);
  ringStart.push(xy.length >> 1);
  const coords = Float64Array.from(xy);
  const rings = Uint32Array.from(ringStart);
  const gridRings = Uint32Array.from(gridRing);

  /** Crossing number over a grid's rings; a ring is used as given (closed or not, the wrap edge closes it). */
  function contains(g: number, x: number, y: number): boolean {
    let inside = false;
    for (let r = gridRings[g]!, rEnd = gridRings[g + 1]!; r < rEnd; r++) {
      const start = rings[r]!;
      const end = rings[r + 1]!;
      let j = end - 1;
      for (let i = start; i < end; j = i++) {
        const yi = coords[2 * i + 1]!;
        const yj = coords[2 * j + 1]!;
        if (yi > y !== yj > y) {
          const xi = coords[2 * i]!;
          const xj = coords[2 * j]!;
          // from the lower end, so a neighbour that stores this edge reversed computes the same bits
          const cross = yi < yj ? xi + ((y - yi) * (xj - xi)) / (yj - yi) : xj + ((y - yj) * (xi - xj)) / (yi - yj);
          if (x < cross) inside = !inside;
        }
      }
    }
    return inside;
  }

  const tree = grids.length > 0 ? new Flatbush(grids.length) : null;
  if (tree) {
    for (let g = 0; g < grids.length; g++) tree.add(boxes[4 * g]!, boxes[4 * g + 1]!, boxes[4 * g + 2]!, boxes[4 * g + 3]!);
    tree.finish();
  }

  const raster = tree ? buildRaster(grids.length, coords, rings, gridRings, boxes, contains) : null;

  // one filter closure for all queries, reading the query from these variables, so a lookup allocates no closure
  let qx = 0;
  let qy = 0;
  let found = -1;
  const filter = (g: number): boolean => {
    if (found === -1 && contains(g, qx, qy)) found = g;
    return false;
  };

  function locateIndex(lon: number, lat: number): number {
    if (!tree || !raster) return -1;
    const fx = (lon - raster.minX) * raster.invW;
    const fy = (lat - raster.minY) * raster.invH;
    // outside the padded extent (or NaN): no grid's box holds the point
    if (!(fx >= 0 && fx < raster.cols && fy >= 0 && fy < raster.rows)) return -1;
    const cell = raster.cells[(fy | 0) * raster.cols + (fx | 0)]!;
    if (cell !== EDGE) return cell;
    qx = lon;
    qy = lat;
    found = -1;
    tree.search(lon, lat, lon, lat, filter);
    return found;
  }

  return {
    size: grids.length,
    locateIndex,
    locateAll(lon, lat) {
      if (!tree) return [];
      return tree
        .search(lon, lat, lon, lat)
        .sort((a, b) => a - b)
        .filter((g) => contains(g, lon, lat))
        .map((g) => codes[g]!);
    },
    locate(lon, lat) {
      const g = locateIndex(lon, lat);
      return g === -1 ? null : codes[g]!;
    },
  };
}

/** Raster cell values: a grid's position, NONE (inside no grid) or EDGE (a grid edge touches it: test exactly). */
const NONE = -1;
const EDGE = -2;
const CELLS_PER_GRID = 256;
const MAX_CELLS = 4_000_000;
/** Slack, in cell widths, when marking the cells an edge touches, so rounding never misses a cell. */
const SLACK = 1e-9;

interface Raster {
  minX: number;
  minY: number;
  invW: number;
  invH: number;
  cols: number;
  rows: number;
  cells: Int32Array;
}

function buildRaster(
  count: number,
  coords: Float64Array,
  rings: Uint32Array,
  gridRings: Uint32Array,
  boxes: number[],
  contains: (g: number, x: number, y: number) => boolean,
): Raster {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let g = 0; g < count; g++) {
    minX = Math.min(minX, boxes[4 * g]!);
    minY = Math.min(minY, boxes[4 * g + 1]!);
    maxX = Math.max(maxX, boxes[4 * g + 2]!);
    maxY = Math.max(maxY, boxes[4 * g + 3]!);
  }
  const width = Math.max(maxX - minX, 1e-9);
  const height = Math.max(maxY - minY, 1e-9);
  const target = Math.min(MAX_CELLS, Math.max(1, count * CELLS_PER_GRID));
  const side = Math.sqrt((width * height) / target);
  // one padding cell on every side, so points on the extent's own border take the exact path
  const innerCols = Math.max(1, Math.ceil(width / side));
  const innerRows = Math.max(1, Math.ceil(height / side));
  const w = width / innerCols;
  const h = height / innerRows;
  const raster: Raster = { minX: minX - w, minY: minY - h, invW: 1 / w, invH: 1 / h, cols: innerCols + 2, rows: innerRows + 2, cells: new Int32Array((innerCols + 2) * (innerRows + 2)).fill(NONE) };
  const { cols, rows, cells } = raster;
  const cx = (x: number) => (x - raster.minX) * raster.invW;
  const cy = (y: number) => (y - raster.minY) * raster.invH;

  // 1. every cell that an edge passes through or touches, row by row along the edge
  for (let r = 0; r < gridRings[count]!; r++) {
    const start = rings[r]!;
    const end = rings[r + 1]!;
    for (let i = start, j = end - 1; i < end; j = i++) {
      const x0 = cx(coords[2 * j]!), y0 = cy(coords[2 * j + 1]!);
      const x1 = cx(coords[2 * i]!), y1 = cy(coords[2 * i + 1]!);
      const rowLo = Math.max(0, Math.floor(Math.min(y0, y1) - SLACK));
      const rowHi = Math.min(rows - 1, Math.floor(Math.max(y0, y1) + SLACK));
      for (let row = rowLo; row <= rowHi; row++) {
        let xa = Math.min(x0, x1);
        let xb = Math.max(x0, x1);
        if (y1 !== y0) {
          // the part of the edge within this row's band
          const ta = Math.max(0, Math.min(1, (row - y0) / (y1 - y0)));
          const tb = Math.max(0, Math.min(1, (row + 1 - y0) / (y1 - y0)));
          const pa = x0 + ta * (x1 - x0);
          const pb = x0 + tb * (x1 - x0);
          xa = Math.min(pa, pb);
          xb = Math.max(pa, pb);
        }
        const colLo = Math.max(0, Math.floor(xa - SLACK));
        const colHi = Math.min(cols - 1, Math.floor(xb + SLACK));
        for (let col = colLo; col <= colHi; col++) cells[row * cols + col] = EDGE;
      }
    }
  }
  // 2. every untouched cell in a grid's box is wholly inside that grid or wholly outside it: its centre decides
  for (let g = 0; g < count; g++) {
    const colLo = Math.max(0, Math.floor(cx(boxes[4 * g]!)));
    const colHi = Math.min(cols - 1, Math.floor(cx(boxes[4 * g + 2]!)));
    const rowLo = Math.max(0, Math.floor(cy(boxes[4 * g + 1]!)));
    const rowHi = Math.min(rows - 1, Math.floor(cy(boxes[4 * g + 3]!)));
    for (let row = rowLo; row <= rowHi; row++)
      for (let col = colLo; col <= colHi; col++) {
        const k = row * cols + col;
        if (cells[k] !== NONE) continue;
        if (contains(g, raster.minX + (col + 0.5) * w, raster.minY + (row + 0.5) * h)) cells[k] = g;
      }
  }
  return raster;
}
