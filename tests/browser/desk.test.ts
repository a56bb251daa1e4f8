/**
 * The officer's desk in headless Chromium against a real server: clicking a grid opens its panel (code, staff),
 * the breadcrumb drills up and down with URL state and a back step, search finds a grid by code and a community
 * by name with the keyboard alone, an officer whistles and records the department's report and a second page (a
 * kiosk wall) shows the board entry and the arc, an illegal transition shows the server's reason, and an action
 * out of scope is refused by the server even when forced through the API. Logging in moves the page's live feed
 * to the officer's district; the officer sets a dispatch deadline (a preset, then a date and time); and when the
 * session ends under the page (the user removed), the desk drops the officer and opens the login with the reason.
 *
 * One browser, two page loads (the desk, and a second screen opened from a shared URL). Everything waits for signals, never for time.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { DEFAULT_KPI_TARGETS, kpis, kpiTargetStanding } from '../../protocol/kpi';
import { fold } from '../../protocol/reducer';
import { deadlineInputTime } from '../../client/desk/dispatch-deadline';
import { curve } from '../../client/map/layers/whistle-layers';
import { UserDirectory } from '../../server/auth/users';
import type { EventStore } from '../../server/store/event-store';
import { maxDistanceAround } from './helpers/png';
import { busyAfternoon } from './helpers/scenario';
import { wallCity, wallGridCentre } from './helpers/wall-city';
import { projectOnWall, screenshotPixels, sidePanelGrids, topmostAt, waitForWallReady } from './helpers/wall-page';
import { openWallSession, type WallSession } from './helpers/wall-session';

const OFFICER = { name: 'duty-wuhua', password: 'duty officer password' };
const GRID = '530102001001005';
const COMMUNITY = '530102001001';
const STREET = '530102001';
const DISTRICT = '530102';
const FAR_GRID = '530103002002007';
const MIN = 60_000;

const city = wallCity();
// synthetic staff for every grid, as the city packages carry them
for (const grid of city.grids) {
  const n = grid.code.slice(-3);
  city.staff[grid.code] = [
    { role: 'secretary', name: `书记${n}`, phone: `1380000${n}1`, synthetic: true },
    { role: 'head', name: `网格长${n}`, phone: `1380000${n}2`, synthetic: true },
    { role: 'worker', name: `网格员${n}`, phone: `1380000${n}3`, synthetic: true },
    { role: 'volunteer', name: `志愿者${n}`, phone: `1380000${n}4`, synthetic: true },
  ];
}

let session: WallSession | undefined;
let dataDir: string, store: EventStore, url: string, browser: Browser, page: Page;
let scenario: IncomingEvent[] = [];

/**
 * A point of `grid` on screen at least 24 px from every case's dot (a click there selects the grid; a click on a dot
 * opens the case) where the map itself is on top (not the legend or a bar over its edges). Grids are small rectangles
 * here, so screen position is linear in longitude and latitude inside one.
 */
async function clearPointIn(grid: string): Promise<[number, number]> {
  const [x0, y0, x1, y1] = city.areas.get(grid)!.bbox;
  const [ax, ay] = await projectOnWall(page, x0, y0);
  const [bx, by] = await projectOnWall(page, x1, y1);
  const onScreen = (lon: number, lat: number): [number, number] => [ax + ((lon - x0) / (x1 - x0)) * (bx - ax), ay + ((lat - y0) / (y1 - y0)) * (by - ay)];
  const dots = scenario.flatMap((e) => (e.type === 'incident.reported' ? [onScreen(...(e.incident.location as [number, number]))] : []));
  for (let i = 1; i < 10; i++) {
    for (let j = 1; j < 10; j++) {
      const point = onScreen(x0 + (i / 10) * (x1 - x0), y0 + (j / 10) * (y1 - y0));
      if (dots.every(([x, y]) => Math.hypot(x - point[0], y - point[1]) > 24) && (await mapIsOnTopAt(point))) return point;
    }
  }
  throw new Error(`no point of ${grid} is clear of the cases' dots with the map on top`);
}

/** Whether the topmost element at a viewport point, looked for through the shadow roots, is a canvas of the map. */
async function mapIsOnTopAt(point: [number, number]): Promise<boolean> {
  return (await topmostAt(page, [point]))[0]?.mapCanvas === true;
}

