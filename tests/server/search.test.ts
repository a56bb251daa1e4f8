/**
 * The desk's lookups over HTTP against a real server: search by grid code, community and street name (Chinese and
 * pinyin initials), incident id and address text, all scoped; and an area's desk view (open cases, recently closed
 * with satisfaction, the departments' 报到 record, the 居民一家亲 board, centres within 15 minutes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { UserDirectory } from '../../server/auth/users';
import { AreaSearch, normalise } from '../../server/search/area-search';
import { wallCity, wallGridCentre } from '../browser/helpers/wall-city';
import { startTestServer, type TestServer } from './helpers/test-server';

const city = wallCity();
const GRID = '530102001001005';
const OTHER_DISTRICT_GRID = '530103001001001';
const MIN = 60_000;

interface Hit {
  kind: 'area' | 'incident';
  code?: string;
  id?: string;
  name?: string;
  level?: string;
  path?: string[];
  match: string;
}

describe('desk search and area desk view', () => {
  let t: TestServer;
  let officerCookie = '';
  /** the fixture's "now": its events are placed relative to it */
  let base = 0;
  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-search-'));
    UserDirectory.open(dataDir).upsert({ name: 'officer-wuhua', role: 'officer', scope: ['530102'], password: 'officer password 1' });
    t = await startTestServer({ dataDir, geodata: city });
    const now = Date.now();
    base = now;
    const iso = (ms: number) => new Date(ms).toISOString();
    const events: IncomingEvent[] = [
      { id: 'e1', type: 'incident.reported', at: iso(now - 90 * MIN), crs: 'wgs84', incident: { id: 'case-litter-1', location: wallGridCentre(city, GRID), category: 'env.litter', channel: 'other', title: '垃圾堆放', address: '翠湖南路12号' } },
      { id: 'e2', type: 'incident.reported', at: iso(now - 80 * MIN), crs: 'wgs84', incident: { id: 'case-noise-2', location: wallGridCentre(city, GRID), category: 'env.noise', channel: 'other', title: '夜间施工噪音' } },
      { id: 'e3', type: 'incident.registered', incidentId: 'case-noise-2', at: iso(now - 79 * MIN) },
      { id: 'e4', type: 'incident.dispatched', incidentId: 'case-noise-2', at: iso(now - 78 * MIN), departments: ['530102001-urban-management'] },
      { id: 'e4b', type: 'incident.started', incidentId: 'case-noise-2', at: iso(now - 70 * MIN) },
      { id: 'e5', type: 'incident.resolved', incidentId: 'case-noise-2', at: iso(now - 60 * MIN) },
      { id: 'e6', type: 'incident.verified', incidentId: 'case-noise-2', at: iso(now - 59 * MIN), passed: true },
      { id: 'e7', type: 'incident.closed', incidentId: 'case-noise-2', at: iso(now - 58 * MIN) },
      { id: 'e8', type: 'incident.rated', incidentId: 'case-noise-2', at: iso(now - 57 * MIN), satisfaction: 5 },
      { id: 'e9', type: 'incident.reported', at: iso(now - 30 * MIN), crs: 'wgs84', incident: { id: 'case-panlong-3', location: wallGridCentre(city, OTHER_DISTRICT_GRID), category: 'other', channel: 'other', address: '翠湖北路1号' } },
      // the litter case summons district departments twice: a 15-minute whistle that the police answer in 10 minutes
      // and housing never does (late), then a routine whistle (24 h) the police have not answered yet (pending)
      { id: 'e10', type: 'incident.registered', incidentId: 'case-litter-1', at: iso(now - 75 * MIN) },
      { id: 'e11', type: 'incident.dispatched', incidentId: 'case-litter-1', at: iso(now - 74 * MIN), departments: ['530102001-urban-management'] },
      { id: 'e12', type: 'incident.started', incidentId: 'case-litter-1', at: iso(now - 70 * MIN) },
      { id: 'e13', type: 'incident.whistled', incidentId: 'case-litter-1', at: iso(now - 60 * MIN), whistleId: 'w-a', tier: 'street', whistleType: 'emergency', departments: ['530102-public-security', '530102-housing'], reportWithinMinutes: 15 },
      { id: 'e14', type: 'department.reported', incidentId: 'case-litter-1', at: iso(now - 58 * MIN), whistleId: 'w-a', department: '530102-public-security', stage: 'acknowledged' },
      { id: 'e15', type: 'department.reported', incidentId: 'case-litter-1', at: iso(now - 55 * MIN), whistleId: 'w-a', department: '530102-housing', stage: 'acknowledged' },
      { id: 'e16', type: 'department.reported', incidentId: 'case-litter-1', at: iso(now - 50 * MIN), whistleId: 'w-a', department: '530102-public-security', stage: 'arrived' },
      // a whistle of yesterday, past the desk's last-day window, on another grid of the district: not counted
      { id: 'e18', type: 'incident.reported', at: iso(now - 26 * 60 * MIN), crs: 'wgs84', incident: { id: 'case-old-4', location: wallGridCentre(city, '530102001001001'), category: 'other', channel: 'other' } },
      { id: 'e19', type: 'incident.registered', incidentId: 'case-old-4', at: iso(now - 26 * 60 * MIN + MIN) },
      { id: 'e20', type: 'incident.whistled', incidentId: 'case-old-4', at: iso(now - 25 * 60 * MIN), whistleId: 'w-old', tier: 'street', whistleType: 'routine', departments: ['530102-housing'] },
      { id: 'e17', type: 'incident.whistled', incidentId: 'case-litter-1', at: iso(now - 20 * MIN), whistleId: 'w-b', tier: 'street', whistleType: 'routine', departments: ['530102-public-security'] },
    ];
    const { status, json } = await t.post({ events });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.rejected, JSON.stringify(json.acks)).toBe(0);
    const login = await fetch(`${t.url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'officer-wuhua', password: 'officer password 1' }) });
    officerCookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  });
  afterAll(async () => {
    await t.close();
  });

  const search = async (q: string, cookie?: string): Promise<Hit[]> => {
    const res = await fetch(`${t.url}/api/v1/search?q=${encodeURIComponent(q)}`, cookie ? { headers: { cookie } } : {});
    expect(res.status).toBe(200);
    return ((await res.json()) as { hits: Hit[] }).hits;
  };

  it('finds a grid by its full 15-digit code, first', async () => {
    const hits = await search(GRID);
    expect(hits[0]).toMatchObject({ kind: 'area', code: GRID, level: 'grid', match: 'code', path: ['五华区', '华山街道', '翠湖社区'] });
  });

  it('finds a grid by full-width digits typed with a Chinese IME', async () => {
    expect(normalise('５３０１０２')).toBe('530102');
    const hits = await search('５３０１０２００１００１００５');
    expect(hits[0]?.code).toBe(GRID);
  });

  it('finds a community and a street by Chinese name, the higher level before its grids', async () => {
    const community = await search('翠湖');
    expect(community[0]).toMatchObject({ kind: 'area', code: '530102001001', name: '翠湖社区', level: 'community' });
    const street = await search('华山街道');
    expect(street[0]).toMatchObject({ code: '530102001', level: 'street' });
  });

  it('matches pinyin initials of a community name', async () => {
    const hits = await search('chsq');
    expect(hits[0]).toMatchObject({ code: '530102001001', name: '翠湖社区', match: 'pinyin' });
  });

  it('finds an incident by id and by address text', async () => {
    const byId = await search('case-litter-1');
    expect(byId[0]).toMatchObject({ kind: 'incident', id: 'case-litter-1', match: 'id' });
    const byAddress = await search('翠湖南路');
    expect(byAddress.filter((h) => h.kind === 'incident').map((h) => h.id)).toEqual(['case-litter-1']);
  });

  it('leaves out areas and incidents outside an officer’s scope', async () => {
    const all = await search('翠湖北路');
    expect(all.map((h) => h.id)).toContain('case-panlong-3');
    const scoped = await search('翠湖北路', officerCookie);
    expect(scoped.map((h) => h.id)).not.toContain('case-panlong-3');
    const districts = await search('盘龙', officerCookie);
    expect(districts).toEqual([]);
  });

  it('refuses a missing query naming the parameter', async () => {
    const res = await fetch(`${t.url}/api/v1/search`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: Array<{ field: string }> } };
    expect(body.error.fields[0]?.field).toBe('q');
  });

  it('the desk view of a grid lists open and closed cases, the board and centres within 15 minutes', async () => {
    const res = await fetch(`${t.url}/api/v1/desk/${GRID}`);
    expect(res.status).toBe(200);
    const desk = (await res.json()) as {
      open: Array<{ id: string }>;
      closed: Array<{ id: string; satisfaction: number }>;
      serviceCentres: Array<{ id: string; distanceM: number; own: boolean }>;
      board: { topics: Array<{ category: string; count: number }>; reports: Array<{ incidentId: string }>; echoes: Array<{ incidentId: string; satisfaction: number; minutes: number }> };
    };
    expect(desk.open.map((i) => i.id)).toEqual(['case-litter-1']);
    expect(desk.closed).toMatchObject([{ id: 'case-noise-2', satisfaction: 5 }]);
    expect(desk.board.echoes).toEqual([expect.objectContaining({ incidentId: 'case-noise-2', satisfaction: 5, minutes: 22 })]);
    expect(desk.board.reports.map((r) => r.incidentId)).toEqual(['case-noise-2', 'case-litter-1']); // newest first
    expect(desk.board.topics.map((x) => x.category).sort()).toEqual(['env.litter', 'env.noise']);
    // the grid's community station is ~0.5 km away: inside the 956 m circle; the other district's centres are not
    expect(desk.serviceCentres.map((c) => c.id)).toContain('sc-530102001001');
    expect(desk.serviceCentres.every((c) => c.distanceM <= 956 || c.own)).toBe(true);
    expect(desk.serviceCentres.map((c) => c.id)).not.toContain('sc-530103');
  });

  it('the desk view tells how each department summoned to the area reported, the most often late first', async () => {
    const desk = (await (await fetch(`${t.url}/api/v1/desk/530102`)).json()) as { departments: unknown[]; departmentsSummoned: number };
    expect(desk.departmentsSummoned).toBe(2);
    expect(desk.departments).toEqual([
      { department: '530102-housing', summoned: 1, arrived: 0, late: 1, pending: 0, meanReportMinutes: null },
      { department: '530102-public-security', summoned: 2, arrived: 1, late: 0, pending: 1, meanReportMinutes: 10 },
    ]);
    // another district's grid: none of these whistles
    const other = (await (await fetch(`${t.url}/api/v1/desk/${OTHER_DISTRICT_GRID}`)).json()) as { departments: unknown[] };
    expect(other.departments).toEqual([]);
  });

  interface DeskAt {
    at: number;
    open: Array<{ id: string; status: string }>;
    closed: Array<{ id: string; satisfaction?: number }>;
    departments: unknown[];
    departmentsSummoned: number;
    board: { echoes: unknown[] };
  }
  const deskAt = async (code: string, at: number | string): Promise<DeskAt> => {
    const res = await fetch(`${t.url}/api/v1/desk/${code}?at=${encodeURIComponent(String(at))}`);
    const body = await res.text();
    expect(res.status, body).toBe(200);
    return JSON.parse(body) as DeskAt;
  };

  it('?at= gives the desk view as it stood at a past instant: open, closed and 报到 then, not now', async () => {
    // 65 min ago: both cases open, nothing closed, no whistle blown yet
    const before = await deskAt(GRID, base - 65 * MIN);
    expect(before.at).toBe(base - 65 * MIN);
    expect(before.open.map((i) => i.id).sort()).toEqual(['case-litter-1', 'case-noise-2']);
    expect(before.closed).toEqual([]);
    expect(before.departments).toEqual([]);
    // 52 min ago: the noise case closed and rated; the 15-minute whistle 8 minutes old, both departments still within it
    const during = await deskAt('530102', new Date(base - 52 * MIN).toISOString());
    expect(during.closed).toMatchObject([{ id: 'case-noise-2', satisfaction: 5 }]);
    expect(during.board.echoes).toHaveLength(1);
    expect(during.departments).toEqual([
      { department: '530102-housing', summoned: 1, arrived: 0, late: 0, pending: 1, meanReportMinutes: null },
      { department: '530102-public-security', summoned: 1, arrived: 0, late: 0, pending: 1, meanReportMinutes: null },
    ]);
    // 24.5 h ago: the window reaches back into the day before, to yesterday's whistle (now out of the live view's)
    const yesterday = await deskAt('530102', base - (24 * 60 + 30) * MIN);
    expect(yesterday.open.map((i) => i.id)).toEqual(['case-old-4']);
    expect(yesterday.departments).toEqual([{ department: '530102-housing', summoned: 1, arrived: 0, late: 0, pending: 1, meanReportMinutes: null }]);
    // and the view at the present instant is the live one
    const live = (await (await fetch(`${t.url}/api/v1/desk/530102`)).json()) as DeskAt;
    const folded = await deskAt('530102', live.at);
    expect(folded.departments).toEqual(live.departments);
    expect(folded.closed).toEqual(live.closed);
  });

  it('?at= is checked: not an instant, or in the future, is refused naming the field', async () => {
    for (const [at, reason, code, params] of [
      ['banana', 'must be an ISO 8601 time with offset or epoch milliseconds', 'bad_format', {}],
      [String(Date.now() + 10 * MIN), 'must not be in the future', 'too_far_ahead', { minutes: '1' }],
    ] as const) {
      const res = await fetch(`${t.url}/api/v1/desk/${GRID}?at=${at}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { fields: Array<{ field: string; reason: string }> } };
      expect(body.error.fields).toEqual([{ field: 'at', reason, code, params }]);
    }
  });

  it('the desk view is scoped: an officer of 五华区 may not read 盘龙区', async () => {
    const res = await fetch(`${t.url}/api/v1/desk/${OTHER_DISTRICT_GRID}`, { headers: { cookie: officerCookie } });
    expect(res.status).toBe(403);
    const past = await fetch(`${t.url}/api/v1/desk/${OTHER_DISTRICT_GRID}?at=${Date.now() - MIN}`, { headers: { cookie: officerCookie } });
    expect(past.status).toBe(403);
    const session = await fetch(`${t.url}/api/v1/session`, { headers: { cookie: officerCookie } });
    expect(await session.json()).toEqual({ name: 'officer-wuhua', role: 'officer', scope: ['530102'] });
    expect((await fetch(`${t.url}/api/v1/session`)).status).toBe(401);
  });
});

