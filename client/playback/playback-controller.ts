/**
 * Playback on the wall: loads a range (streamed chunks into a PlaybackTimeline and the GPU columns of
 * PlaybackPoints), runs the clock (play/pause, 1×…3600×, step, jump, loop), keeps the URL in step, and feeds the
 * wall's panels a LiveModel built from the reducer's state at t, so the KPIs, ticker, whistle board, arcs and grid
 * loads are exactly what live would have shown at t. Points move by the GPU time filter alone.
 *
 * A ReactiveController: it reads the URL when the wall connects and aborts any load when it disconnects.
 *
 * @example
 * ```ts
 * private readonly playback = new PlaybackController(this, { area: () => this.config.area, token: () => this.config.token, onChange: () => this.scheduleFrame() });
 * // in a frame: const model = this.playback.frame(frameTime) ?? this.liveModel;
 * ```
 */
import { NO_FOCUS, sameFocus, type MapFocus } from '../map/map-focus';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { snapshotOf } from '../../protocol/reducer';
import type { CityModel } from '../geo/city-model';
import type { CoordinateShift } from '../geo/basemap-shift';
import { CLIENT_RETAIN_CLOSED_MS, LiveModel } from '../live/live-model';
import { casesCsv, download, recordWebm, snapshotPng, type CaptionLine } from './playback-export';
import { cityInputTime } from '../panels/format';
import { playbackErrorText, webmRangeProblem } from './playback-errors';
import { playbackModeFor, type PlaybackMode } from '../../protocol/history-api';
import { EventTimes, gridsIn } from './event-times';
import { loadAggregate, loadCount, loadHistory, loadHistoryState, type HistoryAggregate } from './history-loader';
import { HistoryWindows, detailBudgetOf, windowSpanFor } from './history-windows';
import { GridChoropleth, type ChoroplethMetric } from '../map/layers/grid-choropleth';
import type { PlaybackCommand } from './playback-command-event';
import { PlaybackPoints } from './playback-points';
import { PlaybackTimeline } from './playback-timeline';
import { readPlaybackUrl, writePlaybackUrl, type PlaybackView, type UrlProblem } from './playback-url';
import { t } from '../i18n/index';

export type ExportKind = 'csv' | 'webm' | 'png';

/** A time in an export's file name: the city's (UTC+8), as every time on the wall, e.g. `2026-11-22T143512`. */
const fileStamp = (ms: number) => cityInputTime(ms).replace(/:/g, '');

/** Panels follow t at most this often while playing (a jump refreshes at once). */
const PANEL_EVERY_MS = 250;
const URL_EVERY_MS = 1_000;

export interface PlaybackOptions {
  area: () => string;
  token: () => string | null;
  /** called when something changed that the wall must draw */
  onChange: () => void;
  /** the map canvas, for the WebM and PNG exports */
  canvas: () => HTMLCanvasElement | null;
  /** calls the listener after each map frame is drawn; answers an unsubscribe (the exports copy frames then) */
  onMapFrame?: (listener: () => void) => () => void;
  /** the panel strip drawn into the exports: the area, the time and the KPIs */
  caption: () => CaptionLine[];
  /** the time the wall shows when live (server-aligned), for a picture taken while no range is open */
  now: () => number;
  /** the area the desk is on, whose events the steps land on (null: every event of the range) */
  stepArea?: () => string | null;
}


