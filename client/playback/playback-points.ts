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
 * Overdue is a segment of its own: a dispatched or in-progress case switches to the overdue colour at its deadline
 * (the first dispatch's deadline, or dispatch time + the category's SLA, as the reducer computes it). A segment
 * opened for a future deadline is given to the next status instead if the case moves on before it.
 *
 * Cumulative mode draws the same columns as a heatmap of every case reported up to t: only an incident's first
 * segment has heat weight, so each case counts once.
 */
import { DataFilterExtension } from '@deck.gl/extensions';
import { ScatterplotLayer } from '@deck.gl/layers';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { slaHoursFor } from '../../protocol/catalogues';
import { EVENT_TYPES, PRIORITIES, type IncidentStatus, type StoredEvent } from '../../protocol/events';
import type { HistoryChunk } from '../../protocol/history-codec';
import type { CoordinateShift } from '../geo/basemap-shift';
import { PRIORITY_RADIUS_PX, STATUS_COLOURS } from '../live/incident-style';
import { CLIENT_RETAIN_CLOSED_MS } from '../live/live-model';

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

export type PlaybackPointStatus = IncidentStatus | 'overdue';

/** Per-grid figures of a range up to t, indexed by the stream's grid table (see `PlaybackPoints.gridFiguresAt`). */
export interface GridFigures {
  reported: Uint32Array;
  overdue: Uint32Array;
  ratings: Uint32Array;
  ratingSum: Uint32Array;
  /** false when chunks came without details (windowed mode): overdue is then unknown */
  overdueKnown: boolean;
}

export class PlaybackPoints {
  // per segment (instance)
  private capacity = 0;
  private positions = new Float32Array(0);
  private colours = new Uint8Array(0);
  private radii = new Float32Array(0);
  private weights = new Float32Array(0);
  /** [from, to) seconds after `origin` */
  private filter = new Float32Array(0);
  private segments = 0;
  // per incident (the stream's incident table index)
  private incidentCapacity = 0;
  private status = new Uint8Array(0);
  private priority = new Uint8Array(0);
  /** deadline, seconds after origin (NaN: none yet) */
  private deadline = new Float32Array(0);
  /** SLA hours of the case's category (from its report) */
  private slaHours = new Float32Array(0);
  /** the segment now open (−1: none) and a pending overdue segment (−1: none) */
  private current = new Int32Array(0);
  private pending = new Int32Array(0);
  // per incident, for the per-grid figures of the cumulative choropleth
  /** the stream's grid table index of the report */
  private gridOf = new Uint32Array(0);
  private reportedS = new Float32Array(0);
  /** when an overdue spell that really happened began (NaN: none confirmed; an open pending one counts too) */
  private overdueFrom = new Float32Array(0);
  /** satisfaction 1…5 (0: not rated) and when it was given */
  private rating = new Uint8Array(0);
  private ratedS = new Float32Array(0);
  private incidents = 0;
  /** bumps when the columns change (new chunk) */
  version = 0;
  /** every chunk came with its decoded events, so deadlines (and overdue) are known */
  deadlinesKnown = true;
  private cached: { length: number; attributes: Record<string, unknown> } | null = null;

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
   * Adds a chunk's events (in stream order). `events` are the chunk's decoded events (`chunkEvents`), read only for
   * what the columns lack: the category of a report (its SLA) and the explicit deadline of a dispatch. Without them
   * the overdue segments are left out (colours by status only).
   */
  add(chunk: HistoryChunk, events?: readonly StoredEvent[]): void {
    if (!events && chunk.count > 0) this.deadlinesKnown = false;
    for (let i = 0; i < chunk.count; i++) {
      const type = chunk.type[i]!;
      const slot = chunk.incident[i]!;
      const at = this.seconds(chunk.baseAt + chunk.atOffset[i]!);
      if (type === REPORTED) {
        this.ensureIncident(slot + 1);
        const [x, y] = this.shift(chunk.lon[i]!, chunk.lat[i]!);
        const event = events?.[i];
        this.priority[slot] = chunk.arg[i]!;
        this.slaHours[slot] = event?.type === 'incident.reported' ? slaHoursFor(event.incident.category) : Number.NaN;
        this.deadline[slot] = Number.NaN;
        this.current[slot] = -1;
        this.pending[slot] = -1;
        this.status[slot] = CODE.get('reported')!;
        this.gridOf[slot] = chunk.grid[i]!;
        this.reportedS[slot] = at;
        this.overdueFrom[slot] = Number.NaN;
        this.rating[slot] = 0;
        this.open(slot, at, 'reported', x, y, true);
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
        const event = events?.[i];
        const explicit = event?.type === 'incident.dispatched' && event.deadline !== undefined ? this.seconds(Date.parse(event.deadline)) : Number.NaN;
        if (was === 'dispatched') {
          // a redispatch: same status; a new explicit deadline moves the overdue switch
          if (Number.isNaN(explicit)) continue;
          this.deadline[slot] = explicit;
        } else {
          this.deadline[slot] = !Number.isNaN(explicit) ? explicit : at + this.slaHours[slot]! * 3600;
        }
        next = 'dispatched';
      }
      this.status[slot] = CODE.get(next)!;
      const c = this.current[slot]!;
      this.open(slot, at, next, this.positions[c * 2]!, this.positions[c * 2 + 1]!, false);
    }
    this.cached = null;
    this.version += 1;
  }

