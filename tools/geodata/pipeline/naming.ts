/**
 * Names and codes. Community names from NBS end in 居民委员会 / 村民委员会 (the committee); the map shows the
 * place, so the suffix is shortened (翠湖西路社区居民委员会 → 翠湖西路社区, 白邑村委会 → 白邑村). Grid codes are the
 * community code plus three digits, numbered in reading order: north→south in rows, west→east within a row.
 */
import type { Point } from './planar';

/** Short display name of an NBS community-level unit. */
export function shortCommunityName(name: string): string {
  const rules: Array<[RegExp, string]> = [
    [/社区居民委员会$/, '社区'], [/社区居委会$/, '社区'], [/居民委员会$/, '社区'], [/居委会$/, '社区'],
    [/村民委员会$/, '村'], [/村委会$/, '村'],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(name)) return name.replace(pattern, replacement);
  return name;
}

/** A street's name without its 街道 / 镇 / 乡 suffix, for naming its stationed units (华山街道 → 华山). */
export function streetStem(name: string): string {
  const stem = name.replace(/(街道办事处|街道|镇|乡)$/, '');
  return stem.length > 0 ? stem : name;
}

/** A district's name without its 区 / 县 / 市 suffix (五华区 → 五华). */
export function districtStem(name: string): string {
  return name.length > 2 ? name.replace(/(区|县|市)$/, '') : name;
}

/** Grid display name. */
export function gridName(communityName: string, ordinal: number): string {
  return `${shortCommunityName(communityName)}第${ordinal}网格`;
}

/**
 * Orders points in reading order: rows of height `rowHeight` from north to south, west to east within a row.
 * @returns indices into `points`
 */
export function readingOrder(points: readonly Point[], rowHeight: number): number[] {
  const top = Math.max(...points.map((p) => p[1]));
  return points
    .map((p, i) => ({ i, row: Math.floor((top - p[1]) / rowHeight), x: p[0] }))
    .sort((a, b) => a.row - b.row || a.x - b.x || a.i - b.i)
    .map((e) => e.i);
}

/** Zero-padded 3-digit suffix of a child code. */
export function childCode(parent: string, ordinal: number): string {
  if (ordinal < 1 || ordinal > 999) throw new Error(`code ordinal ${ordinal} under ${parent} is outside 1..999`);
  return `${parent}${String(ordinal).padStart(3, '0')}`;
}
