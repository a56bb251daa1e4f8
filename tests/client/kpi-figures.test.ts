/**
 * An export's caption writes the KPI header's figures in the header's own words and digits: labels from the
 * catalogue, thousands separators, rates as percentages with one decimal, a dash for a rate with nothing to divide,
 * and today's whistles per tier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '../../client/i18n/index';
import { figureNumber, kpiCaptionItems, kpiFigures } from '../../client/panels/kpi-figures';
import type { AreaKpis } from '../../protocol/kpi';

afterEach(() => setLanguage('zh-CN'));

const k: AreaKpis = {
  area: 'city',
  now: 0,
  dayStart: 0,
  reportedToday: 4102,
  open: 5918,
  overdue: 278,
  resolvedToday: 1500,
  closedToday: 1400,
  cancelledToday: 12,
  supervisedToday: 30,
  responseRate: 0.8867,
  resolutionRate: 0.3634,
  onTimeRate: null,
  satisfactionRate: 0.838,
  meanResponseMinutes: 12.5,
  whistlesToday: { community: 286, street: 18, district: 1 },
  meanReportMinutes: 28.04,
  reportOnTimeRate: 0.9125,
  activeWhistles: 59,
  rateBases: { responseRate: 300, resolutionRate: 4090, onTimeRate: 0, satisfactionRate: 500, reportOnTimeRate: 80 },
};

describe('KPI figures as text', () => {
  it('writes every header figure as the header does, then the whistles per tier', () => {
    expect(kpiCaptionItems(k)).toEqual([
      '今日受理 4,102',
      '在办 5,918',
      '超期 278',
      '响应率 88.7%',
      '解决率 36.3%',
      '按期率 —',
      '满意率 83.8%',
      '平均报到 28.0 分钟',
      '报到及时率 91.3%',
      '今日吹哨 社区 286 / 街道 18 / 区级 1',
    ]);
    setLanguage('en');
    expect(kpiCaptionItems(k)).toContain('Response 88.7%');
    expect(kpiCaptionItems(k)).toContain('Mean report 28.0 min');
    expect(kpiCaptionItems(k)).toContain('Depts on time 91.3%');
  });

  it('tones each rate against its target: green at or above, red below, plain without a target or a figure', () => {
    const tones = (targets: Parameters<typeof kpiFigures>[1]) => Object.fromEntries(kpiFigures(k, targets).map((f) => [f.key, [f.tone ?? 'plain', f.target]]));
    expect(tones({ responseRate: 0.85, satisfactionRate: 0.85, onTimeRate: 0.9, reportOnTimeRate: 0.9125 })).toMatchObject({
      responseRate: ['good', 0.85],
      resolutionRate: ['plain', undefined],
      onTimeRate: ['plain', 0.9],
      satisfactionRate: ['alert', 0.85],
      reportOnTimeRate: ['good', 0.9125],
      overdue: ['alert', undefined],
      meanReportMinutes: ['plain', undefined],
    });
    // an export's caption says it in words
    expect(kpiCaptionItems(k, { satisfactionRate: 0.85, onTimeRate: 0.9, reportOnTimeRate: 0.9 })).toEqual(expect.arrayContaining(['满意率 83.8%（低于目标 85%）', '按期率 —', '报到及时率 91.3%（达到目标 90%）', '响应率 88.7%']));
    setLanguage('en');
    expect(kpiCaptionItems(k, { satisfactionRate: 0.855, reportOnTimeRate: 0.9 })).toEqual(expect.arrayContaining(['Satisfaction 83.8% (below target 85.5%)', 'Depts on time 91.3% (target 90% met)']));
    // a rate over fewer than KPI_MIN_BASE is shown, plain, and not held to its target (in the caption either)
    const few = kpiFigures({ ...k, rateBases: { ...k.rateBases, satisfactionRate: 4 } }, { satisfactionRate: 0.85 }).find((f) => f.key === 'satisfactionRate')!;
    expect(few).toMatchObject({ value: 0.838, tone: 'plain', target: 0.85, few: 4 });
    expect(kpiCaptionItems({ ...k, rateBases: { ...k.rateBases, satisfactionRate: 4 } }, { satisfactionRate: 0.85 })).toContain('Satisfaction 83.8%');
    // no targets: no rate claims to be good or bad
    expect(kpiFigures(k).filter((f) => f.percent).every((f) => f.tone === 'plain' && f.target === undefined)).toBe(true);
  });

  it('lists the header’s figures in its order, with the same digits the animated numbers show', () => {
    expect(kpiFigures(k).map((f) => f.key)).toEqual(['reportedToday', 'open', 'overdue', 'responseRate', 'resolutionRate', 'onTimeRate', 'satisfactionRate', 'meanReportMinutes', 'reportOnTimeRate']);
    expect(kpiFigures(null).every((f) => f.value === null)).toBe(true);
    expect(figureNumber(0.8867, 1, true)).toBe('88.7');
    expect(figureNumber(1234567)).toBe('1,234,567');
  });
});