  /** Closes the incident's open segments at `at` and opens the one(s) of its new status. */
  private open(slot: number, at: number, status: IncidentStatus, x: number, y: number, first: boolean): void {
    // the open segment ends now, or at the deadline when the pending overdue spell began before now
    let end = at;
    let reuse = -1;
    const pending = this.pending[slot]!;
    if (pending >= 0) {
      const began = this.filter[pending * 2]!;
      if (began < at) {
        this.filter[pending * 2 + 1] = at;
        end = began;
        if (!(this.overdueFrom[slot]! <= began)) this.overdueFrom[slot] = began;
      } else reuse = pending; // the deadline had not come: that overdue segment never shows; its instance is reused
      this.pending[slot] = -1;
    }
    const current = this.current[slot]!;
    if (current >= 0) this.filter[current * 2 + 1] = Math.max(this.filter[current * 2]!, end);
    const ended = status === 'closed' || status === 'cancelled';
    const radius = ended ? ENDED_RADIUS : PRIORITY_RADIUS_PX[PRIORITIES[this.priority[slot]!] ?? 'normal'];
    const deadline = this.deadline[slot]!;
    const unresolved = status === 'dispatched' || status === 'in_progress';
    if (unresolved && !Number.isNaN(deadline) && deadline <= at) {
      if (!(this.overdueFrom[slot]! <= at)) this.overdueFrom[slot] = at;
      this.current[slot] = this.segment(x, y, 'overdue', radius * OVERDUE_GROWTH, at, NEVER, first, reuse);
      return;
    }
    this.current[slot] = this.segment(x, y, status, radius, at, ended ? at + CLIENT_RETAIN_CLOSED_MS / 1000 : NEVER, first, reuse);
    if (unresolved && !Number.isNaN(deadline)) {
      // until the deadline in this status, overdue from then on (unless the case moves on first)
      this.filter[this.current[slot]! * 2 + 1] = deadline;
      this.pending[slot] = this.segment(x, y, 'overdue', radius * OVERDUE_GROWTH, deadline, NEVER, false);
    }
  }

  /** Writes a segment into instance `reuse` (a cancelled one of the same case), or a new one. */
  private segment(x: number, y: number, status: PlaybackPointStatus, radius: number, from: number, to: number, weighted: boolean, reuse = -1): number {
    let i = reuse;
    if (i < 0) {
      i = this.segments;
      this.ensureSegments(i + 1);
      this.segments = i + 1;
    }
    this.positions[i * 2] = x;
    this.positions[i * 2 + 1] = y;
    this.colours.set(STATUS_COLOURS[status], i * 4);
    this.radii[i] = radius;
    this.weights[i] = weighted ? 1 : 0;
    this.filter[i * 2] = from;
    this.filter[i * 2 + 1] = to;
    return i;
  }

  /** Bytes the columns hold per segment instance. */
  static readonly BYTES_PER_SEGMENT = 8 + 4 + 4 + 4 + 8;
  /** Bytes of per-incident bookkeeping (status, priority, deadline, SLA, current and pending segment). */
  static readonly BYTES_PER_INCIDENT = 1 + 1 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 1 + 4;

  /** Bytes the columns and bookkeeping hold now. */
  get bytes(): number {
    return this.segments * PlaybackPoints.BYTES_PER_SEGMENT + this.incidents * PlaybackPoints.BYTES_PER_INCIDENT;
  }

