/**
 * The behaviour every EventStore must have, written once and run against each backend by event-store.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, EventToAppend } from '../../server/store/event-store';
import { StoreClosedError, StoreConflictError, StoreInputError } from '../../server/store/errors';
import type { Backend, StoreLocation } from './backends';
import { cancelled, fixtureTime, GRIDS, lifecycle, reported } from './fixtures';

export function eventStoreBehaviour(backend: Backend): void {
  let location: StoreLocation;
  let store: EventStore;
  const opened: EventStore[] = [];

  async function open(): Promise<EventStore> {
    const instance = await location.open();
    opened.push(instance);
    return instance;
  }

  beforeEach(async () => {
    location = await backend.newLocation();
    store = await open();
  });

  afterEach(async () => {
    for (const instance of opened.splice(0)) await instance.close();
    await location.remove();
  });

  async function allSeqs(from = store): Promise<number[]> {
    return (await from.readSeqRange(0)).map((event) => event.seq);
  }

  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  describe('seq', () => {
    it('numbers events 1, 2, 3 … in the order of one batch', async () => {
      const acks = await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.panlong), reported('c', GRIDS.wuhuaB)]);
      expect(acks.map((ack) => [ack.id, ack.seq, ack.duplicate])).toEqual([
        ['a-reported', 1, false],
        ['b-reported', 2, false],
        ['c-reported', 3, false],
      ]);
      expect(await store.headSeq()).toBe(3);
    });

    it('stays gap-free when many appends run concurrently, numbering them in the order they were called', async () => {
      const calls = Array.from({ length: 40 }, (_, call) =>
        store.append(Array.from({ length: (call % 3) + 1 }, (_, k) => reported(`inc-${call}-${k}`, GRIDS.wuhuaA, call))),
      );
      const acks = (await Promise.all(calls)).flat();
      expect(acks.map((ack) => ack.seq).sort((x, y) => x - y)).toEqual(range(acks.length));
      expect(await allSeqs()).toEqual(range(acks.length));
      const inCallOrder = (await Promise.all(calls)).flatMap((batch) => batch.map((ack) => ack.seq));
      expect(inCallOrder).toEqual(range(acks.length));
    });

    it('commits a flood larger than one transaction takes, each call contiguous and the whole log gap-free', async () => {
      const calls = range(12).map((call) => store.append(range(1000).map((i) => reported(`f${call}-${i}`, GRIDS.wuhuaA, i))));
      const batches = await Promise.all(calls);
      for (const acks of batches) {
        const first = acks[0]?.seq ?? 0;
        expect(acks.map((ack) => ack.seq)).toEqual(range(1000).map((i) => first + i - 1));
      }
      expect(await store.headSeq()).toBe(12_000);
      let count = 0;
      for await (const page of store.streamSeqRange(0)) {
        for (const event of page) expect(event.seq).toBe(++count);
      }
      expect(count).toBe(12_000);
    });

    it('reports 0 as the head of an empty log', async () => {
      expect(await store.headSeq()).toBe(0);
      expect(await store.readSeqRange(0)).toEqual([]);
    });
  });

  describe('idempotent ids', () => {
    it('answers a retried id with its original seq and grid, and writes nothing', async () => {
      await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.wuhuaB)]);
      const retry = reported('a', GRIDS.panlong);
      retry.projection = { ...retry.projection, status: 'changed-by-retry' };
      const [ack] = await store.append([retry]);
      expect(ack).toEqual({ id: 'a-reported', seq: 1, grid: GRIDS.wuhuaA, duplicate: true });
      expect(await store.headSeq()).toBe(2);
      expect((await store.getIncident('a'))?.status).toBe('reported');
      expect(await store.rollups('city', '2026-11-22', '2026-11-22')).toEqual([
        { area: 'city', day: '2026-11-22', type: 'incident.reported', count: 2 },
      ]);
      expect(await store.openIncidents(GRIDS.panlong.slice(0, 6))).toEqual([]);
    });

    it('stores an id repeated inside one batch once', async () => {
      const acks = await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.wuhuaA), reported('a', GRIDS.wuhuaA)]);
      expect(acks.map((ack) => [ack.seq, ack.duplicate])).toEqual([
        [1, false],
        [2, false],
        [1, true],
      ]);
      expect(await allSeqs()).toEqual([1, 2]);
    });

    it('stores an id sent by concurrent appends once, and answers both with the same seq', async () => {
      const results = await Promise.all(range(6).map(() => store.append([reported('same', GRIDS.wuhuaA)])));
      const acks = results.flat();
      expect(new Set(acks.map((ack) => ack.seq))).toEqual(new Set([1]));
      expect(acks.filter((ack) => !ack.duplicate)).toHaveLength(1);
      expect(await allSeqs()).toEqual([1]);
    });
  });

  describe('all-or-nothing batches', () => {
    it('writes none of a batch that fails mid-way, while batches committed with it succeed', async () => {
      const broken = reported('c', GRIDS.wuhuaA, 2);
      broken.projection = { ...broken.projection, doc: { count: 10n } }; // a BigInt cannot be stored as JSON
      const outcomes = await Promise.allSettled([
        store.append([reported('before', GRIDS.panlong)]),
        store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.wuhuaA, 1), broken]),
        store.append([reported('after', GRIDS.panlong, 3)]),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const failure = (outcomes[1] as PromiseRejectedResult).reason as StoreInputError;
      expect(failure).toBeInstanceOf(StoreInputError);
      expect(failure.fields[0]?.field).toBe('events[2].projection.doc');
      expect(failure.message).toMatch(/BigInt/);

      expect(await allSeqs()).toEqual([1, 2]);
      expect(await store.getEvent('a-reported')).toBeUndefined();
      expect(await store.getEvent('b-reported')).toBeUndefined();
      expect(await store.getIncident('a')).toBeUndefined();
      expect(await store.openIncidents(GRIDS.wuhuaA.slice(0, 6))).toEqual([]);
      expect(await store.rollups('530102', '2026-11-22', '2026-11-22')).toEqual([]);
      const [next] = await store.append([reported('a', GRIDS.wuhuaA)]);
      expect(next).toMatchObject({ seq: 3, duplicate: false });
    });

    it('writes nothing of a failing batch that commits alone', async () => {
      await store.append([reported('first', GRIDS.wuhuaA)]);
      const broken = lifecycle('incident.registered', 'first', GRIDS.wuhuaA, 1, 'registered');
      broken.projection = { ...broken.projection, doc: { toJSON: () => { throw new Error('doc refused'); } } };
      await expect(store.append([reported('second', GRIDS.wuhuaB), broken])).rejects.toThrow(/events\[1\]\.projection\.doc: cannot be stored as JSON \(doc refused\)/);
      expect(await allSeqs()).toEqual([1]);
      expect((await store.getIncident('first'))?.status).toBe('reported');
      expect(await store.getIncident('second')).toBeUndefined();
      expect((await store.rollups('city', '2026-11-22', '2026-11-22')).map((r) => r.count)).toEqual([1]);
    });

    it('refuses malformed input with the field and the reason, writing nothing', async () => {
      const badGrid = reported('x', '5301');
      const badProjection = reported('y', GRIDS.wuhuaA);
      badProjection.projection = { ...badProjection.projection, id: 'someone-else' };
      const error = await store.append([reported('ok', GRIDS.wuhuaA), badGrid, badProjection]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreInputError);
      expect((error as StoreInputError).fields.map((f) => f.field)).toEqual(['events[1].grid', 'events[1].projection.grid', 'events[2].projection.id']);
      expect((error as StoreInputError).fields[0]?.reason).toBe('must be a 15 digit grid code');
      expect(await store.headSeq()).toBe(0);
      await expect(store.readSeqRange(-1)).rejects.toThrow(/fromSeqExclusive: must be a whole number ≥ 0/);
      await expect(store.openIncidents('5301')).rejects.toThrow(/area: must be `city` or a 6, 9, 12 or 15 digit area code/);
      await expect(store.rollups('city', '2026-11-22', '22/11/2026')).rejects.toThrow(/toDay: must be a calendar day/);
    });
  });

  describe('queries', () => {
    async function seedCity(): Promise<void> {
      await store.append([
        reported('w1', GRIDS.wuhuaA, 0), // seq 1
        reported('p1', GRIDS.panlong, 10), // seq 2
        reported('w2', GRIDS.wuhuaB, 20), // seq 3
        reported('w3', GRIDS.wuhuaOtherStreet, 30), // seq 4
        lifecycle('incident.registered', 'w1', GRIDS.wuhuaA, 40, 'registered'), // seq 5
        lifecycle('incident.registered', 'p1', GRIDS.panlong, 50, 'registered'), // seq 6
      ]);
    }

    it('reads a seq range, filtered to an area prefix and limited', async () => {
      await seedCity();
      expect((await store.readSeqRange(1, 4)).map((e) => e.seq)).toEqual([2, 3, 4]);
      expect((await store.readSeqRange(0, undefined, '530102')).map((e) => e.seq)).toEqual([1, 3, 4, 5]);
      expect((await store.readSeqRange(0, undefined, '530102001')).map((e) => e.seq)).toEqual([1, 3, 5]);
      expect((await store.readSeqRange(0, undefined, GRIDS.panlong)).map((e) => e.seq)).toEqual([2, 6]);
      expect((await store.readSeqRange(0, undefined, 'city', 2)).map((e) => e.seq)).toEqual([1, 2]);
      expect((await store.readSeqRange(6)).length).toBe(0);
    });

    it('returns events as stored: the event with seq, grid and recordedAt', async () => {
      const before = Date.now();
      await seedCity();
      const event = await store.getEvent('p1-reported');
      const sent = reported('p1', GRIDS.panlong, 10).event;
      expect(event).toMatchObject({ ...sent, seq: 2, grid: GRIDS.panlong });
      expect(event?.recordedAt).toBeGreaterThanOrEqual(before);
      expect(event?.recordedAt).toBeLessThanOrEqual(Date.now());
      expect(await store.getEvent('nope')).toBeUndefined();
    });

    it('finds the stored ones among many ids in one call, with their seq and grid', async () => {
      await seedCity();
      const found = await store.findEvents(['p1-reported', 'nope', 'w1-reported', 'p1-reported']);
      expect([...found.values()].sort((x, y) => x.seq - y.seq)).toEqual([
        { id: 'w1-reported', seq: 1, grid: GRIDS.wuhuaA },
        { id: 'p1-reported', seq: 2, grid: GRIDS.panlong },
      ]);
      expect((await store.findEvents([])).size).toBe(0);
      await expect(store.findEvents(['ok', '' as string, 7 as unknown as string])).rejects.toMatchObject({
        fields: [
          { field: 'ids[1]', reason: 'must be a non-empty string' },
          { field: 'ids[2]', reason: 'must be a non-empty string' },
        ],
      });
    });

    it('reads the projection rows of many incidents in one call, each with its last seq', async () => {
      await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.panlong, 1)]);
      await store.append([lifecycle('incident.registered', 'a', GRIDS.wuhuaA, 2, 'registered')]);
      const rows = await store.getIncidents(['a', 'b', 'missing']);
      expect([...rows.keys()].sort()).toEqual(['a', 'b']);
      expect(rows.get('a')).toMatchObject({ id: 'a', grid: GRIDS.wuhuaA, status: 'registered', lastSeq: 3 });
      expect(rows.get('b')).toMatchObject({ id: 'b', grid: GRIDS.panlong, status: 'reported', lastSeq: 2 });
      expect(await store.getIncident('a')).toEqual(rows.get('a'));
    });

    it('streams a seq range in pages that cover it exactly once', async () => {
      await seedCity();
      const pages: number[][] = [];
      for await (const page of store.streamSeqRange(1, undefined, { pageSize: 2 })) pages.push(page.map((e) => e.seq));
      expect(pages).toEqual([[2, 3], [4, 5], [6]]);
      const district: number[] = [];
      for await (const page of store.streamSeqRange(0, 4, { area: '530102', pageSize: 1 })) district.push(...page.map((e) => e.seq));
      expect(district).toEqual([1, 3, 4]);
    });

    it('reads a time range within an area, inclusive, paged by afterSeq', async () => {
      await seedCity();
      const wuhua = { from: fixtureTime(0), to: fixtureTime(40), area: '530102' };
      expect((await store.readTimeRange(wuhua)).map((e) => e.seq)).toEqual([1, 3, 4, 5]);
      expect((await store.readTimeRange({ ...wuhua, from: fixtureTime(1), to: fixtureTime(39) })).map((e) => e.seq)).toEqual([3, 4]);
      expect((await store.readTimeRange({ ...wuhua, limit: 2 })).map((e) => e.seq)).toEqual([1, 3]);
      expect((await store.readTimeRange({ ...wuhua, afterSeq: 3, limit: 2 })).map((e) => e.seq)).toEqual([4, 5]);
      expect((await store.readTimeRange({ from: fixtureTime(10), to: fixtureTime(50), area: 'city' })).map((e) => e.seq)).toEqual([2, 3, 4, 5, 6]);
    });

    it("lists an incident's events in seq order", async () => {
      await seedCity();
      await store.append([lifecycle('incident.started', 'w1', GRIDS.wuhuaA, 60, 'in_progress')]);
      expect((await store.incidentEvents('w1')).map((e) => [e.seq, e.type])).toEqual([
        [1, 'incident.reported'],
        [5, 'incident.registered'],
        [7, 'incident.started'],
      ]);
    });

    it('lists open incidents of an area from the projection, leaving out closed and cancelled ones', async () => {
      await seedCity();
      await store.append([lifecycle('incident.closed', 'w2', GRIDS.wuhuaB, 60, 'closed'), cancelled('p1', GRIDS.panlong, 61)]);
      expect((await store.openIncidents('530102')).map((row) => [row.id, row.status])).toEqual([
        ['w1', 'registered'],
        ['w3', 'reported'],
      ]);
      expect((await store.openIncidents('city')).map((row) => row.id)).toEqual(['w1', 'w3']);
      expect(await store.openIncidents('530103')).toEqual([]);
      expect(await store.getIncident('w2')).toEqual({
        id: 'w2',
        grid: GRIDS.wuhuaB,
        status: 'closed',
        updatedAt: fixtureTime(60),
        doc: { status: 'closed', at: fixtureTime(60) },
        lastSeq: 7,
      });
    });

    it('lists the incidents live at an instant: reported before it, not ended before a cut-off, by area', async () => {
      // projection docs with the reducer's report and end times (the fixtures' docs carry neither)
      const doc = (e: EventToAppend, times: Record<string, number>): EventToAppend => ({ ...e, projection: { ...e.projection, doc: { status: e.projection.status, ...times } } });
      const t = fixtureTime;
      await store.append([
        doc(reported('a', GRIDS.wuhuaA, 0), { reportedAt: t(0) }),
        doc(reported('e', GRIDS.wuhuaOtherStreet, 5), { reportedAt: t(5) }),
        doc(reported('b', GRIDS.wuhuaB, 10), { reportedAt: t(10) }),
        doc(reported('c', GRIDS.panlong, 20), { reportedAt: t(20) }),
        doc(lifecycle('incident.closed', 'a', GRIDS.wuhuaA, 30, 'closed'), { reportedAt: t(0), closedAt: t(30) }),
        doc(lifecycle('incident.closed', 'e', GRIDS.wuhuaOtherStreet, 44, 'closed'), { reportedAt: t(5), closedAt: t(44) }),
        doc(reported('d', GRIDS.wuhuaA, 50), { reportedAt: t(50) }),
        doc(cancelled('c', GRIDS.panlong, 100), { reportedAt: t(20), cancelledAt: t(100) }),
        doc(reported('f', GRIDS.wuhuaB, 2), { reportedAt: t(2) }),
        doc(lifecycle('incident.closed', 'f', GRIDS.wuhuaB, 10, 'closed'), { reportedAt: t(2), closedAt: t(10) }),
      ]);
      // f is rated long after it closed: its row's updatedAt moves on, its close time does not
      const rating: EventToAppend = {
        event: { id: 'f-rated', type: 'incident.rated', incidentId: 'f', at: new Date(t(70)).toISOString(), satisfaction: 5 },
        grid: GRIDS.wuhuaB,
        projection: { id: 'f', grid: GRIDS.wuhuaB, status: 'closed', updatedAt: t(70), doc: { status: 'closed', reportedAt: t(2), closedAt: t(10) } },
      };
      await store.append([rating]);
      // at 45 with ends since 40: a ended at 30 (out), e at 44 (in), b open, c cancelled later (in), d reported later
      // (out), f ended at 10 but rated at 70 (in)
      expect(await store.incidentsLiveAt(t(45), t(40), 'city')).toEqual(['b', 'c', 'e', 'f']);
      expect(await store.incidentsLiveAt(t(45), t(40), '530102')).toEqual(['b', 'e', 'f']);
      expect(await store.incidentsLiveAt(t(45), t(40), GRIDS.panlong)).toEqual(['c']);
      expect(await store.incidentsLiveAt(t(45), t(45), 'city')).toEqual(['b', 'c', 'f']);
      expect(await store.incidentsLiveAt(t(80), t(80), 'city')).toEqual(['b', 'c', 'd']);
      expect(await store.incidentsLiveAt(t(0), t(0), 'city')).toEqual([]);
      // among given incidents only (unknown ids are simply not live), with the area still applied
      expect(await store.incidentsLiveAt(t(45), t(40), 'city', ['a', 'c', 'f', 'no-such-case'])).toEqual(['c', 'f']);
      expect(await store.incidentsLiveAt(t(45), t(40), '530102', ['a', 'c', 'f'])).toEqual(['f']);
      expect(await store.incidentsLiveAt(t(45), t(40), 'city', [])).toEqual([]);
      await expect(store.incidentsLiveAt(t(45), t(40), 'city', ['b', ''])).rejects.toThrow(/among\[1\]: must be a non-empty string/);
      await expect(store.incidentsLiveAt(t(45), t(46), 'city')).rejects.toThrow(/endedSince: must not be after `at`/);
      await expect(store.incidentsLiveAt(Number.NaN, t(0), 'city')).rejects.toThrow(/at: must be a finite epoch-ms number/);
      await expect(store.incidentsLiveAt(t(45), t(40), '5301')).rejects.toThrow(/area: must be/);
    });

    it('counts events per area level, day and type in the rollups', async () => {
      await seedCity();
      // 23:59 CST on the 22nd and 00:01 CST on the 23rd fall on different days although both are the 22nd in UTC.
      await store.append([reported('late', GRIDS.wuhuaA, 899), reported('early', GRIDS.wuhuaA, 901)]);
      expect(await store.rollups('530102', '2026-11-22', '2026-11-23')).toEqual([
        { area: '530102', day: '2026-11-22', type: 'incident.reported', count: 4 },
        { area: '530102', day: '2026-11-22', type: 'incident.registered', count: 1 },
        { area: '530102', day: '2026-11-23', type: 'incident.reported', count: 1 },
      ].sort((x, y) => (x.day + x.type < y.day + y.type ? -1 : 1)));
      expect(await store.rollups(GRIDS.panlong, '2026-11-22', '2026-11-22')).toHaveLength(2);
      expect((await store.rollups('city', '2026-11-22', '2026-11-22')).map((r) => r.count)).toEqual([2, 5]);
      expect(await store.rollups('530102004', '2026-11-23', '2026-11-30')).toEqual([]);
    });
  });

  describe('checkpoints', () => {
    it('round-trips the newest checkpoint and keeps a newer one over a late older one', async () => {
      expect(await store.loadCheckpoint()).toBeUndefined();
      await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.wuhuaA)]);
      await store.saveCheckpoint(2, new Uint8Array([9, 8, 7]));
      await store.saveCheckpoint(1, new Uint8Array([1]));
      const checkpoint = await store.loadCheckpoint();
      expect(checkpoint?.seq).toBe(2);
      expect([...(checkpoint?.state ?? [])]).toEqual([9, 8, 7]);
    });

    it('refuses a checkpoint beyond the head of the log', async () => {
      await store.append([reported('a', GRIDS.wuhuaA)]);
      await expect(store.saveCheckpoint(5, new Uint8Array([1]))).rejects.toThrow(/seq: must not be beyond the head of the log \(1\)/);
    });
  });

  describe('durability and lifecycle', () => {
    it('keeps events, projection, rollups and checkpoint across close and reopen', async () => {
      await store.append([reported('a', GRIDS.wuhuaA), reported('b', GRIDS.panlong)]);
      await store.saveCheckpoint(2, new Uint8Array([42]));
      const before = await store.readSeqRange(0);
      await store.close();
      const reopened = await open();
      expect(await reopened.readSeqRange(0)).toEqual(before);
      expect((await reopened.openIncidents('city')).map((row) => row.id)).toEqual(['a', 'b']);
      expect((await reopened.rollups('city', '2026-11-22', '2026-11-22'))[0]?.count).toBe(2);
      expect((await reopened.loadCheckpoint())?.seq).toBe(2);
      const [ack] = await reopened.append([reported('c', GRIDS.wuhuaA)]);
      expect(ack?.seq).toBe(3);
    });

    it('commits appends still pending when close is called, then refuses new ones', async () => {
      const pending = store.append([reported('a', GRIDS.wuhuaA)]);
      await store.close();
      await expect(pending).resolves.toMatchObject([{ seq: 1, duplicate: false }]);
      await expect(store.append([reported('b', GRIDS.wuhuaA)])).rejects.toBeInstanceOf(StoreClosedError);
      const reopened = await open();
      expect(await reopened.headSeq()).toBe(1);
    });
  });

  describe('two nodes on one database', () => {
    it('resolve each append only once its events are readable from the other node', async () => {
      const other = await open();
      const seen = await Promise.all(
        range(20).map((i) =>
          store.append([reported(`v${i}`, GRIDS.wuhuaA, i)]).then(async ([ack]) => ({ seq: ack?.seq ?? 0, visible: await other.getEvent(`v${i}-reported`) })),
        ),
      );
      for (const { seq, visible } of seen) expect(visible?.seq).toBe(seq);
    });

    it('both start when they open an empty database at the same time', async () => {
      const fresh = await backend.newLocation();
      try {
        const [first, second] = await Promise.all([fresh.open(), fresh.open()]);
        await first.append([reported('a', GRIDS.wuhuaA)]);
        expect(await second.headSeq()).toBe(1);
        await Promise.all([first.close(), second.close()]);
      } finally {
        await fresh.remove();
      }
    });

    it('give one gap-free, ordered seq to concurrent appends, and a reader never sees a later seq before an earlier one', async () => {
      const other = await open();
      const nodes = [store, other];
      let writing = true;
      let readerPosition = 0;
      const readerSaw: number[] = [];
      const reader = (async () => {
        // Tails the log the way a relay does: read after the last seq seen; every read must continue without a hole.
        while (writing || readerPosition < (await other.headSeq())) {
          const page = await other.readSeqRange(readerPosition);
          for (const event of page) readerSaw.push(event.seq);
          readerPosition = page.at(-1)?.seq ?? readerPosition;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const writes = nodes.flatMap((node, n) =>
        range(30).map((i) => node.append([reported(`n${n}-${i}`, GRIDS.wuhuaA, i), reported(`n${n}-${i}b`, GRIDS.panlong, i)])),
      );
      const acks = (await Promise.all(writes)).flat();
      writing = false;
      await reader;
      expect(acks.map((ack) => ack.seq).sort((x, y) => x - y)).toEqual(range(120));
      expect(await allSeqs(store)).toEqual(range(120));
      expect(readerSaw).toEqual(range(120));
    });

    it('let only one of two nodes change an incident both validated at the same last seq; the loser is refused by event and writes nothing', async () => {
      const other = await open();
      await store.append([reported('race', GRIDS.wuhuaA)]);
      const row = await other.getIncident('race');
      expect(row?.lastSeq).toBe(1);
      const onA = { ...lifecycle('incident.registered', 'race', GRIDS.wuhuaA, 1, 'registered'), expectedLastSeq: 1 };
      const onB = { ...cancelled('race', GRIDS.wuhuaA, 1), expectedLastSeq: 1 };
      const outcomes = await Promise.allSettled([store.append([reported('bystander', GRIDS.panlong), onA]), other.append([onB])]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const conflict = lost[0]?.reason as StoreConflictError;
      expect(conflict).toBeInstanceOf(StoreConflictError);
      expect(conflict.fields[0]?.field).toMatch(/^events\[[01]\]\.expectedLastSeq$/);
      expect(conflict.fields[0]?.reason).toMatch(/incident "race" changed meanwhile: its latest event is seq \d, validated against 1/);
      // The loser's whole call wrote nothing; the log stays gap-free and the projection is the winner's.
      const head = await store.headSeq();
      expect(await allSeqs()).toEqual(range(head));
      const winner = outcomes[0]?.status === 'fulfilled' ? 'registered' : 'cancelled';
      expect((await store.getIncident('race'))?.status).toBe(winner);
      expect((await store.incidentEvents('race')).map((e) => e.type)).toEqual(['incident.reported', `incident.${winner}`]);
    });

    it('check the expected last seq once per incident and call: later events of the call chain onto the first', async () => {
      const [ack] = await store.append([reported('chain', GRIDS.wuhuaA)]);
      const acks = await store.append([
        { ...lifecycle('incident.registered', 'chain', GRIDS.wuhuaA, 1, 'registered'), expectedLastSeq: ack?.seq ?? 0 },
        { ...lifecycle('incident.started', 'chain', GRIDS.wuhuaA, 2, 'in_progress'), expectedLastSeq: ack?.seq ?? 0 },
      ]);
      expect(acks.map((a) => a.seq)).toEqual([2, 3]);
      expect((await store.getIncident('chain'))?.lastSeq).toBe(3);
    });

    it('refuse a new incident expected not to exist when another writer created it, but answer a retried id with its ack', async () => {
      await store.append([reported('twice', GRIDS.wuhuaA, 0, 'first-report')]);
      await expect(store.append([{ ...reported('twice', GRIDS.wuhuaA, 1, 'second-report'), expectedLastSeq: 0 }])).rejects.toThrow(
        /events\[0\]\.expectedLastSeq: incident "twice" was created meanwhile \(its latest event is seq 1\)/,
      );
      const [retry] = await store.append([{ ...reported('twice', GRIDS.wuhuaA, 0, 'first-report'), expectedLastSeq: 0 }]);
      expect(retry).toMatchObject({ seq: 1, duplicate: true });
      await expect(store.append([{ ...reported('x', GRIDS.wuhuaA), expectedLastSeq: -1 }])).rejects.toThrow(/events\[0\]\.expectedLastSeq: must be a whole number ≥ 0/);
      expect(await store.headSeq()).toBe(1);
    });

    it('store a retried id once when the retry reaches the other node', async () => {
      const other = await open();
      const [first, second] = await Promise.all([store.append([reported('a', GRIDS.wuhuaA)]), other.append([reported('a', GRIDS.wuhuaA)])]);
      expect(first?.[0]?.seq).toBe(1);
      expect(second?.[0]?.seq).toBe(1);
      expect([first?.[0]?.duplicate, second?.[0]?.duplicate].sort()).toEqual([false, true]);
      expect(await other.headSeq()).toBe(1);
    });
  });
}

