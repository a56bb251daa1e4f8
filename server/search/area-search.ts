/**
 * Search for the officer's desk: areas by code (prefix) or name (Chinese substring, or pinyin initials such as
 * `chsq` for 翠湖社区 and full pinyin such as `cuihu`), and live incidents by id (prefix) or by the text of their
 * title and address. The area index is built once from the city package; incidents are read from the live state at
 * query time, so a case reported a second ago is found.
 *
 * Ranking, best first: exact code or id, then code/id prefix, then name prefix, then name substring, then pinyin;
 * within a rank, higher levels (district before grid) and shorter names first, so "华山" finds the street before
 * its 48 grids; areas found by code follow code order.
 *
 * @example
 * ```ts
 * const search = new AreaSearch(geodata.areas.values());
 * search.areasMatching('翠湖', { scope: ['city'], limit: 10 }); // [{ kind: 'area', code: '530102001001', name: '翠湖社区', … }]
 * ```
 */
import { pinyin } from 'pinyin-pro';
import type { IncidentRecord } from '../../protocol/transition';
import { areaInScope } from '../auth/scope';
import type { AreaLevel } from '../geodata/types';

export interface AreaHit {
  kind: 'area';
  code: string;
  name: string;
  level: AreaLevel;
  /** names of the parents, city-most first (for "五华区 › 华山街道" under the hit) */
  path: string[];
  /** why it matched: code, name or pinyin */
  match: 'code' | 'name' | 'pinyin';
}

export interface IncidentHit {
  kind: 'incident';
  id: string;
  grid: string;
  title: string | null;
  address: string | null;
  category: string;
  status: IncidentRecord['status'];
  match: 'id' | 'text';
}

export type SearchHit = AreaHit | IncidentHit;

export interface SearchOptions {
  /** the caller's scope: hits outside it are left out */
  scope: readonly string[];
  limit: number;
}

interface IndexedArea {
  code: string;
  name: string;
  level: AreaLevel;
  parent: string;
  /** lower-case pinyin initials, e.g. `chsq` */
  initials: string;
  /** lower-case full pinyin without spaces, e.g. `cuihushequ` */
  spelled: string;
}

const LEVEL_ORDER: Record<AreaLevel, number> = { district: 0, street: 1, community: 2, grid: 3 };
/** Ranks (lower is better). */
const EXACT = 0;
const PREFIX = 1;
const NAME_PREFIX = 2;
const NAME_PART = 3;
const PINYIN = 4;

/** Only letters a–z go through pinyin matching; anything with a CJK character is matched as Chinese text. */
const LATIN = /^[a-z]+$/;

export class AreaSearch {
  private readonly areas: IndexedArea[] = [];
  private readonly byCode = new Map<string, IndexedArea>();

  constructor(areas: Iterable<{ code: string; name: string; level: AreaLevel; parent: string }>) {
    for (const area of areas) {
      const syllables = pinyin(area.name, { toneType: 'none', type: 'array' }).map((s) => s.toLowerCase());
      const indexed: IndexedArea = {
        code: area.code,
        name: area.name,
        level: area.level,
        parent: area.parent,
        initials: syllables.map((s) => s[0] ?? '').join(''),
        spelled: syllables.join(''),
      };
      this.areas.push(indexed);
      this.byCode.set(area.code, indexed);
    }
  }

  /** Areas matching `text`, best first. An empty query matches nothing. */
  areasMatching(text: string, options: SearchOptions): AreaHit[] {
    const q = normalise(text);
    if (q === '') return [];
    const ranked: Array<{ rank: number; area: IndexedArea; match: AreaHit['match'] }> = [];
    const digits = /^\d+$/.test(q);
    const latin = LATIN.test(q);
    for (const area of this.areas) {
      if (!areaInScope(options.scope, area.code)) continue;
      let rank = -1;
      let match: AreaHit['match'] = 'name';
      if (digits) {
        if (area.code === q) rank = EXACT;
        else if (area.code.startsWith(q) && area.code.length <= q.length + 3) rank = PREFIX;
        match = 'code';
      } else if (area.name === q) rank = EXACT;
      else if (area.name.startsWith(q)) rank = NAME_PREFIX;
      else if (area.name.includes(q)) rank = NAME_PART;
      else if (latin && q.length >= 2 && (area.initials.startsWith(q) || area.spelled.startsWith(q))) {
        rank = PINYIN;
        match = 'pinyin';
      }
      if (rank >= 0) ranked.push({ rank, area, match });
    }
    ranked.sort(
      (a, b) =>
        a.rank - b.rank ||
        LEVEL_ORDER[a.area.level] - LEVEL_ORDER[b.area.level] ||
        // typed digits list areas in code order (an officer reading down a list of codes); a name, shortest first
        (digits ? 0 : a.area.name.length - b.area.name.length) ||
        a.area.code.localeCompare(b.area.code),
    );
    return ranked.slice(0, options.limit).map(({ area, match }) => ({
      kind: 'area',
      code: area.code,
      name: area.name,
      level: area.level,
      path: this.pathOf(area),
      match,
    }));
  }

  private pathOf(area: IndexedArea): string[] {
    const names: string[] = [];
    for (let parent = this.byCode.get(area.parent); parent; parent = this.byCode.get(parent.parent)) names.unshift(parent.name);
    return names;
  }
}

/** Live incidents matching `text` by id (exact, then prefix) or by title/address substring; newest first within a rank. */
export function incidentsMatching(incidents: Iterable<IncidentRecord>, text: string, options: SearchOptions): IncidentHit[] {
  const q = normalise(text);
  if (q === '') return [];
  const lower = q.toLowerCase();
  const ranked: Array<{ rank: number; incident: IncidentRecord; match: IncidentHit['match'] }> = [];
  for (const incident of incidents) {
    if (!areaInScope(options.scope, incident.grid)) continue;
    const id = incident.id.toLowerCase();
    let rank = -1;
    let match: IncidentHit['match'] = 'id';
    if (id === lower) rank = EXACT;
    else if (lower.length >= 3 && id.startsWith(lower)) rank = PREFIX;
    else if (q.length >= 2 && ((incident.address ?? '').includes(q) || (incident.title ?? '').includes(q))) {
      rank = NAME_PART;
      match = 'text';
    }
    if (rank >= 0) ranked.push({ rank, incident, match });
  }
  ranked.sort((a, b) => a.rank - b.rank || b.incident.reportedAt - a.incident.reportedAt);
  return ranked.slice(0, options.limit).map(({ incident, match }) => ({
    kind: 'incident',
    id: incident.id,
    grid: incident.grid,
    title: incident.title ?? null,
    address: incident.address ?? null,
    category: incident.category,
    status: incident.status,
    match,
  }));
}

/** Trims, folds full-width digits and letters (common from Chinese IMEs) to ASCII, and lower-cases Latin. */
export function normalise(text: string): string {
  return text
    .trim()
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, '')
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}
