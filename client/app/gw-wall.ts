/**
 * The command-centre wall (一屏知全域): the map in the middle, the KPI strip above, the whistle board and the event
 * ticker at the side. Laid out with CSS grid in units of a root font size taken from the viewport height, so it is
 * native at 1920×1080, 3840×2160 and any aspect between (no transform: scale; picking stays true).
 *
 * Data flow per animation frame: drain the socket queue → fold through the shared reducer (LiveModel) → hand deck.gl
 * the layer descriptions → update the panels when their versions moved. The ready signal
 * (`document.documentElement.dataset.ready = '1'`) is set once the geodata layers are loaded, the first snapshot is
 * applied and the map is idle.
 */
import { LitElement, html, nothing, unsafeCSS } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { Task } from '@lit/task';
import maplibreCss from 'maplibre-gl/dist/maplibre-gl.css?inline';
import { kpis, type AreaKpis, type KpiTargets } from '../../protocol/kpi';
import type { SerializedState } from '../../protocol/reducer';
import { shanghaiDay } from '../../protocol/time';
import type { WallConfig, ConfigProblem } from '../config';
import { basemapShift } from '../geo/basemap-shift';
import { loadCityModel, soleDistrict, type CityModel } from '../geo/city-model';
import { isMessageKey, language, localName, t } from '../i18n/index';
import { LiveModel } from '../live/live-model';
import { LiveSocketController } from '../live/live-socket-controller';
import { DEFAULT_TOGGLES, type LayerToggles } from '../map/layer-toggles';
import { MapController, type MapCover } from '../map/map-controller';
import { CaseSelectEvent } from '../events/case-select-event';
import { LayerToggleEvent } from '../events/layer-toggle-event';
import { TourController, wallStops } from './tour-controller';
import { WallLayers } from './wall-layers';
import { wallStyles } from './wall-styles';
import { WallReadyEvent } from '../events/wall-ready-event';
import { clockDateTime } from '../panels/format';
import { kpiCaptionItems } from '../panels/kpi-figures';
import '../panels/gw-kpi-header';
import '../panels/gw-ticker';
import '../panels/gw-whistle-board';
import '../panels/gw-clock';
import '../panels/gw-connection-badge';
import '../panels/gw-legend';
import '../playback/gw-timeline-bar';
import { PlaybackController } from '../playback/playback-controller';
import type { CaptionLine } from '../playback/playback-export';
import { PlaybackCommandEvent } from '../playback/playback-command-event';
import { playbackHeatLayer, playbackPointLayer, type PlaybackPoints } from '../playback/playback-points';
import { gridChoroplethLayer } from '../map/layers/grid-choropleth';
import { densityMaxZoom } from '../map/layers/incident-layers';
import '../desk/gw-desk';
import { gridAt } from '../desk/grid-pick';
import { SelectionLayers } from '../desk/selection-layers';
import { DeskFocusEvent, type DeskFocus } from '../events/desk-focus-event';
import { SessionChangeEvent } from '../events/session-change-event';
import type { ActiveWhistle, TickerEntry } from '../live/live-model';
import { GroupedList, ScopedList } from '../live/scoped-list';
import { FocusChangeEvent } from '../events/focus-change-event';
import { focusActive, groupEntry, inFocus, NO_FOCUS, parseFocus, sameFocus, withFocus, type MapFocus } from '../map/map-focus';
import { locationInScope } from './scope-follow';

/** Grid colours recompute at most this often: load shading is read at a glance, not frame by frame. */
const GRID_RECOLOUR_MS = 400;
const KPI_EVERY_MS = 1_000;
/** before the city is loaded: no targets (a new object per render would re-render the header each time) */
const NO_TARGETS: Readonly<KpiTargets> = Object.freeze({});
const EVICT_EVERY_MS = 60_000;
const ANIMATION_FRAME_MS = 33;
/** How near a click must fall to a case's dot to open the case (px; a dot is 4–8 px across, a fingertip more). */
const INCIDENT_PICK_PX = 8;
/** Space kept between a floating panel and what it stays clear of (the playback bar above, the zoom buttons below). */
const CLEARANCE_PX = 8;
/** The narrowest the synthetic-data note wraps to beside the desk's search bar before it moves below the bar. */
const NOTE_MIN_PX = 260;
/** Rows of the ticker (an area's view is topped up to this many: LiveModel.tickerIn). */
const TICKER_ROWS = 16;

@customElement('gw-wall')
export class GwWall extends LitElement {
  static override styles = [unsafeCSS(maplibreCss), wallStyles];

