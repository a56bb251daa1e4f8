/**
 * The incidents of a playback range as GPU columns of **lifecycle segments**: each incident gets one instance per
 * status it passed through (reported, registered, dispatched, overdue, in progress, resolved, verified, and a dim
 * "ended" dot for CLIENT_RETAIN_CLOSED_MS after closing or cancelling, as the live wall keeps them), each with its
 * position, the live wall's status colour (client/live/incident-style.ts), its radius, and a filter value pair
 * [from, to) in seconds from the range start. The map shows the segments with from ≤ t < to through deck.gl's
 * DataFilterExtension, so every case is drawn in its status at t, and moving t changes only the `filterRange`
 * uniform: scrubbing uploads nothing and walks no data on the CPU (bench/playback-scrub.bench.ts measures it
 * against CPU filtering). Columns are filled once, as chunks stream in.
 *
 * Memory (issue 6: ≤ 32 B an event, a 20M-event range without any allocation near Chrome's ~1 GB cap): a segment
 * holds 22 bytes (position f32×2, filter f32×2, colour u8×4, radius u8 normalized, in eighths of a pixel, and a
 * byte of status and category group for the wall's focus). Segments
 * live in blocks of 2^20 instances, each its own ScatterplotLayer under one composite layer: a new chunk re-uploads
 * only the blocks it changed, and only the last block grows (doubling up to the block size; `finish()` trims it and
 * the per-case columns to their exact size when the stream ends). Per case: 41 bytes of bookkeeping and figures,
 * including the report's position, which is also the heatmap's data (one instance a case, filtered by report time).
 *
 * Overdue is a segment of its own: a dispatched or in-progress case switches to the overdue colour at its deadline
 * (the first dispatch's deadline, or dispatch time + the category's SLA, as the reducer computes it). A segment
 * opened for a future deadline is given to the next status instead if the case moves on before it.
 *
 * Cumulative mode draws a heatmap of every case reported up to t from the per-case columns (report position and
 * time), so each case counts once.
 *
 * The wall's focus (client/map/map-focus.ts) applies here too: each segment keeps its status and its case's category
 * group (the report's `arg` carries it) in one byte, and `setFocus` makes the segments out of focus transparent (a
 * pass over the colour column's alpha, re-uploaded once; a focus changes rarely, t every frame). The per-grid figures
 * of the choropleth keep to the focus's group; the heatmap counts every case reported by t.
 */
import { CompositeLayer, type DefaultProps, type Layer, type UpdateParameters } from '@deck.gl/core';
import { DataFilterExtension } from '@deck.gl/extensions';
import { ScatterplotLayer } from '@deck.gl/layers';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { EVENT_TYPES, PRIORITIES, type IncidentStatus } from '../../protocol/events';
import { NO_LIMIT, reportGroup, reportPriority, type HistoryChunk } from '../../protocol/history-codec';
import { codesInFocus, focusActive, focusRanges, NO_FOCUS, sameFocus, STATE_ENDED, STATE_OPEN, STATE_OVERDUE, type MapFocus } from '../map/map-focus';
import type { CoordinateShift } from '../geo/basemap-shift';
import { PRIORITY_RADIUS_PX, STATUS_COLOURS } from '../live/incident-style';
import { CLIENT_RETAIN_CLOSED_MS } from '../live/live-model';
import type { GridFigures } from '../map/layers/grid-choropleth';
import { UNDER_DISTRICT_LABELS, UNDER_LABELS } from '../map/layers/under-labels';