const iso = (ms: number) => new Date(ms).toISOString();
const PANLONG_OFFICER = { name: 'officer-panlong', password: 'officer password 2' };

/**
 * A server that stored `events` and was restarted: the restart rebuilds the live state without the cases that ended
 * more than a day ago. Its directory also holds an officer of 盘龙区 (PANLONG_OFFICER), to check scope with.
 */
async function restartedAfter(events: object[]): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-search-old-'));
  UserDirectory.open(dataDir).upsert({ ...PANLONG_OFFICER, role: 'officer', scope: ['530103'] });
  const first = await startTestServer({ dataDir, geodata: city });
  try {
    const { status, json } = await first.post({ events });
    expect(json.rejected, JSON.stringify(json)).toBe(0);
    expect(status).toBe(200);
  } finally {
    await first.close();
  }
  return startTestServer({ dataDir, geodata: city });
}

/** The session cookie of PANLONG_OFFICER on `url`. */
async function panlongCookie(url: string): Promise<string> {
  const login = await fetch(`${url}/api/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PANLONG_OFFICER) });
  return (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

describe('a case found by its id after the live state let it go', () => {
  it('a case that ended two days ago is found by its exact id (after a restart evicted it), scoped, and opens; in playback, as it stood then', async () => {
    const then = Date.now() - 48 * 60 * MIN;
    const t = await restartedAfter([
      { id: 'o1', type: 'incident.reported', at: iso(then), crs: 'wgs84', incident: { id: 'case-closed-old', location: wallGridCentre(city, GRID), category: 'other', channel: 'other', title: '旧案' } },
      { id: 'o2', type: 'incident.cancelled', incidentId: 'case-closed-old', at: iso(then + MIN), reason: 'duplicate' },
    ]);
    try {
      const live = (await (await fetch(`${t.url}/api/v1/incidents?area=city`)).json()) as { incidents: unknown[] };
      expect(live.incidents).toEqual([]);
      const hits = ((await (await fetch(`${t.url}/api/v1/search?q=case-closed-old`)).json()) as { hits: Hit[] }).hits;
      expect(hits[0]).toMatchObject({ kind: 'incident', id: 'case-closed-old', match: 'id', status: 'cancelled' });
      expect(hits.filter((h) => h.id === 'case-closed-old')).toHaveLength(1);
      // not by a prefix or its text: only its own id reaches past the live state
      const prefix = ((await (await fetch(`${t.url}/api/v1/search?q=case-closed`)).json()) as { hits: Hit[] }).hits;
      expect(prefix.some((h) => h.id === 'case-closed-old')).toBe(false);
      // an officer of another district does not find it
      const scoped = ((await (await fetch(`${t.url}/api/v1/search?q=case-closed-old`, { headers: { cookie: await panlongCookie(t.url) } })).json()) as { hits: Hit[] }).hits;
      expect(scoped).toEqual([]);
      // and the hit opens: the case and its timeline
      const detail = (await (await fetch(`${t.url}/api/v1/incidents/case-closed-old`)).json()) as { incident: { status: string }; events: unknown[] };
      expect(detail.incident.status).toBe('cancelled');
      expect(detail.events).toHaveLength(2);
      // and as it stood at a past instant: between its report and its cancel, reported, with the one event then
      const caseAt = (at: string, headers: Record<string, string> = {}) => fetch(`${t.url}/api/v1/incidents/case-closed-old?at=${encodeURIComponent(at)}`, { headers });
      const between = await caseAt(iso(then + MIN / 2));
      expect(between.status).toBe(200);
      expect(await between.json()).toMatchObject({ incident: { id: 'case-closed-old', status: 'reported' }, events: [{ id: 'o1' }], at: then + MIN / 2 });
      const before = await caseAt(String(then - 30 * MIN));
      expect(before.status).toBe(404);
      expect(JSON.stringify(await before.json())).toContain(`reported at ${iso(then)}`);
      for (const bad of ['yesterday', String(Date.now() + 10 * 60 * MIN)]) {
        const refused = await caseAt(bad);
        expect(refused.status, bad).toBe(400);
        expect(JSON.stringify(await refused.json()), bad).toContain('"at"');
      }
      expect((await caseAt(String(then + MIN / 2), { cookie: await panlongCookie(t.url) })).status, 'scoped, at an instant too').toBe(403);
      // in playback, the id finds the case as it stood then: nothing before its report, cancelled after its end
      const at = async (ms: number) => ((await (await fetch(`${t.url}/api/v1/search?q=case-closed-old&at=${ms}`)).json()) as { hits: Hit[] }).hits;
      expect((await at(then - 30 * MIN)).filter((h) => h.kind === 'incident')).toEqual([]);
      expect((await at(Date.now() - MIN))[0]).toMatchObject({ kind: 'incident', id: 'case-closed-old', match: 'id', status: 'cancelled' });
      const scopedThen = ((await (await fetch(`${t.url}/api/v1/search?q=case-closed-old&at=${Date.now() - MIN}`, { headers: { cookie: await panlongCookie(t.url) } })).json()) as { hits: Hit[] }).hits;
      expect(scopedThen).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('search in playback (?at=)', () => {
  it('matches the cases as they stood at the instant: those of then with their status then, not those of now', async () => {
    const then = Date.now() - 40 * 60 * MIN;
    const t = await restartedAfter([
      { id: 'p1', type: 'incident.reported', at: iso(then), crs: 'wgs84', incident: { id: 'case-then', location: wallGridCentre(city, GRID), category: 'other', channel: 'other', title: '井盖缺失甲' } },
      { id: 'p2', type: 'incident.cancelled', incidentId: 'case-then', at: iso(then + 60 * MIN), reason: 'duplicate' },
      { id: 'p3', type: 'incident.reported', at: iso(Date.now() - MIN), crs: 'wgs84', incident: { id: 'case-now', location: wallGridCentre(city, GRID), category: 'other', channel: 'other', title: '井盖缺失乙' } },
    ]);
    try {
      const search = async (query: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${t.url}/api/v1/search?${query}`, { headers });
        return { status: res.status, body: (await res.json()) as { hits: Hit[] } };
      };
      const q = `q=${encodeURIComponent('井盖缺失')}`;
      expect((await search(q)).body.hits.map((h) => h.id)).toEqual(['case-now']);
      expect((await search(`${q}&at=${then + 30 * MIN}`)).body.hits).toEqual([expect.objectContaining({ kind: 'incident', id: 'case-then', match: 'text', status: 'reported' })]);
      expect((await search(`${q}&at=${encodeURIComponent(iso(then + 2 * 60 * MIN))}`)).body.hits).toEqual([expect.objectContaining({ id: 'case-then', status: 'cancelled' })]);
      // scoped as ever: an officer of another district finds nothing then either
      expect((await search(`${q}&at=${then + 30 * MIN}`, { cookie: await panlongCookie(t.url) })).body.hits).toEqual([]);
      // a bad or future instant is refused, naming the field
      for (const at of ['yesterday', String(Date.now() + 10 * 60 * MIN)]) {
        const bad = await search(`${q}&at=${encodeURIComponent(at)}`);
        expect(bad.status, at).toBe(400);
        expect(JSON.stringify(bad.body), at).toContain('"at"');
      }
    } finally {
      await t.close();
    }
  });
});

describe('area search ranking', () => {
  it('lists the areas under a typed code prefix in code order, higher levels first, whatever their names’ lengths', () => {
    const search = new AreaSearch([
      { code: '530102', name: '五华区', level: 'district', parent: '530100' },
      { code: '530102001', name: '华山街道', level: 'street', parent: '530102' },
      { code: '530102001001', name: '翠湖西路社区', level: 'community', parent: '530102001' },
      { code: '530102001002', name: '翠湖社区', level: 'community', parent: '530102001' },
      { code: '530102001003', name: '云南师范大学社区', level: 'community', parent: '530102001' },
      { code: '530102001004', name: '北门社区', level: 'community', parent: '530102001' },
    ]);
    expect(search.areasMatching('530102001', { scope: ['city'], limit: 10 }).map((h: { code: string }) => h.code)).toEqual([
      '530102001', '530102001001', '530102001002', '530102001003', '530102001004',
    ]);
    // by name, the shorter name first within a level (华山 finds the street before its grids; 翠湖 the short one)
    expect(search.areasMatching('翠湖', { scope: ['city'], limit: 10 }).map((h: { code: string }) => h.code)).toEqual(['530102001002', '530102001001']);
  });
});
