/**
 * The map's focus (client/map/map-focus.ts): what the URL says, what passes it, and that the GPU ranges and the CPU
 * check agree on every group and state; the incident columns carry the codes the GPU filters on, and the side
 * panels' lists keep to the group.
 */
import { describe, expect, it } from 'vitest';
import { CATEGORIES, CATEGORY_GROUPS } from '../../protocol/catalogues';
import { parseWallConfig } from '../../client/config';
import { PRIORITIES, type StoredEvent } from '../../protocol/events';
import { HistoryDecoder, HistoryEncoder, reportGroup, reportPriority } from '../../protocol/history-codec';
import { IncidentBuffers } from '../../client/live/incident-buffers';
import { GroupedList } from '../../client/live/scoped-list';
import {
  codesInFocus,
  focusRanges,
  groupIndexOf,
  groupOf,
  inFocus,
  NO_FOCUS,
  parseFocus,
  STATE_ENDED,
  STATE_OPEN,
  STATE_OVERDUE,
  withFocus,
  type MapFocus,
} from '../../client/map/map-focus';

const FOCI: MapFocus[] = [NO_FOCUS, ...(['open', 'overdue', null] as const).flatMap((state) => [null, ...CATEGORY_GROUPS.map((g) => g.code)].map((group) => ({ state, group })))];