  @property({ attribute: false }) config!: WallConfig;
  @property({ attribute: false }) problems: ConfigProblem[] = [];
  @property({ type: Boolean, reflect: true }) kiosk = false;
  @state() private toggles: LayerToggles = { ...DEFAULT_TOGGLES };
  @state() private kpiFigures: AreaKpis | null = null;
  @state() private tickerVersion = -1;
  @state() private whistleVersion = -1;
  @state() private now = Date.now();
  /** what the officer's desk shows (null: nothing chosen); scopes the KPIs, the whistle board and the ticker, and is highlighted */
  @state() private deskFocus: DeskFocus | null = null;
  private selection: SelectionLayers | null = null;
  /**
   * The area the desk last framed and the px the desk then covered from the top, until the officer moves the map:
   * while it holds, a change of what covers the top (the playback bar opening, or its export row) frames it again.
   */
  private deskFrame: { area: string; top: number } | null = null;
  /** where the wall rests: the bounds of its area (wallStops), set once the city is loaded */
  private homeBounds: [number, number, number, number] | null = null;
  private readonly scopedWhistles = new ScopedList<ActiveWhistle>();
  /**
   * The map's focus (map-focus.ts), from `?focus=` / `?group=`, the KPI strip's 在办 / 超期 tiles and the legend's
   * category: the map draws only the cases in it, live and in playback; the whistle board and the ticker keep to its
   * group.
   */
  @state() private mapFocus: MapFocus = NO_FOCUS;
  /** how many cases the live map shows in the focus, counted at most once a second */
  @state() private shownInFocus: number | null = null;
  private lastFocusCount = -Infinity;
  private readonly groupedWhistles = new GroupedList<ActiveWhistle>();
  private readonly groupedTicker = new GroupedList<TickerEntry>();
  @query('.map') private mapElement!: HTMLDivElement;

  private readonly mapController = new MapController(this);
  /** playback of a past range (issue 6): when a range is open, the map and panels show the city at its time t */
  private readonly playback = new PlaybackController(this, {
    area: () => this.config.area,
    token: () => this.config.token,
    onChange: () => this.scheduleFrame(),
    canvas: () => this.mapController.map?.getCanvas() ?? null,
    onMapFrame: (listener) => {
      const map = this.mapController.map;
      map?.on('render', listener);
      map?.triggerRepaint();
      return () => map?.off('render', listener);
    },
    caption: () => this.playbackCaption(),
    now: () => this.liveNow(),
    stepArea: () => this.deskFocus?.area ?? null,
  });
  private playbackLayers: WallLayers | null = null;
  /**
   * The playback columns the cumulative heatmap has been shown for. The heatmap compiles shaders of its own (seconds
   * on software WebGL, noticeable on ANGLE/D3D), so it is made when first shown, not with every range, then kept.
   */
  private heatShownFor: PlaybackPoints | null = null;
  private playbackKpiVersion = -1;
  /** the area the playback KPIs were computed for */
  private playbackKpiArea = '';
  private socket!: LiveSocketController;
  private tour!: TourController;
  private model: LiveModel | null = null;
  private layers: WallLayers | null = null;
  private frame = 0;
  private gridVersionShown = -1;
  private lastGridRecolour = 0;
  private lastKpi = 0;
  private lastTick = 0;
  private lastEvict = 0;
  private lastLayerBuild = -Infinity;
  private snapshotApplied = false;
  /** a followScope() is asking the server who the page is (one at a time) */
  private following = false;
  private readonly onResize = () => this.mapController.resize();
  /**
   * Back and Forward step through the desk's views (it pushes them), not through filters: a view's URL from before
   * the focus changed gets the focus as it is now, so the address bar always says what the map shows.
   */
  private readonly onPopState = () => {
    if (!sameFocus(parseFocus(location.search).focus, this.mapFocus)) this.writeFocusUrl();
  };
  private upkeep: ReturnType<typeof setInterval> | null = null;
  private readonly barObserver = new ResizeObserver(() => this.placeBelowBar());
  private readonly controlsObserver = new ResizeObserver(() => this.placeAboveControls());
  /** Watches the map cell and the desk's search bar: the note's room between them (placeNote). */
  private readonly noteObserver = new ResizeObserver(() => this.placeNote());
  private observedDeskBar: HTMLElement | null = null;
  private observedBar: Element | null = null;

  private readonly cityTask = new Task(this, {
    task: async ([config], { signal }) => {
      const city = await loadCityModel(basemapShift(config!.basemapCrs), signal);
      return city;
    },
    args: () => [this.config] as const,
  });

  constructor() {
    super();
    this.addEventListener(DeskFocusEvent.type, (event) => {
      this.deskFocus = event.focus;
      this.zoomToDeskFocus();
      this.scheduleFrame();
    });
    this.addEventListener(PlaybackCommandEvent.type, (event) => this.playback.command(event.command));
    // A row of the ticker or the whistle board opens its case on the desk (the desk handles its own rows itself).
    this.addEventListener(CaseSelectEvent.type, (event) => {
      const desk = this.renderRoot.querySelector('gw-desk');
      if (desk && event.incidentId && !event.composedPath().includes(desk)) desk.openCase(event.incidentId);
    });
    this.addEventListener(FocusChangeEvent.type, (event) => this.setFocus({ ...this.mapFocus, ...event.change }));
    this.addEventListener(LayerToggleEvent.type, (event) => {
      this.toggles = { ...this.toggles, [event.layer]: event.visible };
      this.scheduleFrame();
    });
    // An officer has logged in: a socket the server closed when the last session ended comes back at once.
    this.addEventListener(SessionChangeEvent.type, (event) => {
      if (event.officer) this.socket?.retryNow();
    });
  }

