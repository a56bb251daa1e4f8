/**
 * The desk view's 部门报到 list on its own: at most DEPARTMENTS_LISTED departments, the most often late first, with
 * the count of all summoned, so the panel can say how many it leaves out.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentRecord } from '../../protocol/transition';
import { areaDesk, DEPARTMENTS_LISTED } from '../../server/search/grid-desk';
import { wallCity } from '../browser/helpers/wall-city';

const GRID = '530102001001005';
const MIN = 60_000;

describe('the desk’s departments', () => {
  it('lists the most often late first, cuts the list, and counts every department summoned', () => {
    const now = Date.parse('2026-11-23T10:00:00+08:00');
    const departments = Array.from({ length: DEPARTMENTS_LISTED + 2 }, (_, i) => `dept-${String(i).padStart(2, '0')}`);
    // one emergency whistle (30 min) an hour ago: every department arrived in 10 minutes but dept-13, which never came
    const reports = Object.fromEntries(departments.filter((d) => d !== 'dept-13').map((d) => [d, { acknowledgedAt: now - 55 * MIN, arrivedAt: now - 50 * MIN }]));
    const incident = {
      id: 'c1', grid: GRID, location: [102.7, 25.04], category: 'other', channel: 'other', priority: 'normal', status: 'in_progress',
      reportedAt: now - 90 * MIN, departments: [], whistles: [{ id: 'w1', tier: 'street', type: 'emergency', at: now - 60 * MIN, departments, reports }],
    } as unknown as IncidentRecord;
    const desk = areaDesk(wallCity(), [incident], '530102', now);
    expect(desk.departmentsSummoned).toBe(DEPARTMENTS_LISTED + 2);
    expect(desk.departments).toHaveLength(DEPARTMENTS_LISTED);
    expect(desk.departments[0]).toEqual({ department: 'dept-13', summoned: 1, arrived: 0, late: 1, pending: 0, meanReportMinutes: null });
    expect(desk.departments.slice(1).map((d) => d.department)).toEqual(departments.slice(0, DEPARTMENTS_LISTED - 1));
    expect(desk.departments[1]).toMatchObject({ arrived: 1, late: 0, meanReportMinutes: 10 });
  });
});
