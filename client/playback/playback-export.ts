/**
 * Exports for briefings:
 * - `casesCsv`: the cases of the range as CSV, one row per incident touched in it, with its state at the range's end
 *   (status, times, whistles, satisfaction), from the reducer's fold.
 * - `recordWebm`: a WebM video of the map with a panel strip (time, KPIs) drawn over it, recorded with
 *   MediaRecorder from a compositing canvas while playback runs at the chosen speed.
 * - `snapshotPng`: one picture of the same, at the map's full size, for a slide.
 *
 * @example
 * ```ts
 * download(new Blob([casesCsv(timeline, from, to, 'city')], { type: 'text/csv' }), 'cases.csv');
 * const video = await recordWebm({ source: map.getCanvas(), durationMs: 10_000, caption: () => [clockText], onProgress: (f) => (bar.value = f) });
 * const picture = await snapshotPng({ source: map.getCanvas(), caption: () => [clockText, kpiCaptionItems(k)] });
 * ```
 */
import { incidentIdOf } from '../../protocol/events';
import type { IncidentRecord } from '../../protocol/reducer';
import { reportLate } from '../../protocol/transition';
import type { PlaybackTimeline } from './playback-timeline';

/**
 * The CSV's columns: the case, then its handling (`resolvedAt` is the latest 反馈, the one the on-time rate compares
 * with `deadline`), then its whistles' 报到: departments summoned, arrived, and late (arrived after their whistle's
 * report limit, or not arrived once it had passed), as of the range's end.
 */
export const CSV_COLUMNS = [
  'id', 'grid', 'category', 'channel', 'priority', 'status', 'reportedAt', 'dispatchedAt', 'deadline', 'closedAt', 'cancelledAt', 'whistles', 'satisfaction', 'lon', 'lat',
  'startedAt', 'resolvedAt', 'summoned', 'arrived', 'lateReports',
] as const;

/** One case's CSV cells, in CSV_COLUMNS order, as it stood at `asOf`. */
export function caseRow(r: IncidentRecord, asOf: number): unknown[] {
  let summoned = 0;
  let arrived = 0;
  let late = 0;
  for (const whistle of r.whistles) {
    for (const department of whistle.departments) {
      summoned += 1;
      if (whistle.reports[department]?.arrivedAt !== undefined) arrived += 1;
      if (reportLate(whistle, department, asOf)) late += 1;
    }
  }
  return [
    r.id, r.grid, r.category, r.channel, r.priority, r.status, r.reportedAt, r.dispatchedAt, r.deadline, r.closedAt, r.cancelledAt, r.whistles.length, r.satisfaction, r.location[0], r.location[1],
    r.startedAt, r.resolvedAt, summoned, arrived, late,
  ];
}

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
  const rows = [CSV_COLUMNS.join(',')];
  for (const id of touched) {
    const r = state.incidents.get(id);
    if (r) rows.push(caseRow(r, to).map(cell).join(','));
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
  /**
   * Calls the listener right after each map frame is drawn (MapLibre's `render` event), while the WebGL drawing
   * buffer still holds it; answers an unsubscribe. Without it the source is read on each video tick, which shows the
   * map only where the browser keeps the presented frame readable.
   */
  onSourceFrame?: (listener: () => void) => () => void;
  durationMs: number;
  /** the panel strip: lines of text drawn over the bottom of each frame */
  caption: () => CaptionLine[];
  /** called before each video frame with the recording time so far (the caller moves playback's clock) */
  onTick?: (elapsedMs: number) => void;
  /** called with the fraction recorded, 0…1 */
  onProgress?: (fraction: number) => void;
  /** video frames per second (default 15: software VP8 keeps up with it on a loaded machine) */
  fps?: number;
  /** how long to wait for the encoder to catch up after the last frame (default 60 s) */
  drainMs?: number;
  /**
   * Width of the video in pixels (default 800; the map is scaled down to it). Software VP8 encoding on a loaded
   * machine keeps up at this size, and a briefing video reads fine at it.
   */
  maxWidth?: number;
  /** aborting stops the recording and rejects with an AbortError (nothing is kept) */
  signal?: AbortSignal;
}

/** The WebM MIME type this browser records, or null when MediaRecorder cannot record WebM. */
export function webmType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  // vp8 first: it encodes in real time in software, where vp9 can fall behind and drop the whole recording.
  for (const type of ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm']) if (MediaRecorder.isTypeSupported(type)) return type;
  return null;
}

/** Longest WebM export, in real recording time. */
export const WEBM_MAX_MS = 10 * 60_000;