function deskCases(now: number): IncomingEvent[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const report = (id: string, grid: string, at: number, title: string): IncomingEvent => ({
    id: `${id}-r`, type: 'incident.reported', at: iso(at), crs: 'wgs84',
    incident: { id, location: wallGridCentre(city, grid), category: 'env.waste-overflow', channel: 'other', title },
  });
  return [
    report('dk-case', GRID, now - 40 * MIN, '垃圾桶满溢'),
    { id: 'dk-case-g', type: 'incident.registered', incidentId: 'dk-case', at: iso(now - 39 * MIN) },
    { id: 'dk-case-d', type: 'incident.dispatched', incidentId: 'dk-case', at: iso(now - 38 * MIN), departments: [`${STREET}-urban-management`], deadline: iso(now + 5 * 60 * MIN) },
    report('dk-late', GRID, now - 90 * MIN, '占道经营'),
    { id: 'dk-late-g', type: 'incident.registered', incidentId: 'dk-late', at: iso(now - 89 * MIN) },
    { id: 'dk-late-d', type: 'incident.dispatched', incidentId: 'dk-late', at: iso(now - 88 * MIN), departments: [`${STREET}-urban-management`], deadline: iso(now - 20 * MIN) },
    // an emergency whistle 80 minutes old whose department never came: past its 30-minute report limit
    { id: 'dk-late-w', type: 'incident.whistled', incidentId: 'dk-late', at: iso(now - 80 * MIN), whistleId: 'dk-late-w1', tier: 'community', whistleType: 'emergency', departments: [`${STREET}-urban-management`] },
    report('dk-far', FAR_GRID, now - 30 * MIN, '盘龙区的案件'),
    report('dk-new', GRID, now - 10 * MIN, '井盖缺失'),
    { id: 'dk-new-g', type: 'incident.registered', incidentId: 'dk-new', at: iso(now - 9 * MIN) },
  ];
}

/** The text of the panel's area code. */
const shownCode = (p: Page) => p.locator('gw-area-panel [data-area-code]').textContent();

beforeAll(async () => {
  const now = Date.now();
  scenario = [...busyAfternoon(city, { now, incidents: 30, prefix: 'dk' }), ...deskCases(now)];
  session = await openWallSession(city, scenario, { users: [{ name: OFFICER.name, role: 'officer', scope: [DISTRICT], password: OFFICER.password }] });
  ({ browser } = session);
  ({ dataDir, store, url } = session.wall);
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/v1/session') sessionAsks.push(request.url());
  });
  page.on('response', (response) => {
    if (response.status() === 401) refused.push(response.url());
  });
  await page.goto(`${url}/?tour=0&motion=0`);
  await waitForWallReady(page);
});

/** The page's requests for `GET /api/v1/session`, and every answer it got refused with 401. */
const sessionAsks: string[] = [];
const refused: string[] = [];

afterAll(() => session?.close());