  override connectedCallback(): void {
    // Controllers need the config, which is set before the element is attached; create them once.
    if (!this.socket) {
      this.kiosk = this.config.kiosk;
      this.mapFocus = this.config.focus ?? NO_FOCUS;
      this.playback.setFocus(this.mapFocus);
      this.socket = new LiveSocketController(this, {
        area: this.config.area,
        token: this.config.token ?? undefined,
        onQueued: () => this.scheduleFrame(),
        onRefused: (code) => {
          if (code === 'forbidden') void this.followScope();
        },
      });
      this.tour = new TourController(this, { intervalMs: this.config.tourIntervalMs, idleMs: this.config.idleMs });
    }
    super.connectedCallback();
    window.addEventListener('resize', this.onResize);
    window.addEventListener('popstate', this.onPopState);
    // The once-a-second upkeep (overdue deadlines, ages, KPIs) also drives frames when motion is off.
    this.upkeep = setInterval(() => {
      // A hidden page gets no animation frames: keep folding so the queue cannot grow for as long as it stays hidden.
      if (document.visibilityState === 'hidden' && this.model) this.applyQueued(this.model);
      this.scheduleFrame();
    }, 1_000);
  }

  /** Changes the map's focus and writes it into the page URL (a reload, or the URL copied to a wall, keeps it). */
  private setFocus(focus: MapFocus): void {
    if (sameFocus(focus, this.mapFocus)) return;
    this.mapFocus = { state: focus.state, group: focus.group };
    this.shownInFocus = null;
    this.lastFocusCount = -Infinity;
    this.playback.setFocus(this.mapFocus);
    this.writeFocusUrl();
    this.scheduleFrame();
  }

  /** Writes the focus into the page URL, replacing the entry: the back button steps through the desk's views, not filters. */
  private writeFocusUrl(): void {
    history.replaceState(history.state, '', `${location.pathname}${withFocus(location.search, this.mapFocus)}${location.hash}`);
  }

  /**
   * The server refused the page's area (`forbidden`): its scope was narrowed since it opened, or it was opened on an
   * area outside it. Moves the page into the scope as the server has it now (scope-follow.ts); when there is none
   * to move to, the badge names the refusal and the socket keeps asking.
   */
  private async followScope(): Promise<void> {
    if (this.following) return;
    this.following = true;
    try {
      const scoped = await locationInScope(location.search, this.config.token, AbortSignal.timeout(10_000));
      if (scoped !== null) location.replace(`${location.pathname}${scoped}${location.hash}`);
    } finally {
      this.following = false;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.barObserver.disconnect();
    this.controlsObserver.disconnect();
    this.noteObserver.disconnect();
    this.observedBar = null;
    this.observedDeskBar = null;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.upkeep !== null) clearInterval(this.upkeep);
    this.upkeep = null;
    window.removeEventListener('resize', this.onResize);
    window.removeEventListener('popstate', this.onPopState);
  }

  protected override updated(): void {
    const city = this.cityTask.value;
    if (city && !this.model && this.mapElement) void this.startMap(city);
    // the window's title names the wall as its heading does (a wall PC's task bar, a browser tab among several)
    if (city) document.title = `${this.titlePlace(city)} · ${t('app.title')}`;
    // The playback bar changes height (open range, cumulative row, WebM row) and comes and goes with kiosk playback.
    const bar = this.renderRoot.querySelector('gw-timeline-bar');
    if (bar !== this.observedBar) {
      if (this.observedBar) this.barObserver.unobserve(this.observedBar);
      if (bar) this.barObserver.observe(bar);
      this.observedBar = bar;
      this.placeBelowBar();
    }
    // The desk renders its search bar (once: the bar stays for the desk's life) after this update: look for it once
    // the desk has rendered too, until found, rather than on every update of the wall.
    const desk = this.renderRoot.querySelector('gw-desk');
    if (desk && !this.observedDeskBar?.isConnected) void desk.updateComplete.then(() => this.observeDeskBar(desk.searchBar));
  }

  private observeDeskBar(deskBar: HTMLElement | null): void {
    if (deskBar === this.observedDeskBar) return;
    this.noteObserver.disconnect();
    const cell = this.renderRoot.querySelector('.map-cell');
    if (cell) this.noteObserver.observe(cell);
    if (deskBar) this.noteObserver.observe(deskBar);
    this.observedDeskBar = deskBar;
    this.placeNote();
  }

  /**
   * Keeps the synthetic-data note (top right of the map) clear of the desk's search bar (top left): it sets
   * `--gw-note-left`, where the room right of the bar begins, so the note wraps within that room. Where that room is
   * narrower than NOTE_MIN_PX (a narrow window, a long language), the note moves below the bar instead
   * (`--gw-note-top`), at its usual width. Without a desk (a kiosk wall) both are removed.
   */
  private placeNote(): void {
    const cell = this.renderRoot.querySelector<HTMLElement>('.map-cell');
    if (!cell) return;
    const bar = this.observedDeskBar;
    cell.style.removeProperty('--gw-note-left');
    cell.style.removeProperty('--gw-note-top');
    if (!bar || !bar.isConnected || bar.offsetWidth === 0) return;
    const cellBox = cell.getBoundingClientRect();
    const barBox = bar.getBoundingClientRect();
    const left = Math.ceil(barBox.right - cellBox.left + CLEARANCE_PX);
    if (cellBox.width - left - CLEARANCE_PX >= NOTE_MIN_PX) cell.style.setProperty('--gw-note-left', `${left}px`);
    else cell.style.setProperty('--gw-note-top', `${Math.ceil(barBox.bottom - cellBox.top + CLEARANCE_PX)}px`);
  }

