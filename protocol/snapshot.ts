/**
 * Serialised forms of the reducer state:
 * - `snapshotOf(state, area)`: the JSON-serialisable state of one area, sent to a screen as the `/live` snapshot
 *   (it holds nothing outside the area, so scoping holds);
 * - `encodeCheckpoint` / `decodeCheckpoint`: the whole state as bytes for `EventStore.saveCheckpoint`, so that a
 *   restart replays only the tail of the log. Format: one version byte, then UTF-8 JSON of the city snapshot
 *   (bench/reducer.bench.ts measures its size and speed).
 *
 * @example
 * ```ts
 * socket.emit('snapshot', { area, seq: state.headSeq, serverTime: Date.now(), reason: 'subscribe', state: snapshotOf(state, area) });
 * const screenState = restoreSnapshot(snapshot.state as SerializedState);
 * ```
 */
import type { IncidentStatus } from './events';
import { areaWithin, emptyDay, type AreaCounters, type DayCounters } from './counters';
import { isOpenStatus, isUnresolvedStatus, normaliseRecord, type IncidentRecord } from './transition';
import { createState, endedAt, type CityState, type ReducerOptions } from './state';
import { rebuildOverdue } from './overdue';
import { shanghaiDay } from './time';

/** 3: day counters gained `arrivalsOnTime` (报到及时率); a checkpoint of version 2 is refused, and the log replayed. */
export const SNAPSHOT_VERSION = 3;

/** The order of DayCounters fields in a serialised day: every number field, then whistles by tier. */
const DAY_FIELDS = (Object.keys(emptyDay()) as Array<keyof DayCounters>).filter((key) => key !== 'whistles') as Array<
  Exclude<keyof DayCounters, 'whistles'>
>;

/** A day's counters as a flat array (keys would repeat for every area and day and dominate the size). */
function packDay(day: DayCounters): number[] {
  const packed = DAY_FIELDS.map((field) => day[field]);
  packed.push(day.whistles.community, day.whistles.street, day.whistles.district);
  return packed;
}

function unpackDay(packed: readonly number[], where: string): DayCounters {
  if (!Array.isArray(packed) || packed.length !== DAY_FIELDS.length + 3) {
    throw new RangeError(`${where}: must be an array of ${DAY_FIELDS.length + 3} counters`);
  }
  const day = emptyDay();
  DAY_FIELDS.forEach((field, i) => {
    day[field] = packed[i] as number;
  });
  const n = DAY_FIELDS.length;
  day.whistles = { community: packed[n] as number, street: packed[n + 1] as number, district: packed[n + 2] as number };
  return day;
}

export interface SerializedArea {
  code: string;
  total: number;
  status: Record<IncidentStatus, number>;
  open: number;
  activeWhistles: number;
  /** [Asia/Shanghai day number, the DayCounters packed as numbers in a fixed field order] */
  days: Array<[number, number[]]>;
}

/** The JSON form of a (possibly area-filtered) state. */
export interface SerializedState {
  version: typeof SNAPSHOT_VERSION;
  /** `city` or the area code the snapshot was filtered to */
  area: string;
  headSeq: number;
  clock: number;
  options: Required<ReducerOptions>;
  /** the live incidents of the area (absent fields dropped by JSON) */
  incidents: IncidentRecord[];
  areas: SerializedArea[];
}

const AREA_PATTERN = /^(city|\d{6}|\d{9}|\d{12}|\d{15})$/;

export interface SnapshotOptions {
  /**
   * Keep only the day counters of the latest `days` Asia/Shanghai days (counted back from the state's clock).
   * Screens need today's (and at midnight yesterday's): `{ days: 2 }` makes their snapshots several times smaller.
   * Default: every retained day (checkpoints need them all).
   */
  days?: number;
}

/**
 * The state of one area as JSON-serialisable data: its incidents (live map) and the counters of the area and every
 * area inside it. Counters of enclosing areas (e.g. the city, for a district) are left out: a screen must not learn
 * figures outside its scope.
 */
