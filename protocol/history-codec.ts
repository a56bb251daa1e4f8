/**
 * The binary columnar form of history (`GET /api/v1/history?format=columns`), shared by the server (encoder) and
 * playback (decoder). Chosen over Arrow IPC for playback (bench/history.bench.ts measures both) because the columns
 * playback scans every frame are fixed-width typed arrays that the decoder copies out with no per-row work, and
 * strings that repeat (grid codes, incident ids) are sent once per stream, not once per chunk.
 *
 * A stream is a sequence of self-delimiting frames, so a reader decodes the first frame before the last byte
 * arrives. One frame (little-endian):
 *
 * ```
 * 0  u32 magic 'GWHC'      4  u16 version    6  u16 reserved
 * 8  u32 count (events)    12 u32 dictionary bytes   16 u32 details bytes   20 u32 reserved
 * 24 f64 baseSeq           32 f64 baseAt (epoch ms, the smallest `at` of the frame)
 * 40 columns, each padded to 4 bytes:
 *    seq − baseSeq u32[n] · at − baseAt u32[n] · type u8[n] · arg u8[n] · grid u32[n] · incident u32[n]
 *    lon f32[n] · lat f32[n] · limit i32[n]
 * .. dictionary: UTF-8 JSON {grids: string[], incidents: string[]} of strings new to this stream (appended to
 *    the stream's tables, whose indexes the grid and incident columns hold)
 * .. details: UTF-8 JSON array, one entry per event: the event without seq, type, grid and incident id, so that
 *    `toEvents` gives back exactly the stored event (ids, actor, notes, departments, exact location); empty (0
 *    bytes) in a stream asked for without details (`details=0`: windowed playback needs the columns only)
 * ```
 *
 * `arg` holds a small per-type value: for a report its priority (low 2 bits) and its category's group (the index in
 * CATEGORY_GROUPS, from bit 2: `reportPriority`, `reportGroup`), satisfaction for a rating, tier for a whistle, stage
 * for a department report (1 arrived), `passed` for a verification.
 *
 * `limit` holds what the overdue colour needs, so that a stream without details has it too: for a report, its
 * category's SLA in minutes (`slaHoursFor`, what the reducer adds to the dispatch time); for a dispatch that names a
 * deadline, that deadline in seconds after baseAt, rounded up (so a playback never shows a case overdue before it was;
 * negative when earlier); `NO_LIMIT` otherwise.
 *
 * @example
 * ```ts
 * const decoder = new HistoryDecoder();
 * for await (const bytes of response.body) for (const chunk of decoder.push(bytes)) timeline.add(chunk);
 * decoder.end(); // throws if the stream stopped inside a frame
 * ```
 */
import { categoryGroupIndex, slaHoursFor } from './catalogues';
import { EVENT_TYPES, PRIORITIES, WHISTLE_TIERS, incidentIdOf, type EventType, type StoredEvent } from './events';

export const HISTORY_COLUMNS_TYPE = 'application/vnd.gridwatch.history';
/** 3: a report's `arg` carries its category group beside its priority (the wall's focus in playback). */
export const HISTORY_CODEC_VERSION = 3;
const MAGIC = 0x43485747; // 'GWHC' little-endian
const HEADER_BYTES = 40;

/**
 * A history stream that cannot be read: cut inside a frame, not this codec's frames, or a chunk that cannot be
 * rebuilt. A RangeError (as before), of its own class so that a screen can tell a broken stream from a refusal.
 */
export class HistoryStreamError extends RangeError {
  override name = 'HistoryStreamError';
}
/** Fixed bytes per event in the columns (the figure playback keeps in memory per event, dictionaries aside). */
export const COLUMN_BYTES_PER_EVENT = 4 + 4 + 1 + 1 + 4 + 4 + 4 + 4 + 4;
/** `limit` of an event that has none (the smallest i32). */
export const NO_LIMIT = -0x80000000;

/** One decoded frame: typed columns, plus the raw details to turn back into events when they are folded. */
export interface HistoryChunk {
  readonly count: number;
  readonly baseSeq: number;
  readonly baseAt: number;
  readonly seqOffset: Uint32Array;
  readonly atOffset: Uint32Array;
  /** index into EVENT_TYPES */
  readonly type: Uint8Array;
  readonly arg: Uint8Array;
  /** index into the stream's grid table */
  readonly grid: Uint32Array;
  /** index into the stream's incident table */
  readonly incident: Uint32Array;
  /** WGS84, for `incident.reported` (0 otherwise) */
  readonly lon: Float32Array;
  readonly lat: Float32Array;
  /** a report's SLA in minutes, a dispatch's explicit deadline in seconds after baseAt, else NO_LIMIT (see above) */
  readonly limit: Int32Array;
  /** smallest and largest `at` in the frame */
  readonly minAt: number;
  readonly maxAt: number;
  /** the details JSON bytes (kept raw until the chunk is folded) */
  readonly details: Uint8Array;
}