  /**
   * The live case whose dot lies under a click (within INCIDENT_PICK_PX), while the dots are drawn: the layer is on,
   * the map is zoomed in past the density hexagons (the dots at least half faded in), and the wall is live
   * (playback draws its own points).
   */
  private incidentAt(point: { x: number; y: number }): string | undefined {
    const map = this.mapController.map;
    const model = this.model;
    if (!map || !model || this.playback.active || !this.toggles.incidents) return undefined;
    if (map.getZoom() < densityMaxZoom(model.buffers.size) - 0.5) return undefined;
    const at = map.unproject([point.x, point.y]);
    const across = map.unproject([point.x + INCIDENT_PICK_PX, point.y + INCIDENT_PICK_PX]);
    return model.buffers.nearest(at.lng, at.lat, Math.abs(across.lng - at.lng), Math.abs(across.lat - at.lat), this.mapFocus);
  }

  /**
   * Sets `--gw-below-bar` on the map cell: the distance from its top to just below the playback bar, whatever rows
   * the bar shows. The desk's search bar and side panel and the synthetic-data note start there, so the bar's rows
   * (the WebM export's range, say) are never under them. Without a bar (a kiosk wall, live) the property is removed
   * and each falls back to its own top.
   */
  private placeBelowBar(): void {
    const cell = this.renderRoot.querySelector<HTMLElement>('.map-cell');
    const bar = this.renderRoot.querySelector<HTMLElement>('gw-timeline-bar');
    if (!cell) return;
    if (!bar) cell.style.removeProperty('--gw-below-bar');
    else cell.style.setProperty('--gw-below-bar', `${Math.ceil(bar.offsetTop + bar.offsetHeight + CLEARANCE_PX)}px`);
    // the desk's search bar moved with it: a note placed below that bar follows
    this.placeNote();
    this.reframeDesk();
  }

  /** Frames the desk's area again when what covers the map's top has changed since it was framed (see deskFrame). */
  private reframeDesk(): void {
    const frame = this.deskFrame;
    if (!frame || this.deskFocus?.area !== frame.area || this.deskFocus.incident) return;
    // the desk's search bar follows --gw-below-bar at the next layout: measure after it
    requestAnimationFrame(() => {
      if (this.deskFrame === frame && Math.abs((this.deskCover().top ?? 0) - frame.top) > 8) this.zoomToDeskFocus();
    });
  }

  /**
   * Sets `--gw-above-controls` on the map cell: the distance from its bottom to just above MapLibre's controls in
   * the bottom-right corner (the zoom buttons), measured rather than assumed, so the desk's side panel stops there.
   */
  private placeAboveControls(): void {
    const cell = this.renderRoot.querySelector<HTMLElement>('.map-cell');
    const controls = this.renderRoot.querySelector<HTMLElement>('.maplibregl-ctrl-bottom-right');
    if (!cell || !controls || controls.offsetHeight === 0) return;
    const above = cell.getBoundingClientRect().bottom - controls.getBoundingClientRect().top;
    cell.style.setProperty('--gw-above-controls', `${Math.ceil(above + CLEARANCE_PX)}px`);
  }

  private async startMap(city: CityModel): Promise<void> {
    const shift = basemapShift(this.config.basemapCrs);
    const { home, stops } = wallStops(city, this.config.area);
    this.homeBounds = home.bounds;
    const model = new LiveModel(city, shift, () => this.liveNow());
    this.model = model;
    this.layers = new WallLayers(shift);
    model.onUrgentWhistle = (whistle) => {
      const location = whistle.incident.location;
      const district = city.areas.get(whistle.incident.grid.slice(0, 6));
      this.tour.pull(shift(location[0], location[1]), {
        code: whistle.incident.grid,
        name: district ? `${district.name} · ${whistle.incident.title ?? ''}`.trim() : whistle.incident.grid,
        bounds: district?.bbox ?? home.bounds,
      });
    };
    // The map opens with its home area below the desk's bar (Hefei's 蜀山区 would otherwise have its north under it).
    await this.renderRoot.querySelector('gw-desk')?.updateComplete;
    const openingCover = this.deskCover();
    await this.mapController.start({
      container: this.mapElement,
      city,
      // a district's (street's, …) wall opens on its own area, as its tour ends on it
      bounds: home.bounds,
      cover: openingCover,
      kiosk: this.config.kiosk,
      basemapStyleUrl: this.config.basemapStyleUrl,
    });
    // While the officer's desk shows an area or a case, the tour and urgent pulls leave the camera where the desk put it.
    // Like the desk's own moves, they frame their area below the desk's search bar (an empty cover on a kiosk wall).
    this.tour.attach({
      fitBounds: (bounds, durationMs) => {
        if (!this.deskPanelOpen) this.mapController.fitBounds(bounds, durationMs, this.deskCover());
      },
      flyTo: (centre, zoom) => {
        if (!this.deskPanelOpen) this.mapController.flyTo(centre, zoom, this.deskCover());
      },
    }, stops);
    // Where the bar moved while the map loaded (the playback bar above it settling its height), fit again at once.
    const cover = this.deskCover();
    if (Math.abs((cover.top ?? 0) - (openingCover.top ?? 0)) > 1) this.mapController.fitBounds(home.bounds, 0, cover);
    this.playbackLayers = new WallLayers(shift);
    this.playback.attach(city, shift);
    this.selection = new SelectionLayers(city, shift);
    // a move the officer makes (drag, wheel, keys, the zoom buttons) ends the desk's claim on the camera
    this.mapController.map?.on('movestart', (event) => {
      if (event.originalEvent) this.deskFrame = null;
    });
    // Clicking a case's dot opens the case on the desk, clicking elsewhere in a grid the grid's panel (not on a kiosk
    // wall, which has no desk).
    this.mapController.map?.on('click', (event) => {
      const desk = this.kiosk ? null : this.renderRoot.querySelector('gw-desk');
      if (!desk) return;
      const incident = this.incidentAt(event.point);
      if (incident) {
        desk.openCase(incident);
        return;
      }
      const grid = gridAt(city, event.lngLat.lng, event.lngLat.lat);
      if (grid) desk.selectArea(grid);
    });
    this.zoomToDeskFocus();
    const controls = this.renderRoot.querySelector('.maplibregl-ctrl-bottom-right');
    if (controls) this.controlsObserver.observe(controls);
    // Layer choice depends on zoom (points vs density): redraw when a zoom ends even if nothing else moved.
    this.mapController.map?.on('zoomend', () => this.scheduleFrame());
    this.scheduleFrame();
    void this.signalReadyWhenSettled();
  }

