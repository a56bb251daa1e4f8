/**
 * The wall's /live socket controller against a real relay (no browser needed): it subscribes, and after losing its
 * connection it resumes from the last seq it queued, so it receives every missed event exactly once and no new
 * snapshot: the wall catches up without a reload.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { LiveSocketController } from '../../client/live/live-socket-controller';
import { wallCity, wallGridCentre } from './helpers/wall-city';
import { startWallServer, type WallServer } from './helpers/wall-server';

class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {}
}

const city = wallCity();
let wall: WallServer;

function reported(n: number): IncomingEvent {
  return {
    id: `lr-e${n}`,
    type: 'incident.reported',
    at: new Date().toISOString(),
    crs: 'wgs84',
    incident: { id: `lr-i${n}`, location: wallGridCentre(city, city.grids[n % city.grids.length]!.code), category: 'other', channel: 'other' },
  };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  wall = await startWallServer(city);
  await wall.ingest([1, 2, 3].map(reported));
});

afterAll(async () => {
  await wall?.close();
});

describe('the wall socket', () => {
  it('resumes after a lost connection with every missed event exactly once and no new snapshot', async () => {
    const host = new FakeHost();
    let queued = 0;
    const socket = new LiveSocketController(host, { area: 'city', url: wall.url, path: '/socket.io/', onQueued: () => (queued += 1) });
    socket.hostConnected();
    try {
      await until(() => queued > 0 && socket.connection === 'live', 'the first snapshot');
      const first = socket.drain();
      expect(first.snapshot?.seq).toBe(3);

      socket.hostDisconnected(); // the link drops
      await wall.ingest([4, 5, 6, 7].map(reported));
      socket.hostConnected(); // and comes back
      await until(() => socket.pending && socket.connection === 'live', 'the resumed batches');
      const seen: number[] = [];
      await until(() => {
        const queue = socket.drain();
        expect(queue.snapshot).toBeNull();
        for (const batch of queue.batches) for (const event of batch.events) seen.push(event.seq);
        return seen.length >= 4;
      }, 'all missed events');
      expect(seen).toEqual([4, 5, 6, 7]);

      await wall.ingest([reported(8)]);
      await until(() => socket.pending, 'the live batch');
      expect(socket.drain().batches.flatMap((b) => b.events.map((e) => e.seq))).toEqual([8]);
    } finally {
      socket.hostDisconnected();
    }
  });
});
