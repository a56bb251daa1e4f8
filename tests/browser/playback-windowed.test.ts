/**
 * Windowed playback in headless Chromium (a range above the detail budget; `?budget=10` lowers the budget so that a
 * small range takes that path): the bar says which mode it is in, the tab keeps the columns and takes the state at
 * t from the server, and jumping or playing still shows exactly the reducer's cases and KPIs at t.
 * One page load; everything waits for signals.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { kpis } from '../../protocol/kpi';
import { fold, isOpenStatus, type CityState } from '../../protocol/reducer';
import { launchChromium } from './helpers/browser';
import { buildClient } from './helpers/build-client';
import { busyAfternoon } from './helpers/scenario';
import { wallCity } from './helpers/wall-city';
import { kpiValues, waitForWallReady } from './helpers/wall-page';
import { startWallServer, type WallServer } from './helpers/wall-server';

let clientDir: string;
let wall: WallServer;
let browser: Browser;
let page: Page;
let events: StoredEvent[];
const city = wallCity();
const now = Date.now();
const scenario = busyAfternoon(city, { now, incidents: 60, prefix: 'pw', seed: 11 });
const from = Math.min(...scenario.map((e) => Date.parse(e.at))) - 60_000;
const to = now + 60_000;

const shown = (p: Page) =>
  p.evaluate(() => {
    const s = document.querySelector('gw-wall')?.playbackShown() ?? null;
    return s && { t: s.t, open: s.open, events: s.events };
  });
const bar = (p: Page) => p.locator('gw-timeline-bar');
const press = (p: Page, action: string) => bar(p).locator(`[data-action="${action}"]`).dispatchEvent('click');
const atOf = (e: StoredEvent) => Date.parse(e.at);
const stateAt = (t: number): CityState => fold(events.filter((e) => atOf(e) <= t));
const openAt = (t: number) => [...stateAt(t).incidents.values()].filter((r) => isOpenStatus(r.status)).map((r) => r.id).sort();

async function seek(p: Page, t: number): Promise<void> {
  const local = new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  await bar(p).locator('.right input[type="datetime-local"]').fill(local);
  await bar(p).locator('.right input[type="datetime-local"]').dispatchEvent('change');
}

beforeAll(async () => {
  clientDir = await buildClient();
  wall = await startWallServer(city, { clientDir });
  await wall.ingest(scenario);
  events = await wall.store.readSeqRange(0);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const range = `${new Date(from).toISOString()}~${new Date(to).toISOString()}`;
  await page.goto(`${wall.url}/?tour=0&motion=0&budget=10&playback=${encodeURIComponent(range)}&speed=3600`);
  await waitForWallReady(page);
  await page.waitForFunction(() => document.documentElement.dataset.playbackLoaded !== undefined, null, { timeout: 60_000, polling: 250 });
});

afterAll(async () => {
  await browser?.close();
  await wall?.close();
  if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
});

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
    await press(page, 'play');
    await expect.poll(async () => (await shown(page))!.t - start, { timeout: 60_000 }).toBeGreaterThan(20 * 60_000);
    await press(page, 'play'); // pause
    const t = (await shown(page))!.t;
    const expected = kpis(stateAt(t), 'city', t);
    await expect.poll(async () => (await kpiValues(page)).open, { timeout: 30_000 }).toBe(String(expected.open));
    const figures = await kpiValues(page);
    expect(Number(figures.reportedToday)).toBe(expected.reportedToday);
    expect(Number(figures.overdue)).toBe(expected.overdue);
    expect(JSON.parse(figures.whistlesToday!)).toEqual(expected.whistlesToday);
    await expect.poll(async () => (await shown(page))?.open, { timeout: 30_000 }).toEqual(openAt(t));
  });

  it('refuses the CSV export, saying why', async () => {
    await press(page, 'csv');
    await expect.poll(() => bar(page).locator('.status').textContent(), { timeout: 10_000 }).toContain('CSV export');
  });
});
