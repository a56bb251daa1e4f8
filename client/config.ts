/**
 * Wall settings, read once at start from the page URL (and, for the basemap, from the server's city config).
 * A bad value never stops the wall: it is reported on screen with the field and the reason, and the default is used.
 *
 * | parameter     | meaning                                                                 | default |
 * |---------------|-------------------------------------------------------------------------|---------|
 * | `lang`        | `zh-CN` or `en`                                                         | zh-CN   |
 * | `wall`        | `1`: kiosk mode (no cursor, no controls)                                | 0       |
 * | `tour`        | seconds per stop of the auto-tour; `0` turns the tour off               | 60      |
 * | `idle`        | seconds without touch before the tour starts                            | 120     |
 * | `area`        | area code to subscribe to (and open on, and tour within), or `city`     | city    |
 * | `basemap`     | an intranet MapLibre style URL drawn under our layers                   | none    |
 * | `basemapCrs`  | `wgs84`, `gcj02` or `bd09`: the CRS of that basemap; our layers shift   | wgs84   |
 * | `token`       | screen token for `/live` when the server is not on loopback             | none    |
 * | `motion`      | `0`: no continuous animation (weak GPUs, `prefers-reduced-motion`)      | 1       |
 * | `focus`       | `open` or `overdue`: the map shows only those cases (the 在办/超期 tiles) | none    |
 * | `group`       | a category group (`emergency`, `social`, …): the map and panels keep to it | none    |
 */
import type { Language } from './i18n/index';
import { NO_FOCUS, parseFocus, type MapFocus } from './map/map-focus';

export type BasemapCrs = 'wgs84' | 'gcj02' | 'bd09';

export interface WallConfig {
  language: Language;
  kiosk: boolean;
  /** ms per stop of the auto-tour; 0 = off */
  tourIntervalMs: number;
  /** ms without input before the tour starts */
  idleMs: number;
  area: string;
  basemapStyleUrl: string | null;
  basemapCrs: BasemapCrs;
  /** screen token for the /live socket (not needed on a loopback bind) */
  token: string | null;
  /** continuous animation (pulses, flowing whistles, blinking); off, the wall redraws only when data changes */
  motion: boolean;
  /** the map's focus to open with (map-focus.ts); changed on the page, it is written back into the URL */
  focus: MapFocus;
}

export interface ConfigProblem {
  field: string;
  reason: string;
}

export const DEFAULT_CONFIG: WallConfig = {
  language: 'zh-CN',
  kiosk: false,
  tourIntervalMs: 60_000,
  idleMs: 120_000,
  area: 'city',
  basemapStyleUrl: null,
  basemapCrs: 'wgs84',
  token: null,
  motion: true,
  focus: NO_FOCUS,
};

const AREA_PATTERN = /^(city|\d{6}|\d{9}|\d{12}|\d{15})$/;

/**
 * Parses the page's query string into a WallConfig.
 *
 * @example
 * ```ts
 * parseWallConfig('?wall=1&tour=30&lang=en').config.tourIntervalMs; // 30000
 * ```
 */
export function parseWallConfig(search: string): { config: WallConfig; problems: ConfigProblem[] } {
  const params = new URLSearchParams(search);
  const config: WallConfig = { ...DEFAULT_CONFIG };
  const problems: ConfigProblem[] = [];

  const lang = params.get('lang');
  if (lang !== null) {
    if (lang === 'en' || lang === 'zh-CN' || lang === 'zh') config.language = lang === 'en' ? 'en' : 'zh-CN';
    else problems.push({ field: 'lang', reason: `must be zh-CN or en, got "${lang}"` });
  }

  const wall = params.get('wall');
  if (wall !== null) {
    if (wall === '1' || wall === 'true' || wall === '') config.kiosk = true;
    else if (wall === '0' || wall === 'false') config.kiosk = false;
    else problems.push({ field: 'wall', reason: `must be 1 or 0, got "${wall}"` });
  }

  const seconds = (name: 'tour' | 'idle', min: number, apply: (ms: number) => void) => {
    const raw = params.get(name);
    if (raw === null) return;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) problems.push({ field: name, reason: `must be a number of seconds ≥ 0, got "${raw}"` });
    else if (value !== 0 && value < min) problems.push({ field: name, reason: `must be 0 (off) or at least ${min} seconds, got ${value}` });
    else apply(value * 1000);
  };
  seconds('tour', 5, (ms) => (config.tourIntervalMs = ms));
  seconds('idle', 5, (ms) => (config.idleMs = ms));

  const area = params.get('area');
  if (area !== null) {
    if (AREA_PATTERN.test(area)) config.area = area;
    else problems.push({ field: 'area', reason: `must be city or a 6, 9, 12 or 15 digit area code, got "${area}"` });
  }

  const basemap = params.get('basemap');
  if (basemap !== null && basemap !== '') {
    const problem = basemapUrlProblem(basemap);
    if (problem) problems.push({ field: 'basemap', reason: problem });
    else config.basemapStyleUrl = basemap;
  }

  const crs = params.get('basemapCrs');
  if (crs !== null) {
    if (crs === 'wgs84' || crs === 'gcj02' || crs === 'bd09') config.basemapCrs = crs;
    else problems.push({ field: 'basemapCrs', reason: `must be wgs84, gcj02 or bd09, got "${crs}"` });
  }
  const motion = params.get('motion');
  if (motion !== null) {
    if (motion === '0' || motion === '1') config.motion = motion === '1';
    else problems.push({ field: 'motion', reason: `must be 1 or 0, got "${motion}"` });
  }

  const token = params.get('token');
  if (token !== null && token !== '') config.token = token;
  const focus = parseFocus(search);
  config.focus = focus.focus;
  problems.push(...focus.problems);
  return { config, problems };
}

/** Why a basemap style URL cannot be used, or null. Relative URLs resolve against the page. */
export function basemapUrlProblem(url: string): string | null {
  try {
    const parsed = new URL(url, 'http://page.invalid/');
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http(s) URL, got "${parsed.protocol}"`;
    return null;
  } catch {
    return `is not a URL: "${url}"`;
  }
}
