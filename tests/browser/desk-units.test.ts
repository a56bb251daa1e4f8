/**
 * The desk's pure modules, without a browser: picking the grid under a point, deadline tones, the URL state, the
 * department suggestions for a whistle, and the next steps offered for each status.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../protocol/transition';
import { buildCityModel } from '../../client/geo/city-model';
import { basemapShift } from '../../client/geo/basemap-shift';
import { gridAt } from '../../client/desk/grid-pick';
import { clockText, deadlineState } from '../../client/desk/deadline';
import { readDeskLocation, scopedLocation, withDeskLocation } from '../../client/desk/desk-url';
import { deadlineFields, deadlineInputTime } from '../../client/desk/dispatch-deadline';
import { cityInputTime, clockDateTime, fromCityInputTime } from '../../client/panels/format';
import { suggestDepartments } from '../../client/desk/department-suggest';
import { nextActions } from '../../client/desk/next-actions';
import { SelectionLayers } from '../../client/desk/selection-layers';
import { wallCity, wallGridCentre } from './helpers/wall-city';

const city = wallCity();
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(city.dir, file), 'utf8'));
const model = buildCityModel({ meta: city.meta }, read('areas.topo.json'), read('service-centres.geojson'), read('departments.geojson'), read('water.geojson'), basemapShift('wgs84'));
const HOUR = 3_600_000;

function record(overrides: Partial<IncidentRecord>): IncidentRecord {
  return {
    id: 'c1', grid: '530102001001005', location: wallGridCentre(city, '530102001001005'), category: 'env.litter', channel: 'other', priority: 'normal',
    status: 'dispatched', reportedAt: 0, redispatches: 0, reworks: 0, departments: [], whistles: [], supervisions: [], lastSeq: 1, updatedAt: 0,
    ...overrides,
  };
}

describe('picking a grid under a map point', () => {
  it('finds the grid whose square contains the point, for every grid of the city', () => {
    for (const grid of city.grids) expect(gridAt(model, ...wallGridCentre(city, grid.code))).toBe(grid.code);
  });
  it('answers null outside every grid', () => {
    expect(gridAt(model, 100, 20)).toBeNull();
  });
});

describe('the desk’s highlight on the map', () => {
  const ringsOf = (focus: Parameters<SelectionLayers['build']>[0]) => {
    const layers = new SelectionLayers(model, basemapShift('wgs84')).build(focus);
    return { outline: (layers[0]?.props.data ?? []) as number[][][], ring: (layers[1]?.props.data ?? []) as unknown[] };
  };
  const bboxOfRings = (rings: number[][][]) => {
    const xs = rings.flat().map((p) => p[0] as number);
    const ys = rings.flat().map((p) => p[1] as number);
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  };
  it('outlines a district by its boundary, not by every grid inside it (those ran together into a solid patch)', () => {
    const { outline } = ringsOf({ area: '530102', incident: null });
    const grids = city.grids.filter((g) => g.code.startsWith('530102')).length;
    expect(grids).toBe(48);
    expect(outline).toHaveLength(1);
    const bbox = bboxOfRings(outline);
    const district = model.areas.get('530102')?.bbox ?? [];
    bbox.forEach((v, i) => expect(v).toBeCloseTo(district[i] as number, 9));
  });
  it('outlines a street and a community by their own boundaries, and a grid by its own', () => {
    for (const code of ['530102001', '530102001001', '530102001001005']) {
      const { outline } = ringsOf({ area: code, incident: null });
      expect(outline, code).toHaveLength(1);
      const bbox = bboxOfRings(outline);
      const area = model.areas.get(code)?.bbox ?? [];
      bbox.forEach((v, i) => expect(v, code).toBeCloseTo(area[i] as number, 9));
    }
  });
  it('keeps the outline’s and the ring’s weight on a 4K wall (scale 2)', () => {
    const [outline, ring] = new SelectionLayers(model, basemapShift('wgs84')).build({ area: '530102', incident: record({}) }, 2);
    expect(outline?.props).toMatchObject({ getWidth: 6, widthUnits: 'pixels' });
    expect(ring?.props).toMatchObject({ getRadius: 28, getLineWidth: 6 });
  });
  it('draws nothing for the whole city, and a ring on an open case with its grid outlined', () => {
    expect(new SelectionLayers(model, basemapShift('wgs84')).build({ area: 'city', incident: null })).toHaveLength(0);
    const c = record({});
    const { outline, ring } = ringsOf({ area: '530102', incident: c });
    expect(ring).toHaveLength(1);
    const bbox = bboxOfRings(outline);
    const grid = model.areas.get(c.grid)?.bbox ?? [];
    bbox.forEach((v, i) => expect(v).toBeCloseTo(grid[i] as number, 9));
  });
});

describe('deadline clocks', () => {
  it('are green with time to spare, amber in the last quarter, red with the time over once overdue', () => {
    const incident = { dispatchedAt: 0, deadline: 8 * HOUR };
    expect(deadlineState(incident, 1 * HOUR)).toEqual({ tone: 'green', leftMs: 7 * HOUR });
    expect(deadlineState(incident, 6.5 * HOUR).tone).toBe('amber');
    expect(deadlineState(incident, 9 * HOUR)).toEqual({ tone: 'red', leftMs: -HOUR });
    expect(clockText(-HOUR - 65_000)).toBe('1:01:05');
    expect(deadlineState({}, 0)).toEqual({ tone: 'none', leftMs: null });
  });
  it('stop when the case is resolved: on time with the time to spare, or late by the time over; a rework runs them again', () => {
    const incident = { dispatchedAt: 0, deadline: 8 * HOUR };
    expect(deadlineState({ ...incident, status: 'resolved', resolvedAt: 6 * HOUR }, 20 * HOUR)).toEqual({ tone: 'met', leftMs: 2 * HOUR });
    expect(deadlineState({ ...incident, status: 'verified', resolvedAt: 8 * HOUR }, 20 * HOUR)).toEqual({ tone: 'met', leftMs: 0 });
    expect(deadlineState({ ...incident, status: 'closed', resolvedAt: 9 * HOUR }, 20 * HOUR)).toEqual({ tone: 'late', leftMs: -HOUR });
    // 核查未通过: back in progress, the old resolution no longer stops the clock
    expect(deadlineState({ ...incident, status: 'in_progress', resolvedAt: 6 * HOUR }, 9 * HOUR)).toEqual({ tone: 'red', leftMs: -HOUR });
    expect(deadlineState({ ...incident, status: 'cancelled' }, 9 * HOUR)).toEqual({ tone: 'none', leftMs: null });
  });
  it('turn amber in the last hour of a short deadline', () => {
    expect(deadlineState({ dispatchedAt: 0, deadline: 2 * HOUR }, 1.2 * HOUR).tone).toBe('amber');
    expect(deadlineState({ dispatchedAt: 0, deadline: 2 * HOUR }, 0.5 * HOUR).tone).toBe('green');
  });
});

describe('the desk in the URL', () => {
  it('keeps the other parameters and drops malformed values', () => {
    expect(withDeskLocation('?lang=en&tour=0', { area: '530102001', incident: 'c-1' })).toBe('?lang=en&tour=0&sel=530102001&case=c-1');
    expect(withDeskLocation('?lang=en&sel=530102', { area: null, incident: null })).toBe('?lang=en');
    expect(readDeskLocation('?sel=5301&case=bad id')).toEqual({ area: null, incident: null });
    expect(readDeskLocation('?sel=530102001001005&case=c-1')).toEqual({ area: '530102001001005', incident: 'c-1' });
  });
});

describe('department suggestions', () => {
  it('offer only the level the tier summons, within the grid’s jurisdiction, matching kinds first', () => {
    const incident = record({});
    const street = suggestDepartments(model.departments, incident, { tier: 'community' }).map((s) => s.department.code);
    expect(street).toEqual(['530102001-urban-management']);
    const district = suggestDepartments(model.departments, incident, { tier: 'street' }).map((s) => s.department.code);
    expect(district.sort()).toEqual(['530102-housing', '530102-public-security']);
    const city = suggestDepartments(model.departments, incident, { tier: 'district' });
    expect(city[0]?.department.code).toBe('city-urban-management'); // litter goes to urban management
    expect(city[0]?.matchesCategory).toBe(true);
  });
  it('order departments of the same kind nearest first', () => {
    const district = suggestDepartments(model.departments, record({ category: 'other' }), { tier: 'street' });
    expect(district[0]!.distanceKm).toBeLessThanOrEqual(district[1]!.distanceKm);
  });
});

describe('next steps offered', () => {
  it('follow the lifecycle, with a report only while a summoned department has not arrived', () => {
    expect(nextActions(record({ status: 'reported' }))).toEqual(['accept', 'cancel']);
    expect(nextActions(record({ status: 'registered' }))).toEqual(['dispatch', 'cancel']);
    expect(nextActions(record({ status: 'dispatched' }))).toEqual(['start', 'whistle']);
    const whistle = { id: 'w', tier: 'community' as const, type: 'routine' as const, at: 0, departments: ['d1'], reports: {} };
    expect(nextActions(record({ status: 'in_progress', whistles: [whistle] }))).toEqual(['resolve', 'whistle', 'report']);
    expect(nextActions(record({ status: 'in_progress', whistles: [{ ...whistle, reports: { d1: { acknowledgedAt: 1, arrivedAt: 2 } } }] }))).toEqual(['resolve', 'whistle']);
    expect(nextActions(record({ status: 'closed' }))).toEqual(['rate']);
    expect(nextActions(record({ status: 'closed', satisfaction: 5 }))).toEqual([]);
  });
});

describe('the dispatch deadline from the form', () => {
  it('sends hours for a preset, an ISO time for a date and time, and nothing for the category’s SLA', () => {
    expect(deadlineFields('sla', undefined)).toEqual({});
    expect(deadlineFields(undefined, undefined)).toEqual({});
    expect(deadlineFields('24', undefined)).toEqual({ deadlineHours: 24 });
    const at = Date.parse('2026-11-23T09:30:00Z');
    expect(deadlineInputTime(at)).toBe('2026-11-23T17:30');
    expect(deadlineFields('at', deadlineInputTime(at))).toEqual({ deadline: new Date(at).toISOString() });
    // the officer types the city's time (UTC+8)
    expect(deadlineFields('at', '2026-11-23T09:30')).toEqual({ deadline: '2026-11-23T01:30:00.000Z' });
    // an unreadable time goes to the server as it is, to be refused there with the field named
    expect(deadlineFields('at', 'soon')).toEqual({ deadline: 'soon' });
    expect(deadlineFields('at', undefined)).toEqual({ deadline: '' });
  });
});

describe('date-time boxes in the city’s time', () => {
  /** Runs `body` with this process in another time zone (Node reads TZ again when it changes). */
  const inZone = (zone: string, body: () => void) => {
    const before = process.env.TZ;
    process.env.TZ = zone;
    try {
      body();
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  };

  it('writes and reads UTC+8 whatever the PC’s zone, across the city’s midnight', () => {
    const t = Date.parse('2026-11-22T16:05:09Z'); // 00:05:09 on the 23rd in the city
    // each zone's offset from UTC at t, in getTimezoneOffset's minutes (Chatham is on its summer time, +13:45)
    const offsets: Record<string, number> = { UTC: 0, 'America/Los_Angeles': 480, 'Asia/Shanghai': -480, 'Pacific/Chatham': -825 };
    for (const [zone, offset] of Object.entries(offsets)) {
      inZone(zone, () => {
        expect(new Date(t).getTimezoneOffset(), `${zone} in effect`).toBe(offset);
        expect(cityInputTime(t), zone).toBe('2026-11-23T00:05:09');
        expect(cityInputTime(t, 'minutes'), zone).toBe('2026-11-23T00:05');
        expect(cityInputTime(t + 250, 'milliseconds'), zone).toBe('2026-11-23T00:05:09.250');
        expect(clockDateTime(t), zone).toBe('2026-11-23 00:05:09');
        expect(fromCityInputTime('2026-11-23T00:05:09'), zone).toBe(t);
        expect(fromCityInputTime('2026-11-23T00:05'), zone).toBe(t - 9_000);
        expect(fromCityInputTime('2026-11-23T00:05:09.250'), zone).toBe(t + 250);
      });
    }
  });

  it('reads nothing from what is not a date-time, and writes nothing for a time that is not finite', () => {
    for (const bad of ['', 'soon', '2026-11-23', '2026-11-23 00:05', '2026-11-23T00:05Z', '2026-11-23T00:05+08:00']) {
      expect(fromCityInputTime(bad), bad).toBeNaN();
    }
    expect(cityInputTime(Number.NaN)).toBe('');
    expect(clockDateTime(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('the live feed follows the officer’s scope', () => {
  const officer = { name: 'z', role: 'officer' as const, scope: ['530102', '530103'] };
  it('moves a page outside the scope to the first allowed area, keeping the other parameters', () => {
    expect(scopedLocation('?sel=530102001&case=c1', officer)).toBe('?sel=530102001&case=c1&area=530102');
    expect(scopedLocation('?area=city&lang=en', officer)).toBe('?area=530102&lang=en');
    expect(scopedLocation('?area=530104', officer)).toBe('?area=530102');
  });
  it('leaves a page already inside the scope, or any page of a whole-city officer', () => {
    expect(scopedLocation('?area=530103002', officer)).toBeNull();
    expect(scopedLocation('?area=530102', officer)).toBeNull();
    expect(scopedLocation('', { ...officer, scope: ['city'] })).toBeNull();
  });
});
