/**
 * Playback's exports and cumulative choropleth on the wall in headless Chromium against a real server:
 * - a WebM export of a range and speed chosen in the timeline bar shows its progress, downloads a file that is a
 *   WebM (EBML header, Segment, Cluster), and that the browser plays: a finite duration close to
 *   (to − from) / speed, a decoded frame with the map in it; the playback clock ends at the range's end;
 * - a long export can be cancelled (nothing is kept) and an impossible one is refused naming the field;
 * - a PNG of the map at t (and, back to live, of now) downloads at the map canvas's own size, with the map drawn in
 *   it and the caption strip (the area, the time, the KPI header's figures in its words) over its bottom;
 * - cumulative mode's "cases per grid" choropleth gives each grid the count of cases reported up to t, checked
 *   against the server's own history JSON, and fills it with the colour of that count on the legend's scale.
 * One page load; everything waits for signals.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { cityInputTime } from '../../client/panels/format';
import { webmFrameCount } from '../../client/playback/playback-export';
import { launchChromium } from './helpers/browser';
import { decodePng } from './helpers/png';
import { bar, busyRange, openPlaybackPage, playbackRange, press, seek, type PlaybackPage } from './helpers/playback-page';
import { wallCity } from './helpers/wall-city';
import type { WallServer } from './helpers/wall-server';

let session: PlaybackPage | undefined;
let wall: WallServer, page: Page, events: StoredEvent[];
const city = wallCity();
const now = Date.now();
const { scenario, from, to } = busyRange(city, { now, incidents: 60, prefix: 'px' });

type Shown = {
  t: number;
  lastExport: { kind: string; bytes: number } | null;
  caption: Array<string | string[]>;
  choropleth: { metric: string; values: Record<string, number>; fill: Record<string, number[]> } | null;
} | null;
const shown = (p: Page) =>
  p.evaluate(() => {
    const s = document.querySelector('gw-wall')?.playbackShown() ?? null;
    return s && { t: s.t, lastExport: s.lastExport && { kind: s.lastExport.kind, bytes: s.lastExport.bytes }, caption: s.caption as Array<string | string[]>, choropleth: s.choropleth };
  }) as Promise<Shown>;
async function fillExport(p: Page, range: { from: number; to: number }, speed: number): Promise<void> {
  for (const [selector, value] of [['[data-export-from]', cityInputTime(range.from)], ['[data-export-to]', cityInputTime(range.to)]] as const) {
    await bar(p).locator(selector).fill(value);
    await bar(p).locator(selector).dispatchEvent('change');
  }
  await bar(p).locator('[data-export-speed]').selectOption(String(speed));
}
const statusText = async (p: Page) => (await bar(p).locator('.status').textContent())?.trim() ?? '';

/** The EBML element ids a WebM file must hold, found in its bytes. */
function webmStructure(bytes: Uint8Array): { ebml: boolean; docType: boolean; segment: boolean; clusters: number } {
  const find = (id: number[], start = 0) => {
    outer: for (let i = start; i <= bytes.length - id.length; i++) {
      for (let k = 0; k < id.length; k++) if (bytes[i + k] !== id[k]) continue outer;
      return i;
    }
    return -1;
  };
  let clusters = 0;
  for (let at = find([0x1f, 0x43, 0xb6, 0x75]); at >= 0; at = find([0x1f, 0x43, 0xb6, 0x75], at + 4)) clusters += 1;
  return {
    ebml: bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3,
    docType: find([0x42, 0x82, 0x84, ...Buffer.from('webm')]) > 0,
    segment: find([0x18, 0x53, 0x80, 0x67]) > 0,
    clusters,
  };
}

beforeAll(async () => {
  session = await openPlaybackPage(city, scenario, `?tour=0&motion=0&lang=en&playback=${playbackRange(from, to)}&speed=60`, {
    viewport: { width: 1920, height: 1080 },
    acceptDownloads: true,
  });
  ({ wall, page, events } = session);
});

afterAll(() => session?.close());

