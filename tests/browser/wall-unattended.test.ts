/**
 * The unattended wall in headless Chromium against a real server: kiosk mode (`?wall=1`) shows no controls and no
 * cursor anywhere and ignores the wheel; the auto-tour (`?tour=5&idle=5`, the smallest allowed) moves the camera
 * through the districts and the city in order while the socket stays subscribed to the whole city; any input pauses
 * it and it resumes once input stops; an emergency whistle posted over HTTP in a district the wall is not showing
 * pulls the camera to the case with the header saying so and the whistle on the board, and the tour resumes after
 * the hold.
 *
 * One page load. Frames are slow in SwiftShader: everything waits for signals or polls with generous timeouts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { PULL_HOLD_MS } from '../../client/app/tour-controller';
import { kpis } from '../../protocol/kpi';
import { fold } from '../../protocol/reducer';
import { busyAfternoon } from './helpers/scenario';
import { WALL_DISTRICTS, wallCity, wallGridCentre } from './helpers/wall-city';
import { kpiValues, projectOnWall, sidePanelGrids, topmostAt, waitForWallReady } from './helpers/wall-page';
import type { WallServer } from './helpers/wall-server';
import { openWallSession, type WallSession } from './helpers/wall-session';
import { areaChanges, mapCentre, recordSubscribes, watchShownArea, type SubscribeFrame } from './helpers/wall-watch';

const TOUR_S = 5;
const IDLE_S = 5;
/** the tour's stops, in order: the districts (as the city package lists them), then the whole city */
const STOPS = [...WALL_DISTRICTS, 'city'];
const MODE = { touring: 'Auto tour', pulled: 'Urgent whistle · view pulled', shown: 'Area shown' };

let session: WallSession | undefined;
let wall: WallServer, page: Page;
let subscribes: SubscribeFrame[];
const city = wallCity();
const scenario = busyAfternoon(city, { now: Date.now(), incidents: 24, prefix: 'un' });

const centreOf = (code: string): [number, number] => {
  const b = code === 'city' ? city.meta.view.bounds : city.areas.get(code)!.bbox;
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
};

/** How far (CSS px) a WGS84 point is drawn from the middle of the map. */
async function offCentre(p: Page, lonLat: [number, number]): Promise<number> {
  const [x, y] = await projectOnWall(p, ...lonLat);
  const [cx, cy] = await mapCentre(p);
  return Math.hypot(x - cx, y - cy);
}

const shownArea = (p: Page) => p.evaluate(() => {
  const header = document.querySelector('gw-wall')!.shadowRoot!.querySelector<HTMLElement>('header .area')!;
  return { area: header.dataset.area ?? '', mode: header.querySelector('.mode')?.textContent ?? '', name: header.querySelector('.name')?.textContent ?? '' };
});

beforeAll(async () => {
  session = await openWallSession(city, scenario);
  wall = session.wall;
  page = await session.browser.newPage({ viewport: { width: 1280, height: 720 } });
  subscribes = recordSubscribes(page);
  await page.goto(`${wall.url}/?wall=1&tour=${TOUR_S}&idle=${IDLE_S}&motion=0&lang=en`);
  await waitForWallReady(page);
  await watchShownArea(page);
}, 180_000);

afterAll(() => session?.close());

