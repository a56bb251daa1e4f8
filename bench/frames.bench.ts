/**
 * Frame rate of the live incident layer while the camera moves and batches arrive: the wall's way (IncidentBuffers
 * patched in place, deck.gl ScatterplotLayer with binary attributes) against the naive way (a GeoJSON source rebuilt
 * and `setData` per batch), at 10k, 100k and 1M incidents, in one headless Chromium run. The page is the
 * client-update harness (client/dev/bench-harness.ts, `frames()`).
 *
 * Each run orbits the camera without pause for --seconds while --batches-per-second batches of --batch-size status
 * changes arrive (default 10 × 50 = 500 changes a second, the soak's rate), and times every frame MapLibre draws.
 * A "still" run per path and size draws the same orbit with no batches, to separate drawing from updating.
 *
 * The renderer decides where the figures go: a GPU (the WebGL renderer string names no SwiftShader) writes
 * bench/results/frames-gpu.json, software WebGL bench/results/frames-software.json. This project's own machines
 * have no GPU; `--gpu` asks Chromium for hardware WebGL (ANGLE over Vulkan) and fails if it gets SwiftShader.
 * Headless Chromium paces frames at 60 Hz, as a display does. (Lifting the cap with --disable-frame-rate-limit
 * measures how fast the page hands frames over, not what the GPU draws: on an H100 it gave 430 "fps" for a million
 * points that draw at 45 fps capped, then a 7-second stall once batches arrived. So there is no such option here.)
 *
 *   npx tsx bench/frames.bench.ts                               # software: 10k and 100k, 1280×720, 6 s a run
 *   npx tsx bench/frames.bench.ts --gpu --sizes 10000,100000,1000000 --viewports 1920x1080,3840x2160
 *   npx tsx bench/frames.bench.ts --wall http://127.0.0.1:8080/      # the real wall of a running server instead
 *
 * `--wall URL` times the same orbit on the wall itself (every layer: districts, grid cells, labels, service centres,
 * live incidents, whatever the server's live stream brings meanwhile) and writes frames-wall-<renderer>.json. It
 * has no naive twin; it says what the harness rows mean for the whole page. `--wall URL --scrub` opens the wall's
 * playback of the last 7 days (RANGE_DAYS) and, once loaded, seeks every animation frame across it with the camera
 * still, as a dragged timeline does (frames-wall-scrub-<renderer>.json; the CPU-versus-GPU filter comparison is
 * bench/playback-scrub.bench.ts).
 *
 * CHROMIUM_PATH, CHROMIUM_LIBS (prepended to the browser's LD_LIBRARY_PATH) and FONTCONFIG_FILE let it run a
 * Chromium unpacked outside /usr (a GPU machine with no Debian packages); HARNESS_DIR serves an already built
 * harness instead of building it with Vite. The GPU figures in bench/results (frames-gpu, frames-wall-gpu) came from
 * a lent NVIDIA H100 run that way; client/README.md ("Frame rate on a GPU") says what they show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, GPU_CHROMIUM_ARGS } from '../tests/browser/helpers/browser';
import { buildHarness, serveHarness } from './harness-site';
import type { FrameRun } from '../client/dev/bench-harness';

const { values: opts } = parseArgs({
  options: {
    gpu: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    viewports: { type: 'string' },
    seconds: { type: 'string' },
    'batches-per-second': { type: 'string', default: '10' },
    'batch-size': { type: 'string', default: '50' },
    out: { type: 'string' },
    wall: { type: 'string' },
    scrub: { type: 'boolean', default: false },
    paths: { type: 'string', default: 'ours,naive' },
  },
});

function positiveInts(field: string, text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  for (const v of values) if (!Number.isInteger(v) || v <= 0) throw new Error(`--${field}: "${text}" is not a comma-separated list of positive integers`);
  return values;
}
function viewportsOf(text: string): { width: number; height: number }[] {
  return text.split(',').map((v) => {
    const m = /^(\d+)x(\d+)$/.exec(v.trim());
    if (!m) throw new Error(`--viewports: "${v}" is not WIDTHxHEIGHT (e.g. 1920x1080)`);
    return { width: Number(m[1]), height: Number(m[2]) };
  });
}

const sizes = positiveInts('sizes', opts.sizes ?? (opts.gpu ? '10000,100000,1000000' : '10000,100000'));
const viewports = viewportsOf(opts.viewports ?? (opts.gpu ? '1920x1080,3840x2160' : '1280x720'));
const seconds = Number(opts.seconds ?? (opts.gpu ? 10 : 6));
if (opts.scrub && !opts.wall) throw new Error('--scrub: needs --wall URL (it scrubs the wall\'s playback)');
if (!(seconds > 0)) throw new Error(`--seconds: "${opts.seconds}" is not a positive number`);
const paths = opts.paths!.split(',').map((p) => {
  if (p !== 'ours' && p !== 'naive') throw new Error(`--paths: "${p}" is neither ours nor naive`);
  return p;
});
const batchesPerSecond = positiveInts('batches-per-second', opts['batches-per-second']!)[0]!;
const batchSize = positiveInts('batch-size', opts['batch-size']!)[0]!;

async function harnessDir(): Promise<{ dir: string; built: boolean }> {
  if (process.env.HARNESS_DIR) return { dir: path.resolve(process.env.HARNESS_DIR), built: false };
  return { dir: await buildHarness(), built: true };
}

/**
 * Runs in the page: for `seconds`, either orbits the wall's map around its centre ('orbit') or, in playback, seeks
 * once per animation frame across the loaded range as a dragged timeline does ('scrub', camera still), and times
 * every frame the map draws (the harness's `frames()` without batches, for a map the bench does not own).
 */
