/**
 * Watchers for the unattended wall's tests: the `subscribe` requests a page's `/live` socket sends (read off the
 * WebSocket frames, i.e. exactly what the relay receives), and the header's shown area over time (a MutationObserver
 * in the page, so no transition between two polls is missed).
 */
import type { Page } from 'playwright-core';

export interface SubscribeFrame {
  area: string;
  sinceSeq?: number;
}

/** Records every Socket.IO `subscribe` emit the page sends; call before `goto`. */
export function recordSubscribes(page: Page): SubscribeFrame[] {
  const sent: SubscribeFrame[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string') return;
      // Engine.IO message "4", Socket.IO event "2", optional namespace and ack id: 42/live,7["subscribe",{…}]
      const match = /^42(?:\/[^,]*,)?\d*(\[.*\])$/s.exec(payload);
      if (!match) return;
      const [name, request] = JSON.parse(match[1]!) as [string, SubscribeFrame];
      if (name === 'subscribe') sent.push(request);
    });
  });
  return sent;
}

export interface AreaChange {
  /** the header's `data-area`: a tour stop's code, a pulled case's grid, or the configured area */
  area: string;
  /** the header's mode line */
  mode: string;
  /** page time (performance.now) of the change; for the first reading, of when watching began */
  at: number;
  /**
   * whether the change was seen happen: false for the first reading, which holds whatever the header showed when
   * watching began (a tour stop reached earlier on a slow start), so its `at` is not when that stop began
   */
  observed: boolean;
}

/** Starts recording the header's shown area in the page; read it back with `areaChanges`. */
export async function watchShownArea(page: Page): Promise<void> {
  await page.evaluate(() => {
    const header = document.querySelector('gw-wall')!.shadowRoot!.querySelector<HTMLElement>('header .area')!;
    const log: AreaChange[] = [];
    const read = (observed: boolean) => ({ area: header.dataset.area ?? '', mode: header.querySelector('.mode')?.textContent ?? '', at: performance.now(), observed });
    log.push(read(false));
    new MutationObserver(() => {
      const now = read(true);
      const last = log[log.length - 1]!;
      if (now.area !== last.area || now.mode !== last.mode) log.push(now);
    }).observe(header, { attributes: true, childList: true, subtree: true, characterData: true });
    (window as unknown as { areaChanges: AreaChange[] }).areaChanges = log;
  });
}

export function areaChanges(page: Page): Promise<AreaChange[]> {
  return page.evaluate(() => (window as unknown as { areaChanges: AreaChange[] }).areaChanges);
}

/** The viewport centre of the wall's map cell, in CSS pixels. */
export async function mapCentre(page: Page): Promise<[number, number]> {
  const box = await page.evaluate(() => {
    const r = document.querySelector('gw-wall')!.shadowRoot!.querySelector('.map')!.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  });
  return [box.x + box.width / 2, box.y + box.height / 2];
}
