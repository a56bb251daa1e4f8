import { describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { IncomingEventSchema } from '../../protocol/events';
import { CityModel } from '../../server/simulator/city-model';
import { SimulationEngine, planWhistle } from '../../server/simulator/engine';
import { Random } from '../../server/simulator/random';
import { REPORT_LIMIT_MINUTES, reportLate } from '../../protocol/transition';
import { FakeIngest } from './fake-ingest';
import { testCity } from './test-city';

const START = Date.parse('2026-11-01T00:00:00+08:00');
const DAY = 86_400_000;

function run(seed: number, days: number, rate = 0.01): IncomingEvent[] {
  const engine = new SimulationEngine({ city: testCity(), seed, startAt: START, rate });
  const events: IncomingEvent[] = [];
  engine.advance(START + days * DAY, (event) => events.push(event));
  return events;
}

function ingestAll(events: IncomingEvent[]) {
  const server = new FakeIngest(testCity());
  server.ingest(events);
  return { state: server.state, refusals: server.refusals };
}

describe('the simulation engine', () => {
  it('makes the same events from the same seed, and different ones from another seed', () => {
    const a = run(7, 1);
    expect(a.length).toBeGreaterThan(500);
    expect(run(7, 1)).toEqual(a);
    expect(run(8, 1)).not.toEqual(a);
  });

  it('emits only events that validate against the wire schema and fold without a single refusal', () => {
    const events = run(11, 3);
    for (const event of events) expect(IncomingEventSchema.safeParse(event).success).toBe(true);
    const { state, refusals } = ingestAll(events);
    expect(refusals).toEqual([]);
    expect(state.incidents.size).toBeGreaterThan(100);
    for (const record of state.incidents.values()) expect(record.grid).toMatch(/^\d{15}$/);
  });

  it('emits events in time order', () => {
    const times = run(3, 1).map((e) => Date.parse(e.at));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
  });

  it('reports each channel in its own coordinate system', () => {
    const reports = run(5, 1).filter((e): e is Extract<IncomingEvent, { type: 'incident.reported' }> => e.type === 'incident.reported');
    const crsByChannel = new Map<string, Set<string>>();
    for (const r of reports) (crsByChannel.get(r.incident.channel) ?? crsByChannel.set(r.incident.channel, new Set()).get(r.incident.channel))?.add(r.crs ?? '');
    expect([...(crsByChannel.get('mini-program') ?? [])]).toEqual(['gcj02']);
    expect([...(crsByChannel.get('hotline-12345') ?? [])]).toEqual(['bd09']);
    expect([...(crsByChannel.get('grid-patrol') ?? [])]).toEqual(['wgs84']);
  });

  it('takes cases through the whole lifecycle: some cancelled, some overdue and supervised, some failing verification, most rated', () => {
    const events = run(13, 4);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const reported = count('incident.reported');
    expect(count('incident.cancelled') / reported).toBeGreaterThan(0.02);
    expect(count('incident.supervised')).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'incident.verified' && !e.passed)).toBe(true);
    expect(count('incident.rated') / count('incident.closed')).toBeGreaterThan(0.5);
    expect(count('department.reported')).toBeGreaterThan(count('incident.whistled'));
  });

  it('has most summoned departments arrive within the whistle’s report limit, some late, and resolves no case before they arrive', () => {
    const engine = new SimulationEngine({ city: testCity(), seed: 13, startAt: START, rate: 0.01 });
    const events: IncomingEvent[] = [];
    const end = START + 6 * DAY;
    engine.advance(end, (event) => events.push(event));
    // the plan never tried an arrival on a case it had already resolved
    expect(engine.stats.dropped).toBe(0);
    const whistles = [...ingestAll(events).state.incidents.values()].flatMap((r) => r.whistles);
    expect(whistles.length).toBeGreaterThan(300);
    // some whistles name a tighter limit than their type's, as a written whistle order does
    const named = whistles.filter((w) => w.reportWithinMinutes !== undefined);
    expect(named.length / whistles.length).toBeGreaterThan(0.2);
    expect(named.length / whistles.length).toBeLessThan(0.4);
    for (const w of named) expect(w.reportWithinMinutes).toBeLessThan(REPORT_LIMIT_MINUTES[w.type]);
    const arrivals = whistles.flatMap((w) => w.departments.filter((d) => w.reports[d]?.arrivedAt !== undefined).map((d) => reportLate(w, d, end)));
    const onTime = arrivals.filter((late) => !late).length / arrivals.length;
    expect(onTime).toBeGreaterThan(0.9);
    expect(onTime).toBeLessThan(0.99);
  });

  it('summons departments of the level the whistle tier calls for', () => {
    const city = testCity();
    const level = new Map(city.departments.map((d) => [d.code, d.level]));
    const expected = { community: 'street', street: 'district', district: 'city' } as const;
    const whistles = run(17, 4, 0.02).filter((e): e is Extract<IncomingEvent, { type: 'incident.whistled' }> => e.type === 'incident.whistled');
    expect(whistles.length).toBeGreaterThan(30);
    for (const w of whistles) for (const d of w.departments) expect(level.get(d)).toBe(expected[w.tier]);
  });

  it('splits whistle tiers close to Kunming\'s 17,532 : 1,651 : 43', () => {
    const random = new Random(23);
    const tiers = { community: 0, street: 0, district: 0 };
    for (let i = 0; i < 400_000; i++) {
      const whistle = planWhistle(random, 'social');
      if (whistle !== undefined) tiers[whistle.tier] += 1;
    }
    const total = tiers.community + tiers.street + tiers.district;
    expect(total / 400_000).toBeCloseTo(0.18, 2);
    expect(tiers.community / total).toBeCloseTo(17_532 / 19_226, 2);
    expect(tiers.street / total).toBeCloseTo(1_651 / 19_226, 2);
    expect(tiers.district / total).toBeGreaterThan(0.001);
    expect(tiers.district / total).toBeLessThan(0.004);
  });

  it('follows the time-of-day curve: more arrivals at 10:00 than at 03:00', () => {
    const reports = run(29, 3, 0.02).filter((e) => e.type === 'incident.reported');
    const hour = (e: IncomingEvent) => new Date(Date.parse(e.at) + 8 * 3_600_000).getUTCHours();
    const at10 = reports.filter((e) => hour(e) === 10).length;
    const at3 = reports.filter((e) => hour(e) === 3).length;
    expect(at10).toBeGreaterThan(5 * at3);
  });

  it('addresses a case by street, community and grid, without a name the next repeats', () => {
    const city = testCity();
    const model = new CityModel(city);
    const grid = city.grids.findIndex((g) => g.code.endsWith('001'));
    const code = city.grids[grid]!.code;
    const [street, community] = [city.areas!.get(code.slice(0, 9))!.name, city.areas!.get(code.slice(0, 12))!.name];
    expect(model.addressOf(grid)).toBe(`${street}${community}第1网格`);
    // grids named after their community, as the demo city's are (三合营社区第2网格): the community is said once
    city.grids[grid]!.name = `${community}第1网格`;
    expect(model.addressOf(grid)).toBe(`${street}${community}第1网格`);
  });

  it('refuses a bad rate, naming it', () => {
    expect(() => new SimulationEngine({ city: testCity(), seed: 1, startAt: START, rate: -1 })).toThrow(/^rate:/);
  });
});
