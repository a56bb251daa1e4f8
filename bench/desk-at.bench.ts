/**
 * The desk in playback: how long the officer's area panel and search wait for a past instant t
 * (`GET /api/v1/desk/:code?at=`, `GET /api/v1/search?at=`), our way against the naive way, in one run on the same store.
 *
 *   npx tsx bench/desk-at.bench.ts [days...]   (default 4 and 14: the demo's history, about 250,000 events of Kunming,
 *                                               and two weeks, about 880,000: the naive way grows with the history kept)
 *
 * The store is filled as `npm start` fills it (the simulator's backfill through the server's own ingest), then:
 * - ours: the routes' own path. A `HistoryStateFolder` of the desk's own on a `CarryCache`: the state at t is folded
 *   from 00:00 China time of the day before t, starting from the cases open then (carried in), on a cursor that a
 *   later t of the same day moves forward;
 * - naive: fold every event of the area from the first one stored up to t, afresh for each ask.
 *
 * Three cases: an analyst opening a district's panel at t (the first ask of its day); a playing wall, whose panel
 * asks once a second of wall time while t moves 60 s a step at 60×; and search at t, which folds the whole city.
 * Both ways must give the same panel (areaDesk) and the same hits; the run fails otherwise.
 *
 * Writes bench/results/desk-at.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAYBACK_FOLD_OPTIONS } from '../protocol/history-api';
import { applyEvent, createState, type CityState } from '../protocol/reducer';
import { shanghaiDay, shanghaiDayStart } from '../protocol/time';
import { createServer } from '../server/app';
import { loadConfig } from '../server/config';
import { loadCity } from '../server/geodata/load';
import { CarryCache, HistoryStateFolder, pages } from '../server/http/history-state';
import { startSimulation } from '../server/ingest/simulator-feed';
import { createLogger } from '../server/ops/logger';
import { incidentsMatching } from '../server/search/area-search';
import { areaDesk } from '../server/search/grid-desk';
import type { EventStore } from '../server/store/event-store';
import { openEventStore } from '../server/store/open-event-store';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DAY_COUNTS = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [4, 14];
const DISTRICT = '530102';
const SEARCH_TEXT = '社区第2网格';
const PLAY_STEPS = 30;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** The naive way: every event of the area from the first stored up to `at`, folded afresh. */
async function foldFromStart(store: EventStore, area: string, at: number): Promise<CityState> {
  const state = createState(PLAYBACK_FOLD_OPTIONS);
  for await (const page of pages(store, { from: 0, to: at, area }, 5_000)) for (const event of page) applyEvent(state, event);
  return state;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function run(DAYS: number): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'gridwatch-desk-at-'));
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', BACKFILL_DAYS: String(DAYS) });
  const geodata = await loadCity(config.cityDir);
  const store = await openEventStore({ dataDir });
  const server = createServer({ config, store, geodata, logger: createLogger('silent') });
  try {
    const simulation = await startSimulation({ config, geodata, store, server, logger: createLogger('silent'), stopped: () => false, print: () => undefined });
    await simulation.stop();
    const events = await store.headSeq();
    console.log(`store: ${events.toLocaleString('en')} events over ${DAYS} days`);

    const carry = new CarryCache(store);
    const folder = new HistoryStateFolder(store, { carried: carry.carried, maxIncidents: 500_000 });
    const ours = (area: string, at: number) => <T>(use: (state: CityState) => T) => folder.readPast(area, at, use);
    const panel = (state: CityState, at: number) => JSON.stringify(areaDesk(geodata, state.incidents.values(), DISTRICT, at));
    const hits = (state: CityState) => JSON.stringify(incidentsMatching(state.incidents.values(), SEARCH_TEXT, { scope: ['city'], limit: 12 }));

    // an instant on the last full day of history, in the afternoon (China time)
    const now = Date.now();
    const t0 = shanghaiDayStart(shanghaiDay(now) - 1) + 15 * 3_600_000;

    // 1. opening a district's panel at t: the first ask of the day
    const [oursOpen, oursOpenMs] = await timed(() => ours(DISTRICT, t0)((s) => panel(s, t0)));
    const [naiveOpen, naiveOpenMs] = await timed(async () => panel(await foldFromStart(store, DISTRICT, t0), t0));
    if (oursOpen !== naiveOpen) throw new Error('the district panel at t differs between the two ways');

    // 2. a playing wall: t moves 60 s a step; the naive way refolds each time (sampled: every fifth step)
    const oursSteps: number[] = [];
    const naiveSteps: number[] = [];
    for (let i = 1; i <= PLAY_STEPS; i++) {
      const at = t0 + i * 60_000;
      const [mine, ms] = await timed(() => ours(DISTRICT, at)((s) => panel(s, at)));
      oursSteps.push(ms);
      if (i % 5 === 0) {
        const [theirs, naiveMs] = await timed(async () => panel(await foldFromStart(store, DISTRICT, at), at));
        naiveSteps.push(naiveMs);
        if (mine !== theirs) throw new Error(`the district panel at step ${i} differs between the two ways`);
      }
    }

    // 3. search at t: the whole city
    const t1 = t0 + 2 * 3_600_000;
    const [oursHits, oursSearchMs] = await timed(() => ours('city', t1)(hits));
    const [naiveHits, naiveSearchMs] = await timed(async () => hits(await foldFromStart(store, 'city', t1)));
    if (oursHits !== naiveHits) throw new Error('search hits at t differ between the two ways');
    const [, oursSearchNextMs] = await timed(() => ours('city', t1 + 60_000)(hits));

    return {
      input: { city: geodata.meta.name, days: DAYS, events, district: DISTRICT, at: new Date(t0).toISOString(), searchText: SEARCH_TEXT },
      openPanel: { oursMs: round(oursOpenMs), naiveMs: round(naiveOpenMs), speedup: round(naiveOpenMs / oursOpenMs) },
      playing: { steps: PLAY_STEPS, oursMedianMs: round(median(oursSteps)), oursMaxMs: round(Math.max(...oursSteps)), naiveMedianMs: round(median(naiveSteps)), speedup: round(median(naiveSteps) / median(oursSteps)) },
      searchAt: { oursFirstMs: round(oursSearchMs), oursNextMs: round(oursSearchNextMs), naiveMs: round(naiveSearchMs), speedup: round(naiveSearchMs / oursSearchMs) },
      same: true,
    };
  } finally {
    await server.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs = [];
for (const days of DAY_COUNTS) runs.push(await run(days));
const result = {
  benchmark: 'desk-at',
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, loadAverage1m: round(os.loadavg()[0] ?? 0, 2), node: process.version },
  note: 'wall time in-process on the SQLite store (no HTTP); the routes add their JSON on top. Ours and naive gave the same panels and hits at every compared instant.',
  runs,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'desk-at.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
