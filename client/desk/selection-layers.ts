/**
 * The desk's highlight on the map: the outline of the grid (or the grids of the area) in focus, and a ring on the
 * case whose detail is open. Built only when the focus changes (stable `data`), and drawn above the data layers.
 */
import type { Layer } from '@deck.gl/core';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Position } from 'geojson';
import type { DeskFocus } from '../events/desk-focus-event';
import type { CoordinateShift } from '../geo/basemap-shift';
import type { CityModel } from '../geo/city-model';

/** At most this many grid outlines (a district of Kunming has a few hundred grids; beyond that the zoom says enough). */
const MAX_OUTLINED_GRIDS = 400;

export class SelectionLayers {
  private key = '';
  private rings: Position[][] = [];
  private point: Array<{ position: [number, number] }> = [];

  constructor(
    private readonly city: CityModel,
    private readonly shift: CoordinateShift,
  ) {}

  /** The highlight layers for `focus` (empty without one). */
  build(focus: DeskFocus | null): Layer[] {
    const area = focus?.incident?.grid ?? focus?.area ?? null;
    const key = `${area ?? ''}|${focus?.incident?.id ?? ''}`;
    if (key !== this.key) {
      this.key = key;
      this.rings = area ? this.ringsOf(area) : [];
      const location = focus?.incident?.location;
      this.point = location ? [{ position: this.shift(location[0], location[1]) }] : [];
    }
    if (this.rings.length === 0 && this.point.length === 0) return [];
    return [
      new PathLayer<Position[]>({
        id: 'desk-selection-outline',
        data: this.rings,
        getPath: (ring) => ring as Array<[number, number]>,
        getColor: [250, 204, 21, 235],
        getWidth: 3,
        widthUnits: 'pixels',
        widthMinPixels: 2,
      }),
      new ScatterplotLayer<{ position: [number, number] }>({
        id: 'desk-selection-case',
        data: this.point,
        getPosition: (d) => d.position,
        getRadius: 14,
        radiusUnits: 'pixels',
        stroked: true,
        filled: false,
        getLineColor: [250, 204, 21, 255],
        getLineWidth: 3,
        lineWidthUnits: 'pixels',
      }),
    ];
  }

  private ringsOf(area: string): Position[][] {
    const rings: Position[][] = [];
    let grids = 0;
    for (const part of this.city.gridParts) {
      const code = this.city.grids[part.grid]?.code;
      if (!code?.startsWith(area)) continue;
      if (++grids > MAX_OUTLINED_GRIDS) break;
      const outer = part.polygon[0];
      if (outer) rings.push(outer);
    }
    return rings;
  }
}