describe('WebM export of a chosen range and speed', () => {
  const speed = 900;
  const start = Math.ceil((from + 60_000) / 1000) * 1000;
  const range = { from: start, to: Math.min(Math.floor(to / 1000) * 1000, start + 3_600_000) };
  const expectedS = (range.to - range.from) / speed / 1000;

  it('records with progress, downloads a WebM the browser plays for (to − from) / speed, with the map in its frames', async () => {
    expect(expectedS).toBeGreaterThan(2);
    // open the export row (unless a first attempt left it open: the button toggles it)
    if ((await bar(page).locator('[data-action="webm"]').getAttribute('aria-pressed')) !== 'true') await press(page, 'webm');
    await fillExport(page, range, speed);
    expect(Number(await bar(page).locator('[data-export-seconds]').getAttribute('data-export-seconds'))).toBeCloseTo(expectedS, 3);
    const download = page.waitForEvent('download', { timeout: 120_000 });
    await press(page, 'webm-record');
    // progress is shown while it records
    await expect
      .poll(async () => Number((await bar(page).locator('[data-export-progress]').evaluate((el) => (el as HTMLProgressElement).value).catch(() => 0)) ?? 0), { timeout: 30_000, interval: 100 })
      .toBeGreaterThan(0);
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^gridwatch-playback-.*-900x\.webm$/);
    const bytes = new Uint8Array(fs.readFileSync((await file.path())!));
    expect(bytes.length).toBeGreaterThan(1000);
    const structure = webmStructure(bytes);
    expect(structure).toMatchObject({ ebml: true, docType: true, segment: true });
    expect(structure.clusters).toBeGreaterThan(0);
    expect(webmFrameCount(bytes)).toBeGreaterThan(1);
    const after = (await shown(page))!;
    expect(after.lastExport).toEqual({ kind: 'webm', bytes: bytes.length });
    expect(Math.abs(after.t - range.to)).toBeLessThan(1000);

    // Play it back in a browser of its own (the wall's CSP keeps blob: media out of the wall's page, and the wall's
    // busy software GPU process drew video frames blank): MediaRecorder's WebM reports Infinity until a seek past the
    // end fixes its duration.
    const playerBrowser = await launchChromium();
    const player = await playerBrowser.newPage();
    const played = await player.evaluate(async (b64) => {
      const blob = new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'video/webm' });
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(blob);
      await new Promise((resolve, reject) => {
        video.onloadedmetadata = resolve;
        video.onerror = () => reject(new Error(`video error ${video.error?.code} ${video.error?.message}`));
      });
      if (!Number.isFinite(video.duration)) {
        video.currentTime = 1e9;
        await new Promise((resolve) => (video.ondurationchange = () => Number.isFinite(video.duration) && resolve(null)));
      }
      const duration = video.duration;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d')!;
      // The map part (above the caption strip) of frames late in the video: how much of it is lit (grids, roads,
      // labels) rather than the export's empty dark background, which is all an unreadable WebGL canvas gives. The
      // best of three frames counts: on a loaded machine software WebGL may draw its first map frame seconds into
      // the recording (the frames before it hold the background), and a software decoder may present a sought frame
      // late, so each frame is read once the video has presented it (or after 5 s).
      let best = { differs: 0, colours: 0 };
      for (const at of [0.6, 0.8, 0.97]) {
        const presented = new Promise((resolve) => {
          video.requestVideoFrameCallback(() => resolve(null));
          setTimeout(resolve, 5_000);
        });
        video.currentTime = duration * at;
        await new Promise((resolve) => (video.onseeked = resolve));
        await presented;
        context.drawImage(video, 0, 0);
        const { data } = context.getImageData(0, 0, canvas.width, Math.floor(canvas.height * 0.6));
        let differs = 0;
        const colours = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          if (data[i]! + data[i + 1]! + data[i + 2]! > 60) differs += 1;
          colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
        }
        if (differs / (data.length / 4) > best.differs) best = { differs: differs / (data.length / 4), colours: colours.size };
      }
      return { duration, width: video.videoWidth, height: video.videoHeight, ...best };
    }, Buffer.from(bytes).toString('base64'));
    await playerBrowser.close();
    expect(played.width).toBeGreaterThan(0);
    expect(played.height).toBeGreaterThan(0);
    expect(played.duration).toBeGreaterThan(expectedS * 0.5);
    expect(played.duration).toBeLessThan(expectedS * 2 + 1);
    // a real map frame: most of it is not the empty background, in many colours
    expect(played.differs).toBeGreaterThan(0.05);
    expect(played.colours).toBeGreaterThan(8);
  });

  it('cancels a long export: recording stops, the status says so, nothing new is kept', async () => {
    const before = (await shown(page))!.lastExport;
    await fillExport(page, { from: Math.ceil(from / 1000) * 1000, to: Math.floor(to / 1000) * 1000 }, 60);
    await press(page, 'webm-record');
    await expect.poll(() => bar(page).locator('[data-export]').getAttribute('data-export'), { timeout: 30_000 }).toBe('recording');
    await expect
      .poll(async () => Number(await bar(page).locator('[data-export-progress]').evaluate((el) => (el as HTMLProgressElement).value).catch(() => 0)), { timeout: 30_000, interval: 100 })
      .toBeGreaterThan(0);
    await press(page, 'webm-cancel');
    await expect.poll(() => bar(page).locator('[data-export]').getAttribute('data-export'), { timeout: 30_000 }).toBe('idle');
    expect(await statusText(page)).toContain('Video export cancelled');
    expect((await shown(page))!.lastExport).toEqual(before);
  });

  it('refuses a range that would record too long, naming the field and the reason', async () => {
    await fillExport(page, { from: Math.ceil(from / 1000) * 1000, to: Math.floor(to / 1000) * 1000 }, 1);
    await press(page, 'webm-record');
    await expect.poll(() => statusText(page), { timeout: 10_000 }).toMatch(/^Video export: at 1× this range would record for \d+ min; choose a faster speed or a shorter range \(at most \d+ min\)/);
    expect(await bar(page).locator('[data-export]').getAttribute('data-export')).toBe('idle');
  });
});