const T = (name: (typeof EVENT_TYPES)[number]) => EVENT_TYPES.indexOf(name);
const REPORTED = T('incident.reported');
/** event type → the status it leads to (verified: by its `passed` arg); types absent here change no status */
const STATUS_AFTER = new Map<number, IncidentStatus>([
  [T('incident.registered'), 'registered'],
  [T('incident.dispatched'), 'dispatched'],
  [T('incident.started'), 'in_progress'],
  [T('incident.resolved'), 'resolved'],
  [T('incident.closed'), 'closed'],
  [T('incident.cancelled'), 'cancelled'],
]);
const VERIFIED = T('incident.verified');
const DISPATCHED = T('incident.dispatched');
const RATED = T('incident.rated');
/** "never" in filter seconds: an open segment ends never; a cancelled one starts never (filtered out) */
const NEVER = 3.0e9;
/** status codes in the per-incident state */
const STATUS_CODES: readonly (IncidentStatus | 'none')[] = ['none', 'reported', 'registered', 'dispatched', 'in_progress', 'resolved', 'verified', 'closed', 'cancelled'];
const CODE = new Map(STATUS_CODES.map((s, i) => [s, i]));
const ENDED_RADIUS = 2;
const OVERDUE_GROWTH = 1.25;

type PlaybackPointStatus = IncidentStatus | 'overdue';
/** a segment's status, as its code's low 4 bits hold it (the group's index sits above them) */
const SEGMENT_STATUSES: readonly PlaybackPointStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'resolved', 'verified', 'closed', 'cancelled', 'overdue'];
const SEGMENT_STATUS = new Map(SEGMENT_STATUSES.map((status, i) => [status, i]));
/** the focus's state code of each segment status */
const SEGMENT_STATE = SEGMENT_STATUSES.map((status) => (status === 'overdue' ? STATE_OVERDUE : status === 'closed' || status === 'cancelled' ? STATE_ENDED : STATE_OPEN));

export class PlaybackPoints {
  /** segments per block (each block: its own typed arrays and sub-layer; only the last one grows) */
  static readonly BLOCK = 1 << 20;
  private static readonly SHIFT = 20;
  private static readonly MASK = (1 << 20) - 1;
  /** radius column unit: eighths of a pixel (every radius drawn is a multiple of 1/8 px, at most 8.75 px) */
  static readonly RADIUS_UNIT = 8;

  // per segment (instance), in blocks
  private readonly blocks: SegmentBlock[] = [];
  private segments = 0;
  // per incident (the stream's incident table index)
  private incidentCapacity = 0;
  private status = new Uint8Array(0);
  /** the report's `arg`: priority (reportPriority) and category group (reportGroup) */
  private reportArg = new Uint8Array(0);
  /** deadline, seconds after origin (NaN: none yet) */
  private deadline = new Float32Array(0);
  /** SLA of the case's category (from its report), in minutes (NO_SLA: unknown) */
  private slaMinutes = new Uint16Array(0);
  /** the segment now open (−1: none) and a pending overdue segment (−1: none) */
  private current = new Int32Array(0);
  private pending = new Int32Array(0);
  // per incident, for the per-grid figures of the cumulative choropleth and its heatmap
  /** the stream's grid table index of the report */
  private gridOf = new Uint32Array(0);
  /** where the case was reported (the heatmap's positions) */
  private reportPosition = new Float32Array(0);
  /** report time, seconds after origin (NEVER: not reported in the range; the heatmap's filter value) */
  private reportedS = new Float32Array(0);
  /** when an overdue spell that really happened began (NaN: none confirmed; an open pending one counts too) */
  private overdueFrom = new Float32Array(0);
  /** satisfaction 1…5 (0: not rated) and when it was given */
  private rating = new Uint8Array(0);
  private ratedS = new Float32Array(0);
  private incidents = 0;
  /** bumps when the columns change (new chunk) */
  version = 0;
  /** the stream ended and the columns were trimmed (`finish`) */
  finished = false;
  private heatCached: BinaryData | null = null;
  /** the wall's focus the colours' alphas were last set for */
  private focus: MapFocus = NO_FOCUS;

  constructor(
    /** epoch ms that filter seconds count from (the range start) */
    readonly origin: number,
    private readonly shift: CoordinateShift,
  ) {}

