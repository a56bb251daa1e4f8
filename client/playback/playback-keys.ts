/**
 * Playback's keyboard, as a video editor's: Space plays or pauses, ← / → step to the previous / next event, PageDown /
 * PageUp move a tenth of the range back / forward, Home / End go to its start / end. The same keys work on the
 * focused timeline (an ARIA slider) and anywhere on the page where they do not already mean something: not while
 * typing, not on a select, not on the map (MapLibre pans with the arrows), Space not on a button (it presses it), and
 * PageUp/PageDown/Home/End not inside something that scrolls (the desk's panel: they scroll it).
 *
 * @example
 * ```ts
 * window.addEventListener('keydown', (event) => {
 *   const command = view && playbackKeyCommand(event, view);
 *   if (command) { event.preventDefault(); send(command); }
 * });
 * ```
 */
import type { PlaybackCommand } from './playback-command-event';
import type { PlaybackView } from './playback-url';
import { typingIn } from '../panels/typing';

/** The keys, for `aria-keyshortcuts` and the hints. */
export const PLAYBACK_KEYS = {
  play: 'Space',
  stepBack: 'ArrowLeft',
  step: 'ArrowRight',
  slider: 'ArrowLeft ArrowRight PageDown PageUp Home End',
} as const;

/** The share of the range that PageUp / PageDown move. */
export const PAGE_FRACTION = 0.1;

/** The command a key asks for while a range is open, or null when the key is not playback's here. */
export function playbackKeyCommand(event: KeyboardEvent, view: PlaybackView): PlaybackCommand | null {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  if (typingIn(event)) return null;
  const target = event.composedPath()[0];
  const element = target instanceof Element ? target : null;
  if (element?.closest('.maplibregl-map')) return null;
  if (SCROLL_KEYS.has(event.key) && inScroller(event)) return null;
  const page = (view.to - view.from) * PAGE_FRACTION;
  switch (event.key) {
    case ' ':
      if (element?.closest('button, a[href], summary, [role="button"]')) return null;
      return { kind: view.playing ? 'pause' : 'play' };
    case 'ArrowLeft':
      return { kind: 'step', back: true };
    case 'ArrowRight':
      return { kind: 'step' };
    case 'PageDown':
      return { kind: 'seek', t: Math.round(view.t - page) };
    case 'PageUp':
      return { kind: 'seek', t: Math.round(view.t + page) };
    case 'Home':
      return { kind: 'seek', t: view.from };
    case 'End':
      return { kind: 'seek', t: view.to };
    default:
      return null;
  }
}

const SCROLL_KEYS = new Set(['PageUp', 'PageDown', 'Home', 'End']);

/** The key comes from inside an element that scrolls vertically (and so takes these keys itself). */
function inScroller(event: KeyboardEvent): boolean {
  for (const node of event.composedPath()) {
    if (!(node instanceof HTMLElement) || node.scrollHeight <= node.clientHeight) continue;
    const overflow = getComputedStyle(node).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return true;
  }
  return false;
}
