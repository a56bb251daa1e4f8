/**
 * Two server nodes on one PostgreSQL store (RELAY_FOLLOW_LOG): whichever node ingests an event, screens on every
 * node receive it, in the one global seq order, with batches that chain.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, openSchemaStore, uniqueSchema } from '../helpers/postgres';
import { DISTRICT_A, DISTRICT_B, gridsOf, tinyCity } from './helpers/tiny-city';
import { lifecycle, reported, Screen, startTestServer, type TestServer } from './helpers/test-server';

const schema = uniqueSchema('two_nodes');
const grids = [...gridsOf(DISTRICT_A), ...gridsOf(DISTRICT_B)];

describe('two nodes sharing one PostgreSQL store', () => {
  const nodes: TestServer[] = [];
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await dropSchema(schema);
  });

  it('screens on either node see every node’s events, once, in seq order', async () => {
    const geodata = tinyCity();
    const start = () =>
      startTestServer({ geodata, env: { RELAY_FOLLOW_LOG: '1' }, openStore: () => openSchemaStore(schema) });
    const a = await start();
    nodes.push(a);
    const b = await start();
    nodes.push(b);
    const onA = new Screen(a.url);
    const onB = new Screen(b.url);
    try {
      await Promise.all([onA.connected(), onB.connected()]);
      await Promise.all([onA.subscribe('city'), onB.subscribe('city')]);
      await onA.until(() => onA.snapshots.length === 1, 15_000, 'snapshot on A');
      await onB.until(() => onB.snapshots.length === 1, 15_000, 'snapshot on B');

      const report = reported(grids[0] as string);
      const incidentId = report.type === 'incident.reported' ? report.incident.id : '';
      expect((await a.post({ events: [report] })).json.stored).toBe(1);
      // Node B validates against the shared store: it knows the incident node A just took in.
      expect((await b.post({ events: [lifecycle('incident.registered', incidentId)] })).json.stored).toBe(1);
      await Promise.all([a.post({ events: grids.map((g) => reported(g)) }), b.post({ events: grids.map((g) => reported(g)) })]);

      const head = await a.store.headSeq();
      expect(head).toBe(2 + 2 * grids.length);
      for (const screen of [onA, onB]) {
        await screen.until(() => screen.position >= head, 15_000, 'all events');
        expect(screen.events.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
        let position = 0;
        for (const batch of screen.batches) {
          expect(batch.fromSeq).toBe(position + 1);
          position = batch.toSeq;
        }
      }
      const kpisA = (await (await fetch(`${a.url}/api/v1/kpis`)).json()) as { open: number };
      const kpisB = (await (await fetch(`${b.url}/api/v1/kpis`)).json()) as { open: number };
      expect(kpisA.open).toBe(1 + 2 * grids.length);
      expect(kpisB.open).toBe(kpisA.open);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