describe('the map focus', () => {
  it('reads focus and group from the URL, and names the field and the reason of a bad value (leaving it out)', () => {
    expect(parseFocus('?focus=overdue&group=emergency')).toEqual({ focus: { state: 'overdue', group: 'emergency' }, problems: [] });
    expect(parseFocus('?tour=0')).toEqual({ focus: NO_FOCUS, problems: [] });
    const bad = parseFocus('?focus=late&group=traffic');
    expect(bad.focus).toEqual(NO_FOCUS);
    expect(bad.problems.map((p) => p.field)).toEqual(['focus', 'group']);
    expect(bad.problems[0]!.reason).toBe('must be open or overdue, got "late"');
    expect(bad.problems[1]!.reason).toContain('got "traffic"');
    expect(bad.problems[1]!.reason).toContain('emergency');
    // the wall's config carries it, and reports its problems with the others
    const { config, problems } = parseWallConfig('?wall=1&focus=open&group=nope');
    expect(config.focus).toEqual({ state: 'open', group: null });
    expect(problems).toEqual([{ field: 'group', reason: expect.stringContaining('"nope"') }]);
  });

  it('writes itself into a query string and drops what it leaves free, keeping the other parameters', () => {
    expect(withFocus('?tour=0&sel=530102', { state: 'overdue', group: 'social' })).toBe('?tour=0&sel=530102&focus=overdue&group=social');
    expect(withFocus('?tour=0&focus=overdue&group=social', { state: null, group: 'social' })).toBe('?tour=0&group=social');
    expect(withFocus('?focus=open', NO_FOCUS)).toBe('');
    for (const focus of FOCI) expect(parseFocus(withFocus('?wall=1', focus)).focus).toEqual(focus);
  });

  it('puts every category in its group, and an unknown one in other', () => {
    for (const c of CATEGORIES) expect(groupOf(c.code)).toBe(c.group);
    expect(groupOf('not.a.category')).toBe('other');
    expect(CATEGORY_GROUPS[groupIndexOf('emergency.fire')]!.code).toBe('emergency');
  });

  it("a report's history column carries its priority and its category group (playback's focus reads them)", () => {
    const events = CATEGORIES.flatMap((c, i) => {
      const priority = PRIORITIES[i % PRIORITIES.length]!;
      const at = new Date(Date.UTC(2026, 10, 25, 0, i)).toISOString();
      return [{ seq: i + 1, id: `e${i}`, type: 'incident.reported', at, grid: '530102001001001', incident: { id: `c${i}`, location: [102.7, 25.04], category: c.code, channel: 'other', priority } } as StoredEvent];
    });
    const decoder = new HistoryDecoder();
    const [chunk] = decoder.push(new HistoryEncoder().encodeFrame(events));
    events.forEach((e, i) => {
      const incident = (e as Extract<StoredEvent, { type: 'incident.reported' }>).incident;
      expect(PRIORITIES[reportPriority(chunk!.arg[i]!)], incident.category).toBe(incident.priority);
      expect(CATEGORY_GROUPS[reportGroup(chunk!.arg[i]!)]!.code, incident.category).toBe(groupOf(incident.category));
    });
  });

  it('passes the same cases on the GPU (its ranges) as on the CPU, for every focus, group and state', () => {
    const statuses = ['reported', 'dispatched', 'in_progress', 'resolved', 'closed', 'cancelled'] as const;
    for (const focus of FOCI) {
      for (const c of CATEGORIES) {
        for (const status of statuses) {
          for (const overdue of [false, true]) {
            const open = status !== 'closed' && status !== 'cancelled';
            const expected =
              (focus.group === null || c.group === focus.group) &&
              (focus.state === null || (focus.state === 'open' ? open : open && overdue));
            expect(inFocus(focus, { category: c.code, status }, overdue), `${JSON.stringify(focus)} ${c.code} ${status} ${overdue}`).toBe(expected);
            const [[g0, g1], [s0, s1]] = focusRanges(focus);
            const g = groupIndexOf(c.code);
            const s = !open ? STATE_ENDED : overdue ? STATE_OVERDUE : STATE_OPEN;
            expect(g >= g0 && g <= g1 && s >= s0 && s <= s1).toBe(expected);
            expect(codesInFocus(focus, g, s)).toBe(expected);
          }
        }
      }
    }
  });

  it('the incident columns carry each case’s group and state, patched with the case, and picking skips a case out of focus', () => {
    const buffers = new IncidentBuffers();
    const fire = groupIndexOf('emergency.fire');
    const litter = groupIndexOf('env.litter');
    buffers.upsert('a', { position: [102.7, 25.0], status: 'dispatched', priority: 'urgent', overdue: true, groupIndex: fire });
    buffers.upsert('b', { position: [102.7001, 25.0], status: 'reported', priority: 'normal', overdue: false, groupIndex: litter });
    buffers.upsert('c', { position: [102.8, 25.1], status: 'closed', priority: 'normal', overdue: false });
    const codes = buffers.attributes().attributes.getFilterValue;
    expect(codes.size).toBe(2);
    expect([...codes.value.subarray(0, 6)]).toEqual([fire, STATE_OVERDUE, litter, STATE_OPEN, groupIndexOf('other'), STATE_ENDED]);
    // a status change rewrites the slot's codes and hands deck.gl a new descriptor for that column only
    const positions = buffers.attributes().attributes.getPosition;
    buffers.upsert('b', { position: [102.7001, 25.0], status: 'closed', priority: 'normal', overdue: false, groupIndex: litter });
    const after = buffers.attributes().attributes;
    expect(after.getFilterValue).not.toBe(codes);
    expect(after.getPosition).toBe(positions);
    expect(after.getFilterValue.value[3]).toBe(STATE_ENDED);

    const overdue: MapFocus = { state: 'overdue', group: null };
    expect(buffers.nearest(102.7001, 25.0, 0.001, 0.001)).toBe('a'); // the open case before the ended dot
    expect(buffers.nearest(102.7001, 25.0, 0.001, 0.001, { state: null, group: 'environment' })).toBe('b');
    expect(buffers.nearest(102.7001, 25.0, 0.001, 0.001, { state: 'open', group: 'environment' })).toBeUndefined();
    expect(buffers.weightAt(0, overdue)).toBe(1);
    expect(buffers.weightAt(0, { state: null, group: 'social' })).toBe(0);
    expect(buffers.weightAt(0)).toBe(1);
  });

  it('the side panels’ lists keep to the group, filtered once per list version', () => {
    const list = new GroupedList<{ id: string; incident: { category: string } }>();
    const source = [
      { id: '1', incident: { category: 'emergency.fire' } },
      { id: '2', incident: { category: 'env.litter' } },
      { id: '3', incident: { category: 'emergency.gas-leak' } },
    ];
    expect(list.of(source, 1, null)).toBe(source);
    const emergencies = list.of(source, 1, 'emergency');
    expect(emergencies.map((e) => e.id)).toEqual(['1', '3']);
    expect(list.of(source, 1, 'emergency')).toBe(emergencies);
    source.push({ id: '4', incident: { category: 'emergency.collapse' } });
    expect(list.of(source, 2, 'emergency').map((e) => e.id)).toEqual(['1', '3', '4']);
  });
});
