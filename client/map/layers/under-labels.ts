/**
 * Interleaved rendering (MapLibreOverlay `interleaved: true`): a deck.gl layer with `beforeId` is drawn into
 * MapLibre's stack just before that style layer. Every layer that fills an area (grid shading, coverage gaps,
 * 15-minute circles, density hexagons, the playback heat map and choropleth) goes under the first label layer, so
 * that district, street and community names stay legible over it; markers (incidents, centres, departments,
 * whistle arcs) stay on top. `beforeId` is read by @deck.gl/maplibre but is not part of deck's LayerProps type,
 * hence the untyped spread.
 */
import { FIRST_LABEL_LAYER } from '../offline-style';

export const UNDER_LABELS = { beforeId: FIRST_LABEL_LAYER } as object;
