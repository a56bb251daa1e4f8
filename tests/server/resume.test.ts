import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const allGrids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];
const batchOf = (n: number) => ({ events: Array.from({ length: n }, (_, i) => reported(allGrids[i % allGrids.length] as string)) });

/** Posts `batches` batches of `size` events one after another. */
async function feed(t: TestServer, batches: number, size: number): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const { json } = await t.post(batchOf(size));
    expect(json.stored).toBe(size);
  }
}

function expectExactlyOnce(received: StoredEvent[], stored: StoredEvent[]): void {
  const seqs = received.map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length); // no duplicate
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b)); // in order
  expect(seqs).toEqual(stored.map((e) => e.seq)); // no gap
}

describe.each([
  ['from memory', 20_000],
  ['from the store, while events keep arriving', 7],
])('a screen that drops and reconnects with sinceSeq (%s)', (_label, recentEvents) => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('receives every missed event exactly once, then live events', async () => {
    t = await startTestServer({ relayRecentEvents: recentEvents });
    const server = t;
    await feed(server, 2, 5); // history before the screen arrives

    const first = new Screen(server.url);
    await first.connected();
    await first.subscribe('city');
    await first.until(() => first.snapshots.length === 1, 15_000, 'snapshot');
    await feed(server, 3, 4);
    const headBeforeDrop = await server.store.headSeq();
    await first.until(() => first.position >= headBeforeDrop, 15_000, 'live events before the drop');
    const position = first.position;
    const seenBefore = first.events;
    first.close();

    await feed(server, 6, 5); // missed while disconnected

    const second = new Screen(server.url);
    await second.connected();
    // Keep feeding while the resume runs, to exercise the race between the store read and the live stream.
    const during = feed(server, 4, 3);
    const ack = await second.subscribe('city', position);
    expect(ack).toMatchObject({ ok: true, data: { mode: 'resume' } });
    await during;
    const head = await server.store.headSeq();
    await second.until(() => second.position >= head, 15_000, 'caught up');
    expect(second.snapshots).toHaveLength(0);
    // The resumed stream chains from the position the screen sent.
    expect(second.batches[0]?.fromSeq).toBe(position + 1);

    const stored = await server.store.readSeqRange(0);
    const afterSnapshot = stored.filter((e) => e.seq > (first.snapshots[0]?.seq ?? 0));
    expectExactlyOnce([...seenBefore, ...second.events], afterSnapshot);
    second.close();
  });
});

describe('resume edge cases', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('a resume for a district sends only that district’s missed events', async () => {
    t = await startTestServer();
    const screen = new Screen(t.url);
    await screen.connected();
    await t.post(batchOf(8));
    await screen.subscribe(DISTRICT_B, 0);
    const head = await t.store.headSeq();
    await screen.until(() => screen.position >= head, 15_000, 'resume');
    expect(screen.events.length).toBe(4);
    expect(screen.events.every((e) => e.grid.startsWith(DISTRICT_B))).toBe(true);
    screen.close();
  });

  it('a sinceSeq ahead of the log gets a snapshot instead', async () => {
    t = await startTestServer();
    const screen = new Screen(t.url);
    await screen.connected();
    const ack = await screen.subscribe('city', 1_000_000);
    expect(ack).toMatchObject({ ok: true, data: { mode: 'snapshot' } });
    await screen.until(() => screen.snapshots.length === 1, 15_000, 'snapshot');
    screen.close();
  });
});
