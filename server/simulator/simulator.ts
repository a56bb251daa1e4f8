/**
 * The living city: wraps the simulation engine with a wall clock (live mode) and a fast history generator
 * (backfill). Events leave through `sink`, in batches of at most MAX_BATCH_EVENTS, each batch awaited before the
 * next (back-pressure): the server wires the sink to in-process ingest, the CLI posts batches over HTTP.
 *
 * @example
 * ```ts
 * const simulator = createSimulator({ city, seed: 7, rate: 2, sink: (events) => server.ingest({ events }).then(() => undefined) });
 * await simulator.backfill({ days: 14, onProgress: (p) => console.log(`${Math.round(p.fraction * 100)} %`) });
 * simulator.start();      // live from here, continuing the cases the backfill left open
 * await simulator.stop();
 * ```
 */
import { MAX_BATCH_EVENTS, type IncomingEvent, type WhistleType } from '../../protocol/events';
import { DAY_MS } from '../../protocol/time';
import type { IncidentRecord } from '../../protocol/reducer';
import type { SimCity } from './city-model';
import { SimulationEngine, type EngineStats } from './engine';
import { MINUTE } from './profiles';

/** Where events leave the simulator. Resolves when the batch is taken (e.g. acknowledged by ingest). */
export type Sink = (events: IncomingEvent[]) => Promise<void>;

export interface SimulatorOptions {
  city: SimCity;
  seed: number;
  /** mean new incidents per second over a day, live (the hourly curve shapes it) */
  rate: number;
  sink: Sink;
  /** the wall clock, epoch ms (tests inject one) */
  now?: () => number;
  /** live tick interval, ms (default 250) */
  tickMs?: number;
  /** called when the sink fails in live mode; the simulator keeps running */
  onError?: (error: unknown) => void;
  /** the server's report limits for whistles that name none (see EngineOptions.reportMinutes) */
  reportMinutes?: Readonly<Record<WhistleType, number>>;
}

export interface BackfillOptions {
  /** how much history, in days (fractions allowed) */
  days: number;
  /** the end of the history, epoch ms (default: the clock's now) */
  now?: number;
  /** where the history goes (default: the simulator's sink) */
  sink?: Sink;
  /** new incidents per day over the history (default 3,000: a city core's realistic demand; servers pass their live rate's) */
  incidentsPerDay?: number;
  onProgress?: (progress: BackfillProgress) => void;
  /** events per sink call (default and maximum MAX_BATCH_EVENTS) */
  batchSize?: number;
}

export interface BackfillProgress {
  /** simulated time reached, epoch ms */
  simulatedTo: number;
  /** 0–1 */
  fraction: number;
  events: number;
  incidents: number;
  /** generation plus sink throughput so far */
  eventsPerSecond: number;
  done: boolean;
}

export interface BackfillResult {
  events: number;
  incidents: number;
  from: number;
  to: number;
  seconds: number;
}

export interface Simulator {
  /** Starts the live loop (after a backfill, it continues the backfilled cases). */
  start(): void;
  /** Stops the live loop and waits for the batch in flight. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Generates history up to `now` and sends it through the sink. Only before `start`. */
  backfill(options: BackfillOptions): Promise<BackfillResult>;
  /** One live step: everything due up to the clock's now, sent through the sink. Returns the events sent. */
  tick(): Promise<number>;
  /** Changes the live rate (incidents per second). */
  setRate(rate: number): void;
  /**
   * Takes over open incidents left by an earlier run (e.g. the server's live state after a restart) and carries
   * them through the rest of their lifecycle. Call before `start`. Returns how many were adopted.
   */
  adopt(records: Iterable<IncidentRecord>): number;
  readonly stats: Readonly<EngineStats>;
}

export const DEFAULT_BACKFILL_PER_DAY = 3_000;

