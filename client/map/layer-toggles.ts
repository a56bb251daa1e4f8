/** The data layers the legend can switch on and off. */
export const LAYER_KEYS = [
  'gridLoad',
  'incidents',
  'hexagons',
  'whistles',
  'serviceCentres',
  'serviceCircles',
  'coverageGaps',
  'departments',
] as const;
export type LayerKey = (typeof LAYER_KEYS)[number];
export type LayerToggles = Record<LayerKey, boolean>;

export const DEFAULT_TOGGLES: LayerToggles = {
  gridLoad: true,
  incidents: true,
  hexagons: true,
  whistles: true,
  serviceCentres: true,
  serviceCircles: false,
  coverageGaps: true,
  departments: true,
};