export class PlaybackController implements ReactiveController {
  view: PlaybackView | null = null;
  loading = false;
  error: string | null = null;
  problems: UrlProblem[] = [];
  aggregate: HistoryAggregate | null = null;
  timeline: PlaybackTimeline | null = null;
  points: PlaybackPoints | null = null;
  /**
   * `detailed`: the tab folds every event (timeline). `windowed` (a range above HISTORY_DETAIL_BUDGET events): the
   * tab keeps the GPU columns and event times only, and takes the state at t from the server (windows).
   */
  mode: PlaybackMode = 'detailed';
  windows: HistoryWindows | null = null;
  times: EventTimes | null = null;
  /** at most how many events the open range holds (known before it loads: the progress bar's end) */
  expected = 0;
  /** the panels' model at t (null until the first chunk) */
  model: LiveModel | null = null;
  loaded = { events: 0, bytes: 0 };
  /** a WebM export is running */
  recording = false;
  /** fraction of the running WebM export recorded, 0…1 */
  exportProgress = 0;
  /** cumulative mode's per-grid choropleth: the figure shown (null: the heatmap instead) and the figures at t */
  choroplethMetric: ChoroplethMetric | null = null;
  readonly choropleth = new GridChoropleth();
  /** the stream's grid table (index → code), for the choropleth */
  private gridTable: readonly string[] = [];
  /** the last WebM export was cancelled (shown in the bar's status until the next export) */
  exportCancelled = false;
  private exportAbort: AbortController | null = null;
  /** the last export made (for the page and tests to find it) */
  lastExport: { kind: ExportKind; bytes: number; url: string; blob: Blob } | null = null;
  private city: CityModel | null = null;
  private shift: CoordinateShift | null = null;
  private abort: AbortController | null = null;
  private lastFrame = 0;
  private panelsAt = -Infinity;
  private panelsT = Number.NaN;
  /** the wall's focus, which the range's points are given as they are made */
  private focus: MapFocus = NO_FOCUS;
  private urlAt = -Infinity;
  /** bumps when the panels' model was rebuilt */
  version = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: PlaybackOptions,
  ) {
    host.addController(this);
  }

  /** Playback is shown (a range is open), rather than live. */
  get active(): boolean {
    return this.view !== null;
  }

  hostConnected(): void {
    const { view, problems } = readPlaybackUrl(window.location.search);
    this.problems = problems;
    if (view) this.view = view;
  }

  hostDisconnected(): void {
    this.exportAbort?.abort();
    this.abort?.abort();
    this.abort = null;
  }

  /** The wall calls this once its city and map are ready; a range asked for by the URL starts loading then. */
  attach(city: CityModel, shift: CoordinateShift): void {
    this.city = city;
    this.shift = shift;
    if (this.view && !this.points && !this.loading) void this.open(this.view.from, this.view.to, this.view);
  }

  /** Applies a command from the timeline bar. */
  command(command: PlaybackCommand): void {
    const view = this.view;
    switch (command.kind) {
      case 'open':
        void this.open(command.from, command.to);
        return;
      case 'live':
        this.close();
        return;
      case 'export-png':
        void this.exportPng();
        return;
    }
    if (!view) return;
    switch (command.kind) {
      case 'play':
        // a WebM export drives the clock itself
        if (this.recording) return;
        if (view.t >= view.to) view.t = view.from;
        view.playing = true;
        this.lastFrame = 0;
        break;
      case 'pause':
        view.playing = false;
        break;
      case 'speed':
        view.speed = command.speed;
        break;
      case 'seek':
        this.seek(command.t);
        break;
      case 'step': {
        // like a video's frame step: a step while playing would be overrun by the clock at once
        view.playing = false;
        const times = this.timeline ?? this.times;
        const area = this.options.stepArea?.() ?? null;
        const accept = area && area !== 'city' ? gridsIn(this.gridTable, area) : undefined;
        if (command.back) {
          const previous = times?.previousEventBefore(view.t, accept);
          this.seek(previous !== undefined && previous >= view.from ? previous : view.from);
        } else {
          const next = times?.nextEventAfter(view.t, accept);
          if (next !== undefined && next <= view.to) this.seek(next);
        }
        break;
      }
      case 'loop':
        view.loop = command.loop;
        break;
      case 'cumulative':
        view.cumulative = command.cumulative;
        this.panelsT = Number.NaN;
        break;
      case 'choropleth':
        this.choroplethMetric = command.metric;
        this.panelsT = Number.NaN;
        this.panelsAt = -Infinity;
        break;
      case 'export-csv':
        this.exportCsv();
        return;
      case 'export-webm':
        void this.exportWebm(command.from, command.to, command.speed);
        return;
      case 'export-cancel':
        this.exportAbort?.abort();
        return;
      default:
        return;
    }
    writePlaybackUrl(view);
    this.host.requestUpdate();
    this.options.onChange();
  }

  /** Jumps to t (clamped to the range); panels refresh on the next frame. */
  /**
   * The wall's focus (client/map/map-focus.ts): the points show only the cases in it, and the choropleth counts only
   * its group's cases, refigured with the next frame even while paused.
   */
  setFocus(focus: MapFocus): void {
    if (sameFocus(focus, this.focus)) return;
    this.focus = focus;
    this.points?.setFocus(focus);
    this.panelsT = Number.NaN;
    this.panelsAt = -Infinity;
  }

  seek(t: number): void {
    if (!this.view) return;
    this.view.t = Math.min(this.view.to, Math.max(this.view.from, t));
    this.panelsAt = -Infinity;
    this.panelsT = Number.NaN;
    this.host.requestUpdate();
    this.options.onChange();
  }

  /** Opens a range: streams it in; the wall shows playback from the first chunk on. */
  async open(from: number, to: number, initial?: PlaybackView): Promise<void> {
    if (!this.city || !this.shift) {
      this.view = initial ?? { from, to, t: from, speed: 60, playing: false, loop: false, cumulative: false };
      return;
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const view: PlaybackView = initial ?? { from, to, t: from, speed: 60, playing: false, loop: false, cumulative: false };
    this.view = view;
    this.error = null;
    this.loading = true;
    this.dropRangeData();
    const points = new PlaybackPoints(from, this.shift);
    points.setFocus(this.focus);
    this.points = points;
    this.model = new LiveModel(this.city, this.shift, () => this.view?.t ?? Date.now());
    this.loaded = { events: 0, bytes: 0 };
    this.panelsAt = -Infinity;
    delete document.documentElement.dataset.playbackLoaded;
    writePlaybackUrl(view);
    this.host.requestUpdate();
    const range = { from, to, area: this.options.area(), token: this.options.token(), signal: abort.signal };
    try {
      // The range's size picks the mode before anything loads (protocol/history-api.ts).
      this.expected = (await loadCount(range)).atMost;
      if (abort.signal.aborted) return;
      this.mode = playbackModeFor(this.expected, detailBudgetOf(window.location.search));
      const timeline = this.mode === 'detailed' ? new PlaybackTimeline() : null;
      const times = timeline ? null : new EventTimes();
      this.timeline = timeline;
      this.times = times;
      const aggregate = loadAggregate(range).then((a) => {
        if (abort.signal.aborted) return;
        this.aggregate = a;
        if (!timeline) this.windows = this.windowsFor(range, a);
        this.host.requestUpdate();
        this.options.onChange();
      });
      const result = await loadHistory(range, (chunk, tables) => {
        if (timeline) timeline.add(chunk, tables);
        else times!.add(chunk);
        this.gridTable = tables.grids;
        points.add(chunk);
        this.loaded = { events: this.loaded.events + chunk.count, bytes: this.loaded.bytes };
        this.panelsAt = -Infinity;
        this.panelsT = Number.NaN;
        this.options.onChange();
      }, { details: timeline !== null });
      this.loaded = { events: result.events, bytes: result.bytes };
      // the whole range is in: the points' growth room is given back
      points.finish();
      await aggregate;
      // A signal for tests and kiosks: the whole range is in.
      document.documentElement.dataset.playbackLoaded = String(result.events);
    } catch (error) {
      if (!abort.signal.aborted) this.error = playbackErrorText(error);
    } finally {
      if (this.abort === abort) {
        this.loading = false;
        this.host.requestUpdate();
        this.options.onChange();
      }
    }
  }

  /** Windowed mode: the server's state at t and the window after it, sized from the histogram. */
  private windowsFor(range: Parameters<typeof loadHistoryState>[0], aggregate: HistoryAggregate): HistoryWindows {
    return new HistoryWindows({
      load: (at, span) => loadHistoryState(range, at, span),
      windowMs: (at) => windowSpanFor(aggregate, at),
      onLoaded: () => {
        this.panelsAt = -Infinity;
        this.panelsT = Number.NaN;
        this.options.onChange();
      },
      onError: (error) => {
        this.error = playbackErrorText(error);
        this.host.requestUpdate();
      },
    });
  }

  private exportCsv(): void {
    const view = this.view;
    if (view && this.mode === 'windowed') {
      this.error = t('playback.csv.windowed', { events: this.loaded.events.toLocaleString('en-US') });
      this.host.requestUpdate();
      return;
    }
    if (!view || !this.timeline) return;
    const blob = new Blob([casesCsv(this.timeline, view.from, view.to)], { type: 'text/csv;charset=utf-8' });
    this.remember('csv', blob, `gridwatch-cases-${cityInputTime(view.from).slice(0, 10)}.csv`);
  }

  /**
   * Records [from, to] of the open range at `speed` as WebM: the video lasts (to − from) / speed of real time and
   * playback's clock follows the recording's own clock (t = from + elapsed × speed), so a slow machine drops frames
   * but never stretches time. Progress is `exportProgress`; `export-cancel` stops it and keeps nothing.
   */
  private async exportWebm(from: number, to: number, speed: number): Promise<void> {
    const view = this.view;
    if (!view || this.recording) return;
    const problem = webmRangeProblem(view, from, to, speed);
    const canvas = this.options.canvas();
    if (problem || !canvas) {
      this.error = problem ?? t('playback.webm.notReady');
      this.host.requestUpdate();
      return;
    }
    const abort = new AbortController();
    this.exportAbort = abort;
    this.recording = true;
    this.exportProgress = 0;
    this.exportCancelled = false;
    this.error = null;
    view.playing = false;
    this.host.requestUpdate();
    let shownAt = 0;
    try {
      const blob = await recordWebm({
        source: canvas,
        onSourceFrame: this.options.onMapFrame,
        durationMs: (to - from) / speed,
        caption: this.options.caption,
        signal: abort.signal,
        onTick: (elapsed) => {
          // panels follow within PANEL_EVERY_MS (frame()); a seek per video frame would rebuild them 30 times a second
          view.t = Math.min(to, from + elapsed * speed);
          this.options.onChange();
        },
        onProgress: (fraction) => {
          this.exportProgress = fraction;
          const now = performance.now();
          if (now - shownAt >= 250 || fraction >= 1) {
            shownAt = now;
            this.host.requestUpdate();
          }
        },
      });
      this.remember('webm', blob, `gridwatch-playback-${fileStamp(from)}-${speed}x.webm`);
    } catch (error) {
      if ((error as Error).name === 'AbortError') this.exportCancelled = true;
      else this.error = playbackErrorText(error);
    } finally {
      this.recording = false;
      this.exportAbort = null;
      if (this.view) writePlaybackUrl(this.view);
      this.host.requestUpdate();
      this.options.onChange();
    }
  }

  /**
   * A PNG of the map at playback's time t (or, live, now), at the map's full size, with the area, the time and the
   * KPIs written over its bottom (the video's caption): a still for a briefing. Playback pauses, so the picture is
   * of t.
   */
  private async exportPng(): Promise<void> {
    const view = this.view;
    if (this.recording) return;
    const at = view ? view.t : this.options.now();
    const canvas = this.options.canvas();
    if (!canvas) {
      this.error = t('playback.png.notReady');
      this.host.requestUpdate();
      return;
    }
    if (view) view.playing = false;
    this.error = null;
    // panels and layers catch up with t first, so the caption and the map are of the same moment
    this.options.onChange();
    try {
      const blob = await snapshotPng({ source: canvas, onSourceFrame: this.options.onMapFrame, caption: this.options.caption });
      this.remember('png', blob, `gridwatch-${this.options.area()}-${fileStamp(at)}.png`);
    } catch (error) {
      this.error = playbackErrorText(error);
    } finally {
      this.host.requestUpdate();
    }
  }

  private remember(kind: ExportKind, blob: Blob, fileName: string): void {
    if (this.lastExport) URL.revokeObjectURL(this.lastExport.url);
    this.lastExport = { kind, bytes: blob.size, url: URL.createObjectURL(blob), blob };
    document.documentElement.dataset.playbackExport = `${kind}:${blob.size}`;
    download(blob, fileName);
  }

  /** Back to live: drops the range and its memory. */
  close(): void {
    this.exportAbort?.abort();
    this.abort?.abort();
    this.abort = null;
    this.view = null;
    this.dropRangeData();
    this.points = null;
    this.model = null;
    this.loading = false;
    delete document.documentElement.dataset.playbackLoaded;
    writePlaybackUrl(null);
    this.host.requestUpdate();
    this.options.onChange();
  }

  /** Lets go of the loaded range's data (open() replaces it, close() leaves none). */
  private dropRangeData(): void {
    this.aggregate = null;
    this.windows?.close();
    this.windows = null;
    this.timeline = null;
    this.times = null;
  }

  /**
   * One animation frame: advances the clock when playing and refreshes the panels' model when t moved. Answers
   * whether another frame is needed (playing).
   */
  frame(frameTime: number): boolean {
    const view = this.view;
    if (!view || !(this.timeline || this.windows) || !this.model) return false;
    if (view.playing) {
      const elapsed = this.lastFrame === 0 ? 0 : Math.min(250, frameTime - this.lastFrame);
      this.lastFrame = frameTime;
      view.t += elapsed * view.speed;
      if (view.t >= view.to) {
        if (view.loop) view.t = view.from + ((view.t - view.from) % Math.max(1, view.to - view.from));
        else {
          view.t = view.to;
          view.playing = false;
        }
      }
      if (frameTime - this.urlAt >= URL_EVERY_MS) {
        writePlaybackUrl(view);
        this.urlAt = frameTime;
      }
    } else this.lastFrame = 0;
    if (view.t !== this.panelsT && frameTime - this.panelsAt >= PANEL_EVERY_MS) this.refreshPanels(frameTime);
    return view.playing;
  }

  /** Rebuilds the panels' model from the reducer's state at t (cases ended long before t are left out). */
  private refreshPanels(frameTime: number): void {
    const view = this.view!;
    if (view.cumulative && this.choroplethMetric && this.points) {
      this.choropleth.update(this.points.gridFiguresAt(view.t, this.gridTable.length), this.gridTable, this.choroplethMetric);
    }
    // Throttled from here on, whether or not the state is at hand: a frame must not redo the figures above while
    // a window loads.
    this.panelsAt = frameTime;
    this.panelsT = view.t;
    const state = this.timeline ? this.timeline.stateAt(view.t) : this.windows!.stateAt(view.t);
    // windowed: the window holding t is on its way; its arrival refreshes the panels (onLoaded)
    if (!state) return;
    const area = this.options.area();
    const snapshot = snapshotOf(state, area, { days: 2 });
    snapshot.incidents = snapshot.incidents.filter((r) => {
      const ended = r.closedAt ?? r.cancelledAt;
      return ended === undefined || view.t - ended <= CLIENT_RETAIN_CLOSED_MS;
    });
    // the ticker's rows: the changes the fold to t made, as the live wall of this area showed them
    const recent = (this.timeline ? this.timeline.recentAt(view.t, area) : this.windows!.recentAt(view.t, area)) ?? [];
    this.model!.applySnapshot(snapshot, state.headSeq, recent);
    this.version += 1;
    this.host.requestUpdate();
  }
}
