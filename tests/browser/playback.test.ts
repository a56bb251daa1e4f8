/**
 * Playback on the wall in headless Chromium against a real server: the range streams in, jumping to t shows exactly
 * the cases open at t (against the reducer over the server's log, and at the end of the range against the server's
 * own projection), playing moves the clock with KPIs equal to the reducer's at that instant, the CSV export holds
 * every case of the range, and "back to live" resumes live updates. The page runs in Los Angeles time: the bar's
 * date-time box and clock still read and show the city's time (UTC+8). (The WebM export and the choropleth:
 * playback-export.test.ts.)
 * One page load; everything waits for signals.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import type { CityState } from '../../protocol/reducer';
import { lateDepartments, reportDueAt } from '../../protocol/transition';
import { areaDesk } from '../../server/search/grid-desk';
import { clockDateTime, fromCityInputTime } from '../../client/panels/format';
import { bar, busyRange, foldUpTo, openCasesAt, expectKpiHeader, openPlaybackPage, playbackRange, playPast, press, seek, type PlaybackPage } from './helpers/playback-page';
import { colourDistance } from './helpers/png';
import { changesUpTo } from '../server/helpers/recent-changes';
import { wallCity, wallGridCentre } from './helpers/wall-city';
import { projectOnWall, screenshotPixels } from './helpers/wall-page';
import type { WallServer } from './helpers/wall-server';

let session: PlaybackPage | undefined;
let wall: WallServer, page: Page, events: StoredEvent[];
const city = wallCity();
const now = Date.now();
const { scenario, from, to } = busyRange(city, { now, incidents: 60, prefix: 'pb' });

type Shown = { t: number; open: string[]; events: number; lastExport: { kind: string; bytes: number } | null } | null;
const shown = (p: Page) =>
  p.evaluate(() => {
    const s = document.querySelector('gw-wall')?.playbackShown() ?? null;
    return s && { t: s.t, open: s.open, events: s.events, lastExport: s.lastExport && { kind: s.lastExport.kind, bytes: s.lastExport.bytes } };
  }) as Promise<Shown>;
const atOf = (e: StoredEvent) => Date.parse(e.at);
const stateAt = (t: number): CityState => foldUpTo(events, t);
const openAt = (t: number) => openCasesAt(events, t);

/** Moves the wall to exactly t (the bar's date-time box takes whole seconds), as the bar's own seek command does. */
async function seekExactly(t: number): Promise<void> {
  await page.evaluate((at) => {
    const command = Object.assign(new Event('gw-playback-command', { bubbles: true, composed: true }), { command: { kind: 'seek', t: at } });
    document.querySelector('gw-wall')!.dispatchEvent(command);
  }, t);
  await expect.poll(async () => (await shown(page))!.t, { timeout: 30_000 }).toBe(t);
}

/** The desk's search bar and the synthetic-data note start below the playback bar's bottom edge (open or closed). */
async function expectClearOfBar(p: Page): Promise<void> {
  await expect.poll(async () => {
    const barBox = await bar(p).boundingBox();
    const desk = await p.locator('gw-desk .bar').boundingBox();
    const note = await p.locator('gw-wall .note[data-synthetic]').boundingBox();
    if (!barBox || !desk || !note) return 'missing';
    const bottom = barBox.y + barBox.height;
    return desk.y >= bottom && note.y >= bottom ? 'clear' : `bar ends at ${bottom}, desk at ${desk.y}, note at ${note.y}`;
  }, { timeout: 10_000 }).toBe('clear');
}

beforeAll(async () => {
  session = await openPlaybackPage(city, scenario, `?tour=0&motion=0&playback=${playbackRange(from, to)}&speed=3600`, {
    viewport: { width: 1920, height: 1080 },
    // a PC far from the city's zone: the bar must still read and show the city's time (UTC+8)
    timezoneId: 'America/Los_Angeles',
  });
  ({ wall, page, events } = session);
});

afterAll(() => session?.close());

