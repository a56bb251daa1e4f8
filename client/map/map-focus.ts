/**
 * The map's focus (聚焦): a cross-filter over the live incidents, as a dashboard's indicator or category selector
 * filters its map. A focus names a state (open cases, or overdue ones: the KPI strip's 在办 and 超期 tiles) and/or a
 * category group (the legend's 类别). The map draws only the cases in focus, their halos, pulses and whistle arcs;
 * the ticker and the whistle board keep to the group. The KPI figures stay the area's: the focus narrows what is
 * drawn, not what is counted.
 *
 * On the GPU the focus is a pair of ranges over two per-case filter columns (its group's index, and its state code:
 * 0 ended, 1 open, 2 overdue), through deck.gl's DataFilterExtension: changing the focus changes two uniforms and
 * uploads nothing.
 *
 * The page URL carries it (`?focus=overdue&group=emergency`), so a wall can be set up on, say, overdue emergencies.
 */
import { CATEGORY_GROUPS, categoryGroupIndex, type CategoryGroup } from '../../protocol/catalogues';
import { isOpenStatus, type IncidentRecord } from '../../protocol/reducer';
import type { ConfigProblem } from '../config';

export type FocusState = 'open' | 'overdue';
export const FOCUS_STATES: readonly FocusState[] = ['open', 'overdue'];

export interface MapFocus {
  /** open: every case not closed or cancelled; overdue: those past their deadline; null: every case */
  state: FocusState | null;
  /** a category group's code; null: every group */
  group: CategoryGroup | null;
}

export const NO_FOCUS: MapFocus = Object.freeze({ state: null, group: null });

/** State codes of the filter column. */
export const STATE_ENDED = 0;
export const STATE_OPEN = 1;
export const STATE_OVERDUE = 2;

const GROUP_CODES = CATEGORY_GROUPS.map((g) => g.code) as CategoryGroup[];

export function isCategoryGroup(code: string): code is CategoryGroup {
  return (GROUP_CODES as string[]).includes(code);
}

/** The group index of a category code (an unknown category counts as `other`, as its SLA does). */
export const groupIndexOf = categoryGroupIndex;

/** A group's catalogue entry (its name in both languages, for `localName`). */
export function groupEntry(group: CategoryGroup): (typeof CATEGORY_GROUPS)[number] {
  return CATEGORY_GROUPS[GROUP_CODES.indexOf(group)]!;
}

export function groupOf(category: string): CategoryGroup {
  return GROUP_CODES[groupIndexOf(category)] as CategoryGroup;
}

export function stateCodeOf(status: IncidentRecord['status'], overdue: boolean): number {
  return !isOpenStatus(status) ? STATE_ENDED : overdue ? STATE_OVERDUE : STATE_OPEN;
}

export function focusActive(focus: MapFocus): boolean {
  return focus.state !== null || focus.group !== null;
}

export function sameFocus(a: MapFocus, b: MapFocus): boolean {
  return a.state === b.state && a.group === b.group;
}

/** A short key that changes whenever the focus does (layers' update triggers). */
export function focusKey(focus: MapFocus): string {
  return `${focus.state ?? '*'}/${focus.group ?? '*'}`;
}

/**
 * The DataFilterExtension ranges of a focus, over [group index, state code]: every value passes a channel the focus
 * leaves free.
 */
export function focusRanges(focus: MapFocus): [[number, number], [number, number]] {
  const g = focus.group === null ? -1 : GROUP_CODES.indexOf(focus.group);
  const group: [number, number] = g < 0 ? [-1, GROUP_CODES.length] : [g, g];
  const state: [number, number] = focus.state === 'overdue' ? [STATE_OVERDUE, STATE_OVERDUE] : focus.state === 'open' ? [STATE_OPEN, STATE_OVERDUE] : [-1, 3];
  return [group, state];
}

/** Whether a case with this group index and state code is in focus (the CPU twin of `focusRanges`). */
export function codesInFocus(focus: MapFocus, groupIndex: number, stateCode: number): boolean {
  const [[g0, g1], [s0, s1]] = focusRanges(focus);
  return groupIndex >= g0 && groupIndex <= g1 && stateCode >= s0 && stateCode <= s1;
}

/** Whether a case is in focus. */
export function inFocus(focus: MapFocus, record: Pick<IncidentRecord, 'category' | 'status'>, overdue: boolean): boolean {
  return codesInFocus(focus, groupIndexOf(record.category), stateCodeOf(record.status, overdue));
}

/** Whether a case's category is in the focus's group (the panels follow the group only). */
export function inFocusGroup(focus: MapFocus, category: string): boolean {
  return focus.group === null || groupOf(category) === focus.group;
}

/** Reads `focus` and `group` from a query string; a bad value is reported and left out. */
export function parseFocus(search: string): { focus: MapFocus; problems: ConfigProblem[] } {
  const params = new URLSearchParams(search);
  const problems: ConfigProblem[] = [];
  let state: FocusState | null = null;
  let group: CategoryGroup | null = null;
  const rawState = params.get('focus');
  if (rawState !== null && rawState !== '') {
    if ((FOCUS_STATES as string[]).includes(rawState)) state = rawState as FocusState;
    else problems.push({ field: 'focus', reason: `must be ${FOCUS_STATES.join(' or ')}, got "${rawState}"` });
  }
  const rawGroup = params.get('group');
  if (rawGroup !== null && rawGroup !== '') {
    if (isCategoryGroup(rawGroup)) group = rawGroup;
    else problems.push({ field: 'group', reason: `must be one of ${GROUP_CODES.join(', ')}, got "${rawGroup}"` });
  }
  return { focus: { state, group }, problems };
}

/** The query string with the focus written into it (its parameters dropped when the focus leaves them free). */
export function withFocus(search: string, focus: MapFocus): string {
  const params = new URLSearchParams(search);
  if (focus.state === null) params.delete('focus');
  else params.set('focus', focus.state);
  if (focus.group === null) params.delete('group');
  else params.set('group', focus.group);
  const text = params.toString();
  return text ? `?${text}` : '';
}
