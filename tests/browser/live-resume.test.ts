/**
 * The wall's /live socket controller against a real relay (no browser needed): it subscribes, and after losing its
 * connection it resumes from the last seq it queued, so it receives every missed event exactly once and no new
 * snapshot: the wall catches up without a reload. That holds too when the server itself closed the socket because
 * its credentials ended, which socket.io does not retry by itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../protocol/events';
import { LiveSocketController, RETRY_REFUSED_MS } from '../../client/live/live-socket-controller';
import { UserDirectory } from '../../server/auth/users';
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

/** Drains the controller's queue of a resume into `seen` (the events' seqs): batches only, never a new snapshot. */
function takeResumed(socket: LiveSocketController, seen: number[]): void {
  const queue = socket.drain();
  expect(queue.snapshot).toBeNull();
  for (const batch of queue.batches) for (const event of batch.events) seen.push(event.seq);
}

/** A controller on a screen token that expires in 2.5 s (the server's guard then closes its socket). */
function socketOnExpiringToken(name: string): LiveSocketController {
  const token = UserDirectory.open(wall.dataDir).upsert({ name, role: 'screen', scope: ['city'], expiresAt: new Date(Date.now() + 2_500) }).token as string;
  const socket = new LiveSocketController(new FakeHost(), { area: 'city', url: wall.url, path: '/socket.io/', token });
  socket.hostConnected();
  return socket;
}

/** The admin changes a user by hand in users.json, which the server re-reads. */
function editUser(name: string, change: (user: { expiresAt?: string; scope: string[] }) => void): void {
  const file = path.join(wall.dataDir, 'users.json');
  const directory = JSON.parse(fs.readFileSync(file, 'utf8')) as { users: Array<{ name: string; expiresAt?: string; scope: string[] }> };
  change(directory.users.find((u) => u.name === name)!);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(directory));
  fs.renameSync(`${file}.tmp`, file);
}

/** The admin extends a screen's token by an hour. */
function extendToken(name: string): void {
  editUser(name, (user) => (user.expiresAt = new Date(Date.now() + 3_600_000).toISOString()));
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
        takeResumed(socket, seen);
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

  it('comes back by itself after the server closed it for an expired token, once the token is valid again', async () => {
    const socket = socketOnExpiringToken('lr-screen');
    try {
      await until(() => socket.pending && socket.connection === 'live', 'the first snapshot');
      const head = socket.drain().snapshot?.seq ?? NaN;

      // the token expires: the server's guard closes the socket, and the retries are refused with the reason
      await until(() => socket.connection !== 'live', 'the server closing the socket', 15_000);
      await until(() => /expired/.test(socket.lastError ?? ''), 'a refused retry', 15_000);
      expect(socket.refusedFor).toBe('token_expired');
      await wall.ingest([20, 21, 22].map(reported));

      // the admin extends the token: the next retry gets in
      extendToken('lr-screen');
      const seen: number[] = [];
      await until(() => {
        takeResumed(socket, seen);
        return socket.connection === 'live' && seen.length >= 3;
      }, 'the missed events after the retry', 40_000);
      expect(seen).toEqual([head + 1, head + 2, head + 3]);
      expect(socket.lastError).toBeNull();
      expect(socket.refusedFor).toBeNull();
    } finally {
      socket.hostDisconnected();
    }
  }, 90_000);

  it('names an area refused to it, asks again on its timer, and gets its snapshot once the scope covers the area', async () => {
    const token = UserDirectory.open(wall.dataDir).upsert({ name: 'lr-district', role: 'screen', scope: ['530102'] }).token as string;
    const refusals: string[] = [];
    const socket = new LiveSocketController(new FakeHost(), { area: '530103', url: wall.url, path: '/socket.io/', token, onRefused: (code) => refusals.push(code) });
    socket.hostConnected();
    try {
      // let in (the token is valid) but refused its area: not live, and the refusal named for the badge and the host
      await until(() => socket.refusedFor === 'area_forbidden', 'the refused subscribe');
      expect(refusals).toEqual(['forbidden']);
      expect(socket.connection).toBe('reconnecting');
      expect(socket.lastError).toMatch(/^area: area 530103 is outside/);
      expect(socket.pending).toBe(false);
      // still refused on the next ask (RETRY_REFUSED_MS later), on the same socket
      await until(() => refusals.length >= 2, 'a second refused subscribe', RETRY_REFUSED_MS * 3);
      // the admin widens the scope: the next ask gets the area's snapshot
      editUser('lr-district', (user) => (user.scope = ['530102', '530103']));
      await until(() => socket.pending && socket.connection === 'live', 'the snapshot after the scope was widened', 20_000);
      expect(socket.drain().snapshot?.area).toBe('530103');
      expect(socket.refusedFor).toBeNull();
      expect(socket.lastError).toBeNull();
    } finally {
      socket.hostDisconnected();
    }
  }, 60_000);

  it('retries a closed socket at once when asked (an officer logged in), not only on its timer', async () => {
    const socket = socketOnExpiringToken('lr-screen-2');
    try {
      await until(() => socket.connection === 'live', 'the first snapshot');
      await until(() => /expired/.test(socket.lastError ?? ''), 'a refused retry', 20_000);
      // the next retry is 2 × RETRY_REFUSED_MS away; extend the token and ask at once
      const refusedAt = Date.now();
      extendToken('lr-screen-2');
      socket.retryNow();
      await until(() => socket.connection === 'live', 'the retry asked for', 20_000);
      expect(Date.now() - refusedAt).toBeLessThan(RETRY_REFUSED_MS);
    } finally {
      socket.hostDisconnected();
    }
  }, 60_000);
});