async function wallFramesInPage([seconds, mode]: readonly [number, 'orbit' | 'scrub']): Promise<FrameRun & { incidents: number; events: number }> {
  const wall = document.querySelector('gw-wall') as unknown as {
    mapController: { map: import('maplibre-gl').Map };
    model: { state: { incidents: Map<string, unknown> } };
    playback: { loading: boolean; view: { from: number; to: number } | null; loaded: { events: number }; seek(t: number): void };
  };
  const map = wall.mapController.map;
  if (mode === 'scrub') {
    const until = performance.now() + 240_000;
    while (wall.playback.loading || !wall.playback.view) {
      if (performance.now() > until) throw new Error('scrub: the playback range did not finish loading in 240 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const range = wall.playback.view;
  const home = { center: map.getCenter(), zoom: map.getZoom(), bearing: map.getBearing(), pitch: map.getPitch() };
  const stamps: number[] = [];
  const onRender = () => stamps.push(performance.now());
  const start = performance.now();
  map.on('render', onRender);
  return new Promise((resolve) => {
    const step = (now: number) => {
      const t = (now - start) / 1000;
      if (t < seconds) {
        if (mode === 'scrub' && range) wall.playback.seek(range.from + ((t / seconds) % 1) * (range.to - range.from));
        else {
          const a = (t / 36) * 2 * Math.PI;
          map.jumpTo({ center: [home.center.lng + 0.04 * Math.cos(a), home.center.lat + 0.03 * Math.sin(a)], bearing: t * 10, zoom: home.zoom + 0.5 + 0.5 * Math.sin(a * 3), pitch: 30 });
        }
        requestAnimationFrame(step);
        return;
      }
      map.off('render', onRender);
      map.jumpTo(home);
      const elapsed = (performance.now() - start) / 1000;
      const gaps = stamps.slice(1).map((s, i) => s - stamps[i]!).sort((x, y) => x - y);
      const pct = (p: number) => (gaps.length === 0 ? 0 : gaps[Math.min(gaps.length - 1, Math.ceil((p / 100) * gaps.length) - 1)]!);
      resolve({
        seconds: elapsed,
        frames: stamps.length,
        fps: stamps.length / elapsed,
        frameMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: gaps.at(-1) ?? 0 },
        slowFrames: gaps.filter((g) => g > 50).length,
        batches: 0,
        applyMsPerBatch: 0,
        incidents: wall.model.state.incidents.size,
        events: wall.playback.loaded.events,
      });
    };
    requestAnimationFrame(step);
  });
}

type Row = {
  viewport: string;
  incidents: number;
  /** --scrub: events in the playback range */
  events?: number;
  path: 'ours' | 'naive';
  updates: 'still' | 'live';
} & (
  | {
      run: FrameRun;
      /** renderer main thread busy, share of the run (CDP Performance TaskDuration) */
      mainThreadBusy: number;
    }
  | { crashed: { phase: string; error: string } }
);

async function main(): Promise<void> {
  const { dir, built } = opts.wall ? { dir: '', built: false } : await harnessDir();
  const site = opts.wall ? { url: '', close: () => {} } : await serveHarness(dir);
  const args = opts.gpu ? GPU_CHROMIUM_ARGS : CHROMIUM_ARGS;
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  if (process.env.CHROMIUM_LIBS) env.LD_LIBRARY_PATH = [process.env.CHROMIUM_LIBS, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args, env });
  const rows: Row[] = [];
  let renderer = 'unknown';
  // --scrub: the wall's playback of the last RANGE_DAYS (7) days, unless the URL names a range itself
  let wallUrl = opts.wall ?? '';
  if (opts.scrub && !/[?&]playback=/.test(wallUrl)) {
    const to = Date.now();
    const from = to - Number(process.env.RANGE_DAYS ?? 7) * 86_400_000;
    wallUrl += `${wallUrl.includes('?') ? '&' : '?'}playback=${new Date(from).toISOString()}~${new Date(to).toISOString()}`;
  }
  const out = opts.out ?? '';
  const write = (file: string, done: boolean) => {
    const result = {
      benchmark: 'frames',
      subject: opts.wall ? (opts.scrub ? 'wall-scrub' : 'wall') : 'harness',
      date: new Date().toISOString(),
      complete: done,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, browser: browser.version(), webgl: renderer },
      method: opts.scrub
        ? `the wall in playback at ${wallUrl}: once the range has loaded, a seek every animation frame across the whole range in ${seconds} s (as a dragged timeline), camera still; every MapLibre render event timed; frame pacing 60 Hz (headless default)`
        : opts.wall
        ? `the wall at ${wallUrl}: camera orbiting without pause (jumpTo every animation frame, pitch 30°) for ${seconds} s while the server's live stream runs; every MapLibre render event timed; frame pacing 60 Hz (headless default)`
        : `camera orbiting without pause (jumpTo every animation frame, pitch 30°) for ${seconds} s; live: ${batchesPerSecond} batches/s of ${batchSize} status changes ` +
          `(setInterval) on the path under test; still: the same orbit, no batches; every MapLibre render event timed; frame pacing 60 Hz (headless default)`,
      chromiumArgs: args,
      goal: opts.scrub
        ? 'scrubbing the timeline keeps the wall at a video frame rate'
        : opts.wall
        ? 'the whole wall keeps up with a moving camera at a video wall’s resolutions'
        : 'ours holds the frame rate of a still map while 500 changes a second arrive, at every size; naive setData does not',
      rows,
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  };
  try {
    if (opts.wall) {
      for (const viewport of viewports) {
        const page = await browser.newPage({ viewport });
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        const busy = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
        // tsx compiles with keepNames: functions sent to the page call esbuild's __name helper
        await page.addInitScript('globalThis.__name = (f) => f');
        await page.goto(wallUrl);
        await page.waitForFunction(() => document.documentElement.dataset.ready === '1', undefined, { timeout: 300_000 });
        renderer = await page.evaluate(() => {
          const canvas = (document.querySelector('gw-wall') as unknown as { mapController: { map: import('maplibre-gl').Map } }).mapController.map.getCanvas();
          const gl = canvas.getContext('webgl2');
          const info = gl?.getExtension('WEBGL_debug_renderer_info');
          return gl ? String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) : 'unknown';
        });
        const software = /swiftshader|llvmpipe|software/i.test(renderer);
        if (opts.gpu && software) throw new Error(`--gpu: Chromium gave software WebGL (${renderer})`);
        const file = out || `bench/results/frames-wall${opts.scrub ? '-scrub' : ''}-${software ? 'software' : 'gpu'}.json`;
        console.log(`[frames] the wall at ${wallUrl}, ${viewport.width}×${viewport.height}, WebGL: ${renderer} → ${file}`);
        const mode = opts.scrub ? 'scrub' : 'orbit';
        await page.evaluate(wallFramesInPage, [1, mode] as const);
        const before = await busy();
        const { incidents, events, ...run } = await page.evaluate(wallFramesInPage, [seconds, mode] as const);
        const mainThreadBusy = (await busy() - before) / 1000 / run.seconds;
        rows.push({ viewport: `${viewport.width}x${viewport.height}`, incidents, ...(opts.scrub ? { events } : {}), path: 'ours', updates: 'live', run, mainThreadBusy });
        console.log(
          `  the wall, ${opts.scrub ? `playback of ${events.toLocaleString('en-US')} events` : `${incidents.toLocaleString('en-US')} incidents`}: ${run.fps.toFixed(1)} fps, frame p50 ${run.frameMs.p50.toFixed(1)} p95 ${run.frameMs.p95.toFixed(1)} ` +
            `p99 ${run.frameMs.p99.toFixed(1)} max ${run.frameMs.max.toFixed(0)} ms, ${run.slowFrames} over 50 ms, main thread ${(mainThreadBusy * 100).toFixed(0)} % busy`,
        );
        write(file, viewport === viewports.at(-1));
        await page.close();
      }
      return;
    }
    for (const viewport of viewports) {
      // one page per size, so that a renderer crash (the naive path at a million incidents) costs only that size
      const open = async () => {
        const page = await browser.newPage({ viewport });
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        await page.goto(site.url);
        await page.waitForFunction(() => document.documentElement.dataset.ready === '1');
        const busy = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
        return { page, busy };
      };
      let file = out;
      for (const incidents of sizes) {
        const { page, busy } = await open();
        renderer = await page.evaluate(() => window.clientUpdateBench.renderer());
        const software = /swiftshader|llvmpipe|software/i.test(renderer);
        if (opts.gpu && software) throw new Error(`--gpu: Chromium gave software WebGL (${renderer}); see GPU_CHROMIUM_ARGS in tests/browser/helpers/browser.ts`);
        file ||= `bench/results/frames-${software ? 'software' : 'gpu'}.json`;
        if (incidents === sizes[0]) console.log(`[frames] ${viewport.width}×${viewport.height}, WebGL: ${renderer} → ${file}`);
        await page.evaluate((n) => window.clientUpdateBench.setup(n), incidents);
        for (const p of paths) {
          let phase = 'start';
          try {
            await page.evaluate((k) => (k === 'ours' ? window.clientUpdateBench.startOurs() : window.clientUpdateBench.startNaive()), p);
            for (const updates of ['still', 'live'] as const) {
              phase = updates;
              // a short unmeasured orbit first: shader compiles, tile loads and the first upload stay out of the figures
              await page.evaluate(() => window.clientUpdateBench.frames(1, 0, 1));
              const before = await busy();
              const run = await page.evaluate(([s, b, n]) => window.clientUpdateBench.frames(s, b, n), [seconds, updates === 'live' ? batchesPerSecond : 0, batchSize] as const);
              const mainThreadBusy = (await busy() - before) / 1000 / run.seconds;
              rows.push({ viewport: `${viewport.width}x${viewport.height}`, incidents, path: p, updates, run, mainThreadBusy });
              console.log(
                `  ${incidents.toLocaleString('en-US').padStart(9)} ${p.padEnd(5)} ${updates.padEnd(5)} ${run.fps.toFixed(1).padStart(5)} fps, ` +
                  `frame p50 ${run.frameMs.p50.toFixed(1)} p95 ${run.frameMs.p95.toFixed(1)} p99 ${run.frameMs.p99.toFixed(1)} max ${run.frameMs.max.toFixed(0)} ms, ` +
                  `${run.slowFrames} over 50 ms, ${run.batches} batches at ${run.applyMsPerBatch.toFixed(2)} ms, main thread ${(mainThreadBusy * 100).toFixed(0)} % busy`,
              );
              write(file, false);
            }
            await page.evaluate((k) => (k === 'ours' ? window.clientUpdateBench.stopOurs() : window.clientUpdateBench.stopNaive()), p);
          } catch (err) {
            if (!/crash/i.test(String(err))) throw err;
            // the tab died: record where, and go on with the next size in a new tab
            rows.push({ viewport: `${viewport.width}x${viewport.height}`, incidents, path: p, updates: phase === 'start' ? 'still' : (phase as 'still' | 'live'), crashed: { phase, error: String(err).split('\n')[0]! } });
            console.log(`  ${incidents.toLocaleString('en-US').padStart(9)} ${p.padEnd(5)} the tab crashed (${phase === 'start' ? 'loading the incidents' : phase}): ${String(err).split('\n')[0]}`);
            write(file, false);
            break;
          }
        }
        await page.close().catch(() => {});
      }
      if (viewport === viewports.at(-1)) write(file, true);
    }
  } finally {
    await browser.close();
    site.close();
    if (built) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