/**
 * Counts the video frames (SimpleBlocks and BlockGroups) in the WebM bytes MediaRecorder has handed over so far: a walk over the
 * EBML elements, entering the Segment and Clusters (written with unknown sizes while live) and skipping the rest.
 * Stops at an element cut off by the end of the bytes.
 */
export function webmFrameCount(bytes: Uint8Array): number {
  return webmFrames(bytes).frames;
}

/**
 * `webmFrameCount` that also says how many bytes it walked (up to the last whole element): the rest, followed by
 * the bytes that arrive next, continues the walk (the walk keeps no other state; see WebmFrameCounter).
 */
function webmFrames(bytes: Uint8Array): { frames: number; consumed: number } {
  let at = 0;
  let consumed = 0;
  let frames = 0;
  const vint = (keepMarker: boolean): { value: number; length: number; unknown: boolean } | null => {
    const first = bytes[at];
    if (first === undefined || first === 0) return null;
    const length = Math.clz32(first) - 23;
    if (at + length > bytes.length) return null;
    let value = keepMarker ? first : first & (0xff >> length);
    let allOnes = value === (0xff >> length);
    for (let i = 1; i < length; i++) {
      value = value * 256 + bytes[at + i]!;
      allOnes &&= bytes[at + i] === 0xff;
    }
    return { value, length, unknown: !keepMarker && allOnes };
  };
  while (at < bytes.length) {
    const id = vint(true);
    if (!id) break;
    at += id.length;
    const size = vint(false);
    if (!size) break;
    at += size.length;
    // Segment and Cluster: step inside
    if (id.value === 0x18538067 || id.value === 0x1f43b675) {
      consumed = at;
      continue;
    }
    if (at + size.value > bytes.length) break;
    // SimpleBlock, or BlockGroup (Chrome writes its VP8 frames as BlockGroups)
    if (id.value === 0xa3 || id.value === 0xa0) frames += 1;
    at += size.value;
    consumed = at;
  }
  return { frames, consumed };
}

/** Counts the frames of a WebM file as its bytes arrive in pieces: each piece continues the walk where it stopped. */
export class WebmFrameCounter {
  /** frames counted so far */
  frames = 0;
  /** the bytes of an element cut off by the end of the last piece, walked again with the next */
  private rest = new Uint8Array(0);

  /** Walks the next piece; returns the frames counted so far. */
  push(piece: Uint8Array): number {
    let bytes = piece;
    if (this.rest.length > 0) {
      bytes = new Uint8Array(this.rest.length + piece.length);
      bytes.set(this.rest);
      bytes.set(piece, this.rest.length);
    }
    const step = webmFrames(bytes);
    this.frames += step.frames;
    this.rest = bytes.slice(step.consumed);
    return this.frames;
  }

  /** Bytes held back as the start of an element not yet whole. */
  get pendingBytes(): number {
    return this.rest.length;
  }
}

/** Why an export could not be made, for the timeline bar to word in the page's language. */
export type ExportFailure = 'unsupported' | 'no_canvas' | 'recorder_failed' | 'empty';

