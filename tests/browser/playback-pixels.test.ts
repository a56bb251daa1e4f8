/**
 * Playback really draws its cases, in the reducer's status colours: at one instant t of a replayed range, with the
 * incidents layer on and then off (the legend's switch), the canvas differs where each known case lies (projected
 * with the wall's public `project()`), and the colour at the case is the live wall's colour for the status the shared
 * reducer gives that case at t: reported, dispatched and overdue cases side by side. The same again in windowed
 * playback (a budget below the range's size), whose stream has no details: the overdue switch comes from its columns.
 *
 * Cumulative mode then washes the same cases in its heat map (a layer made only once first shown).
 *
 * One page load in headless Chromium (software WebGL) against a real server; everything waits for signals.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent, StoredEvent } from '../../protocol/events';
import { fold } from '../../protocol/reducer';
import { isUnresolvedStatus } from '../../protocol/transition';
import { STATUS_COLOURS } from '../../client/live/incident-style';
import { colourDistance, type Pixels } from './helpers/png';
import { wallCity, wallGridCentre } from './helpers/wall-city';
import { bar, openPlaybackPage, playbackRange, press, waitForPlaybackLoaded, type PlaybackPage } from './helpers/playback-page';
import { projectOnWall, screenshotPixels, topmostAt, waitForWallReady } from './helpers/wall-page';

const MIN = 60_000;
let session: PlaybackPage | undefined;
let page: Page, events: StoredEvent[];
const city = wallCity();
const start = Math.floor((Date.now() - 3 * 60 * MIN) / 1000) * 1000;
/** the instant shown: after B's report, after C's deadline, before A starts work */
const t = start + 45 * MIN;
const from = start - 10 * MIN;
const to = start + 2 * 60 * MIN;

/**
 * Three grids away from the city's edge (the timeline bar and the desk's search box float over the map's top and
 * the legend over its bottom left) whose centres lie farthest from every service centre and department (no other
 * symbol on top of the cases), and from each other.
 */
function quietGrids(): string[] {
  const symbols = [...city.serviceCentres.map((c) => c.position), ...city.departments.map((d) => d.position)] as number[][];
  const distance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
  const [west, south, east, north] = city.meta.view.bounds;
  const inner = (c: number[]) => c[0]! > west + 0.2 * (east - west) && c[0]! < east - 0.1 * (east - west) && c[1]! > south + 0.2 * (north - south) && c[1]! < north - 0.25 * (north - south);
  const chosen: string[] = [];
  for (let k = 0; k < 3; k++) {
    const best = city.grids
      .filter((g) => !chosen.includes(g.code) && inner(wallGridCentre(city, g.code)))
      .map((g) => {
        const c = wallGridCentre(city, g.code);
        const near = Math.min(...symbols.map((s) => distance(c, s)), ...chosen.map((code) => distance(c, wallGridCentre(city, code))));
        return { code: g.code, near };
      })
      .sort((a, b) => b.near - a.near)[0]!;
    chosen.push(best.code);
  }
  return chosen;
}

const [gridA, gridB, gridC] = quietGrids() as [string, string, string];
const iso = (ms: number) => new Date(ms).toISOString();
const reported = (id: string, grid: string, at: number): IncomingEvent => ({
  id: `${id}-r`, type: 'incident.reported', at: iso(at), crs: 'wgs84', incident: { id, location: wallGridCentre(city, grid), category: 'other', channel: 'other', priority: 'urgent' },
});
const scenario: IncomingEvent[] = [
  // A: dispatched with a far deadline, work starts after t
  reported('px-a', gridA, start),
  { id: 'px-a-g', type: 'incident.registered', incidentId: 'px-a', at: iso(start + 5 * MIN) },
  { id: 'px-a-d', type: 'incident.dispatched', incidentId: 'px-a', at: iso(start + 10 * MIN), departments: ['city-urban-management'], deadline: iso(start + 5 * 60 * MIN) },
  { id: 'px-a-s', type: 'incident.started', incidentId: 'px-a', at: iso(start + 60 * MIN) },
  // B: only reported, 20 minutes in
  reported('px-b', gridB, start + 20 * MIN),
  // C: dispatched with a deadline 30 minutes in: overdue at t
  reported('px-c', gridC, start),
  { id: 'px-c-g', type: 'incident.registered', incidentId: 'px-c', at: iso(start + 5 * MIN) },
  { id: 'px-c-d', type: 'incident.dispatched', incidentId: 'px-c', at: iso(start + 10 * MIN), departments: ['city-urban-management'], deadline: iso(start + 30 * MIN) },
];

/** The live wall's colour for a case's status at t, by the shared reducer (overdue: unresolved past its deadline). */
function expectedColour(id: string): { status: string; rgb: number[] } {
  const record = fold(events.filter((e) => Date.parse(e.at) <= t)).incidents.get(id)!;
  const overdue = isUnresolvedStatus(record.status) && record.deadline !== undefined && record.deadline <= t;
  const status = overdue ? 'overdue' : record.status;
  return { status, rgb: STATUS_COLOURS[status].slice(0, 3) };
}

async function frames(p: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await p.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
}

async function incidentsLayer(p: Page, on: boolean): Promise<Pixels> {
  const box = p.locator('gw-legend input[data-layer="incidents"]');
  if ((await box.isChecked()) !== on) await box.click();
  expect(await box.isChecked()).toBe(on);
  await frames(p, 4);
  return screenshotPixels(p);
}

