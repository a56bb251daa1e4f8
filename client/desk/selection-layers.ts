/**
 * The desk's highlight on the map: the boundary of the area in focus (a grid's own outline; a community's, street's
 * or district's boundary, not the grids inside it), and a ring on the case whose detail is open. Built only when the
 * focus changes (stable `data`), and drawn above the data layers.
 *
 * A district's boundary, not its grids: in a city centre the grids are a few hundred metres across, so at a
 * district's zoom their outlines, 3 px wide, ran together into a solid yellow patch over the cases.
 */
import type { Layer } from '@deck.gl/core';
import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Position } from 'geojson';
import type { DeskFocus } from '../events/desk-focus-event';
import type { CoordinateShift } from '../geo/basemap-shift';
import type { CityModel } from '../geo/city-model';

export class SelectionLayers {
  private key = '';
  private rings: Position[][] = [];
  private point: Array<{ position: [number, number] }> = [];

  constructor(
    private readonly city: CityModel,
    private readonly shift: CoordinateShift,
  ) {}

  /**
   * The highlight layers for `focus` (empty without one). `scale` is the wall's (viewport height / 1080, at least 1):
   * the outline and the ring keep their weight on a 4K wall as the other layers do.
   */
  build(focus: DeskFocus | null, scale = 1): Layer[] {
    const area = focus?.incident?.grid ?? focus?.area ?? null;
    const key = `${area ?? ''}|${focus?.incident?.id ?? ''}`;
    if (key !== this.key) {
      this.key = key;
      // the area's own boundary (a grid's outline, a district's border); none for the city
      this.rings = (area && this.city.areaRings.get(area)) || [];
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
        getWidth: 3 * scale,
        widthUnits: 'pixels',
        widthMinPixels: 2,
      }),
      new ScatterplotLayer<{ position: [number, number] }>({
        id: 'desk-selection-case',
        data: this.point,
        getPosition: (d) => d.position,
        getRadius: 14 * scale,
        radiusUnits: 'pixels',
        stroked: true,
        filled: false,
        getLineColor: [250, 204, 21, 255],
        getLineWidth: 3 * scale,
        lineWidthUnits: 'pixels',
      }),
    ];
  }
}