export function createSimulator(options: SimulatorOptions): Simulator {
  const clock = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 250;
  if (!(Number.isFinite(tickMs) && tickMs >= 10)) throw new RangeError(`tickMs: must be ≥ 10, got ${tickMs}`);
  let rate = options.rate;
  let engine: SimulationEngine | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let busy = false;
  let backfilling = false;
  const emptyStats: EngineStats = { incidents: 0, events: 0, dropped: 0, unplaced: 0, whistles: { community: 0, street: 0, district: 0 } };

  const engineAt = (startAt: number, startRate: number): SimulationEngine => {
    engine ??= new SimulationEngine({
      city: options.city,
      seed: options.seed,
      startAt,
      rate: startRate,
      ...(options.reportMinutes === undefined ? {} : { reportMinutes: options.reportMinutes }),
    });
    return engine;
  };

  async function send(sink: Sink, events: IncomingEvent[], batchSize: number): Promise<void> {
    for (let i = 0; i < events.length; i += batchSize) await sink(events.slice(i, i + batchSize));
  }

  async function tick(): Promise<number> {
    const live = engineAt(clock(), rate);
    const events: IncomingEvent[] = [];
    live.advance(clock(), (event) => events.push(event));
    if (events.length > 0) await send(options.sink, events, MAX_BATCH_EVENTS);
    return events.length;
  }

  return {
    get running() {
      return timer !== undefined;
    },
    get stats() {
      return engine?.stats ?? emptyStats;
    },
    setRate(next: number) {
      rate = next;
      engine?.setRate(next);
    },
    tick,
    adopt(records: Iterable<IncidentRecord>) {
      return engineAt(clock(), rate).adopt(records);
    },
    start() {
      if (timer !== undefined) return;
      if (backfilling) throw new Error('start: wait for the backfill to finish');
      const live = engineAt(clock(), rate);
      live.setRate(rate);
      timer = setInterval(() => {
        // A slow sink must not pile up ticks: skip while a batch is in flight.
        if (busy) return;
        busy = true;
        inFlight = tick()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            busy = false;
          });
      }, tickMs);
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    async backfill(backfillOptions: BackfillOptions): Promise<BackfillResult> {
      if (timer !== undefined || engine !== undefined) throw new Error('backfill: only before the simulator has started');
      const days = backfillOptions.days;
      if (!(Number.isFinite(days) && days > 0)) throw new RangeError(`days: must be a number > 0, got ${days}`);
      const perDay = backfillOptions.incidentsPerDay ?? DEFAULT_BACKFILL_PER_DAY;
      if (!(Number.isFinite(perDay) && perDay >= 0)) throw new RangeError(`incidentsPerDay: must be ≥ 0, got ${perDay}`);
      const batchSize = Math.min(MAX_BATCH_EVENTS, backfillOptions.batchSize ?? MAX_BATCH_EVENTS);
      if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize: must be a whole number ≥ 1, got ${batchSize}`);
      const to = backfillOptions.now ?? clock();
      const from = to - days * DAY_MS;
      const sink = backfillOptions.sink ?? options.sink;
      backfilling = true;
      try {
        const history = engineAt(from, perDay / 86_400);
        const started = performance.now();
        let lastProgress = started;
        let sent = 0;
        const buffer: IncomingEvent[] = [];
        const progress = (done: boolean): void => {
          const seconds = (performance.now() - started) / 1000;
          backfillOptions.onProgress?.({
            simulatedTo: history.now,
            fraction: Math.min(1, (history.now - from) / (to - from)),
            events: sent,
            incidents: history.stats.incidents,
            eventsPerSecond: seconds > 0 ? sent / seconds : 0,
            done,
          });
        };
        // Advance in slices of simulated time, flushing full batches as they fill.
        for (let t = from; t < to; ) {
          t = Math.min(to, t + 10 * MINUTE);
          history.advance(t, (event) => buffer.push(event));
          while (buffer.length >= batchSize) {
            await sink(buffer.splice(0, batchSize));
            sent += batchSize;
          }
          if (performance.now() - lastProgress > 250) {
            lastProgress = performance.now();
            progress(false);
          }
        }
        if (buffer.length > 0) {
          const rest = buffer.splice(0);
          await sink(rest);
          sent += rest.length;
        }
        progress(true);
        history.setRate(rate);
        return { events: sent, incidents: history.stats.incidents, from, to, seconds: (performance.now() - started) / 1000 };
      } finally {
        backfilling = false;
      }
    },
  };
}

/**
 * Generates `days` of history up to `now` without a live simulator (e.g. for benchmarks and playback fixtures).
 * The same as `createSimulator(...).backfill(...)`.
 */
export function backfill(options: { city: SimCity; seed: number } & BackfillOptions & { sink: Sink }): Promise<BackfillResult> {
  return createSimulator({ city: options.city, seed: options.seed, rate: 0, sink: options.sink }).backfill(options);
}
