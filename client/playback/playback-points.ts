/**
 * The incidents of a playback range as GPU columns, one slot per incident (the stream's incident table index):
 * position, colour by priority, and a filter value pair (reported, ended) in seconds from the range start. The map
 * shows the cases open at t with deck.gl's DataFilterExtension: moving t changes only the `filterRange` uniform, so
 * scrubbing uploads nothing and walks no data on the CPU (bench/playback-scrub.bench.ts measures it against CPU
 * filtering). Columns are filled once, as chunks stream in.
 *
 * Cumulative mode draws the same columns as a heatmap of every case reported up to t.
 */
import { DataFilterExtension } from '@deck.gl/extensions';
import { ScatterplotLayer } from '@deck.gl/layers';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { EVENT_TYPES } from '../../protocol/events';
import type { HistoryChunk } from '../../protocol/history-codec';
import type { CoordinateShift } from '../geo/basemap-shift';

const REPORTED = EVENT_TYPES.indexOf('incident.reported');
const CLOSED = EVENT_TYPES.indexOf('incident.closed');
const CANCELLED = EVENT_TYPES.indexOf('incident.cancelled');
/** a case not yet ended in the range: ends "never" */
const OPEN_END = 3.0e9;
/** a slot whose report is outside the range: reported "never" (filtered out) */
const NEVER = 3.0e9;
/** priority index (low, normal, high, urgent) → colour */
const PRIORITY_COLOURS: ReadonlyArray<readonly [number, number, number, number]> = [
  [96, 165, 250, 200],
  [56, 189, 248, 230],
  [251, 191, 36, 240],
  [244, 63, 94, 255],
];
const PRIORITY_RADIUS = [3, 4, 5.5, 7];

export class PlaybackPoints {
  private capacity = 0;
  private positions = new Float32Array(0);
  private colours = new Uint8Array(0);
  private radii = new Float32Array(0);
  /** [reported, ended] seconds after `origin` */
  private filter = new Float32Array(0);
  private count = 0;
  /** bumps when the columns change (new chunk) */
  version = 0;
  private cached: { length: number; attributes: Record<string, unknown> } | null = null;

  constructor(
    /** epoch ms that filter seconds count from (the range start) */
    readonly origin: number,
    private readonly shift: CoordinateShift,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Seconds after the origin, as the filter values hold them. */
  seconds(t: number): number {
    return (t - this.origin) / 1000;
  }

  /** Fills the slots of a chunk's reports and ends. */
  add(chunk: HistoryChunk): void {
    for (let i = 0; i < chunk.count; i++) {
      const type = chunk.type[i]!;
      if (type !== REPORTED && type !== CLOSED && type !== CANCELLED) continue;
      const slot = chunk.incident[i]!;
      this.ensure(slot + 1);
      const at = this.seconds(chunk.baseAt + chunk.atOffset[i]!);
      if (type === REPORTED) {
        const [x, y] = this.shift(chunk.lon[i]!, chunk.lat[i]!);
        this.positions[slot * 2] = x;
        this.positions[slot * 2 + 1] = y;
        this.colours.set(PRIORITY_COLOURS[chunk.arg[i]!] ?? PRIORITY_COLOURS[1]!, slot * 4);
        this.radii[slot] = PRIORITY_RADIUS[chunk.arg[i]!] ?? 4;
        this.filter[slot * 2] = at;
      } else {
        this.filter[slot * 2 + 1] = at;
      }
    }
    this.cached = null;
    this.version += 1;
  }

  /** Bytes the columns hold per incident slot. */
  static readonly BYTES_PER_INCIDENT = 8 + 4 + 4 + 8;

  private ensure(length: number): void {
    if (length > this.capacity) {
      const capacity = Math.max(length, this.capacity * 2, 4096);
      const grow = <T extends Float32Array | Uint8Array>(old: T, make: (n: number) => T, per: number, fill?: number): T => {
        const next = make(capacity * per);
        if (fill !== undefined) next.fill(fill);
        next.set(old);
        return next;
      };
      this.positions = grow(this.positions, (n) => new Float32Array(n), 2);
      this.colours = grow(this.colours, (n) => new Uint8Array(n), 4);
      this.radii = grow(this.radii, (n) => new Float32Array(n), 1);
      const filter = new Float32Array(capacity * 2);
      for (let i = this.capacity; i < capacity; i++) {
        filter[i * 2] = NEVER;
        filter[i * 2 + 1] = OPEN_END;
      }
      filter.set(this.filter);
      this.filter = filter;
      this.capacity = capacity;
    }
    if (length > this.count) this.count = length;
  }

  /** The binary data object (stable until a chunk arrives). */
  data(): { length: number; attributes: Record<string, unknown> } {
    this.cached ??= {
      length: this.count,
      attributes: {
        getPosition: { value: this.positions, size: 2 },
        getFillColor: { value: this.colours, size: 4, normalized: true },
        getRadius: { value: this.radii, size: 1 },
        getFilterValue: { value: this.filter, size: 2 },
        getWeight: { value: this.radii, size: 1 },
      },
    };
    return this.cached;
  }
}

/** The cases open at t: reported ≤ t < ended, filtered on the GPU. */
export function playbackPointLayer(points: PlaybackPoints, t: number, scale: number, visible: boolean) {
  const s = points.seconds(t);
  return new ScatterplotLayer({
    id: 'playback-incidents',
    data: points.data() as never,
    visible,
    radiusUnits: 'pixels',
    radiusScale: scale,
    stroked: true,
    getLineColor: [6, 11, 22, 220],
    lineWidthUnits: 'pixels',
    getLineWidth: 0.75,
    extensions: [new DataFilterExtension({ filterSize: 2 })],
    filterRange: [
      [-OPEN_END, s],
      [s + 0.0005, OPEN_END * 2],
    ],
  } as never);
}

/** Cumulative mode: a heatmap of every case reported between the range start and t (ended ones included). */
export function playbackHeatLayer(points: PlaybackPoints, t: number, visible: boolean) {
  const s = points.seconds(t);
  return new HeatmapLayer({
    id: 'playback-heat',
    data: points.data() as never,
    visible,
    radiusPixels: 40,
    intensity: 1,
    threshold: 0.03,
    extensions: [new DataFilterExtension({ filterSize: 2 })],
    filterRange: [
      [-OPEN_END, s],
      [-OPEN_END, OPEN_END * 2],
    ],
  } as never);
}