/** The strings a stream has defined so far. */
export interface HistoryTables {
  readonly grids: string[];
  readonly incidents: string[];
}

const TYPE_INDEX = new Map<EventType, number>(EVENT_TYPES.map((t, i) => [t, i]));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const pad4 = (n: number) => (n + 3) & ~3;

/** The priority's index (in PRIORITIES) in a report's `arg`. */
export function reportPriority(arg: number): number {
  return arg & 0b11;
}

/** The category group's index (in CATEGORY_GROUPS) in a report's `arg`. */
export function reportGroup(arg: number): number {
  return arg >>> 2;
}

function argOf(event: StoredEvent): number {
  switch (event.type) {
    case 'incident.reported':
      return PRIORITIES.indexOf(event.incident.priority ?? 'normal') | (categoryGroupIndex(event.incident.category) << 2);
    case 'incident.rated':
      return event.satisfaction;
    case 'incident.whistled':
      return WHISTLE_TIERS.indexOf(event.tier);
    case 'department.reported':
      return event.stage === 'arrived' ? 1 : 0;
    case 'incident.verified':
      return event.passed ? 1 : 0;
    default:
      return 0;
  }
}

function limitOf(event: StoredEvent, baseAt: number, i: number): number {
  if (event.type === 'incident.reported') return Math.round(slaHoursFor(event.incident.category) * 60);
  if (event.type !== 'incident.dispatched' || event.deadline === undefined) return NO_LIMIT;
  const seconds = Math.ceil((Date.parse(event.deadline) - baseAt) / 1000);
  if (Number.isNaN(seconds)) throw new RangeError(`events[${i}].deadline: not a time (${event.deadline})`);
  if (!(seconds > NO_LIMIT && seconds <= 0x7fffffff)) throw new RangeError(`events[${i}].deadline: more than 68 years from the frame's earliest event`);
  return seconds;
}

/** Encodes one stream: keeps the string tables, so each grid and incident id is sent once. */
export class HistoryEncoder {
  private readonly gridIndex = new Map<string, number>();
  private readonly incidentIndex = new Map<string, number>();

  /**
   * Encodes events (seq order) as one frame. Throws a RangeError naming the field when a value does not fit.
   * `details: false` leaves the details out (the columns and strings only).
   */
  encodeFrame(events: readonly StoredEvent[], options: { details?: boolean } = {}): Uint8Array {
    const withDetails = options.details ?? true;
    const n = events.length;
    let baseSeq = Number.POSITIVE_INFINITY;
    let baseAt = Number.POSITIVE_INFINITY;
    const at = new Float64Array(n);
    events.forEach((event, i) => {
      at[i] = Date.parse(event.at);
      if (!Number.isFinite(at[i]!)) throw new RangeError(`events[${i}].at: not a time (${event.at})`);
      baseSeq = Math.min(baseSeq, event.seq);
      baseAt = Math.min(baseAt, at[i]!);
    });
    if (n === 0) baseSeq = baseAt = 0;
    const newGrids: string[] = [];
    const newIncidents: string[] = [];
    const details: unknown[] = new Array(n);
    const columnsBytes = pad4(n) * 2 + n * 4 * 7;
    const columns = new ArrayBuffer(columnsBytes);
    let offset = 0;
    const take = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, bytes: number): T => {
      const view = make(columns, offset, n);
      offset += pad4(bytes * n);
      return view;
    };
    const seqOffset = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const atOffset = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const type = take((b, o, l) => new Uint8Array(b, o, l), 1);
    const arg = take((b, o, l) => new Uint8Array(b, o, l), 1);
    const grid = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const incident = take((b, o, l) => new Uint32Array(b, o, l), 4);
    const lon = take((b, o, l) => new Float32Array(b, o, l), 4);
    const lat = take((b, o, l) => new Float32Array(b, o, l), 4);
    const limit = take((b, o, l) => new Int32Array(b, o, l), 4);
    events.forEach((event, i) => {
      const seqDelta = event.seq - baseSeq;
      const atDelta = at[i]! - baseAt;
      if (seqDelta > 0xffffffff) throw new RangeError(`events[${i}].seq: more than 2^32 after the frame's first seq`);
      if (atDelta > 0xffffffff) throw new RangeError(`events[${i}].at: more than 49 days after the frame's earliest event`);
      seqOffset[i] = seqDelta;
      atOffset[i] = atDelta;
      type[i] = TYPE_INDEX.get(event.type) ?? 255;
      arg[i] = argOf(event);
      limit[i] = limitOf(event, baseAt, i);
      grid[i] = this.index(this.gridIndex, newGrids, event.grid);
      const id = incidentIdOf(event);
      incident[i] = this.index(this.incidentIndex, newIncidents, id);
      const { seq: _s, type: _t, grid: _g, ...rest } = event;
      if (event.type === 'incident.reported') {
        lon[i] = event.incident.location[0];
        lat[i] = event.incident.location[1];
      } else {
        delete (rest as { incidentId?: string }).incidentId;
      }
      if (withDetails) details[i] = rest;
    });
    const dictionary = encoder.encode(JSON.stringify({ grids: newGrids, incidents: newIncidents }));
    const detailBytes = withDetails ? encoder.encode(JSON.stringify(details)) : new Uint8Array(0);
    const frame = new Uint8Array(HEADER_BYTES + columnsBytes + pad4(dictionary.length) + detailBytes.length);
    const header = new DataView(frame.buffer);
    header.setUint32(0, MAGIC, true);
    header.setUint16(4, HISTORY_CODEC_VERSION, true);
    header.setUint32(8, n, true);
    header.setUint32(12, dictionary.length, true);
    header.setUint32(16, detailBytes.length, true);
    header.setFloat64(24, baseSeq, true);
    header.setFloat64(32, baseAt, true);
    frame.set(new Uint8Array(columns), HEADER_BYTES);
    frame.set(dictionary, HEADER_BYTES + columnsBytes);
    frame.set(detailBytes, HEADER_BYTES + columnsBytes + pad4(dictionary.length));
    return frame;
  }

  private index(table: Map<string, number>, added: string[], value: string): number {
    let i = table.get(value);
    if (i === undefined) {
      i = table.size;
      table.set(value, i);
      added.push(value);
    }
    return i;
  }
}