describe('the officer’s desk', () => {
  it('clicking a grid on the map opens its panel with the right code, staff and open cases', async () => {
    const [x, y] = await clearPointIn(GRID);
    await page.mouse.click(x, y);
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(GRID);
    const staff = page.locator('gw-area-panel [data-staff] li');
    await staff.first().waitFor({ timeout: 30_000 });
    expect(await staff.evaluateAll((items) => items.map((li) => li.getAttribute('data-role')))).toEqual(['secretary', 'head', 'worker', 'volunteer']);
    expect(await page.locator('gw-area-panel [data-staff] li[data-role="head"]').textContent()).toContain('网格长005');
    expect(await page.locator('gw-area-panel [data-households]').textContent()).toBe('300');
    expect(await page.locator('gw-area-panel [data-open-cases] li[data-incident="dk-case"]').count()).toBe(1);
    await page.locator('gw-area-panel [data-centres] li').first().waitFor({ timeout: 30_000 });
    // the departments summoned to the grid, as the server counts them; the one that never came to dk-late's
    // emergency whistle is late, named, and its row says so
    const counted = (await (await fetch(`${url}/api/v1/desk/${GRID}`)).json()) as { departments: Array<{ department: string; late: number }> };
    await expect
      .poll(() => page.locator('gw-area-panel [data-departments] li[data-department]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-department'))), { timeout: 30_000 })
      .toEqual(counted.departments.map((d) => d.department));
    const squad = page.locator(`gw-area-panel [data-departments] li[data-department="${STREET}-urban-management"]`);
    expect(await squad.locator('.late[data-late]').textContent()).toBe(`超时 ${counted.departments.find((d) => d.department === `${STREET}-urban-management`)!.late}`);
    expect(await squad.locator('.ellipsis').textContent()).toBe(city.departments.find((d) => d.code === `${STREET}-urban-management`)!.name);
    // the overdue case shows a red clock with the time over
    expect(await page.locator('gw-area-panel li[data-incident="dk-late"] gw-deadline-timer [data-tone]').getAttribute('data-tone')).toBe('red');
    expect(new URL(page.url()).searchParams.get('sel')).toBe(GRID);
    // the open panel leaves the map's zoom buttons uncovered: what lies under each button's centre is the button
    const uncovered: boolean[] = [];
    for (const selector of ['.maplibregl-ctrl-zoom-in', '.maplibregl-ctrl-zoom-out']) {
      const r = (await page.locator(`gw-wall ${selector}`).boundingBox())!;
      uncovered.push((await topmostAt(page, [[r.x + r.width / 2, r.y + r.height / 2]], selector))[0]?.matches === true);
    }
    expect(uncovered).toEqual([true, true]);
    // the synthetic-data note, in that corner otherwise, steps aside rather than show through the panel
    expect(await page.locator('gw-wall .note[data-synthetic]').isHidden()).toBe(true);

    // a click on a case's dot opens the case (three open cases share the grid's centre: one of them), and Escape
    // steps back to the grid
    const [cx, cy] = await projectOnWall(page, ...wallGridCentre(city, GRID));
    await page.mouse.click(cx, cy);
    const opened = page.locator('gw-case-detail h2[data-case]');
    await opened.waitFor({ timeout: 30_000 });
    expect(['dk-case', 'dk-late', 'dk-new']).toContain(await opened.getAttribute('data-case'));
    await page.keyboard.press('Escape');
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(GRID);
  });

  it('the breadcrumb drills up and down, scopes the wall to the area, and steps back', async () => {
    await page.locator(`gw-breadcrumb button[data-code="${COMMUNITY}"]`).click();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(COMMUNITY);
    await page.locator(`gw-breadcrumb button[data-code="${DISTRICT}"]`).click();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(DISTRICT);
    expect(await page.locator('gw-wall header .area .name').textContent()).toBe('五华区');
    // the district is framed in the part of the map that the desk leaves uncovered: left of the side panel, below
    // the search bar (itself under the playback bar)
    const panelLeft = await page.locator('[data-desk-panel]').evaluate((el) => el.getBoundingClientRect().left);
    const barBottom = await page.locator('gw-desk .bar').evaluate((el) => el.getBoundingClientRect().bottom);
    const [dx0, dy0, dx1, dy1] = city.areas.get(DISTRICT)!.bbox;
    await expect.poll(async () => {
      const [[ax, ay], [bx, by]] = [await projectOnWall(page, dx0, dy0), await projectOnWall(page, dx1, dy1)];
      return { clearOfPanel: Math.max(ax, bx) < panelLeft, belowBar: Math.min(ay, by) > barBottom, onMap: Math.min(ax, bx) > 0 };
    }, { timeout: 30_000 }).toEqual({ clearOfPanel: true, belowBar: true, onMap: true });
    // the ticker and the whistle board show the district's cases only, like the KPIs (the city's include others)
    await expect.poll(async () => {
      const { ticker, board } = await sidePanelGrids(page);
      return ticker.length > 0 && board.length > 0 && [...ticker, ...board].every((grid) => grid.startsWith(DISTRICT));
    }, { timeout: 30_000 }).toBe(true);
    // the areas within, in code order, with today's figures as the shared reducer gives them for the same events,
    // each rate toned against the server's targets (the defaults here)
    const streets = [...city.areas.values()].filter((a) => a.parent === DISTRICT).map((a) => a.code).sort();
    const rows = () => page.locator('gw-area-panel table[data-children] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-code')!));
    expect(await rows()).toEqual(streets);
    const state = fold(await store.readSeqRange(0));
    const today = new Map(streets.map((code) => [code, kpis(state, code, Date.now())]));
    const cells = await page.locator('gw-area-panel table[data-children] td[data-column]').evaluateAll((tds) =>
      tds.map((td) => ({ code: td.closest('tr')!.getAttribute('data-code')!, column: td.getAttribute('data-column')!, value: td.getAttribute('data-value')!, tone: td.getAttribute('data-tone') })),
    );
    expect(cells).toHaveLength(streets.length * 5);
    for (const cell of cells) {
      const k = today.get(cell.code)!;
      const column = cell.column as 'open' | 'overdue' | 'onTimeRate' | 'satisfactionRate' | 'reportOnTimeRate';
      if (column === 'overdue') continue; // moves with the clock alone; checked by the KPI tests
      const value = k[column];
      expect(cell.value, `${cell.code} ${column}`).toBe(value === null ? '' : String(value));
      if (column !== 'open' && value !== null) {
        const standing = kpiTargetStanding(value, DEFAULT_KPI_TARGETS[column], k.rateBases[column]);
        expect(cell.tone, `${cell.code} ${column}`).toBe(standing === 'met' ? 'good' : standing === 'missed' ? 'alert' : 'plain');
      }
    }
    expect(cells.some((c) => c.column === 'open' && Number(c.value) > 0), 'some street has open cases').toBe(true);
    expect(cells.some((c) => c.column.endsWith('Rate') && c.value !== ''), 'some street has a rate to stand').toBe(true);
    // a column's heading ranks the rows by it, worst first (most open, lowest rate; no figure last); pressed again,
    // back to code order. The column is one whose ranking differs from code order here.
    const ranked = (column: 'open' | 'onTimeRate' | 'satisfactionRate' | 'reportOnTimeRate') =>
      [...streets].sort((a, b) => {
        const x = today.get(a)![column], y = today.get(b)![column];
        if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
        return (column === 'open' ? y - x : x - y) || a.localeCompare(b);
      });
    const column = (['open', 'onTimeRate', 'satisfactionRate', 'reportOnTimeRate'] as const).find((c) => JSON.stringify(ranked(c)) !== JSON.stringify(streets));
    expect(column, 'some column ranks the streets otherwise than their codes').toBeDefined();
    await page.locator(`gw-area-panel table[data-children] th[data-column="${column}"] button`).click();
    await expect.poll(rows, { timeout: 10_000 }).toEqual(ranked(column!));
    expect(await page.locator(`gw-area-panel table[data-children] th[data-column="${column}"]`).getAttribute('aria-sort')).toBe(column === 'open' ? 'descending' : 'ascending');
    await page.locator(`gw-area-panel table[data-children] th[data-column="${column}"] button`).click();
    await expect.poll(rows, { timeout: 10_000 }).toEqual(streets);
    // drilling down from the district through its children
    await page.locator(`gw-area-panel [data-children] button[data-code="${STREET}"]`).click();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(STREET);
    // a community's grids are named without the community's name they repeat (第1网格, …), each whole in its tooltip:
    // cut by the narrow column, every row read the same 某某社区第…
    await page.locator(`gw-area-panel [data-children] button[data-code="${COMMUNITY}"]`).click();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(COMMUNITY);
    const community = city.areas.get(COMMUNITY)!.name;
    const grids = [...city.areas.values()].filter((a) => a.parent === COMMUNITY).sort((a, b) => a.code.localeCompare(b.code));
    await expect
      .poll(() => page.locator('gw-area-panel [data-children] td button').evaluateAll((bs) => bs.map((b) => ({ text: b.textContent!.trim(), title: b.getAttribute('title'), cut: b.scrollWidth > b.clientWidth }))), { timeout: 30_000 })
      .toEqual(grids.map((g) => ({ text: g.name.slice(community.length), title: g.name, cut: false })));
    await page.goBack();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(STREET);
    // the back step returns to the district
    await page.goBack();
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(DISTRICT);
    expect(new URL(page.url()).searchParams.get('sel')).toBe(DISTRICT);
    // (that the URL reopens the same view on another page is checked by the wall page of the whistle test)
  });

  it('search finds a grid by code and a community by name with the keyboard alone, focus visible', async () => {
    await page.keyboard.press('Escape');
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
    // with the panel closed, the synthetic-data note is back in its corner
    await page.locator('gw-wall .note[data-synthetic]').waitFor({ state: 'visible', timeout: 10_000 });
    // back on the whole city, the side panels show every district's cases again
    await expect.poll(async () => {
      const { ticker, board } = await sidePanelGrids(page);
      return ticker.some((grid) => !grid.startsWith(DISTRICT)) && board.some((grid) => !grid.startsWith(DISTRICT));
    }, { timeout: 30_000 }).toBe(true);
    await page.keyboard.press('/');
    await page.keyboard.type(GRID);
    await page.locator(`gw-search-box [role="option"][data-key="${GRID}"]`).waitFor({ timeout: 30_000 });
    const ring = await page.evaluate(() => {
      const box = document.querySelector('gw-wall')!.shadowRoot!.querySelector('gw-desk')!.shadowRoot!.querySelector('gw-search-box')!.shadowRoot!;
      const input = box.querySelector('input')!;
      return { focused: box.activeElement === input, outline: getComputedStyle(input).outlineStyle };
    });
    expect(ring).toEqual({ focused: true, outline: 'solid' });
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(`gw-search-box [role="option"][data-key="${GRID}"]`).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(GRID);

    await page.keyboard.press('/');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('翠湖');
    const first = page.locator('gw-search-box [role="option"]').first();
    await expect.poll(() => first.getAttribute('data-key'), { timeout: 30_000 }).toBe(COMMUNITY);
    await page.keyboard.press('Enter');
    await expect.poll(() => shownCode(page), { timeout: 30_000 }).toBe(COMMUNITY);
    expect(await page.locator('gw-area-panel [data-area-name]').textContent()).toBe('翠湖社区');
  });

  /** Takes the focus off whatever has it, inside the wall's shadow roots too (nothing focused: keys go to the page). */
  const blurDeep = () => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    (el as HTMLElement | null)?.blur();
  };

  it('? opens the list of keys (the desk\'s, playback\'s, the map\'s); Escape closes it first, then the panel; typed into the search, ? is text', async () => {
    await page.evaluate(blurDeep);
    const dialog = page.locator('gw-key-help [data-keys-help-dialog]');
    await page.keyboard.press('?');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.getAttribute('role')).toBe('dialog');
    expect(await dialog.locator('h3').allTextContents()).toEqual(['值班台', '回放', '地图（先点一下地图）']);
    expect(await dialog.locator('dd').count()).toBe(10);
    expect(await page.locator('gw-key-help button[data-keys-help]').getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator('[data-desk-panel]').count(), 'the panel stays for the next Escape').toBe(1);
    // the button opens and closes it too
    await page.locator('gw-key-help button[data-keys-help]').click();
    await dialog.waitFor({ timeout: 10_000 });
    await page.locator('gw-key-help button[data-keys-help]').click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    // in the search box, ? is a character
    await page.keyboard.press('/');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('?');
    expect(await page.locator('gw-search-box input').inputValue()).toBe('?');
    expect(await dialog.count()).toBe(0);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.evaluate(blurDeep);
    await page.keyboard.press('Escape');
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('without login the case detail is read-only; a logged-in officer whistles and a second page, opened from a shared URL, shows the board entry and the arc', async () => {
    await page.keyboard.press('/');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('dk-case');
    await page.locator('gw-search-box [role="option"][data-key="dk-case"]').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('gw-case-detail h2[data-case="dk-case"]').waitFor({ timeout: 30_000 });
    await page.locator('gw-case-actions [data-read-only]').waitFor({ timeout: 30_000 });
    expect(await page.locator('gw-case-actions button[data-action]').count()).toBe(0);
    // an anonymous wall has no session to ask about: it loaded without a refused request
    expect(sessionAsks).toEqual([]);
    expect(refused).toEqual([]);

    await page.locator('gw-login button[data-login-open]').click();
    await page.locator('gw-login input[name="name"]').fill(OFFICER.name);
    await page.locator('gw-login input[name="password"]').fill(OFFICER.password);
    await page.keyboard.press('Enter');
    // the page's live feed moves to the officer's district on its own (the relay refuses an officer the whole city),
    // keeping the open case
    await page.waitForURL((u) => u.searchParams.get('area') === DISTRICT, { timeout: 60_000 });
    await waitForWallReady(page);
    await page.locator(`gw-login [data-officer="${OFFICER.name}"]`).waitFor({ timeout: 30_000 });
    // the reloaded page found the session by asking, told to by the page-readable cookie (the session's is HttpOnly)
    expect(sessionAsks.length).toBeGreaterThan(0);
    const cookies = await page.evaluate(() => document.cookie);
    expect(cookies).toContain('gw_signed_in=1');
    expect(cookies).not.toContain('gw_session');
    expect(new URL(page.url()).searchParams.get('case')).toBe('dk-case');
    expect(await page.locator('gw-wall header .area').getAttribute('data-area')).toBe(DISTRICT);
    await page.locator('gw-connection-badge [data-state="live"]').waitFor({ timeout: 60_000 });
    await page.locator('gw-case-detail h2[data-case="dk-case"]').waitFor({ timeout: 30_000 });

    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    try {
      // a second screen opened from a shared URL: the same panel opens there (read-only: nobody logged in)
      await wall.goto(`${url}/?tour=0&motion=0&sel=${STREET}`);
      // a second software-WebGL page while the first still draws: slow on a loaded machine
      await waitForWallReady(wall, 240_000);
      await expect.poll(() => shownCode(wall), { timeout: 30_000 }).toBe(STREET);
      // the view zooms to the street: wait until the camera has stopped (two equal projections a frame apart)
      const probe = wallGridCentre(city, GRID);
      await expect
        .poll(async () => {
          const a = await projectOnWall(wall, ...probe);
          await wall.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
          const b = await projectOnWall(wall, ...probe);
          return Math.hypot(a[0] - b[0], a[1] - b[1]);
        }, { timeout: 30_000 })
        .toBeLessThan(0.5);

      await page.locator('gw-case-actions button[data-action="whistle"]').click();
      // the form that opens takes the focus (its first field) and is scrolled into the panel's view, its submit button
      // too (on a short screen it opened below the fold)
      await expect.poll(() => page.locator('gw-case-actions form[data-form="whistle"] select[name="tier"]').evaluate((el) => el.matches(':focus')), { timeout: 10_000 }).toBe(true);
      const [panelBox, submitBox] = [await page.locator('[data-desk-panel]').boundingBox(), await page.locator('gw-case-actions form[data-form="whistle"] button[type="submit"]').boundingBox()];
      expect(submitBox!.y >= panelBox!.y && submitBox!.y + submitBox!.height <= panelBox!.y + panelBox!.height, 'the submit button is in the panel\'s view').toBe(true);
      expect(await page.locator('gw-case-actions form[data-form="whistle"] legend').textContent()).toMatch(/^召集部门/);
      await page.locator('gw-case-actions form[data-form="whistle"] select[name="tier"]').selectOption('street');
      const department = await page.locator('gw-case-actions form[data-form="whistle"] input[name="department"]:checked').first().getAttribute('value');
      expect(department).toBe(`${DISTRICT}-housing`); // no district department handles bins (urban management): the nearest, housing, comes first
      const origin = city.serviceCentres.find((c) => c.area === STREET)!;
      const target = city.departments.find((d) => d.code === department)!;
      const middle = curve(origin.position as [number, number], target.position as [number, number]);
      const point = await projectOnWall(wall, ...middle[Math.floor(middle.length / 2)]!);
      const before = await screenshotPixels(wall);
      // the report limit: by default the whistle type's (as the server has it), or one the officer picks
      const form = page.locator('gw-case-actions form[data-form="whistle"]');
      const typeDefault = form.locator('select[name="reportWithin"] option[value=""]');
      expect(await typeDefault.textContent()).toContain('按哨型（24 小时）');
      await form.locator('select[name="whistleType"]').selectOption('hard');
      await expect.poll(() => typeDefault.textContent(), { timeout: 10_000 }).toContain('按哨型（2 小时）');
      await form.locator('select[name="reportWithin"]').selectOption('30');
      await page.locator('gw-case-actions form[data-form="whistle"] button[type="submit"]').click();
      await page.locator('gw-whistle-sequence li[data-tier="street"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('gw-whistle-sequence li[data-tier="street"] .row .muted').textContent()).toContain('报到时限 30 分');
      // before it reports, the department's arrival step counts down the limit
      expect((await page.locator(`gw-whistle-sequence li[data-tier="street"] [data-department="${department}"] .step`).nth(1).textContent())?.trim()).toMatch(/^余 (29|30) 分$/);

      // the department acknowledges, then arrives: recorded from the desk
      for (const stage of ['acknowledged', 'arrived']) {
        await page.locator('gw-case-actions button[data-action="report"]').click();
        await page.locator('gw-case-actions form[data-form="report"] select[name="stage"]').selectOption(stage);
        await page.locator('gw-case-actions form[data-form="report"] button[type="submit"]').click();
        await page.locator(`gw-whistle-sequence [data-department="${department}"] .step[data-done="true"]`).nth(stage === 'arrived' ? 1 : 0).waitFor({ timeout: 30_000 });
      }
      const row = wall.locator('gw-whistle-board li[data-incident="dk-case"]');
      await row.waitFor({ timeout: 60_000 });
      expect(await row.getAttribute('data-tier')).toBe('street');
      await wall.locator(`gw-whistle-board li[data-incident="dk-case"] [data-department="${department}"][data-state="arrived"]`).waitFor({ timeout: 60_000 });
      await wall.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
      const after = await screenshotPixels(wall);
      expect(maxDistanceAround(after, ...point, 2, before.at(...point)), 'the arrived arc crosses its midpoint').toBeGreaterThan(40);
    } finally {
      await wall.close();
    }
    const timeline = await page.locator('gw-case-detail [data-timeline] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-type')));
    expect(timeline).toEqual(['incident.reported', 'incident.registered', 'incident.dispatched', 'incident.whistled', 'department.reported', 'department.reported']);
  }, 420_000);

  it('an illegal transition shows the state machine’s refusal in the page’s language', async () => {
    await page.locator('gw-case-actions details summary').click();
    await page.locator('gw-case-actions [data-more] button[data-action="close"]').click();
    const error = page.locator('gw-case-actions [data-action-error]');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toBe('未能办理：案件当前状态为「派遣」，不能执行「结案」');
  });

  it('an overdue case offers one-click supervision, which lands in its timeline; its late whistle shows as late', async () => {
    await page.keyboard.press('Escape');
    await page.locator('gw-area-panel ul[data-open-cases] li[data-incident="dk-late"] button').click();
    await page.locator('gw-case-actions [data-suggestion]').waitFor({ timeout: 30_000 });
    // its emergency whistle shows the report limit, and the department that never came as late
    expect(await page.locator('gw-whistle-sequence li[data-whistle="dk-late-w1"] .row .muted').textContent()).toContain('报到时限 30 分');
    expect(await page.locator(`gw-whistle-sequence [data-department="${STREET}-urban-management"] .step[data-late]`).textContent()).toContain('超时未到场');
    await page.locator('gw-case-actions button[data-action="supervise-now"]').click();
    await page.locator('gw-case-detail [data-timeline] li[data-type="incident.supervised"]').waitFor({ timeout: 30_000 });
  });

  it('an action out of scope is refused by the server even when forced through the API', async () => {
    const forced = await page.evaluate(async () => {
      const res = await fetch('/api/v1/actions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'accept', incidentId: 'dk-far' }) });
      return { status: res.status, body: (await res.json()) as { error: { message: string } } };
    });
    expect(forced.status).toBe(403);
    expect(forced.body.error.message).toMatch(/outside your scope/);
    expect((await store.incidentEvents('dk-far')).map((e) => e.type)).toEqual(['incident.reported']);
    // reads are scoped too: the officer's search does not even find the other district's case
    await page.keyboard.press('/');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('dk-far');
    await page.locator('gw-search-box [role="listbox"] .empty').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
  });

  it('the officer sets the deadline at dispatch, a preset or a date and time, and the case’s clock shows it', async () => {
    await openCase('dk-new');
    // a cancellation needs a reason: a blank one is stopped on the page, and nothing is sent
    await page.locator('gw-case-actions button[data-action="cancel"]').first().click();
    const cancel = page.locator('gw-case-actions form[data-form="cancel"]');
    await cancel.locator('input[name="reason"]').fill('   ');
    await cancel.locator('button[type="submit"]').click();
    expect(await page.locator('gw-case-actions [data-action-error]').textContent()).toBe('请填写注销原因');
    await cancel.locator('button[type="button"]').click();
    expect((await store.incidentEvents('dk-new')).map((e) => e.type)).not.toContain('incident.cancelled');

    await page.locator('gw-case-actions button[data-action="dispatch"]').click();
    const form = page.locator('gw-case-actions form[data-form="dispatch"]');
    expect(await form.locator('select[name="deadlineChoice"] option[value="sla"]').textContent()).toMatch(/按类别时限/);
    // a dispatch sends departments (派遣); only a whistle summons them (召集)
    expect(await form.locator('legend').textContent()).toMatch(/^派遣部门/);
    // without a department the page says so in its own words, and sends nothing
    for (const box of await form.locator('input[name="department"]:checked').all()) await box.uncheck();
    await form.locator('button[type="submit"]').click();
    expect(await page.locator('gw-case-actions [data-action-error]').textContent()).toBe('请至少选择一个部门');
    expect((await store.incidentEvents('dk-new')).map((e) => e.type)).not.toContain('incident.dispatched');
    await form.locator('input[name="department"]').first().check();
    await form.locator('select[name="deadlineChoice"]').selectOption('2');
    await form.locator('button[type="submit"]').click();
    const clock = page.locator('gw-case-detail gw-deadline-timer span[role="timer"]');
    await expect.poll(() => clock.textContent(), { timeout: 30_000 }).toMatch(/^剩余 (1:5\d|2:00):\d\d$/);
    const dispatched = async () => (await store.incidentEvents('dk-new')).flatMap((e) => (e.type === 'incident.dispatched' ? [e] : []));
    const first = (await dispatched())[0]!;
    expect(Date.parse(first.deadline!) - Date.parse(first.at)).toBe(2 * 60 * MIN);

    // a redispatch with a date and time three hours and a few minutes ahead replaces the deadline
    await page.locator('gw-case-actions details summary').click();
    await page.locator('gw-case-actions [data-more] button[data-action="dispatch"]').click();
    expect(await form.locator('select[name="deadlineChoice"] option[value="sla"]').textContent()).toMatch(/保持现有时限/);
    await form.locator('select[name="deadlineChoice"]').selectOption('at');
    // typed in the city's time (UTC+8), as the label says, whatever this browser's own zone
    const dueAt = Math.floor((Date.now() + 3 * 3_600_000 + 5 * 60_000) / 60_000) * 60_000;
    await form.locator('input[name="deadlineAt"]').fill(deadlineInputTime(dueAt));
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => clock.textContent(), { timeout: 30_000 }).toMatch(/^剩余 3:0[345]:\d\d$/);
    const second = (await dispatched())[1]!;
    expect(second.deadline).toBe(new Date(dueAt).toISOString());
  });

  it('a row of the ticker or the whistle board opens its case on the desk, by a click or from the keyboard', async () => {
    // back on the officer's district, with no panel open
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
    for (const panel of ['gw-ticker', 'gw-whistle-board']) expect(await page.locator(panel).getAttribute('interactive')).not.toBeNull();
    // a click anywhere on the row (here its time)
    const row = page.locator('gw-ticker li[data-incident="dk-new"]').first();
    await row.waitFor({ timeout: 30_000 });
    await row.locator('.time').click();
    await page.locator('gw-case-detail h2[data-case="dk-new"]').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('case')).toBe('dk-new');
    // the title is a button: focus and Enter open the case too
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.locator('[data-desk-panel]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('gw-ticker li[data-incident="dk-new"] button.open-case').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('gw-case-detail h2[data-case="dk-new"]').waitFor({ timeout: 30_000 });
  });

  it('when the session ends under the page, the desk notices within seconds and shows the login with the reason', async () => {
    await recordBadgeStates();
    expect(UserDirectory.open(dataDir).remove(OFFICER.name)).toBe(true);
    const notice = page.locator('gw-login [data-session-ended]');
    await notice.waitFor({ timeout: 45_000 });
    expect(await notice.textContent()).toBe('该账号已被停用或已过期，登录已失效');
    await page.locator('gw-login input[name="name"]').waitFor({ timeout: 10_000 });
    expect(await page.locator(`gw-login [data-officer]`).count()).toBe(0);
    await page.locator('gw-case-actions [data-read-only]').waitFor({ timeout: 10_000 });
  });

  it('then the wall’s feed, whose socket the server closed with the session, comes back by itself with what it missed', async () => {
    // socket.io leaves a socket the server closed closed; the wall retries, and on this loopback server gets in as an
    // anonymous screen once the desk's session check has cleared the dead cookie
    await page.waitForFunction(() => {
      const states = (window as unknown as { badgeStates: string[] }).badgeStates;
      return states.includes('reconnecting') && states.at(-1) === 'live';
    }, undefined, { timeout: 60_000, polling: 200 });
    const id = 'dk-after-session';
    await session!.wall.ingest([
      { id: `${id}-r`, type: 'incident.reported', at: new Date().toISOString(), crs: 'wgs84', incident: { id, location: wallGridCentre(city, GRID), category: 'env.litter', channel: 'other' } },
    ]);
    await page.locator(`gw-ticker li[data-incident="${id}"][data-type="incident.reported"]`).waitFor({ timeout: 60_000 });
  });
});

/** Records each state the wall's connection badge takes, from now on, in `window.badgeStates`. */
async function recordBadgeStates(): Promise<void> {
  await page.evaluate(() => {
    const find = (root: Document | ShadowRoot): Element | null => {
      const hit = root.querySelector('gw-connection-badge');
      if (hit) return hit;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot ? find(el.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    const states: string[] = [];
    (window as unknown as { badgeStates: string[] }).badgeStates = states;
    setInterval(() => {
      const state = find(document)?.shadowRoot?.querySelector('[data-state]')?.getAttribute('data-state');
      if (state && state !== states.at(-1)) states.push(state);
    }, 100);
  });
}

/** Opens a case by its id through the search box. */
async function openCase(id: string): Promise<void> {
  await page.keyboard.press('/');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(id);
  await page.locator(`gw-search-box [role="option"][data-key="${id}"]`).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator(`gw-case-detail h2[data-case="${id}"]`).waitFor({ timeout: 30_000 });
}
