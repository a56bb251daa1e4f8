/**
 * The server on the PostgreSQL store (DATABASE_URL): ingest reaches screens, and a screen resumes from the store.
 * Runs in a schema of its own, dropped afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openSchemaStore, uniqueSchema } from '../helpers/postgres';
import { DISTRICT_A, DISTRICT_B, gridsOf } from './helpers/tiny-city';
import { reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const schema = uniqueSchema('server_test');
const grids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];

describe('the server on PostgreSQL', () => {
  let t: TestServer | undefined;
  afterAll(async () => {
    await t?.close();
    await dropSchema(schema);
  });

  it('delivers ingested events to a screen and resumes a reconnecting screen from the store', async () => {
    t = await startTestServer({ relayRecentEvents: 3, openStore: () => openSchemaStore(schema) });
    const server = t;
    const first = new Screen(server.url);
    await first.connected();
    await first.subscribe('city');
    await first.until(() => first.snapshots.length === 1, 15_000, 'snapshot');
    const { json } = await server.post({ events: grids.map((g) => reported(g)) });
    expect(json.acks.map((a) => (a.status === 'stored' ? a.grid : a.errors))).toEqual(grids);
    await first.until(() => first.events.length === grids.length, 15_000, 'the batch');
    const position = first.position;
    first.close();

    await server.post({ events: grids.map((g) => reported(g)) });
    const second = new Screen(server.url);
    await second.connected();
    expect(await second.subscribe('city', position)).toMatchObject({ ok: true, data: { mode: 'resume' } });
    await second.until(() => second.events.length === grids.length, 15_000, 'missed events');
    expect(second.events.map((e) => e.seq)).toEqual(grids.map((_, i) => position + i + 1));
    second.close();
  });
});
