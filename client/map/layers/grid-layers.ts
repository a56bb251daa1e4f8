/**
 * Grid cells shaded by live load, and the grids outside every 15-minute circle. The polygons are decoded once
 * (stable `data`); only the fill colours are recomputed, and only when the model's grid version moves (throttled by
 * the caller), never per event.
 */
import { PolygonLayer, SolidPolygonLayer } from '@deck.gl/layers';
import type { GridPart } from '../../geo/city-model';
import type { LiveModel } from '../../live/live-model';
import { UNDER_LABELS } from './under-labels';

/** Open cases at which a grid reaches full brightness. */
const FULL_LOAD = 6;

export function gridLoadColour(open: number, overdue: number): [number, number, number, number] {
  if (overdue > 0) return [220, 38, 38, Math.min(200, 90 + overdue * 30)];
  if (open === 0) return [0, 0, 0, 0];
  const k = Math.min(1, open / FULL_LOAD);
  // dark teal → amber as load grows
  return [Math.round(20 + 225 * k), Math.round(110 + 60 * k), Math.round(150 - 120 * k), Math.round(50 + 110 * k)];
}

export function gridLoadLayer(model: LiveModel, version: number, visible: boolean) {
  return new SolidPolygonLayer<GridPart>({
    id: 'grid-load',
    data: model.city.gridParts,
    visible,
    ...UNDER_LABELS,
    getPolygon: (d) => d.polygon as Array<Array<[number, number]>>,
    getFillColor: (d) => gridLoadColour(model.gridOpen(d.grid), model.gridOverdue[d.grid] ?? 0),
    updateTriggers: { getFillColor: version },
  });
}

export function coverageGapLayer(parts: GridPart[], visible: boolean) {
  return new PolygonLayer<GridPart>({
    id: 'coverage-gaps',
    data: parts,
    visible,
    ...UNDER_LABELS,
    getPolygon: (d) => d.polygon as Array<Array<[number, number]>>,
    filled: true,
    stroked: true,
    // quiet on purpose: a planning fact, not an alarm; it must not drown the live cases
    getFillColor: [168, 85, 247, 26],
    getLineColor: [192, 132, 252, 90],
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
  });
}
