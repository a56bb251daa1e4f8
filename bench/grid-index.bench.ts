/**
 * Grid-index benchmark: which grid is a point in, our way (flatbush + flat ray casting, server/geodata/grid-index.ts)
 * against the naive way (turf.booleanPointInPolygon over every grid until one matches), side by side in one run on
 * the same random points.
 *
 *   npx tsx bench/grid-index.bench.ts        (about 30 s on one core)
 *
 * Grid sets: 5k grids from geodata/kunming/areas.topo.json when it exists, and 100k grids from the megacity
 * (.cache/geodata/megacity/areas.topo.json, written by `npm run geodata:build -- megacity`) when it exists. Either
 * missing, the set is synthesised by the same Voronoi method (tests/fixtures/geodata/synthetic-grids.ts), and the
 * results say which was used.
 *
 * The naive loop costs milliseconds per lookup, so it is SAMPLED: it runs on the first few hundred of the points
 * (fewer at 100k), and its rate is lookups per second over that sample. Every sampled answer is compared with the
 * index's answer for the same point; disagreements are counted in the results.
 *
 * Rates are given twice: per wall-clock second and per second of this process's CPU time (process.cpuUsage). The
 * development machine is shared (its load average is recorded), so wall-clock rates there understate what one
 * core does; the targets are judged on CPU time, which is the time the lookups actually spent on a core.
 *
 * Writes bench/results/grid-index.json.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { createGridIndex } from '../server/geodata/grid-index.js';
import type { Area, AreaProperties } from '../server/geodata/types.js';
import { seededRandom, voronoiGrids } from '../tests/fixtures/geodata/synthetic-grids.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const INDEX_LOOKUPS = 2_000_000;
const POINTS = 200_000;

interface GridSet {
  name: string;
  source: string;
  grids: Area[];
  naiveSample: number;
}

/** The grids of a city package, decoded from its TopoJSON. */
function gridsFromPackage(file: string): Area[] {
  const topology = JSON.parse(readFileSync(file, 'utf8')) as Topology<{ grid: GeometryCollection<AreaProperties> }>;
  const collection = feature(topology, topology.objects.grid);
  return collection.features.map((f) => {
    const geometry = f.geometry as unknown as Polygon | MultiPolygon;
    const flat = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).flat(2);
    const xs = flat.map((p) => p[0]!);
    const ys = flat.map((p) => p[1]!);
    return { ...f.properties, geometry, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] };
  });
}

function loadSet(name: string, file: string, count: number, bounds: [number, number, number, number], naiveSample: number): GridSet {
  const path = join(ROOT, file);
  if (existsSync(path)) return { name, source: file, grids: gridsFromPackage(path), naiveSample };
  return { name, source: `synthetic Voronoi (${file} not found)`, grids: voronoiGrids({ count, seed: 42, bounds }), naiveSample };
}

/** Random points over the grids' bounding box: some fall outside every grid, as real mis-located reports do. */
function randomPoints(grids: Area[], n: number, seed: number): Float64Array {
  let w = Infinity, s = Infinity, e = -Infinity, nn = -Infinity;
  for (const g of grids) {
    w = Math.min(w, g.bbox[0]);
    s = Math.min(s, g.bbox[1]);
    e = Math.max(e, g.bbox[2]);
    nn = Math.max(nn, g.bbox[3]);
  }
  const random = seededRandom(seed);
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = w + random() * (e - w);
    out[2 * i + 1] = s + random() * (nn - s);
  }
  return out;
}

function naiveLocate(grids: Area[], lon: number, lat: number): string | null {
  const point = [lon, lat];
  for (const g of grids) if (booleanPointInPolygon(point, g.geometry)) return g.code;
  return null;
}

