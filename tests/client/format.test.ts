/** Times in lists and timelines: the city's day (UTC+8) decides when a time needs its date. */
import { describe, expect, it } from 'vitest';
import { dayTime, limitText } from '../../client/panels/format';

describe('dayTime', () => {
  const lateEvening = Date.parse('2026-11-22T15:59:59Z'); // 23:59:59 on 11-22 in Kunming
  const midnight = Date.parse('2026-11-22T16:00:00Z'); // 00:00:00 on 11-23 in Kunming

  it('gives the time alone on the reference day, and the date too on another, by the city’s midnight not UTC’s', () => {
    expect(dayTime(lateEvening, Date.parse('2026-11-22T01:00:00Z'))).toBe('23:59:59');
    expect(dayTime(midnight, lateEvening)).toBe('11-23 00:00:00');
    // the same UTC day, but the next day in the city
    expect(dayTime(Date.parse('2026-11-22T17:00:00Z'), Date.parse('2026-11-22T01:00:00Z'))).toBe('11-23 01:00:00');
    expect(dayTime(Number.NaN, midnight)).toBe('');
  });
});

describe('limitText', () => {
  it('reads a time limit as whole days or hours when it is one, else in hours and minutes', () => {
    expect(limitText(15)).toBe('15 分');
    expect(limitText(60)).toBe('1 小时');
    expect(limitText(1440)).toBe('24 小时');
    expect(limitText(4320)).toBe('3 天');
    expect(limitText(90)).toBe('1 时 30 分');
  });
});
