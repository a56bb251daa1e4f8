/**
 * The CSP without `style-src 'unsafe-inline'` (docs/security.md §1), proved in Chromium: the built wall and the
 * officer's desk render and work under the server's real headers with zero CSP violations, counted by a
 * `securitypolicyviolation` listener installed before any page script and by the console. Per-element colours
 * (ticker, whistle board, KPI tiers, legend, playback's choropleth ramp) still apply, so nothing was silently
 * dropped. Playback with its cumulative view is watched the same way. A deliberate inline
 * style at the end must be caught, so the listener is proved to work.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIER_COLOURS, cssColour } from '../../client/live/incident-style';
import { inlineStyleHashes } from '../../server/http/security';
import { busyAfternoon } from '../browser/helpers/scenario';
import { wallCity, wallGridCentre } from '../browser/helpers/wall-city';
import { projectOnWall, waitForPanels, waitForWallReady } from '../browser/helpers/wall-page';
import { playbackRange, waitForPlaybackLoaded } from '../browser/helpers/playback-page';
import { openWallSession, type WallSession } from '../browser/helpers/wall-session';

const MIN = 60_000;
const OFFICER = { name: 'duty-csp', password: 'duty officer password' };
const GRID = '530102001001005';
const city = wallCity();

let session: WallSession | undefined;
let browser: Browser | undefined;
let url = '';

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

/** A page that records every CSP violation from before its first script. */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<Violation[]>; console: string[] }> {
  const page = await (browser as Browser).newPage({ viewport: { width: 1920, height: 1080 } });
  const consoleCsp: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleCsp.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: Array<{ directive: string; blocked: string; sample: string }> = [];
    (window as unknown as { __csp: typeof seen }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => {
      seen.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    }, true);
  });
  return {
    page,
    console: consoleCsp,
    violations: () => page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp),
  };
}

/** Runs a query through the wall's and desk's shadow roots: `gw-ticker .what` finds `.what` inside gw-ticker. */
async function computed(page: Page, host: string, selector: string, property: string): Promise<string[]> {
  return page.evaluate(
    ([h, s, p]) => {
      const find = (root: Document | ShadowRoot, tag: string): Element[] => {
        const out: Element[] = [...root.querySelectorAll(tag)];
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) out.push(...find(el.shadowRoot, tag));
        return out;
      };
      return find(document, h!).flatMap((el) => [...(el.shadowRoot?.querySelectorAll(s!) ?? [])].map((x) => getComputedStyle(x).getPropertyValue(p!).trim()));
    },
    [host, selector, property],
  );
}

beforeAll(async () => {
  const scenario = busyAfternoon(city, { now: Date.now(), incidents: 30, prefix: 'csp' });
  session = await openWallSession(city, scenario, { users: [{ name: OFFICER.name, role: 'officer', scope: ['530102'], password: OFFICER.password }] });
  ({ browser } = session);
  url = session.wall.url;
}, 300_000);

afterAll(() => session?.close());

describe('the CSP without style-src unsafe-inline', () => {
  it('the page is served with a style-src of self plus the hash of its one inline <style>', async () => {
    const res = await fetch(`${url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const styleSrc = /(?:^|;)\s*style-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/) ?? [];
    const hashes = inlineStyleHashes(await res.text());
    expect(hashes).toHaveLength(1);
    expect(styleSrc).toEqual(["'self'", ...hashes]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('the wall and the desk render and work with zero CSP violations', async () => {
    const { page, violations, console: consoleCsp } = await watchedPage();
    await page.goto(`${url}/?tour=0&motion=1&lang=en`);
    await waitForWallReady(page, 240_000);
    await waitForPanels(page, 120_000);
    // the index.html <style> applied (its hash is allowed): the page background
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(5, 10, 21)');
    // per-element colours set through the CSSOM still apply
    const tierColour = cssColour(TIER_COLOURS.community);
    const rgb = (c: string) => c.replace(/rgba\((\d+), (\d+), (\d+), 1\.00\)/, 'rgb($1, $2, $3)');
    expect(await computed(page, 'gw-kpi-header', '.tier[data-tier="community"]', 'color')).toEqual([rgb(tierColour)]);
    const tickerColours = await computed(page, 'gw-ticker', '.what', 'color');
    expect(tickerColours.length).toBeGreaterThan(0);
    expect(tickerColours.every((c) => c !== 'rgb(219, 231, 255)')).toBe(true);
    const boardTiers = await computed(page, 'gw-whistle-board', 'li', '--tier');
    expect(boardTiers.length).toBeGreaterThan(0);
    expect(boardTiers.every((c) => /^rgba\(/.test(c))).toBe(true);
    const swatches = await computed(page, 'gw-legend', '.swatch', 'background');
    expect(swatches.length).toBeGreaterThan(0);
    expect(swatches.filter((c) => c.startsWith('rgba(0, 0, 0, 0) none'))).toEqual([]);

    // the desk: click a grid, search, log in
    const [x, y] = await projectOnWall(page, ...wallGridCentre(city, GRID));
    await page.mouse.click(x, y);
    await expect.poll(() => page.locator('gw-area-panel [data-area-code]').textContent(), { timeout: 60_000 }).toBe(GRID);
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await page.keyboard.type(GRID);
    await page.locator(`gw-search-box [role="option"][data-key="${GRID}"]`).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await page.locator('gw-login button[data-login-open]').click();
    await page.locator('gw-login input[name="name"]').fill(OFFICER.name);
    await page.locator('gw-login input[name="password"]').fill(OFFICER.password);
    await page.keyboard.press('Enter');
    await page.locator(`gw-login [data-officer="${OFFICER.name}"]`).waitFor({ timeout: 30_000 });
    // let a few frames of motion (pulses, flowing arcs) run
    await page.waitForTimeout(1_500);

    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);

    // the listener is live: a real inline style attribute is caught
    await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.innerHTML = '<span style="color: red">probe</span>';
      document.body.append(probe);
    });
    await expect.poll(async () => (await violations()).map((v) => v.directive), { timeout: 10_000 }).toEqual(['style-src-attr']);
    await page.close();
  }, 400_000);

  it('playback with its cumulative choropleth renders with zero CSP violations, the legend ramp drawn', async () => {
    const { page, violations, console: consoleCsp } = await watchedPage();
    const now = Date.now();
    await page.goto(`${url}/?tour=0&lang=en&cumulative=1&playback=${playbackRange(now - 4 * 60 * MIN, now)}`);
    await waitForWallReady(page, 240_000);
    await waitForPlaybackLoaded(page, 120_000);
    const choropleth = page.locator('gw-timeline-bar select[data-action="choropleth"]');
    await choropleth.selectOption('overdue');
    await page.locator('gw-timeline-bar .ramp').waitFor({ timeout: 30_000 });
    // the ramp's gradient, set through the CSSOM (an inline style="…" would be refused and leave it blank)
    await expect.poll(() => computed(page, 'gw-timeline-bar', '.ramp', 'background-image'), { timeout: 10_000 }).toEqual([expect.stringMatching(/^linear-gradient\(to right, rgb/)]);
    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);
    await page.close();
  }, 400_000);
});