/** A video or picture that could not be made for a reason of the browser's, not of the caller's options. */
export class ExportError extends Error {
  override name = 'ExportError';
  constructor(
    readonly format: 'webm' | 'png',
    readonly failure: ExportFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A caption's line: a text, or items that flow onto as many lines as the picture's width needs. */
export type CaptionLine = string | readonly string[];

const CAPTION_FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
const CAPTION_GAP = '    ';

/** The caption's lines at `fontPx` in a picture `width` wide: each list of items flows onto as many lines as it needs. */
function layoutCaption(context: CanvasRenderingContext2D, lines: readonly CaptionLine[], width: number, fontPx: number): string[] {
  context.font = `${fontPx}px ${CAPTION_FONT}`;
  const room = width - 2 * fontPx;
  const laidOut: string[] = [];
  for (const line of lines) {
    if (typeof line === 'string') {
      laidOut.push(line);
      continue;
    }
    let current = '';
    for (const item of line) {
      const next = current === '' ? item : `${current}${CAPTION_GAP}${item}`;
      if (current !== '' && context.measureText(next).width > room) {
        laidOut.push(current);
        current = item;
      } else current = next;
    }
    if (current !== '') laidOut.push(current);
  }
  return laidOut;
}

/** The caption strip over the bottom of a picture already holding the map (a video's frame, or the PNG). */
function drawCaption(context: CanvasRenderingContext2D, lines: readonly CaptionLine[], fontPx: number): void {
  const { width, height } = context.canvas;
  const laidOut = layoutCaption(context, lines, width, fontPx);
  const strip = (laidOut.length + 0.8) * fontPx * 1.3;
  context.fillStyle = 'rgba(6, 11, 22, 0.78)';
  context.fillRect(0, height - strip, width, strip);
  context.fillStyle = '#e2ecff';
  laidOut.forEach((line, i) => context.fillText(line, fontPx, height - strip + fontPx * 1.3 * (i + 1.1)));
}

/** A canvas of the map's frame at `width` × `height`, and a copy() that draws the map's current drawing buffer into it. */
function mapFrameCanvas(
  source: HTMLCanvasElement,
  width: number,
  height: number,
  format: ExportError['format'],
): { canvas: HTMLCanvasElement; context: CanvasRenderingContext2D; copy: () => void } {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new ExportError(format, 'no_canvas', `${format === 'webm' ? 'WebM' : 'PNG'} export: no 2D canvas context`);
  return {
    canvas,
    context,
    copy: () => {
      context.fillStyle = '#060b16';
      context.fillRect(0, 0, width, height);
      context.drawImage(source, 0, 0, width, height);
    },
  };
}

export interface SnapshotOptions {
  /** the map canvas (deck.gl draws interleaved into MapLibre's canvas) */
  source: HTMLCanvasElement;
  /** as for recordWebm: the picture is the map's next frame, copied while its drawing buffer holds it */
  onSourceFrame?: (listener: () => void) => () => void;
  /** the caption strip drawn over the bottom */
  caption: () => CaptionLine[];
  /** how long to wait for the map's next frame before copying what the canvas holds (default 10 s) */
  frameTimeoutMs?: number;
}

/**
 * One PNG of the map as it is drawn now, at the map canvas's own pixel size, with the caption strip (the area, the
 * time, the KPIs) over its bottom: a still for a briefing's slide.
 */
export async function snapshotPng(options: SnapshotOptions): Promise<Blob> {
  const { width, height } = options.source;
  if (!(width > 0 && height > 0)) throw new ExportError('png', 'no_canvas', `PNG export: the map canvas is ${width}×${height}`);
  const map = mapFrameCanvas(options.source, width, height, 'png');
  if (options.onSourceFrame) {
    let copied = false;
    let unsubscribe: () => void = () => undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.frameTimeoutMs ?? 10_000);
      unsubscribe = options.onSourceFrame!(() => {
        if (copied) return;
        copied = true;
        map.copy();
        clearTimeout(timer);
        resolve();
      });
    });
    unsubscribe();
    // no frame in time (a map that does not draw): what the canvas holds now
    if (!copied) map.copy();
  } else map.copy();
  drawCaption(map.context, options.caption(), Math.max(12, Math.round(height / 40)));
  const blob = await new Promise<Blob | null>((resolve) => map.canvas.toBlob(resolve, 'image/png'));
  if (!blob || blob.size === 0) throw new ExportError('png', 'empty', 'PNG export: the browser produced no image');
  return blob;
}

/** How long a WebM export waits for the map's first frame before it records what the canvas holds. */
const FIRST_MAP_FRAME_WAIT_MS = 30_000;

/**
 * Records the map and the panel strip for `durationMs` of real time; resolves with the WebM blob.
 *
 * The compositing canvas stays out of the document and is captured with `captureStream(0)` plus an explicit
 * `requestFrame()` after each composite: a captured canvas otherwise hands frames to the encoder only when the page
 * paints, and a wall page busy drawing WebGL in software paints about once a second, which left MediaRecorder with
 * no frames and a 0-byte file (measured in headless Chromium; a plain canvas did the same on that page). The map is
 * copied in its own `render` event, so the picture is the frame deck.gl and MapLibre just drew.
 *
 * Software VP8 on a busy machine (software WebGL takes the cores) encodes seconds behind, and `stop()` drops what it
 * has not encoded yet: a 4-second recording came back empty. So after the last frame the recorder stays open and is
 * asked for its data until every frame sent is in the file (counted from the WebM itself), or until the encoder has
 * made no progress for a while; then it stops. The video's time is the frames' capture time, so the wait adds nothing
 * to its duration.
 */