/** The pixel nearest (x, y), within r, closest to `rgb`, and its distance. */
function nearestMatch(pixels: Pixels, x: number, y: number, r: number, rgb: number[]): number {
  let best = Infinity;
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) best = Math.min(best, colourDistance(pixels.at(x + dx, y + dy), rgb));
  return best;
}

beforeAll(async () => {
  session = await openPlaybackPage(city, scenario, `?tour=0&motion=0&lang=en&playback=${playbackRange(from, to)}&t=${encodeURIComponent(iso(t))}`, {
    viewport: { width: 1280, height: 720 },
  });
  ({ page, events } = session);
  await page.waitForFunction((at) => document.querySelector('gw-wall')?.playbackShown()?.t === at, t, { timeout: 30_000, polling: 250 });
}, 180_000);

afterAll(() => session?.close());

/** Every case is drawn at its position in the colour of its status at t, and nothing there with the layer off. */
async function expectCasesDrawn(mode: string): Promise<void> {
  const cases = [
    { id: 'px-a', grid: gridA },
    { id: 'px-b', grid: gridB },
    { id: 'px-c', grid: gridC },
  ].map((c) => ({ ...c, expected: expectedColour(c.id) }));
  // the scenario gives three different colours, so a layer drawing one colour everywhere fails
  expect(cases.map((c) => c.expected.status)).toEqual(['dispatched', 'reported', 'overdue']);
  // the panels' model at t is refreshed on the first frame after the range is in: wait for it, not only for t
  await expect
    .poll(async () => (await page.evaluate(() => document.querySelector('gw-wall')!.playbackShown()!.open)).sort(), { timeout: 60_000 })
    .toEqual(['px-a', 'px-b', 'px-c']);

  const on = await incidentsLayer(page, true);
  const off = await incidentsLayer(page, false);
  for (const c of cases) {
    const [x, y] = await projectOnWall(page, ...wallGridCentre(city, c.grid));
    const label = `${mode}: ${c.id} (${c.expected.status}) at ${Math.round(x)},${Math.round(y)}`;
    const uncovered = (await topmostAt(page, [[x, y]]))[0]?.mapCanvas === true;
    expect(uncovered, `${label}: no panel floats over the case`).toBe(true);
    expect(colourDistance(on.at(x, y), off.at(x, y)), `${label}: layer on vs off`).toBeGreaterThan(60);
    // the centre pixel (radius ≥ 7 px for an urgent case; a pixel of slack for the projection's rounding)
    expect(nearestMatch(on, x, y, 1, c.expected.rgb), `${label}: drawn ${on.at(x, y).join(',')}, status colour ${c.expected.rgb.join(',')}`).toBeLessThanOrEqual(8);
    expect(colourDistance(off.at(x, y), c.expected.rgb), `${label}: the status colour is not the map's own`).toBeGreaterThan(60);
    // a point, not a wash: 20 px away the layer changes nothing
    expect(colourDistance(on.at(x + 20, y), off.at(x + 20, y)), `${label}: 20 px aside`).toBeLessThanOrEqual(4);
  }
  await incidentsLayer(page, true);
}

describe('playback pixels', () => {
  it('draws each case at its position in the colour of its status at t, and nothing there with the layer off', async () => {
    await expectCasesDrawn('detailed');
  });

  it('cumulative mode washes the range so far in a heat map around each case (made on first use)', async () => {
    const cumulative = () => bar(page).locator('[data-action="cumulative"]').getAttribute('aria-pressed');
    // a retry starts with cumulative off, as the first try did
    if ((await cumulative()) === 'true') await press(page, 'cumulative');
    await expect.poll(cumulative, { timeout: 10_000 }).toBe('false');
    const points = await incidentsLayer(page, true);
    await press(page, 'cumulative');
    await expect.poll(cumulative, { timeout: 10_000 }).toBe('true');
    const at = await Promise.all([gridA, gridB, gridC].map(async (grid) => ({ grid, xy: await projectOnWall(page, ...wallGridCentre(city, grid)) })));
    // 20 px aside the points draw nothing (see above); the heat map's 40 px kernel does. The layer is made on this
    // first use and draws on a later frame (software WebGL: seconds): wait for the heat, not for a number of frames
    const heatAside = async () => {
      await frames(page, 1);
      const heat = await screenshotPixels(page);
      return at.map(({ grid, xy: [x, y] }) => ({ grid, distance: Math.round(colourDistance(heat.at(x + 20, y), points.at(x + 20, y))) }));
    };
    await expect
      .poll(async () => (await heatAside()).filter(({ distance }) => distance <= 30), { timeout: 30_000, message: 'heat 20 px from each case (colour distance from the points alone; over 30 wanted)' })
      .toEqual([]);
    await press(page, 'cumulative');
    await expect.poll(cumulative, { timeout: 10_000 }).toBe('false');
  });

  it('windowed playback (the range above the detail budget: columns only, the state at t from the server) draws the same colours, overdue included', async () => {
    await page.goto(`${session!.wall.url}/?tour=0&motion=0&lang=en&budget=1&playback=${playbackRange(from, to)}&t=${encodeURIComponent(iso(t))}`);
    await waitForWallReady(page);
    await waitForPlaybackLoaded(page);
    await expect.poll(() => bar(page).locator('[data-mode="windowed"]').count(), { timeout: 10_000 }).toBe(1);
    await page.waitForFunction((at) => document.querySelector('gw-wall')?.playbackShown()?.t === at, t, { timeout: 30_000, polling: 250 });
    await expectCasesDrawn('windowed');
  });
});
