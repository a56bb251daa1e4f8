/**
 * Exports for briefings:
 * - `casesCsv`: the cases of the range as CSV, one row per incident touched in it, with its state at the range's end
 *   (status, times, whistles, satisfaction), from the reducer's fold.
 * - `recordWebm`: a WebM video of the map with a panel strip (time, KPIs) drawn over it, recorded with
 *   MediaRecorder from a compositing canvas while playback runs at the chosen speed.
 *
 * @example
 * ```ts
 * download(new Blob([casesCsv(timeline, from, to, 'city')], { type: 'text/csv' }), 'cases.csv');
 * const video = await recordWebm({ source: map.getCanvas(), durationMs: 10_000, caption: () => clockText });
 * ```
 */
import { incidentIdOf } from '../../protocol/events';
import type { IncidentRecord } from '../../protocol/reducer';
import type { PlaybackTimeline } from './playback-timeline';

const COLUMNS = ['id', 'grid', 'category', 'channel', 'priority', 'status', 'reportedAt', 'dispatchedAt', 'deadline', 'closedAt', 'cancelledAt', 'whistles', 'satisfaction', 'lon', 'lat'] as const;

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' && value > 1e12 ? new Date(value).toISOString() : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV (RFC 4180, UTF-8 with a BOM so spreadsheet tools read the Chinese) of the cases with events in [from, to]. */
export function casesCsv(timeline: PlaybackTimeline, from: number, to: number): string {
  const touched = new Set<string>();
  for (const event of timeline.eventsBetween(from, to)) touched.add(incidentIdOf(event));
  const state = timeline.stateAt(to);
  const rows = [COLUMNS.join(',')];
  for (const id of touched) {
    const r = state.incidents.get(id) as (IncidentRecord & Record<string, unknown>) | undefined;
    if (!r) continue;
    rows.push(
      [r.id, r.grid, r.category, r.channel, r.priority, r.status, r.reportedAt, r['dispatchedAt'], r['deadline'], r.closedAt, r.cancelledAt, r.whistles.length, r['satisfaction'], r.location[0], r.location[1]]
        .map(cell)
        .join(','),
    );
  }
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

/** Saves a blob under a file name through a temporary link. */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface RecordOptions {
  /** the map canvas (deck.gl draws interleaved into MapLibre's canvas) */
  source: HTMLCanvasElement;
  durationMs: number;
  /** the panel strip: lines of text drawn over the bottom of each frame */
  caption: () => string[];
  fps?: number;
  /**
   * Width of the video in pixels (default 800; the map is scaled down to it). Software VP8 encoding on a loaded
   * machine drops every frame of a full-size wall canvas (measured in headless Chromium: 1280 px produced no data,
   * 960 px did), and a briefing video reads fine at this size.
   */
  maxWidth?: number;
  signal?: AbortSignal;
}

/** The WebM MIME type this browser records, or null when MediaRecorder cannot record WebM. */
export function webmType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  // vp8 first: it encodes in real time in software, where vp9 can fall behind and drop the whole recording.
  for (const type of ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm']) if (MediaRecorder.isTypeSupported(type)) return type;
  return null;
}

/** Records the map and the panel strip for `durationMs`; resolves with the WebM blob. */
export async function recordWebm(options: RecordOptions): Promise<Blob> {
  const type = webmType();
  if (!type) throw new Error('WebM export: this browser has no MediaRecorder for video/webm');
  const fps = options.fps ?? 30;
  const canvas = document.createElement('canvas');
  const k = Math.min(1, (options.maxWidth ?? 800) / Math.max(1, options.source.width));
  const even = (x: number) => Math.max(2, Math.round(x / 2) * 2);
  canvas.width = even(options.source.width * k);
  canvas.height = even(options.source.height * k);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('WebM export: no 2D canvas context');
  const stream = canvas.captureStream(fps);
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 2_500_000 });
  const parts: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) parts.push(event.data);
  };
  let failure: Error | null = null;
  recorder.onerror = (event) => {
    failure = new Error(`WebM export: the recorder failed (${(event as ErrorEvent).message ?? 'unknown error'})`);
  };
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  const fontPx = Math.max(11, Math.round(canvas.height / 32));
  const draw = () => {
    context.fillStyle = '#060b16';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(options.source, 0, 0, canvas.width, canvas.height);
    const lines = options.caption();
    const strip = (lines.length + 0.8) * fontPx * 1.3;
    context.fillStyle = 'rgba(6, 11, 22, 0.78)';
    context.fillRect(0, canvas.height - strip, canvas.width, strip);
    context.fillStyle = '#e2ecff';
    context.font = `${fontPx}px "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif`;
    lines.forEach((line, i) => context.fillText(line, fontPx, canvas.height - strip + fontPx * 1.3 * (i + 1.1)));
  };
  draw();
  recorder.start(250);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      draw();
      if (performance.now() - started >= options.durationMs || options.signal?.aborted) {
        clearInterval(timer);
        resolve();
      }
    }, 1000 / fps);
  });
  recorder.stop();
  await stopped;
  for (const track of stream.getTracks()) track.stop();
  if (failure) throw failure;
  const blob = new Blob(parts, { type: 'video/webm' });
  if (blob.size === 0) throw new Error('WebM export: the recorder produced no data');
  return blob;
}
