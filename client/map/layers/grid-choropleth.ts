/**
 * The per-grid choropleth of playback's cumulative mode (issue 6): each grid cell filled by one figure of the cases
 * reported in the range up to t: how many (`count`), the share that went overdue (`overdue`), or the mean
 * satisfaction of the ratings given (`satisfaction`, 1–5). Colours are the wall's density ramp (dark teal → amber
 * → red, as the hexagon layer), reversed for satisfaction so that red is always "look here". Grids with no figure
 * (no cases, no ratings) stay unfilled.
 *
 * `GridChoropleth` holds the figures and the scale; the layer reads its fill colour through `colourOf`, the same
 * function the legend and the wall's test hook use, and recolours only when `version` moves.
 *
 * @example
 * ```ts
 * choropleth.update(points.gridFiguresAt(t, tables.grids.length), tables.grids, 'count');
 * layers.push(gridChoroplethLayer(city, choropleth, true));
 * ```
 */
import { SolidPolygonLayer } from '@deck.gl/layers';
import type { CityModel, GridPart } from '../../geo/city-model';
import type { Rgba } from '../../live/incident-style';
import { DENSITY_RAMP } from './density-ramp';
import { UNDER_LABELS } from './under-labels';

export const CHOROPLETH_METRICS = ['count', 'overdue', 'satisfaction'] as const;
export type ChoroplethMetric = (typeof CHOROPLETH_METRICS)[number];

const FILL_ALPHA = 170;

/**
 * Per-grid figures of a range up to t, indexed by the stream's grid table (PlaybackPoints.gridFiguresAt makes them
 * as Uint32Arrays).
 */
export interface GridFigures<A extends ArrayLike<number> = ArrayLike<number>> {
  reported: A;
  overdue: A;
  ratings: A;
  ratingSum: A;
}

export interface ChoroplethLegend {
  metric: ChoroplethMetric;
  /** the value at the ramp's left end and right end (satisfaction runs 5 → 1) */
  low: number;
  high: number;
  /** CSS colours of the ramp, left to right */
  stops: string[];
  /** grids with a figure */
  grids: number;
}

/** Colour of `k` ∈ [0, 1] on the ramp. */
export function rampColour(k: number): Rgba {
  const x = Math.min(1, Math.max(0, Number.isFinite(k) ? k : 0)) * (DENSITY_RAMP.length - 1);
  const i = Math.min(DENSITY_RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = DENSITY_RAMP[i]!;
  const b = DENSITY_RAMP[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f), FILL_ALPHA];
}

export class GridChoropleth {
  metric: ChoroplethMetric = 'count';
  /** figure per grid code (only grids that have one) */
  readonly values = new Map<string, number>();
  /** largest count (the count scale's top; at least 1) */
  maxCount = 1;
  /** bumps on every update (the layer's recolour trigger) */
  version = 0;

  /** Recomputes the figures; `grids` is the stream's grid table (index → code). */
  update(figures: GridFigures, grids: readonly string[], metric: ChoroplethMetric): void {
    if (!CHOROPLETH_METRICS.includes(metric)) throw new RangeError(`choropleth metric: must be one of ${CHOROPLETH_METRICS.join(', ')}, got ${String(metric)}`);
    this.metric = metric;
    this.values.clear();
    let max = 1;
    for (let g = 0; g < grids.length; g++) {
      const reported = figures.reported[g] ?? 0;
      const code = grids[g]!;
      if (metric === 'count') {
        if (reported > 0) this.values.set(code, reported);
        max = Math.max(max, reported);
      } else if (metric === 'overdue') {
        if (reported > 0) this.values.set(code, (figures.overdue[g] ?? 0) / reported);
      } else {
        const ratings = figures.ratings[g] ?? 0;
        if (ratings > 0) this.values.set(code, (figures.ratingSum[g] ?? 0) / ratings);
      }
    }
    this.maxCount = max;
    this.version += 1;
  }

  /** Where a value sits on the ramp, 0…1. */
  position(value: number): number {
    switch (this.metric) {
      case 'count':
        return value / this.maxCount;
      case 'overdue':
        return value;
      case 'satisfaction':
        return (5 - value) / 4;
    }
  }

  /** The fill of a grid (transparent when it has no figure). */
  colourOf(code: string): Rgba {
    const value = this.values.get(code);
    return value === undefined ? [0, 0, 0, 0] : rampColour(this.position(value));
  }

  legend(): ChoroplethLegend {
    const stops = DENSITY_RAMP.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`);
    const [low, high] = this.metric === 'count' ? [0, this.maxCount] : this.metric === 'overdue' ? [0, 1] : [5, 1];
    return { metric: this.metric, low, high, stops, grids: this.values.size };
  }
}

/** The choropleth over the grid cells, under MapLibre's labels like the grid loads. */
export function gridChoroplethLayer(city: CityModel, choropleth: GridChoropleth, visible: boolean) {
  return new SolidPolygonLayer<GridPart>({
    id: 'grid-choropleth',
    data: city.gridParts,
    visible,
    ...UNDER_LABELS,
    getPolygon: (d) => d.polygon as Array<Array<[number, number]>>,
    getFillColor: (d) => choropleth.colourOf(city.grids[d.grid]?.code ?? ''),
    updateTriggers: { getFillColor: `${choropleth.metric}:${choropleth.version}` },
  });
}
