/**
 * Child process of the kill -9 test: appends to the SQLite store at argv[2] forever, several concurrent batches at a
 * time, and prints `acked <seq> <id>` for each event only after append() resolved. Stdout to a pipe is synchronous
 * on Linux, so every line the parent reads was printed after its commit.
 */
import { SqliteEventStore } from '../../server/store/sqlite/sqlite-event-store';
import { GRIDS, reported } from './fixtures';

const path = process.argv[2];
if (!path) throw new Error('usage: append-until-killed.ts <sqlite file>');
const store = new SqliteEventStore({ path });
await store.init();
process.stdout.write('ready\n');

const grids = Object.values(GRIDS);
let next = 0;

async function writer(lane: number): Promise<never> {
  for (;;) {
    const size = 1 + (next % 4);
    const batch = Array.from({ length: size }, () => {
      const n = next++;
      return reported(`k${n}`, grids[n % grids.length] ?? GRIDS.wuhuaA, n % 600);
    });
    const acks = await store.append(batch);
    process.stdout.write(acks.map((ack) => `acked ${ack.seq} ${ack.id}\n`).join(''));
    if (lane === 0 && next % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

await Promise.all([writer(0), writer(1), writer(2), writer(3)]);