export interface HistoryDecoderOptions {
  /**
   * Keep the incident id strings in `tables.incidents` (default true). Windowed playback of a large range needs
   * only the incident slots (the indexes), and 10M id strings would weigh several hundred MB in a tab.
   */
  incidentIds?: boolean;
}

/**
 * Decodes a stream pushed in arbitrary pieces (network chunks): `push` answers every frame completed by the piece.
 * Only the bytes of an incomplete frame are held, so a 20M-event range never needs one large allocation.
 */
export class HistoryDecoder {
  readonly tables: HistoryTables = { grids: [], incidents: [] };
  private pending: Uint8Array = new Uint8Array(0);
  private frames = 0;
  private readonly keepIncidentIds: boolean;
  /** Total bytes received so far (the wire size, before any HTTP compression). */
  bytes = 0;

  constructor(options: HistoryDecoderOptions = {}) {
    this.keepIncidentIds = options.incidentIds ?? true;
  }

  push(bytes: Uint8Array): HistoryChunk[] {
    // A plain Uint8Array view: a Node Buffer's slice() shares memory instead of copying, and the columns must be
    // copies of their own (aligned, and not keeping the network piece alive).
    const piece = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bytes += piece.length;
    let buffer: Uint8Array;
    if (this.pending.length === 0) buffer = piece;
    else {
      buffer = new Uint8Array(this.pending.length + piece.length);
      buffer.set(this.pending);
      buffer.set(piece, this.pending.length);
    }
    const chunks: HistoryChunk[] = [];
    let at = 0;
    for (;;) {
      const length = this.frameLength(buffer, at);
      if (length === undefined || at + length > buffer.length) break;
      chunks.push(this.decodeFrame(buffer.subarray(at, at + length)));
      at += length;
    }
    // Copy the remainder so the (possibly large) network piece can be collected.
    this.pending = at === buffer.length ? new Uint8Array(0) : buffer.slice(at);
    return chunks;
  }

  /** Call when the stream ends: throws if it stopped inside a frame. */
  end(): void {
    if (this.pending.length > 0) throw new HistoryStreamError(`history stream: ended inside frame ${this.frames + 1} (${this.pending.length} bytes left over)`);
  }

  private frameLength(buffer: Uint8Array, at: number): number | undefined {
    if (buffer.length - at < HEADER_BYTES) return undefined;
    const view = new DataView(buffer.buffer, buffer.byteOffset + at, HEADER_BYTES);
    if (view.getUint32(0, true) !== MAGIC) throw new HistoryStreamError(`history stream: frame ${this.frames + 1} does not start with the GWHC magic`);
    const version = view.getUint16(4, true);
    if (version !== HISTORY_CODEC_VERSION) throw new HistoryStreamError(`history stream: version ${version} is not ${HISTORY_CODEC_VERSION}`);
    const n = view.getUint32(8, true);
    return HEADER_BYTES + pad4(n) * 2 + n * 28 + pad4(view.getUint32(12, true)) + view.getUint32(16, true);
  }

