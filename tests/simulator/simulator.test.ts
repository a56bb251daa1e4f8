import { describe, expect, it } from 'vitest';
import { MAX_BATCH_EVENTS, type IncomingEvent } from '../../protocol/events';
import { backfill, createSimulator, type BackfillProgress } from '../../server/simulator/simulator';
import { FakeIngest } from './fake-ingest';
import { testCity } from './test-city';

const NOW = Date.parse('2026-11-22T12:00:00+08:00');
const HOUR = 3_600_000;

function collector() {
  const batches: IncomingEvent[][] = [];
  const sink = async (events: IncomingEvent[]): Promise<void> => {
    batches.push(events);
  };
  return { batches, sink, all: () => batches.flat() };
}

describe('the simulator', () => {
  it('backfills history in batches no larger than the ingest limit, all in the past, with progress to the end', async () => {
    const out = collector();
    const progress: BackfillProgress[] = [];
    const result = await backfill({ city: testCity(), seed: 3, days: 1, now: NOW, incidentsPerDay: 1500, sink: out.sink, onProgress: (p) => progress.push(p) });
    const events = out.all();
    expect(result.events).toBe(events.length);
    expect(events.length).toBeGreaterThan(5000);
    expect(out.batches.every((b) => b.length >= 1 && b.length <= MAX_BATCH_EVENTS)).toBe(true);
    expect(events.every((e) => Date.parse(e.at) <= NOW && Date.parse(e.at) >= NOW - 24 * HOUR)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: true, fraction: 1, events: events.length });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('goes live after a backfill, continuing the backfilled cases and emitting only what is due by the clock', async () => {
    const out = collector();
    let clock = NOW;
    const simulator = createSimulator({ city: testCity(), seed: 5, rate: 0.05, sink: out.sink, now: () => clock });
    await simulator.backfill({ days: 0.5, now: NOW, incidentsPerDay: 2000 });
    const history = out.all().length;
    const openCases = new Set(out.all().filter((e) => e.type === 'incident.reported').map((e) => (e as Extract<IncomingEvent, { type: 'incident.reported' }>).incident.id));
    clock = NOW + HOUR;
    const sent = await simulator.tick();
    const live = out.all().slice(history);
    expect(sent).toBe(live.length);
    expect(live.every((e) => Date.parse(e.at) > NOW && Date.parse(e.at) <= clock)).toBe(true);
    // Lifecycle events of cases reported during the backfill keep coming.
    expect(live.some((e) => e.type !== 'incident.reported' && openCases.has(e.incidentId))).toBe(true);
    // About rate × 3600 new reports in the hour (Poisson, shaped by the hour's intensity).
    const reports = live.filter((e) => e.type === 'incident.reported').length;
    expect(reports).toBeGreaterThan(60);
    expect(reports).toBeLessThan(500);
  });

  it('adopts the open cases of an earlier run after a restart and carries them to the end, legally', async () => {
    const city = testCity();
    const server = new FakeIngest(city);
    await backfill({ city, seed: 8, days: 0.5, now: NOW, incidentsPerDay: 2000, sink: async (events) => server.ingest(events) });
    const open = [...server.state.incidents.values()].filter((r) => r.status !== 'closed' && r.status !== 'cancelled');
    expect(open.length).toBeGreaterThan(20);
    let clock = NOW + 10 * 60_000;
    const restarted = createSimulator({ city, seed: 8, rate: 0, sink: async (events) => server.ingest(events), now: () => clock });
    expect(restarted.adopt(open)).toBe(open.length);
    clock += 30 * 86_400_000; // long past the slowest plan: a week-long SLA with a log-normal tail
    await restarted.tick();
    expect(server.refusals).toEqual([]);
    for (const record of open) expect(['closed', 'cancelled']).toContain(server.state.incidents.get(record.id)?.status);
  });

  it('is reproducible: the same seed and clock give the same batches', async () => {
    const run = async () => {
      const out = collector();
      await backfill({ city: testCity(), seed: 42, days: 0.25, now: NOW, incidentsPerDay: 2000, sink: out.sink });
      return out.all();
    };
    expect(await run()).toEqual(await run());
  });

  it('runs live on a timer, waits for the batch in flight when stopped, and survives a failing sink', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    let clock = NOW;
    const simulator = createSimulator({
      city: testCity(),
      seed: 1,
      rate: 5,
      tickMs: 20,
      now: () => (clock += 60_000),
      sink: async () => {
        calls += 1;
        if (calls === 1) throw new Error('ingest down');
      },
      onError: (error) => errors.push(error),
    });
    simulator.start();
    expect(simulator.running).toBe(true);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (calls >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 10);
    });
    await simulator.stop();
    expect(simulator.running).toBe(false);
    expect(errors).toHaveLength(1);
    expect(simulator.stats.incidents).toBeGreaterThan(0);
  });

  it('refuses a backfill once live, and bad options, naming them', async () => {
    const out = collector();
    const simulator = createSimulator({ city: testCity(), seed: 1, rate: 0.01, sink: out.sink, now: () => NOW });
    await expect(simulator.backfill({ days: 0 })).rejects.toThrow(/^days:/);
    await expect(simulator.backfill({ days: 1, incidentsPerDay: -1 })).rejects.toThrow(/^incidentsPerDay:/);
    await simulator.tick();
    await expect(simulator.backfill({ days: 1 })).rejects.toThrow(/only before/);
    await expect(createSimulator({ city: { ...testCity(), departments: [] }, seed: 1, rate: 1, sink: out.sink }).tick()).rejects.toThrow(/departments/);
  });
});
