/**
 * The wall's live picture of the city: the shared reducer's state plus the incremental views the layers and panels
 * draw from. Events are folded through `applyEvent` (protocol/reducer.ts, the same code as the server and playback);
 * each applied transition (prev → next) patches only what it touches:
 * - the incident's slot in the GPU columns (IncidentBuffers),
 * - its grid's load (open count comes from the reducer's per-grid counters; overdue from the OverdueWatch),
 * - the active whistles and the ticker.
 * Versions tell the layers what changed, so a frame rebuilds nothing that did not.
 */
import type { StoredEvent } from '../../protocol/events';
import {
  applyEvent,
  evict,
  isOpenStatus,
  restoreSnapshot,
  createState,
  whistleAnswered,
  type CityState,
  type IncidentRecord,
  type SerializedState,
  type WhistleRecord,
} from '../../protocol/reducer';
import type { CityModel } from '../geo/city-model';
import type { CoordinateShift } from '../geo/basemap-shift';
import { IncidentBuffers } from './incident-buffers';
import { groupIndexOf } from '../map/map-focus';
import { OverdueWatch } from './overdue-watch';
import { TICKER_LENGTH, type RecentChange } from '../../protocol/recent-changes';

/** Closed cases leave the live layers this long after they end (the reducer's counters, and so KPIs, keep them). */
export const CLIENT_RETAIN_CLOSED_MS = 30 * 60_000;
/** An answered whistle stays on the board and the map this long, so the wall sees the departments arrive. */
export const ANSWERED_WHISTLE_LINGER_MS = 120_000;
const PULSE_MS = 10_000;

/** A ticker row: a change (protocol/recent-changes.ts), or, with `event` null, a case seeded at its latest state. */
export interface TickerEntry extends Omit<RecentChange, 'event'> {
  event: StoredEvent | null;
}

export interface ActiveWhistle {
  key: string;
  incident: IncidentRecord;
  whistle: WhistleRecord;
  /** the service centre of the whistling tier (or the incident when the package lacks one) */
  source: [number, number];
  targets: Array<{ department: string; position: [number, number]; arrived: boolean; acknowledged: boolean }>;
  answered: boolean;
}

export interface NewIncidentPulse {
  id: string;
  position: [number, number];
  /** page time (performance.now()) the case appeared */
  bornAt: number;
  urgent: boolean;
  /** its category code (the map's focus filters pulses by group) */
  category: string;
}

export class LiveModel {
  state: CityState = createState({ retainClosedMs: CLIENT_RETAIN_CLOSED_MS });
  readonly buffers = new IncidentBuffers();
  readonly overdue = new OverdueWatch();
  /** overdue cases per grid index */
  readonly gridOverdue: Uint32Array;
  gridVersion = 0;
  whistleVersion = 0;
  tickerVersion = 0;
  /** latest first */
  ticker: TickerEntry[] = [];
  whistles: ActiveWhistle[] = [];
  pulses: NewIncidentPulse[] = [];
  /** called for each whistle of type emergency (or on an urgent case) as it is blown */
  onUrgentWhistle: ((whistle: ActiveWhistle) => void) | null = null;
  private readonly whistleIncidents = new Map<string, IncidentRecord>();
  private readonly gridOverdueIds = new Map<string, number>();
  /** tickerIn's latest answer: recomputed when the ticker or the area changes, its top-up at most once a second */
  private tickerScope: { area: string; version: number; rows: number; entries: TickerEntry[]; seeds: TickerEntry[] | null; seededAt: number } | null = null;

  constructor(
    readonly city: CityModel,
    private readonly shift: CoordinateShift,
    /** server-aligned wall-clock time, epoch ms */
    private readonly now: () => number,
  ) {
    this.gridOverdue = new Uint32Array(city.grids.length);
  }

  get headSeq(): number {
    return this.state.headSeq;
  }

  /** Open cases of a grid, straight from the reducer's incremental per-grid counters. */
  gridOpen(gridIndex: number): number {
    const grid = this.city.grids[gridIndex];
    return grid ? (this.state.areas.get(grid.code)?.open ?? 0) : 0;
  }

