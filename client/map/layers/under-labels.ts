/**
 * Interleaved rendering (MapLibreOverlay `interleaved: true`): a deck.gl layer with `beforeId` is drawn into
 * MapLibre's stack just before that style layer. Every layer that fills an area (grid shading, coverage gaps,
 * 15-minute circles, density hexagons, the playback heat map and choropleth) goes under the first label layer, so
 * that district, street and community names stay legible over it. Markers (incidents, centres, departments,
 * whistle arcs) go over street and community names but under the district names (UNDER_DISTRICT_LABELS): zoomed
 * in on a 4K wall the cases carpet the city, and the few district names keep it readable. `beforeId` is read by
 * @deck.gl/maplibre but is not part of deck's LayerProps type, hence the untyped spread.
 */
import { DISTRICT_LABEL_LAYER, FIRST_LABEL_LAYER } from '../offline-style';

export const UNDER_LABELS = { beforeId: FIRST_LABEL_LAYER } as object;
export const UNDER_DISTRICT_LABELS = { beforeId: DISTRICT_LABEL_LAYER } as object;
