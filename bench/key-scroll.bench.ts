/**
 * Whether a keyboard scroll of a panel happens: Chromium (Debian's 156, software compositing) drops keyboard scrolls of
 * a scroller that has `backdrop-filter`, by turns, while smooth scrolling is on. The desk's side panel had its blur on
 * itself, so PageDown / Home / End in it worked about half the time; now the blur is a box of its own behind the
 * panel (client/desk/gw-desk.ts, `.panel-backdrop`). This measures both on a bare page with no code of ours, so it
 * shows the browser's behaviour, not the wall's:
 *
 *   npx tsx bench/key-scroll.bench.ts [--rounds 12]   → bench/results/key-scroll.json
 *
 * The page: a 300 px `overflow: auto` box holding a focused button and 900 px of content. A round presses PageDown,
 * then Home, each as soon as the one before has scrolled; a key counts as dropped when the box has not reached where
 * it sends it (down at all for PageDown, the top for Home) within 6 s. Variants: the blur on the scroller (the naive
 * way, as the panel was), on a box behind it (ours), none (control), each with the page idle and with a WebGL canvas
 * under the box kept busy (300 ms of script a frame, as the wall's map under software WebGL); and the blur on the
 * scroller with `--disable-smooth-scrolling`, to show the animation is what drops them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/browser/helpers/browser';
import { positiveFlag } from './soak/flags';
import { ROOT } from './soak/server-process';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '12' } } });
const rounds = positiveFlag('rounds', values.rounds);
const KEY_TIMEOUT_MS = 6_000;

type Blur = 'on-scroller' | 'behind' | 'none';
interface Variant {
  name: string;
  blur: Blur;
  busy: boolean;
  smoothScrolling: boolean;
}

const variants: Variant[] = [
  { name: 'blur on the scroller (naive), idle', blur: 'on-scroller', busy: false, smoothScrolling: true },
  { name: 'blur on the scroller (naive), busy canvas', blur: 'on-scroller', busy: true, smoothScrolling: true },
  { name: 'blur behind (ours), idle', blur: 'behind', busy: false, smoothScrolling: true },
  { name: 'blur behind (ours), busy canvas', blur: 'behind', busy: true, smoothScrolling: true },
  { name: 'no blur, busy canvas', blur: 'none', busy: true, smoothScrolling: true },
  { name: 'blur on the scroller, busy canvas, smooth scrolling off', blur: 'on-scroller', busy: true, smoothScrolling: false },
];

function pageHtml(v: Variant): string {
  const box = 'position:fixed;top:10px;left:10px;width:300px;height:300px;border:1px solid #888;';
  return `<canvas id="c" width="1200" height="700" style="position:fixed;inset:0"></canvas>
${v.blur === 'behind' ? `<div style="${box}backdrop-filter:blur(8px)"></div>` : ''}
<div id="p" style="${box}overflow:auto;${v.blur === 'on-scroller' ? 'backdrop-filter:blur(8px);' : ''}"><button id="b">×</button><div style="height:900px">content</div></div>
<script>
if (${v.busy}) {
  const gl = document.getElementById('c').getContext('webgl');
  const frame = () => {
    const start = performance.now();
    while (performance.now() - start < 300) {}
    gl.clearColor(Math.random(), 0.2, 0.3, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
</script>`;
}

async function measure(browser: Browser, v: Variant) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  try {
    await page.setContent(pageHtml(v));
    await page.focus('#b');
    const scrollTop = () => page.evaluate(() => document.getElementById('p')!.scrollTop);
    let pressed = 0;
    let dropped = 0;
    const scrolledMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const key of ['PageDown', 'Home'] as const) {
        pressed++;
        const start = Date.now();
        await page.keyboard.press(key);
        let done = false;
        while (Date.now() - start < KEY_TIMEOUT_MS) {
          const top = await scrollTop();
          if (key === 'Home' ? top === 0 : top > 0) {
            done = true;
            break;
          }
          await page.waitForTimeout(20);
        }
        if (done) scrolledMs.push(Date.now() - start);
        else dropped++;
      }
    }
    scrolledMs.sort((a, b) => a - b);
    return { ...v, pressed, dropped, medianMsToScroll: scrolledMs[Math.floor(scrolledMs.length / 2)] ?? null };
  } finally {
    await page.close();
  }
}

const measured: Awaited<ReturnType<typeof measure>>[] = [];
let browserVersion = '';
for (const smoothScrolling of [true, false]) {
  const browser = await launchChromium(smoothScrolling ? [] : ['--disable-smooth-scrolling']);
  browserVersion = browser.version();
  try {
    for (const v of variants.filter((x) => x.smoothScrolling === smoothScrolling)) {
      const r = await measure(browser, v);
      console.log(`[key-scroll] ${v.name}: ${r.dropped} of ${r.pressed} keys dropped`);
      measured.push(r);
    }
  } finally {
    await browser.close();
  }
}
const ours = measured.filter((r) => r.blur === 'behind');
const naive = measured.filter((r) => r.blur === 'on-scroller' && r.smoothScrolling);
const report = {
  benchmark: 'key-scroll',
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadAverage: os.loadavg(), node: process.version, browser: browserVersion, webgl: 'SwiftShader' },
  method: `a bare page: a 300 px overflow:auto box with a focused button; ${rounds} rounds of PageDown then Home, each pressed as soon as the one before has scrolled; dropped = the box not where the key sends it within ${KEY_TIMEOUT_MS / 1000} s`,
  setup: { rounds, keyTimeoutMs: KEY_TIMEOUT_MS },
  variants: measured,
  ours: { pressed: ours.reduce((a, r) => a + r.pressed, 0), dropped: ours.reduce((a, r) => a + r.dropped, 0) },
  naive: { pressed: naive.reduce((a, r) => a + r.pressed, 0), dropped: naive.reduce((a, r) => a + r.dropped, 0) },
  goal: 'with the blur behind the panel (ours) no key is dropped',
  goalMet: ours.every((r) => r.dropped === 0),
};
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'key-scroll.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`[key-scroll] ours ${report.ours.dropped} of ${report.ours.pressed} dropped, naive ${report.naive.dropped} of ${report.naive.pressed}; goal met: ${report.goalMet}; written bench/results/key-scroll.json`);