describe('PNG of the map at t', () => {
  it('downloads the map at its own pixel size, drawn, with the caption strip of the area, the time and the KPIs', async () => {
    const at = Math.floor((from + (to - from) / 2) / 1000) * 1000;
    await seek(page, at);
    await expect.poll(async () => (await shown(page))!.t, { timeout: 30_000 }).toBe(at);
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await press(page, 'png');
    const file = await download;
    expect(file.suggestedFilename()).toBe(`gridwatch-city-${cityInputTime(at).replace(/:/g, '')}.png`);
    const bytes = fs.readFileSync((await file.path())!);
    expect((await shown(page))!.lastExport).toEqual({ kind: 'png', bytes: bytes.length });
    const png = decodePng(bytes);
    const size = await page.evaluate(() => {
      const canvas = document.querySelector('gw-wall')?.shadowRoot?.querySelector('canvas.maplibregl-canvas') as HTMLCanvasElement | null;
      return canvas && { width: canvas.width, height: canvas.height };
    });
    expect(size).not.toBeNull();
    expect({ width: png.width, height: png.height }).toEqual(size);
    // the map is in it: the upper part holds many colours (grids, incidents), not one cleared background
    const colours = new Set<string>();
    for (let y = 0; y < png.height * 0.6; y += 7) for (let x = 0; x < png.width; x += 7) colours.add(png.at(x, y).slice(0, 3).join(','));
    expect(colours.size).toBeGreaterThan(50);
    // the caption strip: dark, with light text in it, along the bottom rows
    let light = 0;
    for (let y = png.height - 6; y > png.height * 0.85; y -= 2) {
      for (let x = 0; x < png.width / 2; x += 2) {
        const [r, g, b] = png.at(x, y);
        if (r > 170 && g > 180 && b > 200) light++;
      }
    }
    expect(light).toBeGreaterThan(200);
    // and what it says: the area and the time, then the header's own figures in its words
    const caption = (await shown(page))!.caption;
    expect(caption[0]).toContain(cityInputTime(at).replace('T', ' '));
    const items = caption[1] as string[];
    const header = await page.evaluate(() =>
      [...(document.querySelector('gw-wall')?.shadowRoot?.querySelector('gw-kpi-header')?.shadowRoot?.querySelectorAll('[data-kpi] .label') ?? [])].map((el) => el.textContent?.trim()),
    );
    // the figures, then today's whistles per tier
    expect(header).toHaveLength(10);
    for (const label of header.slice(0, 9)) expect(items.some((item) => item.startsWith(`${label} `)), label).toBe(true);
    expect(items.find((item) => item.startsWith('Open '))).toMatch(/^Open [\d,]+$/);
    expect(items.find((item) => item.startsWith('Response '))).toMatch(/^Response ([\d.]+%|—)$/);
    // a rate with a target (the defaults here) says whether it meets it, in words, as the header tones it (plain: no
    // figure, or too few to judge)
    const tone = await page.evaluate(() => document.querySelector('gw-wall')?.shadowRoot?.querySelector('gw-kpi-header')?.shadowRoot?.querySelector<HTMLElement>('[data-kpi="reportOnTimeRate"]')?.dataset.tone);
    const words = { good: ' \\(target 95% met\\)', alert: ' \\(below target 95%\\)', plain: '' }[tone as 'good' | 'alert' | 'plain'];
    expect(words, `tone ${tone}`).toBeDefined();
    expect(items.find((item) => item.startsWith('Depts on time '))).toMatch(new RegExp(`^Depts on time (\\d+\\.\\d%${words}|—)$`));
    expect(items.at(-1)).toMatch(/^Whistles today Comm\. [\d,]+ \/ Street [\d,]+ \/ Dist\. [\d,]+$/);
  });
});