export async function recordWebm(options: RecordOptions): Promise<Blob> {
  const type = webmType();
  if (!type) throw new ExportError('webm', 'unsupported', 'WebM export: this browser has no MediaRecorder for video/webm');
  if (!(options.durationMs > 0 && options.durationMs <= WEBM_MAX_MS)) {
    throw new Error(`WebM export: durationMs must be in (0, ${WEBM_MAX_MS}] ms of recording, got ${options.durationMs}`);
  }
  const fps = options.fps ?? 15;
  if (!(fps >= 1 && fps <= 60)) throw new Error(`WebM export: fps must be 1…60, got ${fps}`);
  const canvas = document.createElement('canvas');
  const k = Math.min(1, (options.maxWidth ?? 800) / Math.max(1, options.source.width));
  const even = (x: number) => Math.max(2, Math.round(x / 2) * 2);
  canvas.width = even(options.source.width * k);
  canvas.height = even(options.source.height * k);
  const context = canvas.getContext('2d');
  if (!context) throw new ExportError('webm', 'no_canvas', 'WebM export: no 2D canvas context');
  // The last map frame, at video size (copied while the WebGL buffer is valid).
  const { canvas: mapFrame, copy: copyMap } = mapFrameCanvas(options.source, canvas.width, canvas.height, 'webm');
  // Outside its render event a WebGL canvas without preserveDrawingBuffer reads back empty: with a subscription,
  // the first video frame waits for the map's next frame (at most FIRST_MAP_FRAME_WAIT_MS: on a loaded machine
  // software WebGL takes many seconds a frame, and a video opening on the empty background is of no use), unless
  // the export is cancelled first.
  let mapFrames = 0;
  let firstMapFrame: () => void = () => undefined;
  const firstFrame = new Promise<void>((resolve) => (firstMapFrame = resolve));
  const unsubscribe = options.onSourceFrame?.(() => {
    copyMap();
    mapFrames += 1;
    firstMapFrame();
  });
  if (!options.onSourceFrame) copyMap();
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack | undefined;
  const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 2_500_000 });
  const parts: Blob[] = [];
  let received = 0;
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) parts.push(event.data);
    received += event.data.size;
  };
  let failure: Error | null = null;
  recorder.onerror = (event) => {
    failure = new ExportError('webm', 'recorder_failed', `WebM export: the recorder failed (${(event as ErrorEvent).message ?? 'unknown error'})`);
  };
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  const fontPx = Math.max(11, Math.round(canvas.height / 32));
  const draw = () => {
    if (!options.onSourceFrame) copyMap();
    context.drawImage(mapFrame, 0, 0);
    drawCaption(context, options.caption(), fontPx);
    track?.requestFrame();
    sent += 1;
  };
  let sent = 0;
  /** Waits until the file holds every frame sent, or the encoder stalls for `stallMs`. */
  const drain = async () => {
    const stallMs = Math.min(options.drainMs ?? 60_000, 15_000);
    const until = performance.now() + (options.drainMs ?? 60_000);
    let lastReceived = -1;
    let progressAt = performance.now();
    // the file's frames so far, each part walked once
    let walked = 0;
    const counter = new WebmFrameCounter();
    while (performance.now() < until && !options.signal?.aborted) {
      recorder.requestData();
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (received !== lastReceived) {
        lastReceived = received;
        progressAt = performance.now();
        const fresh = new Uint8Array(await new Blob(parts.slice(walked)).arrayBuffer());
        walked = parts.length;
        if (counter.push(fresh) >= sent) return;
      } else if (received > 0 && performance.now() - progressAt > stallMs) return;
    }
  };
  try {
    options.onTick?.(0);
    if (unsubscribe && mapFrames === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cancelled = new Promise<void>((resolve) => (options.signal?.aborted ? resolve() : options.signal?.addEventListener('abort', () => resolve(), { once: true })));
      await Promise.race([firstFrame, cancelled, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_MAP_FRAME_WAIT_MS)))]);
      clearTimeout(timer);
    }
    draw();
    recorder.start(1_000);
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = Math.min(options.durationMs, performance.now() - started);
        options.onTick?.(elapsed);
        draw();
        options.onProgress?.(elapsed / options.durationMs);
        if (elapsed >= options.durationMs || options.signal?.aborted || failure) {
          clearInterval(timer);
          resolve();
        }
      }, 1000 / fps);
    });
    if (!options.signal?.aborted && !failure) await drain();
    if (recorder.state !== 'inactive') recorder.stop();
    await stopped;
  } finally {
    unsubscribe?.();
    for (const t of stream.getTracks()) t.stop();
  }
  if (options.signal?.aborted) throw new DOMException('WebM export: cancelled', 'AbortError');
  if (failure) throw failure;
  const blob = new Blob(parts, { type: 'video/webm' });
  if (blob.size === 0) throw new ExportError('webm', 'empty', 'WebM export: the recorder produced no data');
  return blob;
}
