/**
 * The map as a ReactiveController: MapLibre draws the base (offline style, or an intranet basemap under our
 * outlines) and deck.gl's MapLibreOverlay, added on the map's `load`, draws the data layers interleaved with it
 * (labels stay above the data). Created once the city is loaded; removed when the host disconnects.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Map as MapLibreMap, NavigationControl, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { Layer } from '@deck.gl/core';
import { LOCAL_IDEOGRAPH_FONT_FAMILY, offlineStyle } from './offline-style';
import type { CityModel } from '../geo/city-model';
import { t } from '../i18n/index';
import { isTouchPhone } from '../phone';

setWorkerUrl(workerUrl);

/** px of the map covered by panels from its top edge and from its right edge. */
export interface MapCover {
  top?: number;
  right?: number;
}

export interface MapStartOptions {
  container: HTMLElement;
  city: CityModel;
  /** kiosk: no controls, no attribution */
  kiosk: boolean;
  basemapStyleUrl: string | null;
  /** where the map opens (default: the city's view) */
  bounds?: [number, number, number, number];
  /** what lies over the map's edges as it opens (the desk's bar): `bounds` is fitted into the rest */
  cover?: MapCover;
}

export class MapController implements ReactiveController {
  map: MapLibreMap | null = null;
  private overlay: MapLibreOverlay | null = null;
  /** true once the style loaded and the overlay is attached */
  loaded = false;
  zoom = 10;
  error: string | null = null;
  private pendingLayers: Layer[] = [];

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.overlay?.finalize();
    this.overlay = null;
    this.map?.remove();
    this.map = null;
    this.loaded = false;
  }

  /** Creates the map; resolves when the style is loaded and the overlay attached. */
  start(options: MapStartOptions): Promise<void> {
    const { city } = options;
    const view = city.meta.view;
    const ours = offlineStyle(city, Math.max(1, window.innerHeight / 1080));
    const map = new MapLibreMap({
      container: options.container,
      style: options.basemapStyleUrl ?? ours,
      bounds: options.bounds ?? view.bounds,
      fitBoundsOptions: { padding: { top: 24 + (options.cover?.top ?? 0), bottom: 24, left: 24, right: 24 + (options.cover?.right ?? 0) } },
      localIdeographFontFamily: LOCAL_IDEOGRAPH_FONT_FAMILY,
      attributionControl: false,
      interactive: !options.kiosk,
      // Walls are watched, not explored: no rotation or pitch that would leave the view skewed.
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 150,
      maxPitch: 0,
      // A phone's page scrolls past the map: one finger scrolls it, two move the map (MapLibre says so on the map).
      cooperativeGestures: !options.kiosk && isTouchPhone(),
      locale: {
        'CooperativeGesturesHandler.MobileHelpText': t('map.twoFingers'),
        'CooperativeGesturesHandler.WindowsHelpText': t('map.ctrlWheel'),
        'CooperativeGesturesHandler.MacHelpText': t('map.cmdWheel'),
      },
    });
    if (!options.kiosk) map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    this.map = map;
    map.on('zoom', () => (this.zoom = map.getZoom()));
    map.on('error', (event) => {
      this.error = event.error?.message ?? 'map error';
      this.host.requestUpdate();
    });
    return new Promise((resolve) => {
      map.on('load', () => {
        if (options.basemapStyleUrl) addOurLayersOnTop(map, ours);
        this.overlay = new MapLibreOverlay({ interleaved: true, layers: this.pendingLayers });
        map.addControl(this.overlay);
        this.zoom = map.getZoom();
        this.loaded = true;
        resolve();
      });
    });
  }

  /** Hands the current layer descriptions to deck.gl (cheap: deck diffs them by id). */
  setLayers(layers: Layer[]): void {
    if (this.overlay) this.overlay.setProps({ layers });
    else this.pendingLayers = layers;
  }

  /**
   * Resolves once the style and every source are loaded and a frame has been drawn after that. (Not the map's
   * `idle` event: with continuous animation the map repaints every frame and is never idle.)
   */
  async settled(): Promise<void> {
    const map = this.map;
    if (!map) return;
    while (!(map.loaded() && map.areTilesLoaded())) await new Promise((r) => setTimeout(r, 100));
    await new Promise<void>((resolve) => {
      map.once('render', () => resolve());
      map.triggerRepaint();
    });
  }

  /**
   * Fits `bounds` into the map, 40 px in from each edge, and clear of what lies over the map's edges (`covered`, in
   * px from the top and from the right: the desk's search bar under the playback bar, its side panel), so that the
   * area is framed in the part of the map that shows.
   */
  fitBounds(bounds: [number, number, number, number], durationMs = 3_000, covered: MapCover = {}): void {
    const padding = { top: 40 + (covered.top ?? 0), bottom: 40, left: 40, right: 40 + (covered.right ?? 0) };
    this.map?.fitBounds(bounds, { padding, duration: durationMs, essential: true });
  }

  /**
   * Flies to `centre` at `zoom`; with parts of the map `covered`, `centre` lands in the middle of the rest.
   * (An offset, not MapLibre's `padding`, which would stay on the map for every later camera move.)
   */
  flyTo(centre: [number, number], zoom: number, covered: MapCover = {}): void {
    const offset: [number, number] = [-(covered.right ?? 0) / 2, (covered.top ?? 0) / 2];
    this.map?.flyTo({ center: centre, zoom, offset, duration: 2_500, essential: true });
  }

  resize(): void {
    this.map?.resize();
  }
}

/** With an intranet basemap, our outlines and labels are added above its layers (never its background). */
function addOurLayersOnTop(map: MapLibreMap, ours: StyleSpecification): void {
  for (const [id, source] of Object.entries(ours.sources)) if (!map.getSource(id)) map.addSource(id, source);
  for (const layer of ours.layers) {
    if (layer.type === 'background' || layer.id === 'water') continue;
    if (!map.getLayer(layer.id)) map.addLayer(layer);
  }
}