  /** Instances (segments) in the columns. */
  get length(): number {
    return this.segments;
  }

  /** Incident slots seen so far. */
  get incidentCount(): number {
    return this.incidents;
  }

  /** Seconds after the origin, as the filter values hold them. */
  seconds(t: number): number {
    return (t - this.origin) / 1000;
  }

  /**
   * Adds a chunk's events (in stream order). The overdue switch comes from the `limit` column (a report's SLA, a
   * dispatch's explicit deadline), which a stream without details carries too.
   */
  add(chunk: HistoryChunk): void {
    if (this.finished) throw new Error('PlaybackPoints.add: the stream was finished (finish() trims the columns); start new points for a new range');
    for (let i = 0; i < chunk.count; i++) {
      const type = chunk.type[i]!;
      const slot = chunk.incident[i]!;
      const at = this.seconds(chunk.baseAt + chunk.atOffset[i]!);
      if (type === REPORTED) {
        this.ensureIncident(slot + 1);
        const [x, y] = this.shift(chunk.lon[i]!, chunk.lat[i]!);
        const sla = chunk.limit[i]!;
        // the report's arg as it comes: its priority and its category group (reportPriority, reportGroup)
        this.reportArg[slot] = chunk.arg[i]!;
        this.slaMinutes[slot] = sla === NO_LIMIT || sla < 0 ? NO_SLA : Math.min(NO_SLA - 1, sla);
        this.deadline[slot] = Number.NaN;
        this.current[slot] = -1;
        this.pending[slot] = -1;
        this.status[slot] = CODE.get('reported')!;
        this.gridOf[slot] = chunk.grid[i]!;
        this.reportPosition[slot * 2] = x;
        this.reportPosition[slot * 2 + 1] = y;
        this.reportedS[slot] = at;
        this.overdueFrom[slot] = Number.NaN;
        this.rating[slot] = 0;
        this.open(slot, at, 'reported', x, y);
        continue;
      }
      if (slot >= this.incidents || this.status[slot] === 0) continue; // reported before the range: no position
      if (type === RATED) {
        this.rating[slot] = chunk.arg[i]!;
        this.ratedS[slot] = at;
        continue;
      }
      let next = type === VERIFIED ? (chunk.arg[i] ? 'verified' : 'in_progress') : STATUS_AFTER.get(type);
      if (next === undefined) continue;
      const was = STATUS_CODES[this.status[slot]!]!;
      if (type === DISPATCHED) {
        const limit = chunk.limit[i]!;
        const explicit = limit === NO_LIMIT ? Number.NaN : this.seconds(chunk.baseAt + limit * 1000);
        if (was === 'dispatched') {
          // a redispatch: same status; a new explicit deadline moves the overdue switch
          if (Number.isNaN(explicit)) continue;
          this.deadline[slot] = explicit;
        } else {
          const sla = this.slaMinutes[slot]!;
          this.deadline[slot] = !Number.isNaN(explicit) ? explicit : sla === NO_SLA ? Number.NaN : at + sla * 60;
        }
        next = 'dispatched';
      }
      this.status[slot] = CODE.get(next)!;
      this.open(slot, at, next, this.reportPosition[slot * 2]!, this.reportPosition[slot * 2 + 1]!);
    }
    this.heatCached = null;
    this.version += 1;
  }

