/**
 * Shared setup and timeline-bar helpers for the playback tests: a busy afternoon with the range around it, one wall
 * page opened on a playback URL and waited on until the range has streamed in, and the bar's controls (press a
 * button, jump to t, play and pause), plus the shared reducer's view of the server's log at t and the check that the
 * KPI header shows the reducer's figures.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AreaKpis } from '../../../protocol/kpi';
import type { IncomingEvent, StoredEvent } from '../../../protocol/events';
import { fold, isOpenStatus, type CityState } from '../../../protocol/reducer';
import type { CityGeodata } from '../../../server/geodata/types';
import { busyAfternoon, type ScenarioOptions } from './scenario';
import { cityInputTime } from '../../../client/panels/format';
import { kpiValues, waitForWallReady } from './wall-page';
import { openWallSession, type WallSession } from './wall-session';

export interface PlaybackPage extends WallSession {
  page: Page;
  /** the server's log after ingest, by seq */
  events: StoredEvent[];
}

/** A busy afternoon ending at `now`, and a playback range from a minute before its first event to a minute after `now`. */
export function busyRange(city: CityGeodata, options: ScenarioOptions): { scenario: IncomingEvent[]; from: number; to: number } {
  const scenario = busyAfternoon(city, options);
  return { scenario, from: Math.min(...scenario.map((e) => Date.parse(e.at))) - 60_000, to: options.now + 60_000 };
}

/** The `playback` query value for [from, to], URL-encoded. */
export function playbackRange(from: number, to: number): string {
  return encodeURIComponent(`${new Date(from).toISOString()}~${new Date(to).toISOString()}`);
}

/**
 * Opens a wall session with `scenario` ingested and one page on `${wall.url}/${query}` (a playback URL), waiting for
 * the ready signal and for the whole range to have streamed in (`data-playback-loaded`).
 */
export async function openPlaybackPage(
  city: CityGeodata,
  scenario: IncomingEvent[],
  query: string,
  pageOptions: BrowserContextOptions,
): Promise<PlaybackPage> {
  const session = await openWallSession(city, scenario);
  try {
    const events = await session.wall.store.readSeqRange(0);
    const page = await session.browser.newPage(pageOptions);
    await page.goto(`${session.wall.url}/${query}`);
    await waitForWallReady(page);
    await waitForPlaybackLoaded(page);
    return { ...session, page, events };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** Waits for the signal that the whole range is in (`data-playback-loaded` on the document element). */
export async function waitForPlaybackLoaded(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.playbackLoaded !== undefined, null, { timeout, polling: 250 });
}

export const bar = (p: Page) => p.locator('gw-timeline-bar');
/** Clicks a timeline button by dispatching the event (the bar re-renders every frame while playing or recording). */
export const press = (p: Page, action: string) => bar(p).locator(`[data-action="${action}"]`).dispatchEvent('click');

/** Jumps to t through the bar's jump box, typed in the city's time (UTC+8) whatever the browser's zone. */
export async function seek(p: Page, t: number): Promise<void> {
  await bar(p).locator('.right input[type="datetime-local"]').fill(cityInputTime(t, 'milliseconds'));
  await bar(p).locator('.right input[type="datetime-local"]').dispatchEvent('change');
}

/** The shared reducer's state after the events up to t. */
export const foldUpTo = (events: StoredEvent[], t: number): CityState => fold(events.filter((e) => Date.parse(e.at) <= t));
/** The ids of the cases open at t, sorted. */
export const openCasesAt = (events: StoredEvent[], t: number) =>
  [...foldUpTo(events, t).incidents.values()].filter((r) => isOpenStatus(r.status)).map((r) => r.id).sort();

/** Presses play, waits until the playback clock is more than 20 minutes past `start`, pauses, and returns the t shown. */
export async function playPast(p: Page, start: number): Promise<number> {
  const shownT = () => p.evaluate(() => document.querySelector('gw-wall')?.playbackShown()?.t);
  await press(p, 'play');
  await expect.poll(async () => (await shownT())! - start, { timeout: 60_000 }).toBeGreaterThan(20 * 60_000);
  await press(p, 'play'); // pause
  return (await shownT())!;
}

/**
 * The KPI header comes to show `expected` (the shared reducer's figures at the instant shown). The figures are polled
 * together: the header may still show an earlier instant for a moment, whose open count can equal t's by chance.
 */
export async function expectKpiHeader(p: Page, expected: AreaKpis): Promise<void> {
  const wanted = { open: expected.open, reportedToday: expected.reportedToday, overdue: expected.overdue, whistlesToday: expected.whistlesToday };
  await expect
    .poll(async () => {
      const figures = await kpiValues(p);
      return {
        open: Number(figures.open),
        reportedToday: Number(figures.reportedToday),
        overdue: Number(figures.overdue),
        whistlesToday: figures.whistlesToday ? (JSON.parse(figures.whistlesToday) as unknown) : null,
      };
    }, { timeout: 30_000 })
    .toEqual(wanted);
}