describe('the unattended wall', () => {
  it('kiosk mode shows no controls and no cursor anywhere, and the map ignores the wheel', async () => {
    expect(await page.locator('gw-wall').getAttribute('kiosk')).not.toBeNull();
    const controls = await page.evaluate(() => {
      const controls: string[] = [];
      const visit = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll<HTMLElement>('*')) {
          if (el.shadowRoot) visit(el.shadowRoot);
          const tag = el.tagName.toLowerCase();
          if (['input', 'button', 'select', 'textarea', 'gw-desk', 'gw-timeline-bar', 'gw-search-box'].includes(tag) || (tag === 'a' && el.hasAttribute('href'))
            || el.classList.contains('maplibregl-ctrl') || el.classList.contains('maplibregl-ctrl-attrib')) controls.push(tag + (el.className ? `.${el.className}` : ''));
        }
      };
      visit(document);
      return controls;
    });
    expect(controls, 'no controls on a kiosk wall').toEqual([]);
    // the cursor over every point of a 12×8 lattice, read on the innermost element under it
    const { width, height } = page.viewportSize()!;
    const lattice = Array.from({ length: 12 * 8 }, (_, k) => [((Math.floor(k / 8) + 0.5) / 12) * width, (((k % 8) + 0.5) / 8) * height] as const);
    const cursors = new Set((await topmostAt(page, lattice)).map((top) => top?.cursor));
    expect([...cursors], 'the cursor is hidden everywhere').toEqual(['none']);
    // the legend is a key only
    expect(await page.locator('gw-legend li').count()).toBeGreaterThan(0);
    expect(await page.locator('gw-legend input').count()).toBe(0);

    // The map is not interactive: a wheel over it changes no camera (and, being input, pauses the tour: checked below).
    // Input stops the tour; a tour flight already in the air still lands (3 s, longer on slow frames). Keep the
    // pointer moving (so the tour stays paused) until the camera is still, then wheel over the map.
    const ref = centreOf('city');
    const [cx, cy] = await mapCentre(page);
    let before: [number, number] = [Number.NaN, Number.NaN];
    let still = false;
    for (let i = 0; i < 30 && !still; i++) {
      await page.mouse.move(cx + (i % 2), cy);
      await new Promise((r) => setTimeout(r, 600));
      const now = await projectOnWall(page, ...ref);
      still = Math.hypot(now[0] - before[0], now[1] - before[1]) < 0.01;
      before = now;
    }
    expect(still, 'the camera came to rest').toBe(true);
    await page.mouse.wheel(0, -600);
    await new Promise((r) => setTimeout(r, 500));
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const after = await projectOnWall(page, ...ref);
    expect(Math.hypot(after[0] - before[0], after[1] - before[1]), 'the wheel moved the kiosk map').toBeLessThan(0.5);
  });

  it('tours the districts and then the city in order, moving the camera, with the socket still on the whole city', async () => {
    // at least a full round of the tour: four moves
    await expect.poll(async () => (await areaChanges(page)).filter((c) => c.mode === MODE.touring).length, { timeout: 4 * (TOUR_S + 4) * 1000 + IDLE_S * 1000, interval: 500 }).toBeGreaterThanOrEqual(4);
    const touring = (await areaChanges(page)).filter((c) => c.mode === MODE.touring);
    for (let i = 1; i < touring.length; i++) {
      const from = STOPS.indexOf(touring[i - 1]!.area);
      expect(from, `tour stop ${touring[i - 1]!.area}`).toBeGreaterThanOrEqual(0);
      expect(touring[i]!.area, `the stop after ${touring[i - 1]!.area}`).toBe(STOPS[(from + 1) % STOPS.length]);
      // one stop per interval (setInterval of 1 s drives the tour: allow its jitter, plus slow frames); timed from a
      // stop seen to begin, not from one already shown when watching began (a slow start on a loaded machine)
      if (!touring[i - 1]!.observed) continue;
      expect(touring[i]!.at - touring[i - 1]!.at, 'time at a stop').toBeGreaterThan(TOUR_S * 1000 - 50);
      // (a loaded CI machine blocks SwiftShader's main thread for seconds: the upper bound only catches a stalled tour)
      expect(touring[i]!.at - touring[i - 1]!.at).toBeLessThan(TOUR_S * 1000 + 12_000);
    }
    // the camera comes to rest on each district in turn (the next move is TOUR_S after the last)
    for (const district of WALL_DISTRICTS) {
      await expect.poll(async () => (await shownArea(page)).area, { timeout: 3 * (TOUR_S + 4) * 1000, interval: 200 }).toBe(district);
      await expect.poll(() => offCentre(page, centreOf(district)), { timeout: TOUR_S * 1000, interval: 250 }).toBeLessThan(12);
      expect((await shownArea(page)).name).toBe(city.areas.get(district)!.name);
      const other = WALL_DISTRICTS.find((d) => d !== district)!;
      expect(await offCentre(page, centreOf(other)), 'the other district is off to one side').toBeGreaterThan(100);
      // the KPI strip figures the district named in the header (the reducer's kpis() for that district), not the city
      const folded = fold(await wall.store.readSeqRange(0));
      const expected = kpis(folded, district, Date.now());
      // (open, not only reportedToday: just after midnight China time every scenario case was reported "yesterday",
      // and both read 0; open counts do not depend on the time of day)
      const cityFigures = kpis(folded, 'city', Date.now());
      expect({ reportedToday: expected.reportedToday, open: expected.open }, 'the district figures differ from the city\'s')
        .not.toEqual({ reportedToday: cityFigures.reportedToday, open: cityFigures.open });
      await expect
        .poll(async () => {
          const values = await kpiValues(page);
          return { reportedToday: values.reportedToday, open: values.open };
        }, { timeout: TOUR_S * 1000, interval: 250 })
        .toEqual({ reportedToday: String(expected.reportedToday), open: String(expected.open) });
      // and so do the ticker and the whistle board: the district's cases only
      await expect
        .poll(async () => {
          const { ticker, board } = await sidePanelGrids(page);
          return ticker.length > 0 && [...ticker, ...board].every((grid) => grid.startsWith(district));
        }, { timeout: TOUR_S * 1000, interval: 250 })
        .toBe(true);
    }
    // The tour moves the camera only: the wall stays subscribed to its configured area (the whole city), so it keeps
    // every district's events, which an emergency pull in a district it is not showing needs.
    expect(subscribes.length).toBeGreaterThanOrEqual(1);
    expect(subscribes.map((s) => s.area)).toEqual(subscribes.map(() => 'city'));
    expect(subscribes.filter((s) => s.sinceSeq === undefined), 'one fresh subscribe for the page load; any other is a resume').toHaveLength(1);
  });

  it('pauses while someone uses the screen and resumes once input stops', async () => {
    const [cx, cy] = await mapCentre(page);
    const started = Date.now();
    let reference: [number, number] | null = null;
    // keep moving the pointer for longer than idle + one interval: the tour must not move
    for (let i = 0; Date.now() - started < (IDLE_S + TOUR_S) * 1000 - 1000; i++) {
      await page.mouse.move(cx + (i % 2 ? 30 : -30), cy);
      const shown = await shownArea(page);
      expect(shown.mode, 'the header shows the manual view while input continues').toBe(MODE.shown);
      expect(shown.area).toBe('city');
      // the fitBounds in flight when input came finishes (≤ 3 s); from then on the camera stays
      if (Date.now() - started > 3_500) {
        const now = await projectOnWall(page, ...centreOf('city'));
        reference ??= now;
        expect(Math.hypot(now[0] - reference[0], now[1] - reference[1]), 'the camera stayed while input continued').toBeLessThan(0.5);
      }
      await new Promise((r) => setTimeout(r, 700));
    }
    const stoppedAt = await page.evaluate(() => performance.now());
    await expect.poll(async () => (await shownArea(page)).mode, { timeout: (IDLE_S + 6) * 1000, interval: 250 }).toBe(MODE.touring);
    const resumed = (await areaChanges(page)).find((c) => c.at > stoppedAt && c.mode === MODE.touring)!;
    expect(resumed.at - stoppedAt, 'not before the idle time').toBeGreaterThan(IDLE_S * 1000 - 1000);
    expect(STOPS).toContain(resumed.area);
  });

  it('an emergency whistle in a district not on screen pulls the camera to the case, and the tour resumes after the hold', async () => {
    // Wait for the wall to show the second district; the next stop is the city, so the first district is neither shown
    // nor about to be.
    await expect.poll(async () => (await shownArea(page)).area, { timeout: 3 * (TOUR_S + 4) * 1000, interval: 200 }).toBe(WALL_DISTRICTS[1]);
    const grid = city.grids.find((g) => g.code.startsWith(WALL_DISTRICTS[0]))!;
    const location = wallGridCentre(city, grid.code);
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const events: IncomingEvent[] = [
      { id: 'un-em-e1', type: 'incident.reported', at: at(4), crs: 'wgs84', incident: { id: 'un-em', location, category: 'other', channel: 'other', priority: 'high', title: '燃气泄漏' } },
      { id: 'un-em-e2', type: 'incident.registered', incidentId: 'un-em', at: at(3) },
      { id: 'un-em-e3', type: 'incident.dispatched', incidentId: 'un-em', at: at(2), departments: ['city-urban-management'] },
      { id: 'un-em-e4', type: 'incident.whistled', incidentId: 'un-em', at: at(0), whistleId: 'un-em-w', tier: 'district', whistleType: 'emergency', departments: ['city-fire'] },
    ];
    expect(await offCentre(page, location), 'the case is off screen centre before the whistle').toBeGreaterThan(100);
    const postedAt = await page.evaluate(() => performance.now());
    await wall.ingest(events);
    await expect.poll(async () => (await shownArea(page)).area, { timeout: 15_000, interval: 100 }).toBe(grid.code);
    const pulled = (await areaChanges(page)).find((c) => c.at > postedAt && c.area === grid.code)!;
    expect(pulled.mode).toBe(MODE.pulled);
    expect(pulled.at - postedAt, 'ms from the HTTP post to the pull').toBeLessThan(10_000);
    console.log(`emergency pull: ${Math.round(pulled.at - postedAt)} ms from POST to the wall's header`);
    expect((await shownArea(page)).name).toContain(city.areas.get(WALL_DISTRICTS[0])!.name);
    // the camera flies to the case (2.5 s flight) and the whistle is on the board, marked emergency
    await expect.poll(() => offCentre(page, location), { timeout: 15_000, interval: 250 }).toBeLessThan(6);
    const row = page.locator('gw-whistle-board li[data-whistle="un-em-w"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('class')).toContain('emergency');
    // held while pulled (nothing else shown in between, though the tour interval passed several times), then the
    // tour resumes
    await expect.poll(async () => (await shownArea(page)).mode, { timeout: PULL_HOLD_MS + 10_000, interval: 500 }).toBe(MODE.touring);
    const changes = await areaChanges(page);
    const back = changes.find((c) => c.at > pulled.at && c.mode === MODE.touring)!;
    expect(changes.filter((c) => c.at > pulled.at && c.at < back.at), 'nothing took the view during the hold').toEqual([]);
    expect(back.at - pulled.at, 'the hold').toBeGreaterThan(PULL_HOLD_MS - 1000);
    expect(back.at - pulled.at).toBeLessThan(PULL_HOLD_MS + 3_000);
    expect(STOPS).toContain(back.area);
  }, PULL_HOLD_MS + 60_000);
});