describe('playback on the wall', () => {
  // The page is shared by the file's tests. One that fails midway can leave the window short or the desk's panel open
  // on a district (then "step" keeps to that district). The next test, and its retry, start from the page as opened.
  beforeEach(async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    const close = page.locator('[data-desk-panel] button[data-close-panel]');
    if ((await close.count()) > 0) {
      await close.click();
      await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
    }
  });

  it('streams the whole range in and keeps the range in the URL', async () => {
    expect(await page.evaluate(() => document.documentElement.dataset.playbackLoaded)).toBe(String(events.length));
    expect(new URL(page.url()).searchParams.get('playback')).toContain('~');
  });

  it("jumping to t shows exactly the cases open at t, and at the range's end the server's own projection", async () => {
    // to the millisecond: the jump box takes them (step 0.001)
    const middle = Math.round((atOf(events[0]!) + atOf(events[events.length - 1]!)) / 2000) * 1000 + 250;
    await seek(page, middle);
    await expect.poll(async () => (await shown(page))?.t, { timeout: 30_000 }).toBe(middle);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(middle));
    expect(openAt(middle).length).toBeGreaterThan(0);
    // typed and shown in the city's time, on a browser in Los Angeles
    await expect.poll(() => bar(page).locator('.clock').textContent(), { timeout: 10_000 }).toBe(clockDateTime(middle));
    // the header says it is playback and tells the instant shown, not the wall's own time
    expect(await page.locator('gw-connection-badge [data-state]').getAttribute('data-state')).toBe('playback');
    await expect.poll(() => page.locator('gw-clock [data-playback-time]').getAttribute('data-playback-time'), { timeout: 10_000 }).toBe(String(middle));
    expect((await page.locator('gw-clock .time').textContent())?.trim()).toBe(clockDateTime(middle).slice(11));
    // (the browser may drop ":00" seconds or ".000" from the value it reports, so it is compared as an instant)
    expect(fromCityInputTime(await bar(page).locator('.right input[type="datetime-local"]').inputValue())).toBe(middle);
    // the whistle board reads the clock of t too, paused or not, past the wall's once-a-second tick: a whistle's time
    // left to report and its late departments are those of t, not of the wall's own time
    await page.waitForTimeout(2_500);
    const whistles = new Map([...stateAt(middle).incidents.values()].flatMap((r) => r.whistles.map((w) => [w.id, w] as const)));
    const rows = await page.locator('gw-whistle-board li[data-whistle]').evaluateAll((lis) =>
      lis.map((li) => ({
        id: li.getAttribute('data-whistle')!,
        left: li.querySelector('[data-left]')?.getAttribute('data-left') ?? null,
        late: [...li.querySelectorAll('.dept[data-late]')].map((el) => el.getAttribute('data-department')!).sort(),
      })),
    );
    expect(rows.length).toBeGreaterThan(0);
    let timed = 0;
    for (const row of rows) {
      const whistle = whistles.get(row.id)!;
      expect(row.late, row.id).toEqual(lateDepartments(whistle, middle).sort());
      if (row.left !== null) {
        timed += 1;
        expect(Number(row.left), row.id).toBe(reportDueAt(whistle) - middle);
      }
    }
    expect(timed, 'whistles within their limit at t').toBeGreaterThan(0);
    // the ticker reads the changes that led to t, latest first, as the live wall showed them then: each row is an
    // event of the log (not a case's latest state) with the status that event left its case in
    const tickerRows = () =>
      page.locator('gw-ticker li').evaluateAll((lis) => lis.map((li) => ({ seq: Number(li.getAttribute('data-seq')), type: li.getAttribute('data-type'), status: li.getAttribute('data-status') })));
    const changes = changesUpTo(events, middle).map(({ seq, type, status }) => ({ seq, type, status }));
    await expect.poll(() => page.locator('gw-ticker li').count(), { timeout: 30_000 }).toBeGreaterThan(5);
    const rowsShown = await page.locator('gw-ticker li').count();
    await expect.poll(tickerRows, { timeout: 30_000 }).toEqual(changes.slice(0, rowsShown));

    const end = Math.floor(to / 1000) * 1000;
    await seek(page, end);
    const projection = (await (await fetch(`${wall.url}/api/v1/incidents?area=city`)).json()) as { incidents: Array<{ id: string }> };
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(projection.incidents.map((r) => r.id).sort());
  });

  it("playing moves the clock, and the KPIs are the reducer's figures for that instant", async () => {
    const start = atOf(events[0]!) + 60_000;
    await seek(page, Math.floor(start / 1000) * 1000);
    await expect.poll(async () => (await shown(page))?.t, { timeout: 30_000 }).toBe(Math.floor(start / 1000) * 1000);
    const t = await playPast(page, start);
    await expectKpiHeader(page, kpis(stateAt(t), 'city', t));
    expect((await shown(page))!.open).toEqual(openAt(t));
  });

  it('exports the cases of the range as CSV, one row per case', async () => {
    await press(page, 'csv');
    await expect.poll(async () => (await shown(page))?.lastExport?.kind, { timeout: 10_000 }).toBe('csv');
    const csv = await page.evaluate(() => document.querySelector('gw-wall')!.playbackShown()!.lastExport!.blob.text());
    expect(csv.trim().split('\r\n').length - 1).toBe(new Set(events.map((e) => (e.type === 'incident.reported' ? e.incident.id : e.incidentId))).size);
  });

  it('steps to the previous and next event by button and by key, in the desk\'s area when it is on one; Space, PageUp/PageDown and Home/End drive it; the keys are left to a box being typed in, to the map, and the scroll keys to the desk\'s panel', async () => {
    const before = (await shown(page))!.t;
    const times = [...new Set(events.map(atOf))].sort((a, b) => a - b);
    const previousBefore = (t: number) => times.findLast((at) => at < t)!;
    // between two events, a few past the first
    const start = Math.floor((times[5]! + times[6]!) / 2);
    expect(start, 'two distinct event times with room between them').toBeGreaterThan(times[5]!);
    await seekExactly(start);
    const shownT = async () => (await shown(page))!.t;
    // takes the focus off whatever has it, inside the wall's shadow roots too
    const blur = () =>
      page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        (el as HTMLElement | null)?.blur();
      });

    // the buttons: next lands on the next event, with the cases open then; previous on the last one before
    await press(page, 'step');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[6]);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(times[6]!));
    await press(page, 'step-back');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[5]);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(times[5]!));

    // the same by key, with nothing focused
    await blur();
    await page.keyboard.press('ArrowRight');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[6]);
    await page.keyboard.press('ArrowRight');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[7]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[4]);

    // the focused timeline is a slider that says the time it is at, and takes the same keys
    const slider = bar(page).locator('svg[role="slider"]');
    await slider.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(times[5]);
    await expect.poll(() => slider.getAttribute('aria-valuetext'), { timeout: 10_000 }).toBe(clockDateTime(times[5]!));

    // Home and End: the range's ends; PageUp / PageDown: a tenth of it
    await page.keyboard.press('Home');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(from);
    const tenth = (to - from) * 0.1;
    await page.keyboard.press('PageUp');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(Math.round(from + tenth));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(previousBefore(Math.round(from + tenth)));
    await page.keyboard.press('End');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(to);
    await page.keyboard.press('PageDown');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(Math.round(to - tenth));
    // before the first event, previous goes to the range's start
    await seekExactly(times[0]!);
    await blur();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(from);

    // Space plays and pauses; a step while playing pauses too (the clock would overrun it at once)
    const playing = () => bar(page).locator('[data-action="play"]').getAttribute('aria-pressed');
    await seekExactly(start);
    await blur();
    await page.keyboard.press('Space');
    await expect.poll(playing, { timeout: 30_000 }).toBe('true');
    await page.keyboard.press('Space');
    await expect.poll(playing, { timeout: 30_000 }).toBe('false');
    await page.keyboard.press('Space');
    await expect.poll(playing, { timeout: 30_000 }).toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect.poll(playing, { timeout: 30_000 }).toBe('false');
    const stepped = await shownT();
    expect(times, 'a step lands on an event').toContain(stepped);

    // typing in the jump box, the arrows are the box's; on the map, MapLibre's (it pans): playback stays where it is
    await bar(page).locator('.right input[type="datetime-local"]').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Home');
    await page.locator('.maplibregl-canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    await page.waitForTimeout(1_500);
    expect(await shownT()).toBe(stepped);

    // with the desk on a district, the steps land on that district's events only, and the button says where
    const timesIn = (code: string) => [...new Set(events.filter((e) => e.grid.startsWith(code)).map(atOf))].sort((a, b) => a - b);
    const district = [...new Set(events.map((e) => e.grid.slice(0, 6)))].find((code) => {
      const own = timesIn(code);
      return own.filter((at) => at > start).length >= 2 && own.find((at) => at > start) !== times[6];
    })!;
    expect(district, 'a district whose next event is not the city\'s').toBeDefined();
    const own = timesIn(district);
    await page.evaluate((code) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.selectArea(code), district);
    await page.locator('[data-desk-panel]').waitFor({ timeout: 30_000 });
    await expect.poll(() => bar(page).locator('[data-action="step"]').getAttribute('data-step-area'), { timeout: 10_000 }).toBe(city.areas.get(district)!.name);
    await seekExactly(start);
    await press(page, 'step');
    const first = own.find((at) => at > start)!;
    await expect.poll(shownT, { timeout: 30_000 }).toBe(first);
    await press(page, 'step');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(own.find((at) => at > first));
    await press(page, 'step-back');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(first);
    await press(page, 'step-back');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(own.findLast((at) => at < first) ?? from);
    // inside the desk's panel, when it scrolls, PageDown / End / Home scroll it and leave t alone (a short window
    // makes the district's panel taller than its box)
    await page.setViewportSize({ width: 1920, height: 720 });
    const panel = page.locator('[data-desk-panel]');
    await expect.poll(() => panel.evaluate((el) => el.scrollHeight - el.clientHeight), { timeout: 30_000 }).toBeGreaterThan(100);
    // the wall lays the desk out again for the short window on its next updates: wait until the panel fits in it
    await expect.poll(() => panel.evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight + 1), { timeout: 30_000 }).toBe(true);
    const kept = await shownT();
    // Each key, pressed as soon as the one before has scrolled, three times over: with its blur on the scroller
    // itself, Chromium dropped every other keyboard scroll of the panel (gw-desk.ts). (A key's scroll is animated by
    // the compositor, whose frames take seconds under software WebGL on a loaded machine: the same 30 s as the test's
    // other waits.)
    await page.locator('[data-desk-panel] button[data-close-panel]').focus();
    const atBottom = () => panel.evaluate((el) => Math.abs(el.scrollTop + el.clientHeight - el.scrollHeight) <= 2);
    for (let round = 0; round < 3; round++) {
      await page.keyboard.press('PageDown');
      await expect.poll(() => panel.evaluate((el) => el.scrollTop), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.keyboard.press('End');
      await expect.poll(atBottom, { timeout: 30_000 }).toBe(true);
      await page.keyboard.press('Home');
      await expect.poll(() => panel.evaluate((el) => el.scrollTop), { timeout: 30_000 }).toBe(0);
    }
    expect(await shownT()).toBe(kept);
    // ← and → still step from there (they do not scroll the panel)
    await page.keyboard.press('ArrowRight');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(own.find((at) => at > kept));
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
    expect(await bar(page).locator('[data-action="step"]').getAttribute('data-step-area')).toBeNull();

    await blur();
    await seekExactly(before);
  });

  it('the desk and the synthetic-data note stay clear of the bar, whatever rows it shows', async () => {
    await press(page, 'cumulative');
    await press(page, 'webm');
    await bar(page).locator('[data-action="webm-record"]').waitFor({ timeout: 30_000 });
    await expectClearOfBar(page);
    await press(page, 'webm');
    await press(page, 'cumulative');
    await expect.poll(() => bar(page).locator('[data-action="webm-record"]').count(), { timeout: 30_000 }).toBe(0);
    await expectClearOfBar(page);
  });

  it('the desk outlines the area in focus in playback too, and frames it again below a taller bar', async () => {
    const district = city.areas.get('530102')!;
    await page.evaluate(() => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.selectArea('530102'));
    await page.locator('[data-desk-panel]').waitFor({ timeout: 30_000 });
    // once the camera has settled, the district's west edge is drawn in the outline's yellow along most of its length
    const [x0, y0, , y1] = district.bbox;
    const yellow = [250, 204, 21];
    await expect.poll(async () => {
      const pixels = await screenshotPixels(page);
      let onEdge = 0;
      for (let i = 1; i <= 7; i++) {
        const [x, y] = (await projectOnWall(page, x0, y0 + ((y1 - y0) * i) / 8)).map(Math.round) as [number, number];
        let nearest = Infinity;
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) nearest = Math.min(nearest, colourDistance(pixels.at(x + dx, y + dy), yellow));
        if (nearest < 40) onEdge++;
      }
      return onEdge >= 5;
    }, { timeout: 60_000, interval: 2_000 }).toBe(true);
    // the export row makes the bar taller and pushes the desk's search bar down: the district is framed again below it
    // (its top edge moves down with the bar; left where it was, it would not move at all)
    const deskBarBottom = () => page.locator('gw-desk .bar').evaluate((el) => el.getBoundingClientRect().bottom);
    const topEdge = async () => (await projectOnWall(page, x0, y1))[1];
    const [barBefore, topBefore] = [await deskBarBottom(), await topEdge()];
    await press(page, 'webm');
    await bar(page).locator('[data-action="webm-record"]').waitFor({ timeout: 30_000 });
    await expect.poll(deskBarBottom, { timeout: 10_000 }).toBeGreaterThan(barBefore + 8);
    const grown = (await deskBarBottom()) - barBefore;
    await expect.poll(async () => (await topEdge()) - topBefore, { timeout: 30_000 }).toBeGreaterThan(grown / 4);
    expect(await topEdge()).toBeGreaterThan(await deskBarBottom());
    await press(page, 'webm');
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('paused, the KPIs follow the area the desk drills into; a case opened reads as it stood at t, with no action offered', async () => {
    const t = (await shown(page))!.t;
    const state = stateAt(t);
    const id = openAt(t)[0]!;
    const grid = state.incidents.get(id)!.grid;
    const gridKpis = kpis(state, grid, t);
    expect(gridKpis.open, 'a grid has fewer open cases than the city').toBeLessThan(kpis(state, 'city', t).open);
    await page.evaluate((code) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.selectArea(code), grid);
    await expectKpiHeader(page, gridKpis);
    expect((await shown(page))!.t, 'still paused').toBe(t);
    await page.evaluate((incident) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.openCase(incident), id);
    await page.locator('gw-case-actions [data-replaying]').waitFor({ timeout: 30_000 });
    expect(await page.locator('gw-case-actions button[data-action]').count()).toBe(0);
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('paused, a case opened reads its status at t, its steps after t set apart and dimmed, each a way to move the wall; one reported after t says so', async () => {
    const t = (await shown(page))!.t;
    const then = stateAt(t);
    const caseOf = (e: StoredEvent) => (e.type === 'incident.reported' ? e.incident.id : e.incidentId);
    const id = openAt(t).find((c) => events.some((e) => caseOf(e) === c && atOf(e) > t));
    expect(id, 'a case open at t that moved on after it').toBeDefined();
    const desk = () => page.evaluate((incident) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.openCase(incident), id!);
    await desk();
    const detail = page.locator('gw-case-detail');
    await expect.poll(() => detail.locator('dd[data-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe(then.incidents.get(id!)!.status);
    const own = events.filter((e) => caseOf(e) === id);
    await expect.poll(() => detail.locator('ol[data-timeline] li[data-seq]').count(), { timeout: 30_000 }).toBe(own.length);
    const later = await detail.locator('ol[data-timeline] li[data-seq]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-seq'), li.hasAttribute('data-later')]));
    expect(later).toEqual(own.map((e) => [String(e.seq), atOf(e) > t]));
    // one divider, just before the first later step
    expect(await detail.locator('ol[data-timeline] li[data-after-divider] + li[data-later]').count()).toBe(1);
    expect(await detail.locator('ol[data-timeline] li[data-after-divider]').count()).toBe(1);
    // a later step's time moves the wall to it: the case reads as it stood then, that step no longer after t
    const next = own.find((e) => atOf(e) > t && atOf(e) <= to)!;
    await detail.locator(`ol[data-timeline] li[data-seq="${next.seq}"] button[data-seek]`).click();
    await expect.poll(async () => (await shown(page))!.t, { timeout: 30_000 }).toBe(atOf(next));
    await expect.poll(() => detail.locator('dd[data-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe(stateAt(atOf(next)).incidents.get(id!)!.status);
    await expect.poll(() => detail.locator(`ol[data-timeline] li[data-seq="${next.seq}"]`).getAttribute('data-later'), { timeout: 30_000 }).toBeNull();
    await seekExactly(t);
    // a case reported after t: the detail says when it was reported, and shows no record of then
    const future = events.find((e) => e.type === 'incident.reported' && atOf(e) > t);
    expect(future, 'the scenario reports cases after t').toBeDefined();
    await page.evaluate((incident) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.openCase(incident), caseOf(future!));
    await detail.locator('[data-not-yet]').waitFor({ timeout: 30_000 });
    expect(await detail.locator('[data-not-yet]').textContent()).toContain(clockDateTime(atOf(future!)));
    expect(await detail.locator('dd[data-status]').count()).toBe(0);
    // and a button moves the wall to its report, where it reads as reported
    if (atOf(future!) <= to) {
      await detail.locator('button[data-seek-report]').click();
      await expect.poll(async () => (await shown(page))!.t, { timeout: 30_000 }).toBe(atOf(future!));
      await expect.poll(() => detail.locator('dd[data-status]').getAttribute('data-status'), { timeout: 30_000 }).toBe('reported');
      await seekExactly(t);
    }
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('paused, the area panel reads the closed cases and the departments\' 报到 as they stood at t, not now', async () => {
    const t = (await shown(page))!.t;
    const district = (stateAt(t).incidents.get(openAt(t)[0]!)!.grid).slice(0, 6);
    const expected = areaDesk(city, stateAt(t).incidents.values(), district, t);
    const present = areaDesk(city, stateAt(Date.now()).incidents.values(), district, Date.now());
    const ids = (d: typeof expected) => d.closed.slice(0, 10).map((c) => c.id);
    expect(ids(expected), 'the scenario closes cases after t: the check tells t from now').not.toEqual(ids(present));
    await page.evaluate((code) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.selectArea(code), district);
    const panel = page.locator('gw-area-panel');
    await expect.poll(() => panel.locator('[data-desk-at]').getAttribute('data-desk-at'), { timeout: 30_000 }).toBe(String(t));
    expect(await panel.locator('[data-closed-cases] li[data-incident]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-incident')))).toEqual(ids(expected));
    expect(await panel.locator('[data-departments] li[data-department]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-department')))).toEqual(
      expected.departments.map((d) => d.department),
    );
    // the areas within: their figures at t, from the playback model (open cases then, not now)
    const within = [...city.areas.values()].filter((a) => a.parent === district).map((a) => a.code).sort();
    const openWithin = (at: number) => within.map((code) => [code, String(kpis(stateAt(at), code, at).open)]);
    expect(openWithin(t), 'the scenario tells t from now').not.toEqual(openWithin(Date.now()));
    expect(await panel.locator('table[data-children] td[data-column="open"]').evaluateAll((tds) => tds.map((td) => [td.closest('tr')!.getAttribute('data-code'), td.getAttribute('data-value')]))).toEqual(openWithin(t));
    // playing, the panel follows t but asks the server at most about once a second; paused, it reads exactly t
    const asked: number[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().includes('/api/v1/desk/')) asked.push(Date.now());
    };
    // from the middle of the range (earlier tests may have left t at its end, where play has nowhere to go)
    const mid = Math.round((from + to) / 2 / 60_000) * 60_000;
    await seek(page, mid);
    await expect.poll(async () => (await shown(page))!.t, { timeout: 30_000 }).toBe(mid);
    page.on('request', onRequest);
    const started = Date.now();
    await press(page, 'play');
    await expect.poll(async () => (await shown(page))!.t, { timeout: 60_000 }).toBeGreaterThan(mid + 10 * 60_000);
    await press(page, 'play'); // pause
    const elapsed = Date.now() - started;
    page.off('request', onRequest);
    const pausedAt = (await shown(page))!.t;
    expect(pausedAt, 'playing moved t').toBeGreaterThan(mid);
    expect(asked.length, `${asked.length} asks in ${elapsed} ms`).toBeLessThanOrEqual(Math.ceil(elapsed / 1_000) + 1);
    await expect.poll(() => panel.locator('[data-desk-at]').getAttribute('data-desk-at'), { timeout: 30_000 }).toBe(String(pausedAt));
    // a burst of instants (a fast play on a quick machine) makes one ask at once at most, then one for the last instant
    const burst: string[] = [];
    const onBurst = (request: { url(): string }) => {
      if (request.url().includes('/api/v1/desk/')) burst.push(new URL(request.url()).searchParams.get('at') ?? '');
    };
    page.on('request', onBurst);
    const last = await page.evaluate(async (t0) => {
      const panel = document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.shadowRoot!.querySelector('gw-area-panel')!;
      for (let i = 1; i <= 20; i++) {
        panel.at = t0 - i * 60_000;
        await panel.updateComplete;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return panel.at;
    }, pausedAt);
    await expect.poll(() => panel.locator('[data-desk-at]').getAttribute('data-desk-at'), { timeout: 30_000 }).toBe(String(last));
    page.off('request', onBurst);
    expect(burst.length, burst.join(', ')).toBeLessThanOrEqual(2);
    expect(burst.at(-1)).toBe(String(last));
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('paused, search finds the cases as they stood at t, with their status then', async () => {
    const t = (await shown(page))!.t;
    const then = stateAt(t);
    const present = stateAt(Date.now());
    const id = openAt(t).find((c) => present.incidents.get(c)?.status !== then.incidents.get(c)!.status);
    expect(id, 'a case open at t whose status moved on since').toBeDefined();
    const input = page.locator('gw-search-box input');
    await input.fill(id!);
    const hit = page.locator(`gw-search-box li[data-key="${id}"]`);
    await expect.poll(() => hit.getAttribute('data-status'), { timeout: 30_000 }).toBe(then.incidents.get(id!)!.status);
    await input.fill('');
    await input.press('Escape');
  });

  it('back to live resumes live updates', async () => {
    await press(page, 'live');
    await expect.poll(() => shown(page), { timeout: 10_000 }).toBeNull();
    expect(new URL(page.url()).searchParams.get('playback')).toBeNull();
    await expect.poll(() => page.locator('gw-connection-badge [data-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    expect(await page.locator('gw-clock [data-playback-time]').count()).toBe(0);
    await expectClearOfBar(page);
    const grid = city.grids[0]!.code;
    const ack = await wall.ingest([
      { id: 'pb-live-1', type: 'incident.reported', at: new Date().toISOString(), crs: 'wgs84', incident: { id: 'pb-live-case', location: wallGridCentre(city, grid), category: 'other', channel: 'other' } },
    ]);
    const seq = ack.acks[0]!.status === 'stored' ? ack.acks[0]!.seq : -1;
    await page.locator(`gw-ticker li[data-seq="${seq}"]`).waitFor({ timeout: 60_000 });
  });

  it('live, "replay this case" opens playback over the case\'s life at its report, then its steps walk the wall', async () => {
    const caseOf = (e: StoredEvent) => (e.type === 'incident.reported' ? e.incident.id : e.incidentId);
    const present = stateAt(Date.now());
    const id = [...present.incidents.values()].find((r) => r.status === 'closed' && events.filter((e) => caseOf(e) === r.id).length >= 4)?.id;
    expect(id, 'a closed case with a few steps').toBeDefined();
    const own = events.filter((e) => caseOf(e) === id);
    await page.evaluate((incident) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.openCase(incident), id!);
    const detail = page.locator('gw-case-detail');
    await detail.locator('button[data-replay-case]').click();
    const first = atOf(own[0]!);
    await expect.poll(async () => (await shown(page))?.t, { timeout: 30_000 }).toBe(first);
    const range = new URL(page.url()).searchParams.get('playback')!.split('~').map((iso) => Date.parse(iso));
    const round = (ms: number) => Math.round(ms / 1000) * 1000;
    expect(range).toEqual([round(first - 5 * 60_000), round(atOf(own.at(-1)!) + 5 * 60_000)]);
    await expect.poll(() => detail.locator('dd[data-status]').getAttribute('data-status'), { timeout: 60_000 }).toBe('reported');
    await expect.poll(() => detail.locator('ol[data-timeline] li[data-later]').count(), { timeout: 30_000 }).toBe(own.filter((e) => atOf(e) > first).length);
    expect(await detail.locator('button[data-replay-case]').count(), 'not offered while replaying').toBe(0);
    await press(page, 'live');
    await expect.poll(() => shown(page), { timeout: 10_000 }).toBeNull();
  });
});
