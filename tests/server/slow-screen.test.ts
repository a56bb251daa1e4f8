/**
 * Bounded buffering: a screen behind a stalled link must not slow the others, its backlog is dropped once it
 * exceeds RELAY_MAX_BUFFERED packets, and when its link recovers it gets a fresh snapshot (reason `overflow`)
 * followed by batches that chain from it.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const grids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];

/** A TCP proxy whose server → client direction can be stalled, like a congested link to a wall screen. */
function stallableProxy(targetPort: number): Promise<{ port: number; stall(): void; resume(): void; close(): void }> {
  const upstreams = new Set<net.Socket>();
  let stalled = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstreams.add(upstream);
    if (stalled) upstream.pause();
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      upstreams.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        stall: () => {
          stalled = true;
          for (const u of upstreams) u.pause();
        },
        resume: () => {
          stalled = false;
          for (const u of upstreams) u.resume();
        },
        close: () => server.close(),
      });
    });
  });
}

describe('a slow screen', () => {
  let t: TestServer | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it('is cut loose and re-sent a snapshot, while other screens keep up', async () => {
    t = await startTestServer({ env: { RELAY_MAX_BUFFERED: '4', INGEST_RATE_LIMIT: '100000' } });
    const server = t;
    const proxy = await stallableProxy(server.port);
    const fast = new Screen(server.url);
    const slow = new Screen(`http://127.0.0.1:${proxy.port}`);
    try {
      await Promise.all([fast.connected(), slow.connected()]);
      await Promise.all([fast.subscribe('city'), slow.subscribe('city')]);
      await slow.until(() => slow.snapshots.length === 1, 15_000, 'first snapshot');
      proxy.stall();

      // Enough traffic to fill the kernel buffers of the stalled link many times over.
      for (let round = 0; round < 40; round++) {
        const { json } = await server.post({ events: Array.from({ length: 500 }, (_, i) => ({ ...reported(grids[i % grids.length] as string), note: 'x'.repeat(600) })) });
        expect(json.stored).toBe(500);
      }
      const head = await server.store.headSeq();
      await fast.until(() => fast.position >= head, 15_000, 'the fast screen to keep up');
      expect(fast.events).toHaveLength(head);

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/gridwatch_relay_overflows_total [1-9]/);

      proxy.resume();
      await slow.until(() => slow.snapshots.some((s) => s.reason === 'overflow'), 15_000, 'an overflow snapshot');
      const overflow = slow.snapshots.find((s) => s.reason === 'overflow');
      await slow.until(() => slow.position >= head, 15_000, 'the slow screen to catch up');
      // The snapshot carries the state at its seq; batches after it chain from it without a gap.
      const after = slow.batches.filter((b) => b.fromSeq > (overflow?.seq ?? 0));
      let position = overflow?.seq ?? 0;
      for (const batch of after) {
        expect(batch.fromSeq).toBe(position + 1);
        position = batch.toSeq;
      }
      // It skipped its backlog rather than receiving all of it.
      expect(slow.events.length).toBeLessThan(head);
    } finally {
      fast.close();
      slow.close();
      proxy.close();
    }
  }, 60_000);
});