  /**
   * The stream ended: trims the last block and the per-case columns to their exact size, so nothing is held for
   * growth that will not come. Later `add` calls throw.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const last = this.blocks[this.blocks.length - 1];
    if (last && last.length < last.filter.length / 2) resizeBlock(last, last.length);
    this.resizeIncidents(this.incidents);
    this.heatCached = null;
    this.version += 1;
  }

  /** Closes the incident's open segments at `at` and opens the one(s) of its new status. */
  private open(slot: number, at: number, status: IncidentStatus, x: number, y: number): void {
    // the open segment ends now, or at the deadline when the pending overdue spell began before now
    let end = at;
    let reuse = -1;
    const pending = this.pending[slot]!;
    if (pending >= 0) {
      const began = this.fromOf(pending);
      if (began < at) {
        this.setTo(pending, at);
        end = began;
        if (!(this.overdueFrom[slot]! <= began)) this.overdueFrom[slot] = began;
      } else reuse = pending; // the deadline had not come: that overdue segment never shows; its instance is reused
      this.pending[slot] = -1;
    }
    const current = this.current[slot]!;
    if (current >= 0) this.setTo(current, Math.max(this.fromOf(current), end));
    const group = reportGroup(this.reportArg[slot]!);
    const ended = status === 'closed' || status === 'cancelled';
    const radius = ended ? ENDED_RADIUS : PRIORITY_RADIUS_PX[PRIORITIES[reportPriority(this.reportArg[slot]!)] ?? 'normal'];
    const deadline = this.deadline[slot]!;
    const unresolved = status === 'dispatched' || status === 'in_progress';
    if (unresolved && !Number.isNaN(deadline) && deadline <= at) {
      if (!(this.overdueFrom[slot]! <= at)) this.overdueFrom[slot] = at;
      this.current[slot] = this.segment(x, y, 'overdue', group, radius * OVERDUE_GROWTH, at, NEVER, reuse);
      return;
    }
    this.current[slot] = this.segment(x, y, status, group, radius, at, ended ? at + CLIENT_RETAIN_CLOSED_MS / 1000 : NEVER, reuse);
    if (unresolved && !Number.isNaN(deadline)) {
      // until the deadline in this status, overdue from then on (unless the case moves on first)
      this.setTo(this.current[slot]!, deadline);
      this.pending[slot] = this.segment(x, y, 'overdue', group, radius * OVERDUE_GROWTH, deadline, NEVER);
    }
  }

  private fromOf(i: number): number {
    return this.blocks[i >>> PlaybackPoints.SHIFT]!.filter[(i & PlaybackPoints.MASK) * 2]!;
  }

  /** Sets a segment's end (its block is uploaded again with the next frame). */
  private setTo(i: number, to: number): void {
    const block = this.blocks[i >>> PlaybackPoints.SHIFT]!;
    block.filter[(i & PlaybackPoints.MASK) * 2 + 1] = to;
    block.data = null;
  }

  /** Writes a segment into instance `reuse` (a cancelled one of the same case), or a new one. */
  private segment(x: number, y: number, status: PlaybackPointStatus, group: number, radius: number, from: number, to: number, reuse = -1): number {
    let i = reuse;
    if (i < 0) {
      i = this.segments;
      this.ensureSegment(i);
      this.segments = i + 1;
    }
    const block = this.blocks[i >>> PlaybackPoints.SHIFT]!;
    const k = i & PlaybackPoints.MASK;
    if (k >= block.length) block.length = k + 1;
    block.positions[k * 2] = x;
    block.positions[k * 2 + 1] = y;
    block.colours.set(STATUS_COLOURS[status], k * 4);
    const code = SEGMENT_STATUS.get(status)!;
    block.codes[k] = (group << 4) | code;
    if (!codesInFocus(this.focus, group, SEGMENT_STATE[code]!)) block.colours[k * 4 + 3] = 0;
    block.radii[k] = Math.round(radius * PlaybackPoints.RADIUS_UNIT);
    block.filter[k * 2] = from;
    block.filter[k * 2 + 1] = to;
    block.data = null;
    return i;
  }

  /** Bytes per segment instance: position f32×2, filter f32×2, colour u8×4, radius u8, status and group u8. */
  static readonly BYTES_PER_SEGMENT = 8 + 8 + 4 + 1 + 1;
  /** Bytes per incident: status, the report's arg (priority and category group), deadline, SLA minutes, current and pending segment, grid, report position and time, overdue start, rating and its time. */
  static readonly BYTES_PER_INCIDENT = 1 + 1 + 4 + 2 + 4 + 4 + 4 + 8 + 4 + 4 + 1 + 4;