describe('cumulative mode: per-grid choropleth', () => {
  const reportedPerGrid = (upTo: number) => {
    const counts: Record<string, number> = {};
    for (const e of events) if (e.type === 'incident.reported' && Date.parse(e.at) <= upTo) counts[e.grid] = (counts[e.grid] ?? 0) + 1;
    return counts;
  };

  it("colours each grid by its count of cases up to t, as the server's history JSON counts them", async () => {
    // the server's own JSON form of the range, not the tab's columns
    const res = await fetch(`${wall.url}/api/v1/history?from=${from}&to=${to}&area=city&format=json&limit=10000`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { events: StoredEvent[]; nextAfterSeq: number | null };
    expect(body.nextAfterSeq).toBeNull();
    events = body.events;

    await press(page, 'cumulative');
    await bar(page).locator('[data-action="choropleth"]').selectOption('count');
    for (const t of [Math.round((from + to) / 2000) * 1000, Math.floor(to / 1000) * 1000]) {
      await seek(page, t);
      const expected = reportedPerGrid(t);
      expect(Object.keys(expected).length).toBeGreaterThan(1);
      await expect.poll(async () => (await shown(page))?.choropleth?.values, { timeout: 30_000 }).toEqual(expected);
      const choropleth = (await shown(page))!.choropleth!;
      const max = Math.max(...Object.values(expected));
      const busiest = Object.keys(expected).find((g) => expected[g] === max)!;
      // the ramp's top is the wall's red; a grid with fewer cases is filled, with another colour
      expect(choropleth.fill[busiest]).toEqual([239, 68, 68, 170]);
      const quieter = Object.keys(expected).find((g) => expected[g]! < max);
      if (quieter) expect(choropleth.fill[quieter]).not.toEqual([239, 68, 68, 170]);
      expect(await bar(page).locator('[data-legend-high]').getAttribute('data-legend-high')).toBe(String(max));
    }
    // the other figures are offered too
    await bar(page).locator('[data-action="choropleth"]').selectOption('satisfaction');
    await expect.poll(async () => (await shown(page))?.choropleth?.metric, { timeout: 30_000 }).toBe('satisfaction');
    for (const value of Object.values((await shown(page))!.choropleth!.values)) expect(value >= 1 && value <= 5).toBe(true);
  });
});

describe('PNG of the live map', () => {
  it('back to live, the closed bar takes a picture of now, named by the wall’s time', async () => {
    await press(page, 'live');
    await bar(page).locator('[data-playback="closed"]').waitFor({ timeout: 30_000 });
    const before = Date.now();
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await press(page, 'png');
    const file = await download;
    const stamp = /^gridwatch-city-(\d{4}-\d\d-\d\dT\d{6})\.png$/.exec(file.suggestedFilename());
    expect(stamp, file.suggestedFilename()).not.toBeNull();
    // the wall's own time (server-aligned, in the city's zone), within a few seconds of the click
    const named = Date.parse(`${stamp![1]!.replace(/T(\d\d)(\d\d)(\d\d)$/, 'T$1:$2:$3')}+08:00`);
    expect(Math.abs(named - before)).toBeLessThan(15_000);
    const bytes = fs.readFileSync((await file.path())!);
    expect(await page.evaluate(() => document.documentElement.dataset.playbackExport)).toBe(`png:${bytes.length}`);
    const png = decodePng(bytes);
    const size = await page.evaluate(() => {
      const canvas = document.querySelector('gw-wall')?.shadowRoot?.querySelector('canvas.maplibregl-canvas') as HTMLCanvasElement | null;
      return canvas && { width: canvas.width, height: canvas.height };
    });
    expect({ width: png.width, height: png.height }).toEqual(size);
  });
});
