/**
 * One suite, two backends: the EventStore behaviour (event-store.suite.ts) on SQLite and on PostgreSQL. PostgreSQL
 * is skipped only when the server cannot be reached, and the skip says why.
 */
import { describe, it } from 'vitest';
import { backends } from './backends';
import { eventStoreBehaviour } from './event-store.suite';

const all = await backends();

describe.each(all)('EventStore on $name', (backend) => {
  if (backend.unavailable) {
    it.skip(`skipped: ${backend.unavailable}`, () => undefined);
    return;
  }
  eventStoreBehaviour(backend);
});