  /**
   * Shows only the segments in the wall's focus: the others' colour goes transparent (their status colour's alpha
   * comes back when the focus lets them in again). One pass over the segments, only when the focus changes.
   */
  setFocus(focus: MapFocus): void {
    if (sameFocus(focus, this.focus)) return;
    this.focus = focus;
    for (const block of this.blocks) {
      for (let k = 0; k < block.length; k++) {
        const code = block.codes[k]!;
        const status = code & 0xf;
        block.colours[k * 4 + 3] = codesInFocus(focus, code >>> 4, SEGMENT_STATE[status]!) ? STATUS_COLOURS[SEGMENT_STATUSES[status]!][3] : 0;
      }
      block.data = null;
    }
    this.version += 1;
  }

  /** A focus holds: some segments are transparent. */
  get focused(): boolean {
    return focusActive(this.focus);
  }

  /** The per-grid figures' group filter: [index, index], or every group. */
  get focusGroupRange(): [number, number] {
    return focusRanges(this.focus)[0];
  }

  /** Bytes the columns and bookkeeping hold now, capacity included (every typed array's byteLength). */
  get bytes(): number {
    let n = 0;
    for (const b of this.blocks) n += b.positions.byteLength + b.filter.byteLength + b.colours.byteLength + b.radii.byteLength + b.codes.byteLength;
    for (const a of this.incidentArrays()) n += a.byteLength;
    return n;
  }

  /** The largest single typed array held (Chrome caps one allocation at about 1 GB). */
  get largestAllocation(): number {
    let n = 0;
    for (const b of this.blocks) n = Math.max(n, b.positions.byteLength, b.filter.byteLength, b.colours.byteLength);
    for (const a of this.incidentArrays()) n = Math.max(n, a.byteLength);
    return n;
  }

  private incidentArrays(): ArrayBufferView[] {
    return [this.status, this.reportArg, this.deadline, this.slaMinutes, this.current, this.pending, this.gridOf, this.reportPosition, this.reportedS, this.overdueFrom, this.rating, this.ratedS];
  }

  /**
   * Per-grid figures of the cases reported in [origin, t] (indexed by the stream's grid table): how many, how many
   * had gone overdue by t, and the ratings given by t (count and sum, satisfaction 1…5). One pass over the incident
   * slots (about a millisecond for 100k cases); the wall asks only when t moved and at most a few times a second.
   */
  gridFiguresAt(t: number, grids: number): GridFigures<Uint32Array> {
    const s = this.seconds(t);
    const out: GridFigures<Uint32Array> = { reported: new Uint32Array(grids), overdue: new Uint32Array(grids), ratings: new Uint32Array(grids), ratingSum: new Uint32Array(grids) };
    const [g0, g1] = this.focusGroupRange;
    for (let slot = 0; slot < this.incidents; slot++) {
      const group = reportGroup(this.reportArg[slot]!);
      if (group < g0 || group > g1) continue;
      // the range's cases: not those carried in from before its start (reported before the origin)
      if (this.status[slot] === 0 || !(this.reportedS[slot]! >= 0 && this.reportedS[slot]! <= s)) continue;
      const g = this.gridOf[slot]!;
      if (g >= grids) continue;
      out.reported[g]! += 1;
      const pending = this.pending[slot]!;
      const overdue = this.overdueFrom[slot]! <= s || (pending >= 0 && this.fromOf(pending) <= s);
      if (overdue) out.overdue[g]! += 1;
      if (this.rating[slot]! > 0 && this.ratedS[slot]! <= s) {
        out.ratings[g]! += 1;
        out.ratingSum[g]! += this.rating[slot]!;
      }
    }
    return out;
  }

