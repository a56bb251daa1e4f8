/** Display formatting shared by the panels: times in the city's zone, durations, area names, event labels. */
import { categoryOf } from '../../protocol/catalogues';
import type { StoredEvent } from '../../protocol/events';
import { SHANGHAI_OFFSET_MS, shanghaiDay } from '../../protocol/time';
import type { CityModel } from '../geo/city-model';
import { localName, t, language } from '../i18n/index';


/** hh:mm:ss in UTC+8 (China has no daylight saving), independent of the wall PC's own time zone. */
export function clockTime(ms: number): string {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function clockDate(ms: number): string {
  const d = new Date(ms + SHANGHAI_OFFSET_MS);
  const weekdays = language() === 'en' ? ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] : ['日', '一', '二', '三', '四', '五', '六'];
  const p = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  return language() === 'en' ? `${weekdays[d.getUTCDay()]} ${date}` : `${date} 星期${weekdays[d.getUTCDay()]}`;
}

/**
 * hh:mm:ss when `ms` falls on the same city day (UTC+8) as `reference`, else `MM-DD hh:mm:ss`: a list or a timeline
 * that spans midnight stays unambiguous (a 50-hour case's steps, yesterday's closures) without dating every line.
 */
export function dayTime(ms: number, reference: number): string {
  if (!Number.isFinite(ms)) return '';
  return shanghaiDay(ms) === shanghaiDay(reference) ? clockTime(ms) : clockDateTime(ms).slice(5);
}

/** `YYYY-MM-DD hh:mm:ss` in UTC+8. */
export function clockDateTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ') : '';
}

/**
 * The value an `<input type="datetime-local">` shows for `ms`, in UTC+8 (`YYYY-MM-DDThh:mm:ss`, to the minute, or
 * to the millisecond for an input with `step="0.001"`), so that the times an analyst or officer types are the city's,
 * like every time the wall shows, whatever the PC's own time zone. Empty for a time that is not finite.
 */
export function cityInputTime(ms: number, precision: 'milliseconds' | 'seconds' | 'minutes' = 'seconds'): string {
  if (!Number.isFinite(ms)) return '';
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, INPUT_LENGTH[precision]);
}
/** How much of an ISO string each precision keeps. */
const INPUT_LENGTH = { milliseconds: 23, seconds: 19, minutes: 16 } as const;

const INPUT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

/** The instant a datetime-local value names, read in UTC+8 (see cityInputTime); NaN when it is not such a value. */
export function fromCityInputTime(value: string): number {
  return INPUT_TIME.test(value) ? Date.parse(`${value}+08:00`) : NaN;
}

export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return t('duration.seconds', { s: total });
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return t('duration.minutes', { m: minutes });
  return t('duration.hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** The time left within a limit ("余 18 分"), rounded up to the second: never "0 秒" while any is left. */
export function timeLeftText(ms: number): string {
  return t('board.left', { left: duration(Math.ceil(ms / 1000) * 1000) });
}

/** A time limit in minutes, as whole days or hours when it is one (24 小时, 3 天), else like `duration`. */
export function limitText(minutes: number): string {
  if (minutes >= 2 * 1440 && minutes % 1440 === 0) return t('limit.days', { d: minutes / 1440 });
  if (minutes >= 60 && minutes % 60 === 0) return t('limit.hours', { h: minutes / 60 });
  return duration(minutes * 60_000);
}

export function categoryName(code: string): string {
  return localName(categoryOf(code), code);
}

/** "street · community" for a grid code, from the package names. */
export function placeName(city: CityModel, grid: string): string {
  const street = city.areas.get(grid.slice(0, 9))?.name;
  const community = city.areas.get(grid.slice(0, 12))?.name;
  return [street, community].filter(Boolean).join(' · ') || grid;
}

export function eventLabel(event: StoredEvent): string {
  switch (event.type) {
    case 'incident.verified':
      return event.passed ? t('event.incident.verified') : t('event.incident.verified.failed');
    case 'incident.rated':
      return t('event.incident.rated', { stars: '★'.repeat(event.satisfaction) });
    case 'incident.whistled':
      return t('event.incident.whistled', { tier: t(`tier.${event.tier}`) });
    case 'department.reported':
      return t(`event.department.reported.${event.stage}`);
    default:
      return t(`event.${event.type}`);
  }
}