  private async signalReadyWhenSettled(): Promise<void> {
    while (!this.snapshotApplied) await new Promise((r) => setTimeout(r, 100));
    await this.mapController.settled();
    document.documentElement.dataset.ready = '1';
    this.dispatchEvent(new WallReadyEvent());
  }

  /**
   * Where a WGS84 point is drawn, in viewport CSS pixels (null before the map exists). Public so that tests and
   * integrations (e.g. an overlay of CCTV tiles) can place things over the map without reaching into it.
   */
  project(lon: number, lat: number): [number, number] | null {
    const map = this.mapController.map;
    if (!map || !this.mapElement) return null;
    const [x, y] = basemapShift(this.config.basemapCrs)(lon, lat);
    const point = map.project([x, y]);
    const box = this.mapElement.getBoundingClientRect();
    return [box.left + point.x, box.top + point.y];
  }

  /**
   * What playback shows (null when live): its time t, the ids of the cases open at t (from the reducer's state the
   * panels draw), the last export and the caption an export writes. Public for tests and integrations, like `project()`.
   */
  playbackShown(): {
    t: number;
    open: string[];
    events: number;
    lastExport: { kind: string; bytes: number; url: string; blob: Blob } | null;
    caption: CaptionLine[];
    /** cumulative mode's choropleth: the figure, each grid's value and the fill its layer draws */
    choropleth: { metric: string; values: Record<string, number>; fill: Record<string, number[]> } | null;
  } | null {
    const view = this.playback.view;
    const model = this.playback.model;
    if (!view || !model) return null;
    const open: string[] = [];
    for (const record of model.state.incidents.values()) if (record.status !== 'closed' && record.status !== 'cancelled') open.push(record.id);
    const c = this.playback.choropleth;
    const choropleth =
      view.cumulative && this.playback.choroplethMetric
        ? { metric: c.metric, values: Object.fromEntries(c.values), fill: Object.fromEntries([...c.values.keys()].map((code) => [code, c.colourOf(code)])) }
        : null;
    return { t: view.t, open: open.sort(), events: this.playback.loaded.events, lastExport: this.playback.lastExport, caption: this.playbackCaption(), choropleth };
  }

  private scheduleFrame(): void {
    if (this.frame === 0 && this.isConnected) this.frame = requestAnimationFrame((time) => this.renderFrame(time));
  }

  /** Folds everything the socket queued into the model. */
  private applyQueued(model: LiveModel): { snapshot: boolean } {
    const queued = this.socket.drain();
    if (queued.snapshot) {
      // the changes that led to it open the ticker, as a wall that had been watching would show them
      model.applySnapshot(queued.snapshot.state as SerializedState, queued.snapshot.seq, queued.snapshot.recent ?? []);
      this.snapshotApplied = true;
    }
    for (const batch of queued.batches) model.applyEvents(batch.events);
    return { snapshot: queued.snapshot !== null };
  }

