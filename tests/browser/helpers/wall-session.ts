/**
 * The setup most wall tests share: the client built into a temp dir, a real server serving it with a scenario
 * ingested, and headless Chromium. `close()` tears the three down in reverse (browser, server, client build); a
 * session that fails while opening closes what it had already made before rethrowing.
 *
 * @example
 * ```ts
 * let session: WallSession | undefined;
 * beforeAll(async () => { session = await openWallSession(city, scenario); });
 * afterAll(() => session?.close());
 * ```
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import type { IncomingEvent } from '../../../protocol/events';
import type { CityGeodata } from '../../../server/geodata/types';
import { launchChromium } from './browser';
import { buildClient } from './build-client';
import { startWallServer, type WallServer, type WallUser } from './wall-server';

export interface WallSession {
  /** the built client the server serves (a temp dir, removed by `close`) */
  clientDir: string;
  wall: WallServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function openWallSession(city: CityGeodata, scenario: IncomingEvent[], options: { users?: WallUser[] } = {}): Promise<WallSession> {
  let clientDir: string | undefined;
  let wall: WallServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await wall?.close();
    if (clientDir) fs.rmSync(clientDir, { recursive: true, force: true });
  };
  try {
    clientDir = await buildClient();
    wall = await startWallServer(city, { clientDir, ...options });
    await wall.ingest(scenario);
    browser = await launchChromium();
    return { clientDir, wall, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
