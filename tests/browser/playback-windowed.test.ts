/**
 * Windowed playback in headless Chromium (a range above the detail budget; `?budget=10` lowers the budget so that a
 * small range takes that path): the bar says which mode it is in, the tab keeps the columns and takes the state at
 * t from the server, and jumping, stepping (in the desk's district too) or playing still shows exactly the reducer's
 * cases and KPIs at t.
 * One page load; everything waits for signals.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import type { CityState } from '../../protocol/reducer';
import { bar, busyRange, foldUpTo, openCasesAt, expectKpiHeader, openPlaybackPage, playbackRange, playPast, press, seek, type PlaybackPage } from './helpers/playback-page';
import { wallCity } from './helpers/wall-city';

let session: PlaybackPage | undefined;
let page: Page, events: StoredEvent[];
const city = wallCity();
const now = Date.now();
const { scenario, from, to } = busyRange(city, { now, incidents: 60, prefix: 'pw', seed: 11 });

const shown = (p: Page) =>
  p.evaluate(() => {
    const s = document.querySelector('gw-wall')?.playbackShown() ?? null;
    return s && { t: s.t, open: s.open, events: s.events };
  });
const atOf = (e: StoredEvent) => Date.parse(e.at);
const stateAt = (t: number): CityState => foldUpTo(events, t);
const openAt = (t: number) => openCasesAt(events, t);

beforeAll(async () => {
  session = await openPlaybackPage(city, scenario, `?tour=0&motion=0&budget=10&playback=${playbackRange(from, to)}&speed=3600`, { viewport: { width: 1920, height: 1080 } });
  ({ page, events } = session);
});

afterAll(() => session?.close());

describe('windowed playback on the wall', () => {
  it('streams the columns of the whole range and says it is windowed', async () => {
    expect(await page.evaluate(() => document.documentElement.dataset.playbackLoaded)).toBe(String(events.length));
    await expect.poll(() => bar(page).locator('[data-mode="windowed"]').count(), { timeout: 10_000 }).toBe(1);
  });

  it("jumping to t shows exactly the reducer's open cases at t, from the server's state", async () => {
    for (const fraction of [0.5, 0.25, 0.8]) {
      const t = Math.round((atOf(events[0]!) + fraction * (now - atOf(events[0]!))) / 1000) * 1000;
      await seek(page, t);
      await expect.poll(async () => (await shown(page))?.t, { timeout: 30_000 }).toBe(t);
      await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(t));
    }
  });

  it("playing moves the clock, and the KPIs are the reducer's figures for that instant", async () => {
    const start = Math.floor((atOf(events[0]!) + 60_000) / 1000) * 1000;
    await seek(page, start);
    await expect.poll(async () => (await shown(page))?.t, { timeout: 30_000 }).toBe(start);
    const t = await playPast(page, start);
    await expectKpiHeader(page, kpis(stateAt(t), 'city', t));
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(t));
  });

  it('steps to the next and previous event from the kept times, in the desk\'s district when it is on one, with the server\'s state there', async () => {
    const timesIn = (code: string) => [...new Set(events.filter((e) => e.grid.startsWith(code)).map(atOf))].sort((a, b) => a - b);
    const all = timesIn('');
    const start = Math.floor((all[10]! + all[11]!) / 2);
    await page.evaluate((at) => {
      const command = Object.assign(new Event('gw-playback-command', { bubbles: true, composed: true }), { command: { kind: 'seek', t: at } });
      document.querySelector('gw-wall')!.dispatchEvent(command);
    }, start);
    const shownT = async () => (await shown(page))!.t;
    await expect.poll(shownT, { timeout: 30_000 }).toBe(start);
    await press(page, 'step');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(all[11]);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(all[11]!));
    await press(page, 'step-back');
    await press(page, 'step-back');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(all[9]);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(all[9]!));
    // a district whose next event after t is not the city's
    const t = all[9]!;
    const district = [...new Set(events.map((e) => e.grid.slice(0, 6)))].find((code) => {
      const after = timesIn(code).find((at) => at > t);
      return after !== undefined && after !== all[10];
    })!;
    expect(district).toBeDefined();
    const own = timesIn(district);
    await page.evaluate((code) => document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.selectArea(code), district);
    await page.locator('[data-desk-panel]').waitFor({ timeout: 30_000 });
    await press(page, 'step');
    const next = own.find((at) => at > t)!;
    await expect.poll(shownT, { timeout: 30_000 }).toBe(next);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(next));
    await press(page, 'step-back');
    await expect.poll(shownT, { timeout: 30_000 }).toBe(own.findLast((at) => at < next) ?? from);
    await page.locator('[data-desk-panel] button[data-close-panel]').click();
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('refuses the CSV export, saying why', async () => {
    await press(page, 'csv');
    await expect.poll(() => bar(page).locator('.status').textContent(), { timeout: 10_000 }).toMatch(/导出 CSV：本范围共 [\d,]+ 条事件/);
  });
});
