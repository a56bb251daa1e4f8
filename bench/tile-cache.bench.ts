/**
 * What the map's tile cache costs a wall that is left up: the page jumps its map to new streets one after another (as
 * urgent whistles pull a wall's camera over days) and, every few jumps, reads the JS heap after a forced GC, the
 * tiles each source keeps out of view, and the browser's memory. MapLibre's default cache (five screens of tiles a
 * source, what the client's map uses) against a bound of two screens, in the same run, each in a browser of its own.
 *
 *   npx tsx bench/tile-cache.bench.ts [--jumps 40] [--zoom 14.5] [--sample-every 4]   → bench/results/tile-cache.json
 *
 * The places are grid centres spread over the whole city (every k-th grid of the Kunming package), the same list in
 * the same order for both. After each jump the bench waits until every source's tiles are loaded and one frame is
 * drawn. The bound is set on the map's tile managers (a private field, written only here, for the measurement), as
 * the map option `maxTileCacheZoomLevels` would set it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { loadCity } from '../server/geodata/load';
import { launchChromium } from '../tests/browser/helpers/browser';
import { positiveFlag } from './soak/flags';
import { ROOT, startServerProcess } from './soak/server-process';
import { chromiumRssMb } from './soak/soak-run';

const { values } = parseArgs({
  options: {
    jumps: { type: 'string', default: '40' },
    zoom: { type: 'string', default: '14.5' },
    'sample-every': { type: 'string', default: '4' },
  },
});
const jumps = positiveFlag('jumps', values.jumps);
const zoom = positiveFlag('zoom', values.zoom);
const sampleEvery = positiveFlag('sample-every', values['sample-every']);
const VIEWPORT = { width: 1920, height: 1080 };
/** The bound measured against MapLibre's default of 5 (not applied to the client's map: see client/README.md). */
const BOUNDED_ZOOM_LEVELS = 2;
const log = (line: string) => console.log(`[tile-cache] ${line}`);

interface Sample {
  jump: number;
  jsHeapUsedMb: number;
  /** tiles kept out of view, all sources together */
  cachedTiles: number;
  /** what the caches may hold, all sources together (MapLibre sizes each from the map's size as it draws) */
  cacheSlots: number;
  rendererRssMb: number;
  gpuRssMb: number;
}

interface PageMap {
  jumpTo(options: { center: [number, number]; zoom: number }): void;
  loaded(): boolean;
  areTilesLoaded(): boolean;
  once(event: 'render', listener: () => void): void;
  triggerRepaint(): void;
  style: { tileManagers: Record<string, { _maxTileCacheZoomLevels: number | null; _outOfViewCache: { max: number; order: unknown[] } }> };
}

/** The map canvas's CSS size: MapLibre sizes each source's cache from it (the panels take the rest of the page). */
function mapSize(page: Page): Promise<string> {
  return page.evaluate(() => {
    const canvas = (document.querySelector('gw-wall') as unknown as { mapController: { map: { getCanvas(): HTMLCanvasElement } } }).mapController.map.getCanvas();
    return `${canvas.clientWidth}×${canvas.clientHeight}`;
  });
}

