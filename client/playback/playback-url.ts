/**
 * The playback state in the URL, so a view can be shared: `?playback=<from>~<to>&t=<instant>&speed=<n>&loop=1&cumulative=1`
 * (instants as ISO 8601 or epoch ms). Reading names each bad parameter and its reason; writing uses
 * `history.replaceState`, so scrubbing does not fill the back button.
 */
export const PLAYBACK_SPEEDS = [1, 10, 60, 300, 900, 3600] as const;

export interface PlaybackView {
  from: number;
  to: number;
  t: number;
  /** simulated seconds per real second */
  speed: number;
  playing: boolean;
  loop: boolean;
  cumulative: boolean;
}

export interface UrlProblem {
  field: string;
  reason: string;
}

function instant(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
}

/** The playback view a URL asks for (null when it asks for none), with the problems of bad parameters. */
export function readPlaybackUrl(search: string): { view: PlaybackView | null; problems: UrlProblem[] } {
  const params = new URLSearchParams(search);
  const range = params.get('playback');
  if (range === null) return { view: null, problems: [] };
  const problems: UrlProblem[] = [];
  const [fromText = '', toText = ''] = range.split('~');
  const from = instant(fromText);
  const to = instant(toText);
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    return { view: null, problems: [{ field: 'playback', reason: `must be <from>~<to> as ISO 8601 times or epoch ms, got "${range}"` }] };
  }
  if (from > to) return { view: null, problems: [{ field: 'playback', reason: 'the start must not be after the end' }] };
  let t = from;
  const tText = params.get('t');
  if (tText !== null) {
    const parsed = instant(tText);
    if (Number.isFinite(parsed) && parsed >= from && parsed <= to) t = parsed;
    else problems.push({ field: 't', reason: `must be an instant inside the playback range, got "${tText}"` });
  }
  let speed = 60;
  const speedText = params.get('speed');
  if (speedText !== null) {
    const parsed = Number(speedText);
    if (Number.isFinite(parsed) && parsed >= 1 && parsed <= 86_400) speed = parsed;
    else problems.push({ field: 'speed', reason: `must be a number from 1 to 86400, got "${speedText}"` });
  }
  return { view: { from, to, t, speed, playing: false, loop: params.get('loop') === '1', cumulative: params.get('cumulative') === '1' }, problems };
}

/** Writes the view into the current URL (or removes playback from it when view is null). */
export function writePlaybackUrl(view: PlaybackView | null): void {
  const url = new URL(window.location.href);
  for (const key of ['playback', 't', 'speed', 'loop', 'cumulative']) url.searchParams.delete(key);
  if (view) {
    const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    url.searchParams.set('playback', `${iso(view.from)}~${iso(view.to)}`);
    url.searchParams.set('t', iso(view.t));
    url.searchParams.set('speed', String(view.speed));
    if (view.loop) url.searchParams.set('loop', '1');
    if (view.cumulative) url.searchParams.set('cumulative', '1');
  }
  window.history.replaceState(window.history.state, '', url);
}