  /**
   * Replaces everything with a snapshot: the relay's, or playback's state at t. `recent` (latest first) are the
   * changes that led to it (the relay's `Snapshot.recent`, or playback's fold): the ticker shows them as a wall
   * watching then showed them, and only the rows they leave empty are seeded from the cases' latest states.
   */
  applySnapshot(serialized: SerializedState, seq: number, recent: readonly TickerEntry[] = []): void {
    this.state = restoreSnapshot(serialized);
    this.state.options.retainClosedMs = CLIENT_RETAIN_CLOSED_MS;
    if (this.state.headSeq < seq) this.state.headSeq = seq;
    this.buffers.clear();
    this.overdue.clear();
    this.gridOverdue.fill(0);
    this.gridOverdueIds.clear();
    this.whistleIncidents.clear();
    this.pulses = [];
    const now = this.now();
    for (const record of this.state.incidents.values()) this.track(undefined, record, now);
    this.rebuildWhistles(now);
    // The ticker opens with the latest changes, so a freshly loaded wall does not start blank; only when they fall
    // short are the cases scanned for seeds.
    this.ticker = recent.length >= TICKER_LENGTH ? recent.slice(0, TICKER_LENGTH) : withSeeds(recent, this.seedsIn('', TICKER_LENGTH), TICKER_LENGTH);
    // an area's top-up held records of the state just replaced
    this.tickerScope = null;
    this.gridVersion += 1;
    this.tickerVersion += 1;
  }

  /**
   * The ticker's entries in `area` (a grid-code prefix), latest first. The ticker keeps the city-wide latest
   * TICKER_LENGTH changes, a handful of which lie in any one street: so when fewer than `rows` do, the list is topped
   * up with the area's latest-changed cases it has no entry for, each at its latest state (as a freshly loaded wall
   * seeds its ticker), all by time, latest first; a street's or a district's view is then never near-empty.
   */
  tickerIn(area: string, rows: number): TickerEntry[] {
    const cached = this.tickerScope;
    const same = cached !== null && cached.area === area && cached.rows === rows;
    if (same && cached.version === this.tickerVersion) return cached.entries;
    const live = this.ticker.filter((entry) => entry.incident.grid.startsWith(area));
    let entries = live;
    let seeds = same ? cached.seeds : null;
    let seededAt = same ? cached.seededAt : 0;
    if (live.length < rows) {
      if (seeds === null || performance.now() - seededAt >= 1_000) {
        seeds = this.seedsIn(area, rows);
        seededAt = performance.now();
      }
      entries = withSeeds(live, seeds, rows);
    }
    this.tickerScope = { area, version: this.tickerVersion, rows, entries, seeds, seededAt };
    return entries;
  }

  /** The `rows` cases of `area` (a grid-code prefix; '' for all) that changed last, each at its latest state: seeded ticker entries. */
  private seedsIn(area: string, rows: number): TickerEntry[] {
    const latest: IncidentRecord[] = [];
    for (const incident of this.state.incidents.values()) if (incident.grid.startsWith(area)) latest.push(incident);
    latest.sort((a, b) => b.updatedAt - a.updatedAt);
    return latest.slice(0, rows).map((incident) => ({ seq: incident.lastSeq, at: incident.updatedAt, event: null, incident }));
  }

  /**
   * Folds a batch of relayed events. Events at or below the head seq (already applied, e.g. replayed after a
   * reconnect) are skipped, so a resume never double-counts. Returns how many were applied.
   */
  applyEvents(events: readonly StoredEvent[]): number {
    const now = this.now();
    let applied = 0;
    let whistlesChanged = false;
    const fresh: TickerEntry[] = [];
    for (const event of events) {
      if (event.seq <= this.state.headSeq) continue;
      const result = applyEvent(this.state, event);
      if (!result.ok) {
        // Still advance: the relay's log is authoritative, and an event the reducer refuses changes nothing.
        this.state.headSeq = event.seq;
        continue;
      }
      applied += 1;
      this.track(result.prev, result.next, now);
      if (result.next.whistles.length > 0 || result.prev?.whistles.length) whistlesChanged = true;
      fresh.push({ seq: event.seq, at: Date.parse(event.at), event, incident: result.next });
      if (event.type === 'incident.whistled' && (event.whistleType === 'emergency' || result.next.priority === 'urgent')) {
        this.rebuildWhistles(now);
        whistlesChanged = false;
        const blown = this.whistles.find((w) => w.incident.id === result.next.id && w.whistle.id === event.whistleId);
        if (blown) this.onUrgentWhistle?.(blown);
      }
    }
    if (applied > 0) {
      // A new array (not an in-place unshift) so that the ticker element sees the change.
      this.ticker = [...fresh.slice(-TICKER_LENGTH).reverse(), ...this.ticker].slice(0, TICKER_LENGTH);
      this.tickerVersion += 1;
      this.gridVersion += 1;
    }
    if (whistlesChanged) this.rebuildWhistles(now);
    return applied;
  }