async function run(url: string, places: [number, number][], cache: 'bounded' | 'maplibre-default') {
  const browser = await launchChromium();
  try {
    const page: Page = await browser.newPage({ viewport: VIEWPORT });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.ready === '1', undefined, { timeout: 300_000 });
    const cdp = await page.context().newCDPSession(page);
    if (cache === 'bounded') {
      await page.evaluate((levels) => {
        const map = (document.querySelector('gw-wall') as unknown as { mapController: { map: PageMap } }).mapController.map;
        // as the map option maxTileCacheZoomLevels would (each source's cache is resized as the next frames update it)
        for (const manager of Object.values(map.style.tileManagers)) manager._maxTileCacheZoomLevels = levels;
      }, BOUNDED_ZOOM_LEVELS);
    }
    const samples: Sample[] = [];
    const sample = async (jump: number) => {
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      const { cachedTiles, cacheSlots } = await page.evaluate(() => {
        const map = (document.querySelector('gw-wall') as unknown as { mapController: { map: PageMap } }).mapController.map;
        let tiles = 0;
        let slots = 0;
        for (const manager of Object.values(map.style.tileManagers)) {
          tiles += manager._outOfViewCache.order.length;
          slots += manager._outOfViewCache.max;
        }
        return { cachedTiles: tiles, cacheSlots: slots };
      });
      const s = { jump, jsHeapUsedMb: heap.usedSize / 1048576, cachedTiles, cacheSlots, rendererRssMb: chromiumRssMb('renderer'), gpuRssMb: chromiumRssMb('gpu-process') };
      samples.push(s);
      log(`${cache} jump ${jump}: heap ${s.jsHeapUsedMb.toFixed(1)} MB, ${cachedTiles} of ${cacheSlots} cache slots used, renderer ${s.rendererRssMb.toFixed(0)} MB, GPU ${s.gpuRssMb.toFixed(0)} MB`);
    };
    await sample(0);
    const started = Date.now();
    for (let i = 0; i < places.length; i++) {
      await page.evaluate(
        async ({ center, zoom }) => {
          const map = (document.querySelector('gw-wall') as unknown as { mapController: { map: PageMap } }).mapController.map;
          map.jumpTo({ center, zoom });
          while (!(map.loaded() && map.areTilesLoaded())) await new Promise((r) => setTimeout(r, 50));
          await new Promise<void>((resolve) => {
            map.once('render', () => resolve());
            map.triggerRepaint();
          });
        },
        { center: places[i]!, zoom },
      );
      if ((i + 1) % sampleEvery === 0 || i + 1 === places.length) await sample(i + 1);
    }
    return { cache, mapSize: await mapSize(page), secondsPerJump: (Date.now() - started) / 1000 / places.length, samples, pageErrors: errors.slice(0, 20) };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const city = await loadCity(path.join(ROOT, 'geodata', 'kunming'));
  const step = Math.max(1, Math.floor(city.grids.length / jumps));
  const places = city.grids
    .filter((_, i) => i % step === 0)
    .slice(0, jumps)
    .map((grid) => [(grid.bbox[0] + grid.bbox[2]) / 2, (grid.bbox[1] + grid.bbox[3]) / 2] as [number, number]);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-tile-cache-'));
  const server = await startServerProcess({ DATA_DIR: dataDir, BACKFILL_DAYS: '1' }, { defaults: {}, timeoutMs: 180_000 });
  try {
    await server.waitFor(/backfill done/, 300_000);
    // the desk's page with the tour off, so that no tour stop or whistle pull moves the camera between the bench's jumps
    const url = `${server.url}/?tour=0`;
    const ours = await run(url, places, 'bounded');
    const naive = await run(url, places, 'maplibre-default');
    const summary = (r: typeof ours) => {
      const start = r.samples[0]!;
      const finalTiles = r.samples.at(-1)!.cachedTiles;
      // from the first sample at which the caches held what they hold at the end: full
      const full = r.samples.filter((_, i) => r.samples.slice(i).every((s) => s.cachedTiles === finalTiles));
      const heaps = full.map((s) => s.jsHeapUsedMb);
      const mean = heaps.reduce((a, b) => a + b, 0) / heaps.length;
      return {
        heapStartMb: start.jsHeapUsedMb,
        cacheFullAtJump: full[0]!.jump,
        cachedTiles: finalTiles,
        cacheSlots: r.samples.at(-1)!.cacheSlots,
        heapOnceFullMb: mean,
        heapCostOfCacheMb: mean - start.jsHeapUsedMb,
        heapRangeOnceFullMb: Math.max(...heaps) - Math.min(...heaps),
      };
    };
    const report = {
      benchmark: 'tile-cache',
      date: new Date().toISOString(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, webgl: 'SwiftShader' },
      method: `the desk's map (1920×1080) jumped to ${places.length} grid centres spread over Kunming at zoom ${zoom}, waiting at each until every source's tiles are loaded and a frame is drawn; JS heap after a forced GC (CDP), tiles in the sources' out-of-view caches, renderer and GPU process RSS (/proc), every ${sampleEvery} jumps; each cache in a browser of its own`,
      setup: { jumps: places.length, zoom, viewport: `${VIEWPORT.width}×${VIEWPORT.height}`, ourZoomLevels: BOUNDED_ZOOM_LEVELS, maplibreDefaultZoomLevels: 5 },
      ours: { ...ours, summary: summary(ours) },
      naive: { ...naive, summary: summary(naive) },
      goal: 'the bound: the cache is full (holds as many tiles as at the end) by half the jumps, so the heap levels off there, and it costs less heap than the default’s',
      goalMet: summary(ours).cacheFullAtJump <= places.length / 2 && summary(ours).heapCostOfCacheMb < summary(naive).heapCostOfCacheMb,
    };
    fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'tile-cache.json'), `${JSON.stringify(report, null, 2)}\n`);
    log(`ours ${JSON.stringify(report.ours.summary)}`);
    log(`maplibre default ${JSON.stringify(report.naive.summary)}`);
    log(`goal met: ${report.goalMet}; written bench/results/tile-cache.json`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
