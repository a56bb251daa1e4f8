/**
 * Client update path: main-thread time per batch of live changes, the wall's way versus the naive way, at 10k and
 * 100k incidents, in one headless Chromium run (software WebGL).
 *
 * - ours: IncidentBuffers patched in place + deck.gl ScatterplotLayer with binary attributes (client/live).
 * - naive: rebuild a GeoJSON FeatureCollection and MapLibre `setData` per batch.
 *
 * Each batch changes the status of 50 random incidents and waits until the map has drawn the result (`idle`).
 * Main-thread time is the renderer main thread's TaskDuration from the Chrome DevTools Protocol (Performance
 * domain) over the run, divided by the number of batches; wall time per batch is reported too. Figures go to
 * bench/results/client-update.json.
 *
 *   npx tsx bench/client-update.bench.ts            # BATCHES=30 BATCHES_100K=8 BATCH_SIZE=50
 */
import fs from 'node:fs';
import os from 'node:os';
import { launchChromium } from '../tests/browser/helpers/browser';
import { buildHarness, serveHarness } from './harness-site';

const BATCH_SIZE = Number(process.env.BATCH_SIZE ?? 50);
const SIZES = [
  { incidents: 10_000, batches: Number(process.env.BATCHES ?? 30) },
  { incidents: 100_000, batches: Number(process.env.BATCHES_100K ?? 8) },
];
const WARMUP = 2;

interface PathFigures {
  mainThreadMsPerUpdate: number;
  scriptMsPerUpdate: number;
  wallMsPerUpdate: number;
}

async function main(): Promise<void> {
  const dir = await buildHarness();
  const site = await serveHarness(dir);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metric = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
    return { task: get('TaskDuration') * 1000, script: get('ScriptDuration') * 1000 };
  };
  await page.goto(site.url);
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1');

  const measure = async (kind: 'Ours' | 'Naive', batches: number): Promise<PathFigures> => {
    await page.evaluate(async ([k, n, size]) => {
      for (let i = 0; i < (n as number); i++) await window.clientUpdateBench[`batch${k as 'Ours' | 'Naive'}`](size as number);
    }, [kind, WARMUP, BATCH_SIZE] as const);
    const before = await metric();
    const wall = await page.evaluate(async ([k, n, size]) => {
      const start = performance.now();
      for (let i = 0; i < (n as number); i++) await window.clientUpdateBench[`batch${k as 'Ours' | 'Naive'}`](size as number);
      return performance.now() - start;
    }, [kind, batches, BATCH_SIZE] as const);
    const after = await metric();
    return {
      mainThreadMsPerUpdate: (after.task - before.task) / batches,
      scriptMsPerUpdate: (after.script - before.script) / batches,
      wallMsPerUpdate: wall / batches,
    };
  };

  const results = [];
  for (const size of SIZES) {
    await page.evaluate((n) => window.clientUpdateBench.setup(n), size.incidents);
    await page.evaluate(() => window.clientUpdateBench.startOurs());
    const ours = await measure('Ours', size.batches);
    await page.evaluate(() => window.clientUpdateBench.stopOurs());
    await page.evaluate(() => window.clientUpdateBench.startNaive());
    const naive = await measure('Naive', size.batches);
    await page.evaluate(() => window.clientUpdateBench.stopNaive());
    const ratio = naive.mainThreadMsPerUpdate / ours.mainThreadMsPerUpdate;
    results.push({ incidents: size.incidents, batches: size.batches, ours, naive, mainThreadRatio: ratio });
    console.log(
      `${size.incidents.toLocaleString('en-US')} incidents, ${BATCH_SIZE} changes/batch: ours ${ours.mainThreadMsPerUpdate.toFixed(2)} ms main thread ` +
        `(${ours.wallMsPerUpdate.toFixed(1)} ms wall), naive setData ${naive.mainThreadMsPerUpdate.toFixed(2)} ms ` +
        `(${naive.wallMsPerUpdate.toFixed(1)} ms wall) → ${ratio.toFixed(1)}× less main-thread time`,
    );
  }
  const out = {
    benchmark: 'client-update',
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, browser: browser.version(), webgl: 'SwiftShader (software)' },
    method:
      'per batch: status change of BATCH_SIZE random incidents, then wait for the map idle event; main thread = CDP Performance TaskDuration delta / batches',
    batchSize: BATCH_SIZE,
    goal: 'ours ≥ 10× less main-thread time per update than naive setData',
    results,
  };
  fs.mkdirSync('bench/results', { recursive: true });
  fs.writeFileSync('bench/results/client-update.json', `${JSON.stringify(out, null, 2)}\n`);
  await browser.close();
  site.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