export function snapshotOf(state: CityState, area: string, options: SnapshotOptions = {}): SerializedState {
  if (!AREA_PATTERN.test(area)) throw new RangeError(`area: must be \`city\` or a 6, 9, 12 or 15 digit code, got "${area}"`);
  const days = options.days;
  if (days !== undefined && !(Number.isInteger(days) && days >= 1)) throw new RangeError(`days: must be a whole number ≥ 1, got ${days}`);
  const fromDay = days === undefined ? Number.NEGATIVE_INFINITY : shanghaiDay(state.clock) - days + 1;
  const incidents: IncidentRecord[] = [];
  for (const record of state.incidents.values()) if (areaWithin(record.grid, area)) incidents.push(record);
  const areas: SerializedArea[] = [];
  for (const counters of state.areas.values()) {
    if (!areaWithin(counters.code, area)) continue;
    areas.push({
      code: counters.code,
      total: counters.total,
      status: { ...counters.status },
      open: counters.open,
      activeWhistles: counters.activeWhistles,
      days: [...counters.days].filter(([day]) => day >= fromDay).map(([day, c]) => [day, packDay(c)]),
    });
  }
  return { version: SNAPSHOT_VERSION, area, headSeq: state.headSeq, clock: state.clock, options: { ...state.options }, incidents, areas };
}

/**
 * A state rebuilt from a snapshot. Counters inside the snapshot's area are exact and stay exact as events of that
 * area are applied; enclosing areas start from zero.
 */
export function restoreSnapshot(snapshot: SerializedState): CityState {
  if (snapshot.version !== SNAPSHOT_VERSION) {
    throw new RangeError(`version: snapshot version ${String(snapshot.version)} is not supported (expected ${SNAPSHOT_VERSION})`);
  }
  const state = createState(snapshot.options, snapshot.area);
  state.headSeq = snapshot.headSeq;
  state.clock = snapshot.clock;
  const ended: IncidentRecord[] = [];
  for (const [i, parsed] of snapshot.incidents.entries()) {
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'string' || typeof parsed.grid !== 'string') {
      throw new RangeError(`incidents[${i}]: must be an incident record with a string id and grid`);
    }
    const record = normaliseRecord(parsed);
    state.incidents.set(record.id, record);
    if (isUnresolvedStatus(record.status)) state.unresolved.set(record.id, record);
    if (!isOpenStatus(record.status)) ended.push(record);
  }
  // ascending keys make a valid heap as they are
  for (const record of ended.sort((a, b) => endedAt(a) - endedAt(b))) state.ended.push({ key: endedAt(record), id: record.id });
  for (const area of snapshot.areas) {
    const counters: AreaCounters = {
      code: area.code,
      total: area.total,
      status: { ...area.status },
      open: area.open,
      activeWhistles: area.activeWhistles,
      days: new Map(area.days.map(([day, packed]) => [day, unpackDay(packed, `areas[${area.code}].days[${day}]`)])),
      overdue: 0,
      recentDay: Number.NaN,
      recentCounters: undefined,
    };
    state.areas.set(area.code, counters);
  }
  rebuildOverdue(state);
  return state;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The whole state as compact bytes: a version byte, then UTF-8 JSON. */
export function encodeCheckpoint(state: CityState): Uint8Array {
  const json = encoder.encode(JSON.stringify(snapshotOf(state, 'city')));
  const bytes = new Uint8Array(json.length + 1);
  bytes[0] = SNAPSHOT_VERSION;
  bytes.set(json, 1);
  return bytes;
}

/** The state encoded by `encodeCheckpoint`. Throws a RangeError naming the problem on foreign or damaged bytes. */
export function decodeCheckpoint(bytes: Uint8Array): CityState {
  if (bytes.length < 2) throw new RangeError('checkpoint: too short to hold a state');
  if (bytes[0] !== SNAPSHOT_VERSION) throw new RangeError(`checkpoint: version byte ${String(bytes[0])} is not ${SNAPSHOT_VERSION}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes.subarray(1)));
  } catch (error) {
    throw new RangeError(`checkpoint: damaged JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { area?: unknown }).area !== 'city') {
    throw new RangeError('checkpoint: not a whole-city state');
  }
  return restoreSnapshot(parsed as SerializedState);
}