  private decodeFrame(frame: Uint8Array): HistoryChunk {
    this.frames += 1;
    const view = new DataView(frame.buffer, frame.byteOffset, HEADER_BYTES);
    const n = view.getUint32(8, true);
    const dictionaryBytes = view.getUint32(12, true);
    const detailBytes = view.getUint32(16, true);
    let offset = HEADER_BYTES;
    // slice() copies into a fresh, aligned buffer of exactly the column's size.
    const column = <T>(make: (buffer: ArrayBuffer) => T, bytes: number): T => {
      const copy = frame.slice(offset, offset + bytes * n);
      offset += pad4(bytes * n);
      return make(copy.buffer);
    };
    const seqOffset = column((b) => new Uint32Array(b), 4);
    const atOffset = column((b) => new Uint32Array(b), 4);
    const type = column((b) => new Uint8Array(b), 1);
    const arg = column((b) => new Uint8Array(b), 1);
    const grid = column((b) => new Uint32Array(b), 4);
    const incident = column((b) => new Uint32Array(b), 4);
    const lon = column((b) => new Float32Array(b), 4);
    const lat = column((b) => new Float32Array(b), 4);
    const limit = column((b) => new Int32Array(b), 4);
    const dictionary = JSON.parse(decoder.decode(frame.subarray(offset, offset + dictionaryBytes))) as Partial<HistoryTables>;
    if (!Array.isArray(dictionary.grids) || !Array.isArray(dictionary.incidents)) {
      throw new HistoryStreamError(`history stream: frame ${this.frames} dictionary must hold grids and incidents arrays`);
    }
    this.tables.grids.push(...dictionary.grids);
    if (this.keepIncidentIds) this.tables.incidents.push(...dictionary.incidents);
    offset += pad4(dictionaryBytes);
    const details = frame.slice(offset, offset + detailBytes);
    const baseAt = view.getFloat64(32, true);
    let minAt = Number.POSITIVE_INFINITY;
    let maxAt = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const t = baseAt + atOffset[i]!;
      if (t < minAt) minAt = t;
      if (t > maxAt) maxAt = t;
    }
    return { count: n, baseSeq: view.getFloat64(24, true), baseAt, seqOffset, atOffset, type, arg, grid, incident, lon, lat, limit, minAt, maxAt, details };
  }
}

/** The stored events of a decoded chunk, exactly as the server stored them. */
export function chunkEvents(chunk: HistoryChunk, tables: HistoryTables): StoredEvent[] {
  if (chunk.count > 0 && chunk.details.byteLength === 0) throw new HistoryStreamError('history chunk: the stream was sent without details (details=0): its events cannot be rebuilt');
  const details = JSON.parse(decoder.decode(chunk.details)) as Array<Record<string, unknown>>;
  if (!Array.isArray(details) || details.length !== chunk.count) {
    throw new HistoryStreamError(`history chunk: details must be an array of ${chunk.count} entries`);
  }
  const events: StoredEvent[] = new Array(chunk.count);
  for (let i = 0; i < chunk.count; i++) {
    const type = EVENT_TYPES[chunk.type[i]!];
    if (type === undefined) throw new HistoryStreamError(`history chunk: type ${chunk.type[i]} of event ${i} is unknown`);
    const rest = details[i]!;
    const incidentId = tables.incidents[chunk.incident[i]!];
    if (type !== 'incident.reported' && incidentId === undefined) throw new HistoryStreamError(`history chunk: incident ${chunk.incident[i]} of event ${i} is not in the stream's table (ids not kept?)`);
    const head = type === 'incident.reported' ? { type } : { type, incidentId };
    events[i] = { id: rest.id, ...head, ...rest, seq: chunk.baseSeq + chunk.seqOffset[i]!, grid: tables.grids[chunk.grid[i]!] } as StoredEvent;
  }
  return events;
}

/** The `at` (epoch ms) of event i of a chunk. */
export function chunkAt(chunk: HistoryChunk, i: number): number {
  return chunk.baseAt + chunk.atOffset[i]!;
}

/** Bytes a chunk holds in memory: columns and the raw details. */
export function chunkMemoryBytes(chunk: HistoryChunk): { columns: number; details: number } {
  return { columns: chunk.count * COLUMN_BYTES_PER_EVENT, details: chunk.details.byteLength };
}
