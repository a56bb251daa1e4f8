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
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { snapshotOf } from '../../protocol/reducer';
import type { CityModel } from '../geo/city-model';
import type { CoordinateShift } from '../geo/basemap-shift';
import { CLIENT_RETAIN_CLOSED_MS, LiveModel } from '../live/live-model';
import { casesCsv, download, recordWebm } from './playback-export';
import { loadAggregate, loadHistory, type HistoryAggregate } from './history-loader';
import type { PlaybackCommand } from './playback-command-event';
import { PlaybackPoints } from './playback-points';
import { PlaybackTimeline } from './playback-timeline';
import { readPlaybackUrl, writePlaybackUrl, type PlaybackView, type UrlProblem } from './playback-url';

/** Panels follow t at most this often while playing (a jump refreshes at once). */
const PANEL_EVERY_MS = 250;
const URL_EVERY_MS = 1_000;

export interface PlaybackOptions {
  area: () => string;
  token: () => string | null;
  /** called when something changed that the wall must draw */
  onChange: () => void;
  /** the map canvas, for the WebM export */
  canvas: () => HTMLCanvasElement | null;
  /** the panel strip drawn into the WebM export: time and KPIs as text lines */
  caption: () => string[];
}

/** How long a WebM export records (real time) at the chosen speed. */
export const WEBM_EXPORT_MS = 6_000;

export class PlaybackController implements ReactiveController {
  view: PlaybackView | null = null;
  loading = false;
  error: string | null = null;
  problems: UrlProblem[] = [];
  aggregate: HistoryAggregate | null = null;
  timeline: PlaybackTimeline | null = null;
  points: PlaybackPoints | null = null;
  /** the panels' model at t (null until the first chunk) */
  model: LiveModel | null = null;
  loaded = { events: 0, bytes: 0 };
  /** a WebM export is running */
  recording = false;
  /** the last export made (for the page and tests to find it) */
  lastExport: { kind: 'csv' | 'webm'; bytes: number; url: string; blob: Blob } | null = null;
  private city: CityModel | null = null;
  private shift: CoordinateShift | null = null;
  private abort: AbortController | null = null;
  private lastFrame = 0;
  private panelsAt = -Infinity;
  private panelsT = Number.NaN;
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
    this.abort?.abort();
    this.abort = null;
  }

  /** The wall calls this once its city and map are ready; a range asked for by the URL starts loading then. */
  attach(city: CityModel, shift: CoordinateShift): void {
    this.city = city;
    this.shift = shift;
    if (this.view && !this.timeline && !this.loading) void this.open(this.view.from, this.view.to, this.view);
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
    }
    if (!view) return;
    switch (command.kind) {
      case 'play':
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
        const next = this.timeline?.nextEventAfter(view.t);
        if (next !== undefined && next <= view.to) this.seek(next);
        break;
      }
      case 'loop':
        view.loop = command.loop;
        break;
      case 'cumulative':
        view.cumulative = command.cumulative;
        break;
      case 'export-csv':
        this.exportCsv();
        return;
      case 'export-webm':
        void this.exportWebm();
        return;
      default:
        return;
    }
    writePlaybackUrl(view);
    this.host.requestUpdate();
    this.options.onChange();
  }

  /** Jumps to t (clamped to the range); panels refresh on the next frame. */
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
    this.aggregate = null;
    const timeline = new PlaybackTimeline();
    const points = new PlaybackPoints(from, this.shift);
    this.timeline = timeline;
    this.points = points;
    this.model = new LiveModel(this.city, this.shift, () => this.view?.t ?? Date.now());
    this.loaded = { events: 0, bytes: 0 };
    this.panelsAt = -Infinity;
    delete document.documentElement.dataset.playbackLoaded;
    writePlaybackUrl(view);
    this.host.requestUpdate();
    const range = { from, to, area: this.options.area(), token: this.options.token(), signal: abort.signal };
    try {
      const aggregate = loadAggregate(range).then((a) => {
        if (!abort.signal.aborted) this.aggregate = a;
        this.host.requestUpdate();
      });
      const result = await loadHistory(range, (chunk, tables) => {
        timeline.add(chunk, tables);
        points.add(chunk);
        this.loaded = { events: timeline.eventCount, bytes: this.loaded.bytes };
        this.panelsAt = -Infinity;
        this.panelsT = Number.NaN;
        this.options.onChange();
      });
      this.loaded = { events: result.events, bytes: result.bytes };
      await aggregate;
      // A signal for tests and kiosks: the whole range is in.
      document.documentElement.dataset.playbackLoaded = String(result.events);
    } catch (error) {
      if (!abort.signal.aborted) this.error = (error as Error).message;
    } finally {
      if (this.abort === abort) {
        this.loading = false;
        this.host.requestUpdate();
        this.options.onChange();
      }
    }
  }

  private exportCsv(): void {
    const view = this.view;
    if (!view || !this.timeline) return;
    const blob = new Blob([casesCsv(this.timeline, view.from, view.to)], { type: 'text/csv;charset=utf-8' });
    this.remember('csv', blob, `gridwatch-cases-${new Date(view.from).toISOString().slice(0, 10)}.csv`);
  }

  /** Plays from t at the chosen speed for WEBM_EXPORT_MS while recording the map and the panel strip. */
  private async exportWebm(): Promise<void> {
    const view = this.view;
    const canvas = this.options.canvas();
    if (!view || !canvas || this.recording) return;
    this.recording = true;
    this.error = null;
    this.host.requestUpdate();
    this.command({ kind: 'play' });
    try {
      const blob = await recordWebm({ source: canvas, durationMs: WEBM_EXPORT_MS, caption: this.options.caption });
      this.remember('webm', blob, `gridwatch-playback-${new Date(view.t).toISOString().slice(0, 19).replace(/:/g, '')}.webm`);
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.recording = false;
      if (this.view) this.command({ kind: 'pause' });
      this.host.requestUpdate();
    }
  }

  private remember(kind: 'csv' | 'webm', blob: Blob, fileName: string): void {
    if (this.lastExport) URL.revokeObjectURL(this.lastExport.url);
    this.lastExport = { kind, bytes: blob.size, url: URL.createObjectURL(blob), blob };
    document.documentElement.dataset.playbackExport = `${kind}:${blob.size}`;
    download(blob, fileName);
  }

  /** Back to live: drops the range and its memory. */
  close(): void {
    this.abort?.abort();
    this.abort = null;
    this.view = null;
    this.timeline = null;
    this.points = null;
    this.model = null;
    this.aggregate = null;
    this.loading = false;
    delete document.documentElement.dataset.playbackLoaded;
    writePlaybackUrl(null);
    this.host.requestUpdate();
    this.options.onChange();
  }

  /**
   * One animation frame: advances the clock when playing and refreshes the panels' model when t moved. Answers
   * whether another frame is needed (playing).
   */
  frame(frameTime: number): boolean {
    const view = this.view;
    if (!view || !this.timeline || !this.model) return false;
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
    const state = this.timeline!.stateAt(view.t);
    const snapshot = snapshotOf(state, this.options.area(), { days: 2 });
    snapshot.incidents = snapshot.incidents.filter((r) => {
      const ended = r.closedAt ?? r.cancelledAt;
      return ended === undefined || view.t - ended <= CLIENT_RETAIN_CLOSED_MS;
    });
    this.model!.applySnapshot(snapshot, state.headSeq);
    this.panelsAt = frameTime;
    this.panelsT = view.t;
    this.version += 1;
    this.host.requestUpdate();
  }
}