  /**
   * Time-driven upkeep, about once a second: deadlines that passed, pulses that faded, answered whistles that
   * lingered long enough, and (less often) eviction of long-closed cases.
   */
  tick(): void {
    const now = this.now();
    const became = this.overdue.due(now, (id) => this.state.incidents.get(id));
    for (const record of became) {
      this.setGridOverdue(record, true);
      this.buffers.upsert(record.id, this.look(record, true));
    }
    if (became.length > 0) this.gridVersion += 1;
    const cutoff = performance.now() - PULSE_MS;
    if (this.pulses.length > 0 && this.pulses[0]!.bornAt < cutoff) this.pulses = this.pulses.filter((p) => p.bornAt >= cutoff);
    if (this.whistles.some((w) => w.answered)) this.rebuildWhistles(now);
  }

  /** Drops long-closed cases from the live layers; returns how many left. */
  evictClosed(): number {
    const dropped = evict(this.state, this.now());
    if (dropped === 0) return 0;
    for (const id of [...this.buffers.liveIds()]) {
      if (!this.state.incidents.has(id)) {
        this.buffers.remove(id);
        this.overdue.forget(id);
        this.whistleIncidents.delete(id);
      }
    }
    return dropped;
  }

  private look(record: IncidentRecord, overdue: boolean) {
    return { position: this.shift(record.location[0], record.location[1]), status: record.status, priority: record.priority, overdue, groupIndex: groupIndexOf(record.category) };
  }

  private track(prev: IncidentRecord | undefined, next: IncidentRecord, now: number): void {
    const overdue = this.overdue.update(next, now);
    this.setGridOverdue(next, overdue);
    this.buffers.upsert(next.id, this.look(next, overdue));
    if (prev === undefined && now - next.reportedAt < PULSE_MS * 3) {
      this.pulses.push({ id: next.id, position: this.shift(next.location[0], next.location[1]), bornAt: performance.now(), urgent: next.priority === 'urgent', category: next.category });
    }
    if (next.whistles.length > 0 && isOpenStatus(next.status)) this.whistleIncidents.set(next.id, next);
    else this.whistleIncidents.delete(next.id);
  }

  private setGridOverdue(record: IncidentRecord, overdue: boolean): void {
    const was = this.gridOverdueIds.has(record.id);
    if (was === overdue) return;
    const gridIndex = this.city.gridIndexByCode.get(record.grid);
    if (overdue) this.gridOverdueIds.set(record.id, gridIndex ?? -1);
    else this.gridOverdueIds.delete(record.id);
    if (gridIndex !== undefined) this.gridOverdue[gridIndex] = (this.gridOverdue[gridIndex] ?? 0) + (overdue ? 1 : -1);
  }

  private rebuildWhistles(now: number): void {
    const list: ActiveWhistle[] = [];
    for (const incident of this.whistleIncidents.values()) {
      for (const whistle of incident.whistles) {
        const answered = whistleAnswered(whistle);
        if (answered) {
          let last = whistle.at;
          for (const report of Object.values(whistle.reports)) if ((report.arrivedAt ?? 0) > last) last = report.arrivedAt ?? last;
          if (now - last > ANSWERED_WHISTLE_LINGER_MS) continue;
        }
        list.push(this.describeWhistle(incident, whistle, answered));
      }
    }
    // Newest first, emergencies before everything else.
    list.sort((a, b) => Number(b.whistle.type === 'emergency') - Number(a.whistle.type === 'emergency') || b.whistle.at - a.whistle.at);
    this.whistles = list;
    this.whistleVersion += 1;
  }

  private describeWhistle(incident: IncidentRecord, whistle: WhistleRecord, answered: boolean): ActiveWhistle {
    const prefix = whistle.tier === 'community' ? 12 : whistle.tier === 'street' ? 9 : 6;
    const centre = this.city.serviceCentreByArea.get(incident.grid.slice(0, prefix));
    const source = centre?.position ?? this.shift(incident.location[0], incident.location[1]);
    const targets: ActiveWhistle['targets'] = [];
    for (const department of whistle.departments) {
      const target = this.city.departmentByCode.get(department);
      const report = whistle.reports[department];
      targets.push({
        department,
        position: target?.position ?? this.shift(incident.location[0], incident.location[1]),
        arrived: report?.arrivedAt !== undefined,
        acknowledged: report?.acknowledgedAt !== undefined,
      });
    }
    return { key: `${incident.id}/${whistle.id}`, incident, whistle, source, targets, answered };
  }
}

/** By time, latest first: the changes held and, after them in time, the seeded cases they leave out; `rows` at most. */
function withSeeds(changes: readonly TickerEntry[], seeds: readonly TickerEntry[], rows: number): TickerEntry[] {
  const shown = new Set(changes.map((entry) => entry.incident.id));
  return [...changes, ...seeds.filter((seed) => !shown.has(seed.incident.id))].sort((a, b) => b.at - a.at).slice(0, rows);
}
