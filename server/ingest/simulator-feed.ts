/**
 * Wires the built-in simulator (server/simulator/) to in-process ingest: the simulator's events take exactly the
 * path an integrator's do (validation, CRS conversion, grid lookup, state machine, store, relay). On an empty store
 * it first backfills BACKFILL_DAYS of history, printing progress, then runs live. The live rate is SIMULATE_RATE, by
 * default in proportion to the package's residents (`defaultSimulateRate`). The history runs at BACKFILL_PER_DAY,
 * by default the live rate's, so that live continues it instead of starting at another pace.
 */
import type { IncomingEvent } from '../../protocol/events';
import type { IncidentRecord } from '../../protocol/reducer';
import type { GridwatchServer } from '../app';
import { simulatePace, type Config } from '../config';
import type { CityGeodata } from '../geodata/types';
import type { Logger } from '../ops/logger';
import { residentsOf } from '../simulator/city-model';
import { createSimulator } from '../simulator/simulator';
import type { EventStore } from '../store/event-store';

export interface Simulation {
  stop(): Promise<void>;
}

export interface SimulationOptions {
  config: Config;
  geodata: CityGeodata;
  store: EventStore;
  server: Pick<GridwatchServer, 'ingest'>;
  logger: Logger;
  /** True once shutdown has begun: a backfill cut short by it is not an error. */
  stopped(): boolean;
  /** Where progress lines go (default console.log). */
  print?: (line: string) => void;
}

/** Backfills an empty store (when configured), then starts the live simulator. */
export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  const { config, geodata, store, server, logger } = options;
  const print = options.print ?? ((line: string) => console.log(line));
  let rejected = 0;
  const sink = async (events: IncomingEvent[]): Promise<void> => {
    const response = await server.ingest({ events });
    if (response.rejected > 0) {
      // The simulator emits only legal events; a rejection means the contract drifted. Say so, but sparingly.
      if (rejected < 20) {
        for (const ack of response.acks) {
          if (ack.status === 'rejected') logger.warn({ id: ack.id, errors: ack.errors }, 'simulated event rejected');
        }
      }
      rejected += response.rejected;
    }
  };
  const { rate, perDay } = simulatePace(residentsOf(geodata), { rate: config.simulate.rate, perDay: config.simulate.backfillPerDay });
  const simulator = createSimulator({
    city: geodata,
    seed: config.simulate.seed,
    rate,
    reportMinutes: config.whistleReportMinutes,
    sink,
    onError: (err) => logger.warn({ err }, 'simulator batch failed'),
  });

  const days = config.simulate.backfillDays;
  const emptyStore = (await store.headSeq()) === 0;
  if (!emptyStore) {
    // A restart: carry the previous run's open cases to closure, or they would pile up as overdue for ever.
    const open = await store.openIncidents('city');
    const adopted = simulator.adopt(open.map((row) => row.doc as IncidentRecord));
    logger.info({ adopted }, 'simulator adopted the open incidents of the previous run');
  }
  if (days > 0 && emptyStore) {
    print(
      `[gridwatch] empty store: backfilling ${days} days of history, ${Math.round(perDay).toLocaleString('en')} incidents a day (BACKFILL_DAYS=0 skips this)`,
    );
    let nextStep = 0.1;
    try {
      const result = await simulator.backfill({
        days,
        incidentsPerDay: perDay,
        onProgress: (p) => {
          if (p.fraction >= nextStep && !p.done) {
            nextStep = Math.floor(p.fraction * 10) / 10 + 0.1;
            print(`[gridwatch] backfill ${Math.round(p.fraction * 100)} %: ${p.events.toLocaleString('en')} events, ${Math.round(p.eventsPerSecond).toLocaleString('en')}/s`);
          }
        },
      });
      print(`[gridwatch] backfill done: ${result.events.toLocaleString('en')} events, ${result.incidents.toLocaleString('en')} incidents in ${result.seconds.toFixed(1)} s`);
    } catch (err) {
      if (options.stopped()) return { stop: async () => undefined };
      throw err;
    }
  }
  if (options.stopped()) return { stop: async () => undefined };
  simulator.start();
  logger.info({ rate, rateFrom: config.simulate.rate === null ? 'residents' : 'SIMULATE_RATE', seed: config.simulate.seed }, 'simulator running');
  return { stop: () => simulator.stop() };
}