  /** One animation frame: fold what arrived, then redraw layers and (when they changed) panels. */
  private renderFrame(frameTime: number): void {
    this.frame = 0;
    const model = this.model;
    if (!model || !this.layers || !this.mapController.loaded) return;
    // Motion runs at ≤30 fps: smooth enough across a room, and half the GPU work of a 60 Hz wall.
    if (this.config.motion && !this.socket.pending && frameTime - this.lastLayerBuild < ANIMATION_FRAME_MS) {
      this.scheduleFrame();
      return;
    }
    this.lastLayerBuild = frameTime;
    const queued = this.applyQueued(model);

    const wallNow = this.liveNow();
    if (frameTime - this.lastTick >= 1_000) {
      model.tick();
      this.lastTick = frameTime;
      // the panels' clock (ages, time left, late marks, deadline timers): playback's t while replaying, even paused
      this.now = this.playback.active && this.playback.view ? this.playback.view.t : wallNow;
    }
    if (frameTime - this.lastEvict >= EVICT_EVERY_MS) {
      model.evictClosed();
      this.lastEvict = frameTime;
    }
    if (model.gridVersion !== this.gridVersionShown && frameTime - this.lastGridRecolour >= GRID_RECOLOUR_MS) {
      this.gridVersionShown = model.gridVersion;
      this.lastGridRecolour = frameTime;
    }
    const scale = Math.max(1, window.innerHeight / 1080);
    // Playback: its clock advances and its panels' model follows t; live keeps folding underneath for "back to live".
    const replaying = this.playback.frame(frameTime);
    const playbackModel = this.playback.active ? this.playback.model : null;
    const dataLayers = playbackModel
      ? this.playbackFrameLayers(playbackModel, frameTime, scale)
      : this.layers.build({
          model,
          toggles: this.toggles,
          zoom: this.mapController.zoom,
          scale,
          // a still frame without motion: rings at rest, halos lit, whistle flow at mid-run
          frameTime: this.config.motion ? frameTime : 0,
          gridVersion: this.gridVersionShown,
          focus: this.mapFocus,
        });
    if (focusActive(this.mapFocus) && frameTime - this.lastFocusCount >= 1_000) {
      this.shownInFocus = this.countInFocus(playbackModel ?? model);
      this.lastFocusCount = frameTime;
    }
    // the desk's highlight (the area's boundary, the case's ring) shows live and in playback alike
    this.mapController.setLayers(dataLayers.concat(this.selection?.build(this.deskFocus, scale) ?? []));

    if (playbackModel && this.playback.view) {
      // again when t moves, or when the area shown changes under a paused replay (the desk drills into a grid)
      const area = this.shownArea();
      if (this.playback.version !== this.playbackKpiVersion || area !== this.playbackKpiArea) {
        this.kpiFigures = kpis(playbackModel.state, area, this.playback.view.t);
        this.playbackKpiVersion = this.playback.version;
        this.playbackKpiArea = area;
        this.now = this.playback.view.t;
      }
    } else if (this.snapshotApplied && (frameTime - this.lastKpi >= KPI_EVERY_MS || queued.snapshot || this.playbackKpiVersion !== -1)) {
      this.kpiFigures = kpis(model.state, this.shownArea(), wallNow);
      this.lastKpi = frameTime;
      this.playbackKpiVersion = -1;
    }
    const shown = playbackModel ?? model;
    if (shown.tickerVersion !== this.tickerVersion) this.tickerVersion = shown.tickerVersion;
    if (shown.whistleVersion !== this.whistleVersion) this.whistleVersion = shown.whistleVersion;
    // Animations (pulses, flowing whistles, blinking overdue) need continuous frames. Without motion, frames run only
    // when data arrives or a layer is toggled, plus the once-a-second upkeep tick.
    if (this.config.motion || replaying) this.scheduleFrame();
  }

  /**
   * The layers of a playback frame: the wall's layers from the panels' model at t (grid loads, places, whistle arcs;
   * its grid version is negated so deck.gl never mistakes it for a live version), with the incidents drawn from
   * the GPU-filtered playback columns instead: points open at t, or in cumulative mode a heatmap of the range so far.
   */
  private playbackFrameLayers(model: LiveModel, frameTime: number, scale: number) {
    const points = this.playback.points;
    const view = this.playback.view;
    const city = this.cityTask.value;
    const layers = (this.playbackLayers ?? (this.playbackLayers = new WallLayers(basemapShift(this.config.basemapCrs)))).build({
      model,
      toggles: { ...this.toggles, incidents: false },
      zoom: this.mapController.zoom,
      scale,
      frameTime: this.config.motion ? frameTime : 0,
      gridVersion: -1 - model.gridVersion,
      focus: this.mapFocus,
    });
    if (!points || !view) return layers;
    const heatVisible = this.toggles.incidents && view.cumulative && this.playback.choroplethMetric === null;
    if (heatVisible) this.heatShownFor = points;
    return [
      ...layers,
      ...(city ? [gridChoroplethLayer(city, this.playback.choropleth, view.cumulative && this.playback.choroplethMetric !== null)] : []),
      ...(this.heatShownFor === points ? [playbackHeatLayer(points, view.t, heatVisible)] : []),
      playbackPointLayer(points, view.t, scale, this.toggles.incidents && !view.cumulative),
    ];
  }

  /** The caption of an export (a video's frames, a picture): the area and the time (playback's, or live), then the KPI header's figures. */
  private playbackCaption(): CaptionLine[] {
    const city = this.cityTask.value;
    const view = this.playback.view;
    if (view) {
      const lines: CaptionLine[] = [`${city ? this.areaLabel(city) : ''} · ${t('playback.mode')} ${clockDateTime(view.t)}`];
      if (this.kpiFigures) lines.push(kpiCaptionItems(this.kpiFigures, city?.kpiTargets));
      return lines;
    }
    // live: the figures of this instant, not the header's (refreshed once a second, or still playback's for a frame)
    const now = this.liveNow();
    const lines: CaptionLine[] = [`${city ? this.areaLabel(city) : ''} · ${t('conn.live')} ${clockDateTime(now)}`];
    if (this.model && this.snapshotApplied) lines.push(kpiCaptionItems(kpis(this.model.state, this.shownArea(), now), city?.kpiTargets));
    return lines;
  }

