/**
 * Page-side helpers for the wall tests: wait for the ready signal, read panels through their public attributes,
 * project a coordinate through the wall's public `project()`, and take decoded screenshots.
 */
import type { Page } from 'playwright-core';
import { decodePng, type Pixels } from './png';

export async function waitForWallReady(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.ready === '1', null, { timeout, polling: 250 });
}

/** Waits until the panels show data from the first snapshot (the KPI strip has figures and the ticker rows). */
export async function waitForPanels(page: Page, timeout = 120_000): Promise<void> {
  await page.locator('gw-kpi-header [data-kpi="reportedToday"]:not([data-value=""])').waitFor({ timeout });
  await page.locator('gw-ticker li').first().waitFor({ timeout });
}

export async function projectOnWall(page: Page, lon: number, lat: number): Promise<[number, number]> {
  const point = await page.evaluate(([x, y]) => document.querySelector('gw-wall')?.project(x!, y!) ?? null, [lon, lat]);
  if (!point) throw new Error('the wall has no map yet');
  return point;
}

/** What lies on top at a viewport point, looked for through the shadow roots (see topmostAt). */
export interface Topmost {
  tag: string;
  /** its computed `cursor` */
  cursor: string;
  /** it is a canvas of the map (not a panel, control or note drawn over it) */
  mapCanvas: boolean;
  /** it is, or lies inside, an element that `selector` matches (in its own shadow tree) */
  matches: boolean;
}

/**
 * The topmost element at each viewport point: `elementFromPoint` on the document, then on each shadow root it lands in,
 * down to the innermost element (what the user's pointer would hit). null where the point is off the page.
 */
export function topmostAt(page: Page, points: ReadonlyArray<readonly [number, number]>, selector = ':not(*)'): Promise<Array<Topmost | null>> {
  return page.evaluate(
    ([list, sel]) =>
      list.map(([x, y]) => {
        let el: Element | null = document.elementFromPoint(x, y);
        while (el?.shadowRoot) {
          const inner: Element | null = el.shadowRoot.elementFromPoint(x, y);
          if (!inner || inner === el) break;
          el = inner;
        }
        if (!el) return null;
        return {
          tag: el.tagName.toLowerCase(),
          cursor: getComputedStyle(el).cursor,
          mapCanvas: el.tagName === 'CANVAS' && el.closest('.maplibregl-map') !== null,
          matches: el.closest(sel) !== null,
        };
      }),
    [points.map(([x, y]) => [x, y] as [number, number]), selector] as const,
  );
}

export async function screenshotPixels(page: Page): Promise<Pixels> {
  return decodePng(await page.screenshot({ type: 'png' }));
}

/** `data-value` of each KPI figure in the header. */
export async function kpiValues(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const header = document.querySelector('gw-wall')?.shadowRoot?.querySelector('gw-kpi-header')?.shadowRoot;
    const out: Record<string, string> = {};
    for (const figure of header?.querySelectorAll<HTMLElement>('[data-kpi]') ?? []) out[figure.dataset.kpi!] = figure.dataset.value ?? '';
    return out;
  });
}

/** The grids of the cases in the side panels: the ticker's rows and the whistle board's. */
export async function sidePanelGrids(page: Page): Promise<{ ticker: string[]; board: string[] }> {
  const grids = (selector: string) => page.locator(selector).evaluateAll((items) => items.map((li) => li.getAttribute('data-grid') ?? ''));
  return { ticker: await grids('gw-ticker li[data-grid]'), board: await grids('gw-whistle-board li[data-grid]') };
}

/** Bounding boxes of the wall's panels, by name. */
export async function panelBoxes(page: Page): Promise<Record<string, { x: number; y: number; width: number; height: number }>> {
  return page.evaluate(() => {
    const root = document.querySelector('gw-wall')!.shadowRoot!;
    const box = (el: Element | null | undefined) => {
      const r = el!.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const out: Record<string, { x: number; y: number; width: number; height: number }> = {
      header: box(root.querySelector('header')),
      map: box(root.querySelector('.map-cell')),
      whistleBoard: box(root.querySelector('gw-whistle-board')),
      ticker: box(root.querySelector('gw-ticker')),
      legend: box(root.querySelector('gw-legend')),
    };
    root.querySelector('gw-kpi-header')!.shadowRoot!.querySelectorAll<HTMLElement>('[data-kpi]').forEach((el) => {
      out[`kpi:${el.dataset.kpi}`] = box(el);
    });
    return out;
  });
}

/** Elements inside the wall whose content overflows them horizontally (text cut off without an ellipsis rule). */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const visit = (root: ShadowRoot | Document) => {
      for (const el of root.querySelectorAll<HTMLElement>('*')) {
        if (el.shadowRoot) visit(el.shadowRoot);
        const style = getComputedStyle(el);
        if (style.textOverflow === 'ellipsis' || style.overflowX === 'hidden' || el.closest('.map')) continue;
        if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && style.display !== 'inline') bad.push(`${el.tagName.toLowerCase()}.${el.className}`);
      }
    };
    visit(document.querySelector('gw-wall')!.shadowRoot!);
    return bad;
  });
}