  /** Makes room for segment i: a new block when the last is full, else the last one grows (doubling). */
  private ensureSegment(i: number): void {
    const b = i >>> PlaybackPoints.SHIFT;
    const k = i & PlaybackPoints.MASK;
    if (b >= this.blocks.length) {
      // the first block starts small (short ranges); later ones at a quarter block
      const capacity = b === 0 ? 4096 : PlaybackPoints.BLOCK / 4;
      this.blocks.push({ positions: new Float32Array(capacity * 2), filter: new Float32Array(capacity * 2), colours: new Uint8Array(capacity * 4), radii: new Uint8Array(capacity), codes: new Uint8Array(capacity), length: 0, data: null });
      return;
    }
    const block = this.blocks[b]!;
    const capacity = block.radii.length;
    if (k < capacity) return;
    resizeBlock(block, Math.min(PlaybackPoints.BLOCK, Math.max(k + 1, capacity * 2)));
  }

  private ensureIncident(length: number): void {
    if (length > this.incidentCapacity) this.resizeIncidents(Math.max(length, Math.ceil(this.incidentCapacity * 1.5), 4096));
    if (length > this.incidents) this.incidents = length;
  }

  /** Reallocates the per-case columns at `capacity` slots (growth, or the exact trim of `finish`). */
  private resizeIncidents(capacity: number): void {
    if (capacity === this.incidentCapacity) return;
    this.status = resized(this.status, capacity);
    this.reportArg = resized(this.reportArg, capacity);
    this.deadline = resized(this.deadline, capacity);
    this.slaMinutes = resized(this.slaMinutes, capacity);
    this.current = resized(this.current, capacity, -1);
    this.pending = resized(this.pending, capacity, -1);
    this.gridOf = resized(this.gridOf, capacity);
    this.reportPosition = resized(this.reportPosition, capacity * 2);
    this.reportedS = resized(this.reportedS, capacity, NEVER);
    this.overdueFrom = resized(this.overdueFrom, capacity);
    this.rating = resized(this.rating, capacity);
    this.ratedS = resized(this.ratedS, capacity);
    this.incidentCapacity = capacity;
  }

  /**
   * The binary data of each block of segments (a block's object is stable until a chunk changes that block, so
   * deck.gl uploads only the blocks that changed).
   */
  blockData(): BinaryData[] {
    return this.blocks.map((block) => {
      block.data ??= {
        length: block.length,
        attributes: {
          getPosition: { value: block.positions, size: 2 },
          getFillColor: { value: block.colours, size: 4, normalized: true },
          // eighths of a pixel, read as unorm8 (v / 255): radiusScale carries the 255 / RADIUS_UNIT back
          getRadius: { value: block.radii, size: 1, normalized: true },
          getFilterValue: { value: block.filter, size: 2 },
        },
      };
      return block.data;
    });
  }

  /** The heatmap's data: one instance a case slot, at its report position, filtered by its report time. */
  heatData(): BinaryData {
    this.heatCached ??= {
      length: this.incidents,
      attributes: {
        getPosition: { value: this.reportPosition, size: 2 },
        getFilterValue: { value: this.reportedS, size: 1 },
      },
    };
    return this.heatCached;
  }
}

/** deck.gl's binary data form: instance count and typed-array attributes. */
export interface BinaryData {
  length: number;
  attributes: Record<string, { value: ArrayBufferView; size: number; normalized?: boolean }>;
}

interface SegmentBlock {
  positions: Float32Array;
  /** [from, to) seconds after the origin, per segment */
  filter: Float32Array;
  colours: Uint8Array;
  /** radius in 1/RADIUS_UNIT pixels */
  radii: Uint8Array;
  /** the segment's status (low 4 bits, SEGMENT_STATUSES) and its case's group index (above) */
  codes: Uint8Array;
  /** segments written */
  length: number;
  data: BinaryData | null;
}

type Column = Float32Array | Uint8Array | Uint16Array | Int32Array | Uint32Array;