  /**
   * Per-grid figures of the cases reported in [origin, t] (indexed by the stream's grid table): how many, how many
   * had gone overdue by t, and the ratings given by t (count and sum, satisfaction 1…5). One pass over the incident
   * slots (about a millisecond for 100k cases); the wall asks only when t moved and at most a few times a second.
   */
  gridFiguresAt(t: number, grids: number): GridFigures {
    const s = this.seconds(t);
    const out: GridFigures = { reported: new Uint32Array(grids), overdue: new Uint32Array(grids), ratings: new Uint32Array(grids), ratingSum: new Uint32Array(grids), overdueKnown: this.deadlinesKnown };
    for (let slot = 0; slot < this.incidents; slot++) {
      if (this.status[slot] === 0 || !(this.reportedS[slot]! <= s)) continue;
      const g = this.gridOf[slot]!;
      if (g >= grids) continue;
      out.reported[g]! += 1;
      const pending = this.pending[slot]!;
      const overdue = this.overdueFrom[slot]! <= s || (pending >= 0 && this.filter[pending * 2]! <= s);
      if (overdue) out.overdue[g]! += 1;
      if (this.rating[slot]! > 0 && this.ratedS[slot]! <= s) {
        out.ratings[g]! += 1;
        out.ratingSum[g]! += this.rating[slot]!;
      }
    }
    return out;
  }

  private ensureSegments(length: number): void {
    if (length <= this.capacity) return;
    const capacity = Math.max(length, this.capacity * 2, 4096);
    const grow = <A extends Float32Array | Uint8Array | Int32Array>(old: A, make: (n: number) => A, per: number): A => {
      const next = make(capacity * per);
      next.set(old as never);
      return next;
    };
    this.positions = grow(this.positions, (n) => new Float32Array(n), 2);
    this.colours = grow(this.colours, (n) => new Uint8Array(n), 4);
    this.radii = grow(this.radii, (n) => new Float32Array(n), 1);
    this.weights = grow(this.weights, (n) => new Float32Array(n), 1);
    this.filter = grow(this.filter, (n) => new Float32Array(n), 2);
    this.capacity = capacity;
  }

  private ensureIncident(length: number): void {
    if (length > this.incidentCapacity) {
      const capacity = Math.max(length, this.incidentCapacity * 2, 4096);
      const grow = <A extends Float32Array | Uint8Array | Int32Array | Uint32Array>(old: A, make: (n: number) => A): A => {
        const next = make(capacity);
        next.set(old as never);
        return next;
      };
      this.status = grow(this.status, (n) => new Uint8Array(n));
      this.priority = grow(this.priority, (n) => new Uint8Array(n));
      this.deadline = grow(this.deadline, (n) => new Float32Array(n));
      this.slaHours = grow(this.slaHours, (n) => new Float32Array(n));
      this.current = grow(this.current, (n) => new Int32Array(n).fill(-1));
      this.pending = grow(this.pending, (n) => new Int32Array(n).fill(-1));
      this.gridOf = grow(this.gridOf, (n) => new Uint32Array(n));
      this.reportedS = grow(this.reportedS, (n) => new Float32Array(n));
      this.overdueFrom = grow(this.overdueFrom, (n) => new Float32Array(n));
      this.rating = grow(this.rating, (n) => new Uint8Array(n));
      this.ratedS = grow(this.ratedS, (n) => new Float32Array(n));
      this.incidentCapacity = capacity;
    }
    if (length > this.incidents) this.incidents = length;
  }

  /** The binary data object (stable until a chunk arrives). */
  data(): { length: number; attributes: Record<string, unknown> } {
    this.cached ??= {
      length: this.segments,
      attributes: {
        getPosition: { value: this.positions, size: 2 },
        getFillColor: { value: this.colours, size: 4, normalized: true },
        getRadius: { value: this.radii, size: 1 },
        getFilterValue: { value: this.filter, size: 2 },
        getWeight: { value: this.weights, size: 1 },
      },
    };
    return this.cached;
  }
}

/** The cases at t in their status at t: segments with from ≤ t < to, filtered on the GPU. */
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
      [-NEVER, s],
      [s + 0.0005, NEVER * 2],
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
      [-NEVER, s],
      [-NEVER, NEVER * 2],
    ],
  } as never);
}