  /** The server's time now (the wall's clock corrected by the relay's skew). */
  private liveNow(): number {
    return Date.now() + this.socket.clockSkewMs;
  }

  /** Zooms to the desk's case (its location) or area (its bounds); closing the desk leaves the camera where it is. */
  private zoomToDeskFocus(): void {
    const city = this.cityTask.value;
    if (!city || !this.mapController.map) return;
    const focus = this.deskFocus;
    const shift = basemapShift(this.config.basemapCrs);
    const covered = this.deskCover();
    this.deskFrame = null;
    if (focus?.incident) this.mapController.flyTo(shift(focus.incident.location[0], focus.incident.location[1]), Math.max(this.mapController.zoom, 15), covered);
    else if (focus?.area) {
      this.mapController.fitBounds(city.areas.get(focus.area)?.bbox ?? this.homeBounds ?? city.meta.view.bounds, 1_200, covered);
      this.deskFrame = { area: focus.area, top: covered.top ?? 0 };
    }
  }

  /**
   * How much of the map the desk covers: from the top, down to the bottom of its search bar (which sits under the
   * playback bar); from the right, the width of its side panel (0 while that is closed).
   */
  private deskCover(): MapCover {
    const root = this.renderRoot.querySelector('gw-desk')?.shadowRoot;
    // the map's container, which its canvas fills (and which is there before the map is)
    const canvas = this.mapElement?.getBoundingClientRect();
    if (!root || !canvas) return {};
    const bar = root.querySelector('.bar')?.getBoundingClientRect();
    const panel = root.querySelector('[data-desk-panel]')?.getBoundingClientRect();
    return {
      top: bar ? Math.max(0, Math.round(bar.bottom - canvas.top)) : 0,
      right: panel ? Math.max(0, Math.round(canvas.right - panel.left)) : 0,
    };
  }

  /**
   * The area the header names, and the KPI strip, the whistle board and the ticker show: the desk's focus, else the
   * area the tour (or an urgent pull) is showing, so every panel belongs to the name in the header. The socket stays
   * on the configured area, whose state holds the counters and the cases of every area inside it.
   */
  private shownArea(): string {
    if (this.deskFocus?.area) return this.deskFocus.area;
    const stop = this.tour?.stop?.code;
    if (stop && (this.config.area === 'city' || stop.startsWith(this.config.area))) return stop;
    return this.config.area;
  }

  /**
   * Whose command centre the wall is, for its title: the city's, or a district's ("昆明市五华区"), or a street's,
   * community's or grid's within its district ("五华区华山街道").
   */
  private titlePlace(city: CityModel): string {
    const area = this.config.area === 'city' ? (soleDistrict(city) ?? undefined) : city.areas.get(this.config.area);
    if (!area) return city.meta.name;
    if (area.level === 'district') return `${city.meta.name}${area.name}`;
    return `${city.areas.get(area.code.slice(0, 6))?.name ?? ''}${area.name}`;
  }

  /** The ticker's rows: the model's own, or, for an area the panels follow (a tour stop, the desk's area), that area's. */
  private tickerEntries(model: LiveModel): TickerEntry[] {
    const area = this.panelArea();
    const entries = area === null ? model.ticker : model.tickerIn(area, TICKER_ROWS);
    return this.groupedTicker.of(entries, this.tickerVersion, this.mapFocus.group);
  }

  /**
   * The cases of the shown area the map draws in the focus (those still drawn after they ended included, as the
   * map shows them): a walk over the live cases, once a second at most.
   */
  private countInFocus(model: LiveModel): number {
    const area = this.shownArea();
    const prefix = area === 'city' ? '' : area;
    let n = 0;
    for (const record of model.state.incidents.values()) {
      if (record.grid.startsWith(prefix) && model.buffers.has(record.id) && inFocus(this.mapFocus, record, model.overdue.has(record.id))) n += 1;
    }
    return n;
  }

  /** The name of that group, in the page's language, for the panels' titles (null: every case). */
  private panelGroupName(): string | null {
    const group = this.mapFocus.group;
    return group === null ? null : localName(groupEntry(group), group);
  }

  /** What the side panels filter their entries to: the shown area, or null when it is the configured area itself. */
  private panelArea(): string | null {
    const area = this.shownArea();
    return area === this.config.area || area === 'city' ? null : area;
  }

  private areaLabel(city: CityModel): string {
    if (this.deskFocus?.area) return city.areas.get(this.deskFocus.area)?.name ?? this.deskFocus.area;
    if (this.tour.stop) return this.tour.stop.name;
    if (this.config.area === 'city') return soleDistrict(city)?.name ?? `${city.meta.name} · ${t('area.city')}`;
    return city.areas.get(this.config.area)?.name ?? this.config.area;
  }

  /** The desk shows an area or a case in its side panel (never on a kiosk wall, which has no desk). */
  private get deskPanelOpen(): boolean {
    return Boolean(this.deskFocus?.area || this.deskFocus?.incident);
  }

  /**
   * The synthetic-data note, under the playback bar on the right; none for a city without synthetic parts. While the
   * desk's side panel is open it takes that corner, so the note steps aside rather than show through the panel.
   */
  private noteFor(city: CityModel) {
    const text = this.syntheticNote(city);
    if (!text) return nothing;
    return html`<div class="note" data-synthetic ?hidden=${this.deskPanelOpen}>${text}</div>`;
  }

