/**
 * The KPI figures as the wall shows them, in one place: the header's strip draws them, and the captions of exported
 * pictures and videos write them out in the same words, with the same digits.
 *
 * @example
 * ```ts
 * kpiFigures(k).map((f) => `${t(f.label)} ${figureText(f)}`); // ["今日受理 4,102", …, "响应率 88.7%", …]
 * kpiCaptionItems(k); // the same, then "今日吹哨 社区 286 / 街道 18 / 区级 1"
 * ```
 */
import { WHISTLE_TIERS } from '../../protocol/events';
import { kpiTargetStanding, type AreaKpis, type KpiTargetKey, type KpiTargets } from '../../protocol/kpi';
import { t, type MessageKey } from '../i18n/index';

export interface KpiFigure {
  key: string;
  label: MessageKey;
  value: number | null;
  percent?: boolean;
  digits?: number;
  unit?: MessageKey;
  tone?: 'alert' | 'good' | 'plain';
  /** the rate's target (a share 0–1), when the server sets one: the tone says whether the figure meets it */
  target?: number;
  /** set (to what the rate divides by) when that is too few to hold the rate to its target (KPI_MIN_BASE): plain */
  few?: number;
}

/**
 * The header's figures, in its order (today's whistles per tier follow them, as their own block). A rate with a
 * target is `good` at or above it and `alert` below it; a rate without one, without a figure, or over too few cases
 * to judge (`few`), is plain.
 */
export function kpiFigures(k: AreaKpis | null, targets: Readonly<KpiTargets> = {}): KpiFigure[] {
  const rate = (key: KpiTargetKey): KpiFigure => {
    const value = k?.[key] ?? null;
    const target = targets[key];
    const base = k?.rateBases[key];
    const standing = kpiTargetStanding(value, target, base);
    return {
      key,
      label: `kpi.${key}`,
      value,
      percent: true,
      digits: 1,
      tone: standingTone(standing),
      ...(target === undefined ? {} : { target }),
      ...(standing === 'few' ? { few: base } : {}),
    };
  };
  return [
    { key: 'reportedToday', label: 'kpi.reportedToday', value: k?.reportedToday ?? null },
    { key: 'open', label: 'kpi.open', value: k?.open ?? null },
    { key: 'overdue', label: 'kpi.overdue', value: k?.overdue ?? null, tone: k && k.overdue > 0 ? 'alert' : 'plain' },
    rate('responseRate'),
    rate('resolutionRate'),
    rate('onTimeRate'),
    rate('satisfactionRate'),
    { key: 'meanReportMinutes', label: 'kpi.meanReportMinutes', value: k?.meanReportMinutes ?? null, digits: 1, unit: 'kpi.minutes' },
    rate('reportOnTimeRate'),
  ];
}

/** How a rate's standing against its target is drawn: green met, red missed, plain otherwise (no target, no figure, too few). */
function standingTone(standing: ReturnType<typeof kpiTargetStanding>): 'good' | 'alert' | 'plain' {
  return standing === 'met' ? 'good' : standing === 'missed' ? 'alert' : 'plain';
}

/** A figure's number as the wall writes it: thousands separators and fixed digits; a rate (0–1) as a percentage, without the % sign. */
export function figureNumber(value: number, digits = 0, percent = false): string {
  const v = percent ? value * 100 : value;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A figure as text: its number, then % for a rate or its unit; a dash without a value (a rate with nothing to divide). */
export function figureText(figure: KpiFigure): string {
  if (figure.value === null) return t('kpi.none');
  const number = figureNumber(figure.value, figure.digits, figure.percent);
  return figure.percent ? `${number}%` : figure.unit ? `${number} ${t(figure.unit)}` : number;
}

/** A target as the wall writes it: "90%", "92.5%". */
export function targetText(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/**
 * Every figure of the header as "label value", then today's whistles per tier: the items of an export's caption. A
 * rate with a target says whether it meets it, in words ("满意率 84.8%（低于目标 85%）"), as a picture has no colour
 * to say it with once printed in grey.
 */
export function kpiCaptionItems(k: AreaKpis, targets: Readonly<KpiTargets> = {}): string[] {
  const whistles = WHISTLE_TIERS.map((tier) => `${t(`tier.short.${tier}`)} ${figureNumber(k.whistlesToday[tier])}`);
  const item = (figure: KpiFigure): string => {
    const text = `${t(figure.label)} ${figureText(figure)}`;
    if (figure.target === undefined || figure.tone === 'plain') return text;
    return `${text}${t(figure.tone === 'alert' ? 'kpi.captionMissed' : 'kpi.captionMet', { target: targetText(figure.target) })}`;
  };
  return [...kpiFigures(k, targets).map(item), `${t('kpi.whistlesToday')} ${whistles.join(' / ')}`];
}