function run(set: GridSet) {
  const { grids } = set;
  const points = randomPoints(grids, POINTS, 1234);
  const buildStart = performance.now();
  const index = createGridIndex(grids);
  const buildMs = performance.now() - buildStart;

  // warm up the JIT on a different slice of the same points
  let sink = 0;
  for (let i = 0; i < 100_000; i++) sink += index.locateIndex(points[(2 * i) % points.length]!, points[(2 * i + 1) % points.length]!);

  let inside = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < INDEX_LOOKUPS; k++) {
    const i = k % POINTS;
    if (index.locateIndex(points[2 * i]!, points[2 * i + 1]!) !== -1) inside++;
  }
  const indexMs = performance.now() - t0;
  const indexCpuMs = cpuMs(c0);

  let disagreements = 0;
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const naiveAnswers: Array<string | null> = [];
  for (let i = 0; i < set.naiveSample; i++) naiveAnswers.push(naiveLocate(grids, points[2 * i]!, points[2 * i + 1]!));
  const naiveMs = performance.now() - t1;
  const naiveCpuMs = cpuMs(c1);
  naiveAnswers.forEach((answer, i) => {
    if (index.locate(points[2 * i]!, points[2 * i + 1]!) !== answer) disagreements++;
  });
  const rates = (n: number, wallMs: number, cpu: number) => ({
    lookupsPerSecondWall: round(n / (wallMs / 1000)),
    lookupsPerSecondCpu: round(n / (cpu / 1000)),
  });
  const indexRates = rates(INDEX_LOOKUPS, indexMs, indexCpuMs);
  const naiveRates = rates(set.naiveSample, naiveMs, naiveCpuMs);
  const indexRate = indexRates.lookupsPerSecondCpu;
  const naiveRate = naiveRates.lookupsPerSecondCpu;

  const result = {
    grids: grids.length,
    source: set.source,
    buildMs: round(buildMs),
    index: { lookups: INDEX_LOOKUPS, wallMs: round(indexMs), cpuMs: round(indexCpuMs), ...indexRates, nsPerLookupCpu: round((indexCpuMs * 1e6) / INDEX_LOOKUPS) },
    naive: {
      method: 'turf.booleanPointInPolygon over every grid until one matches',
      sampled: true,
      lookups: set.naiveSample,
      wallMs: round(naiveMs),
      cpuMs: round(naiveCpuMs),
      ...naiveRates,
    },
    speedupCpu: Math.round(indexRate / naiveRate),
    speedupWall: Math.round(indexRates.lookupsPerSecondWall / naiveRates.lookupsPerSecondWall),
    shareOfPointsInAGrid: round(inside / INDEX_LOOKUPS),
    disagreementsOnSample: disagreements,
    sink,
  };
  console.log(
    `${set.name}: ${grids.length} grids (${set.source}); build ${result.buildMs} ms; index ${fmt(indexRate)} lookups/s of CPU time ` +
      `(${fmt(indexRates.lookupsPerSecondWall)}/s wall, ${result.index.nsPerLookupCpu} ns); naive ${fmt(naiveRate)} lookups/s of CPU time ` +
      `on a sample of ${set.naiveSample}; speed-up ${fmt(result.speedupCpu)}× (wall ${fmt(result.speedupWall)}×); disagreements ${disagreements}`,
  );
  return result;
}

const round = (x: number) => Math.round(x * 100) / 100;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const fmt = (x: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(x);

const sets = [
  loadSet('5k', 'geodata/kunming/areas.topo.json', 5000, [102.55, 24.85, 102.95, 25.2], 400),
  loadSet('100k', '.cache/geodata/megacity/areas.topo.json', 100_000, [116.0, 39.6, 116.8, 40.2], 40),
];
const results: Record<string, ReturnType<typeof run>> = {};
for (const set of sets) results[set.name] = run(set);

const targets = {
  lookupsPerSecondAt5k: { target: 1_000_000, measured: results['5k']!.index.lookupsPerSecondCpu, wall: results['5k']!.index.lookupsPerSecondWall },
  speedupAt5k: { target: 100, measured: results['5k']!.speedupCpu, wall: results['5k']!.speedupWall },
  speedupAt100k: { target: 1000, measured: results['100k']!.speedupCpu, wall: results['100k']!.speedupWall },
};
const out = {
  benchmark: 'grid-index',
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    note: 'lookups run on one core (one JS thread); targets judged on CPU time, wall-clock given beside it',
    loadAverage1m: round(os.loadavg()[0] ?? 0),
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  results,
  targets: Object.fromEntries(Object.entries(targets).map(([k, v]) => [k, { ...v, met: v.measured >= v.target }])),
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/grid-index.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`targets (CPU time): ${Object.entries(out.targets).map(([k, v]) => `${k} ${fmt(v.measured)} (≥${fmt(v.target)}; wall ${fmt(v.wall)}) ${v.met ? 'met' : 'NOT met'}`).join('; ')}`);
console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${os.cpus().length} cores`);
console.log('wrote bench/results/grid-index.json');