  /** Says honestly which parts of the city package are synthetic (city.json `synthetic`). */
  private syntheticNote(city: CityModel): string {
    const synthetic = Object.entries(city.meta.synthetic ?? {}).filter(([, v]) => v !== false);
    if (synthetic.length === 0) return '';
    const names = synthetic.map(([key]) => {
      const message = `synthetic.${key}`;
      return isMessageKey(message) ? t(message) : key;
    });
    return t('note.synthetic', { levels: names.join(language() === 'en' ? ', ' : '、') });
  }

  override render() {
    const city = this.cityTask.value;
    const model = (this.playback.active ? this.playback.model : null) ?? this.model;
    const modeKey = this.tour.mode === 'touring' ? 'area.touring' : this.tour.mode === 'pulled' ? 'area.pulled' : null;
    // the whole title in a tooltip too: on a narrow screen the header cuts it short
    const title = `${city ? `${this.titlePlace(city)} · ` : ''}${t('app.title')}`;
    return html`
      <header>
        <div class="title">
          <h1 title=${title}>${title}</h1>
          <div class="subtitle">${t('app.subtitle')}</div>
        </div>
        <div class="area" data-area=${this.tour.stop?.code ?? this.config.area}>
          <span class="name">${city ? this.areaLabel(city) : ''}</span>
          <span class="mode">${modeKey ? t(modeKey) : t('area.shown')}</span>
        </div>
        <gw-connection-badge .state=${this.socket.connection} .since=${this.socket.disconnectedAt} .refusedFor=${this.socket.refusedFor} ?playback=${this.playback.active}></gw-connection-badge>
        <gw-clock .skewMs=${this.socket.clockSkewMs} .at=${this.playback.view?.t ?? null}></gw-clock>
      </header>
      <gw-kpi-header .kpis=${this.kpiFigures} .targets=${this.cityTask.value?.kpiTargets ?? NO_TARGETS} ?interactive=${!this.kiosk} .focusState=${this.mapFocus.state}></gw-kpi-header>
      <div class="map-cell">
        <div class="map"></div>
        ${this.cityTask.render({
          pending: () => html`<div class="banner">${t('app.loading')}</div>`,
          error: (error) => html`<div class="banner error" role="alert">${t('app.loadFailed', { reason: (error as Error).message })}</div>`,
          complete: (c) => this.noteFor(c),
        })}
        ${this.mapController.error
          ? html`<div class="banner error" role="alert">${t('app.loadFailed', { reason: this.mapController.error })}</div>`
          : nothing}
        ${this.problems.length > 0
          ? html`<div class="problems" role="alert">
              ${this.problems.map((p) => html`<div>${t('app.configError', { field: p.field, reason: p.reason })}</div>`)}
            </div>`
          : nothing}
        <gw-legend .toggles=${this.toggles} ?kiosk=${this.kiosk} .mapFocus=${this.mapFocus} .shown=${this.shownInFocus} ?heat=${this.playback.active && !!this.playback.view?.cumulative && this.playback.choroplethMetric === null}></gw-legend>
        ${this.kiosk && !this.playback.active
          ? nothing
          : html`<gw-timeline-bar class="timeline" .view=${this.playback.view ? { ...this.playback.view } : null} .aggregate=${this.playback.aggregate} ?loading=${this.playback.loading}
              .error=${this.playback.error ?? (this.playback.problems.map((p) => `${p.field}: ${p.reason}`).join('; ') || null)}
              .events=${this.playback.loaded.events} .expected=${this.playback.expected} .mode=${this.playback.mode} ?recording=${this.playback.recording} .exportProgress=${this.playback.exportProgress}
              ?exportCancelled=${this.playback.exportCancelled} .choroplethMetric=${this.playback.choroplethMetric}
              .legend=${this.playback.choroplethMetric ? this.playback.choropleth.legend() : null}
              .stepArea=${this.deskFocus?.area && city ? this.areaLabel(city) : (this.deskFocus?.area ?? null)}></gw-timeline-bar>`}
        ${this.kiosk ? nothing : html`<gw-desk .city=${city ?? null} .model=${model} .now=${this.now} .version=${this.tickerVersion} ?replaying=${this.playback.active} .range=${this.playback.view}></gw-desk>`}
      </div>
      <div class="side">
        <gw-whistle-board ?interactive=${!this.kiosk} .group=${this.panelGroupName()} .whistles=${model ? this.groupedWhistles.of(this.scopedWhistles.of(model.whistles, this.whistleVersion, this.panelArea()), this.whistleVersion, this.mapFocus.group) : []} .city=${city ?? null} .now=${this.now} .rows=${8} ?motion=${this.config.motion}></gw-whistle-board>
        <gw-ticker ?interactive=${!this.kiosk} .group=${this.panelGroupName()} .entries=${model ? this.tickerEntries(model) : []} .city=${city ?? null} .day=${shanghaiDay(this.now)} .rows=${TICKER_ROWS} ?motion=${this.config.motion} data-version=${this.tickerVersion}></gw-ticker>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'gw-wall': GwWall;
  }
}
