/**
 * The default map style: dark, fully offline, made only from the city package. No tiles, no sprite and no `glyphs`
 * URL: MapLibre draws every label with the browser's local fonts (`localIdeographFontFamily` for CJK), so the page
 * makes no request outside its own origin, as government intranets require.
 *
 * Layer ids that deck.gl layers are inserted before (interleaved rendering) are exported, so that labels stay on
 * top of the data while outlines stay underneath the incidents.
 */
import type { StyleSpecification } from 'maplibre-gl';
import type { CityModel } from '../geo/city-model';

/** CJK fonts installed on typical wall PCs (Debian: fonts-wqy-microhei; Windows: Microsoft YaHei). */
export const LOCAL_IDEOGRAPH_FONT_FAMILY = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif";

/** deck.gl layers that fill areas go under this layer, the lowest label: every label is drawn above them. */
export const FIRST_LABEL_LAYER = 'label-street';
/**
 * deck.gl markers (incidents, centres, departments, whistle arcs) go under this layer, the topmost: over street and
 * community names, but under the few district names, which a wall keeps legible however dense the cases get.
 */
export const DISTRICT_LABEL_LAYER = 'label-district';

export const WALL_COLOURS = {
  background: '#060b16',
  land: '#0b1426',
  water: '#0d2a44',
  waterOutline: '#1b4a70',
  districtLine: '#5b8fd6',
  streetLine: '#2f5488',
  communityLine: '#1f3a60',
  gridLine: '#16294a',
  labelDistrict: '#e6f0ff',
  labelStreet: '#9fb8dc',
  labelCommunity: '#6f88ad',
  labelHalo: '#060b16',
} as const;

/**
 * Builds the offline style from the decoded city. `scale` (viewport height / 1080) enlarges labels and lines so a
 * 4K wall reads like a 1080p one from the same distance.
 */
export function offlineStyle(city: CityModel, scale = 1): StyleSpecification {
  const px = (n: number) => Math.round(n * scale * 10) / 10;
  const c = WALL_COLOURS;
  const b = city.base;
  const geojson = (data: GeoJSON.FeatureCollection) => ({ type: 'geojson' as const, data, tolerance: 0.2 });
  return {
    version: 8,
    name: 'gridwatch-offline-dark',
    sources: {
      water: geojson(b.water),
      'outline-district': geojson(b.outlines.district),
      'outline-street': geojson(b.outlines.street),
      'outline-community': geojson(b.outlines.community),
      'outline-grid': geojson(b.outlines.grid),
      'label-district': geojson(b.labels.district),
      'label-street': geojson(b.labels.street),
      'label-community': geojson(b.labels.community),
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': c.background } },
      { id: 'water', type: 'fill', source: 'water', paint: { 'fill-color': c.water, 'fill-outline-color': c.waterOutline } },
      {
        id: 'outline-grid',
        type: 'line',
        source: 'outline-grid',
        minzoom: 12,
        paint: { 'line-color': c.gridLine, 'line-width': 0.6 },
      },
      {
        id: 'outline-community',
        type: 'line',
        source: 'outline-community',
        minzoom: 11,
        paint: { 'line-color': c.communityLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 11, px(0.5), 15, px(1.5)] },
      },
      {
        id: 'outline-street',
        type: 'line',
        source: 'outline-street',
        paint: {
          'line-color': c.streetLine,
          'line-width': ['interpolate', ['linear'], ['zoom'], 9, px(0.6), 14, px(2)],
          'line-dasharray': [3, 2],
        },
      },
      {
        id: 'outline-district',
        type: 'line',
        source: 'outline-district',
        paint: { 'line-color': c.districtLine, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, px(1.2), 14, px(3.5)], 'line-opacity': 0.9 },
      },
      {
        id: FIRST_LABEL_LAYER,
        type: 'symbol',
        source: 'label-street',
        minzoom: 11,
        maxzoom: 15,
        layout: { 'text-field': ['get', 'name'], 'text-size': ['interpolate', ['linear'], ['zoom'], 11, px(12), 14, px(16)] },
        paint: { 'text-color': c.labelStreet, 'text-halo-color': c.labelHalo, 'text-halo-width': 1.5 },
      },
      {
        id: 'label-community',
        type: 'symbol',
        source: 'label-community',
        minzoom: 13.5,
        layout: { 'text-field': ['get', 'name'], 'text-size': px(12) },
        paint: { 'text-color': c.labelCommunity, 'text-halo-color': c.labelHalo, 'text-halo-width': 1.2 },
      },
      {
        id: DISTRICT_LABEL_LAYER,
        type: 'symbol',
        source: 'label-district',
        maxzoom: 13,
        layout: {
          'text-field': ['get', 'name'],
          'text-size': ['interpolate', ['linear'], ['zoom'], 8, px(16), 12, px(26)],
          'text-letter-spacing': 0.15,
          'text-allow-overlap': false,
        },
        paint: { 'text-color': c.labelDistrict, 'text-halo-color': c.labelHalo, 'text-halo-width': px(2), 'text-opacity': 0.85 },
      },
    ],
  };
}