/** `old` copied into a new array of the same type and `length` elements (cut, or grown with `fill`, else 0). */
function resized<A extends Column>(old: A, length: number, fill?: number): A {
  const a = new (old.constructor as new (n: number) => A)(length);
  const kept = Math.min(length, old.length);
  a.set(old.subarray(0, kept) as never);
  if (fill !== undefined && length > kept) a.fill(fill, kept);
  return a;
}

/** Reallocates a block's columns at `capacity` segments (growth, or the exact trim of `finish`). */
function resizeBlock(block: SegmentBlock, capacity: number): void {
  block.positions = resized(block.positions, capacity * 2);
  block.filter = resized(block.filter, capacity * 2);
  block.colours = resized(block.colours, capacity * 4);
  block.radii = resized(block.radii, capacity);
  block.codes = resized(block.codes, capacity);
  block.data = null;
}

/** SLA minutes unknown (the chunk came without its decoded events) */
const NO_SLA = 0xffff;

interface PlaybackPointsLayerProps {
  points: PlaybackPoints;
  /** the points' version: a new chunk re-renders the blocks it changed */
  version: number;
  /** seconds after the origin */
  s: number;
  scale: number;
}

/** The GPU filters (one instance each, so layers rebuilt per frame keep the same extension) */
const SEGMENT_FILTER = new DataFilterExtension({ filterSize: 2 });
const REPORT_FILTER = new DataFilterExtension({ filterSize: 1 });

/** One ScatterplotLayer per block of segments, all filtered on the GPU at the same instant. */
class PlaybackPointsLayer extends CompositeLayer<PlaybackPointsLayerProps> {
  static override layerName = 'PlaybackPointsLayer';
  static override defaultProps: DefaultProps<PlaybackPointsLayerProps> = { points: { type: 'object', value: null as never, compare: false }, version: 0, s: 0, scale: 1 };

  override shouldUpdateState({ changeFlags }: UpdateParameters<this>): boolean {
    return changeFlags.propsOrDataChanged;
  }

  override renderLayers(): Layer[] {
    const { points, s, scale } = this.props;
    return points.blockData().map(
      (data, b) =>
        new ScatterplotLayer({
          id: `${this.props.id}-block-${b}`,
          visible: this.props.visible,
          opacity: this.props.opacity,
          data: data as never,
          radiusUnits: 'pixels',
          radiusScale: (scale * 255) / PlaybackPoints.RADIUS_UNIT,
          // the outline's colour is one for all, so a segment made transparent by the focus would keep its ring
          stroked: !points.focused,
          getLineColor: [6, 11, 22, 220],
          lineWidthUnits: 'pixels',
          getLineWidth: 0.75,
          extensions: [SEGMENT_FILTER],
          filterRange: [
            [-NEVER, s],
            [s + 0.0005, NEVER * 2],
          ],
        } as never),
    );
  }
}

/** The cases at t in their status at t: segments with from ≤ t < to, filtered on the GPU. */
export function playbackPointLayer(points: PlaybackPoints, t: number, scale: number, visible: boolean) {
  return new PlaybackPointsLayer({ id: 'playback-incidents', ...UNDER_DISTRICT_LABELS, points, version: points.version, s: points.seconds(t), scale, visible });
}

/** Cumulative mode: a heatmap of every case reported between the range start and t (ended ones included). */
export function playbackHeatLayer(points: PlaybackPoints, t: number, visible: boolean) {
  const s = points.seconds(t);
  return new HeatmapLayer({
    id: 'playback-heat',
    ...UNDER_LABELS,
    data: points.heatData() as never,
    visible,
    radiusPixels: 40,
    intensity: 1,
    threshold: 0.03,
    getWeight: 1,
    extensions: [REPORT_FILTER],
    // the range's cases: not those carried in from before its start (reported before the origin)
    filterRange: [0, s],
  } as never);
}
