/**
 * The compact binary form of `GET /api/v1/history` (`format=arrow`): an Apache Arrow IPC stream, one row per event,
 * columns `seq`, `at` (epoch ms), `recordedAt` (epoch ms), `type` and `grid` (dictionary-encoded: few distinct
 * values, repeated), `incidentId`, and `payload` (the rest of the event as JSON). Playback can
 * scan the columns (time, grid, type) without parsing a single payload, and parse only the rows it folds.
 *
 * @example
 * ```ts
 * const res = await fetch(`/api/v1/history?from=${from}&to=${to}&format=arrow`);
 * const events = decodeHistory(new Uint8Array(await res.arrayBuffer()));
 * ```
 */
import { Dictionary, Int32, Table, Utf8, makeVector, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import type { StoredEvent } from '../../protocol/events';

export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** Encodes events (seq order) as an Arrow IPC stream. */
export function encodeHistory(events: readonly StoredEvent[]): Uint8Array {
  const n = events.length;
  const seq = new Float64Array(n);
  const at = new Float64Array(n);
  const recordedAt = new Float64Array(n);
  const type: string[] = new Array(n);
  const grid: string[] = new Array(n);
  const incidentId: string[] = new Array(n);
  const payload: string[] = new Array(n);
  events.forEach((event, i) => {
    // type and incidentId have their own columns; the payload keeps the rest (at stays: its offset is the sender's).
    const { seq: s, recordedAt: r, grid: g, type: _type, ...rest } = event;
    if ('incidentId' in rest) delete (rest as { incidentId?: string }).incidentId;
    seq[i] = s;
    at[i] = Date.parse(event.at);
    recordedAt[i] = r;
    type[i] = event.type;
    grid[i] = g;
    incidentId[i] = event.type === 'incident.reported' ? event.incident.id : event.incidentId;
    payload[i] = JSON.stringify(rest);
  });
  const table = new Table({
    seq: makeVector(seq),
    at: makeVector(at),
    recordedAt: makeVector(recordedAt),
    type: vectorFromArray(type, new Dictionary(new Utf8(), new Int32())),
    grid: vectorFromArray(grid, new Dictionary(new Utf8(), new Int32())),
    incidentId: vectorFromArray(incidentId, new Utf8()),
    payload: vectorFromArray(payload, new Utf8()),
  });
  return tableToIPC(table, 'stream');
}

/** Decodes an Arrow history stream back into stored events. */
export function decodeHistory(bytes: Uint8Array): StoredEvent[] {
  const table = tableFromIPC(bytes);
  const seq = table.getChild('seq');
  const recordedAt = table.getChild('recordedAt');
  const grid = table.getChild('grid');
  const payload = table.getChild('payload');
  const type = table.getChild('type');
  const incidentId = table.getChild('incidentId');
  if (!seq || !recordedAt || !grid || !payload || !type || !incidentId) throw new Error('not a Gridwatch history stream: a column is missing');
  const events: StoredEvent[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const eventType = type.get(i) as string;
    const rest = JSON.parse(payload.get(i) as string) as { id: string };
    const head = eventType === 'incident.reported' ? { id: rest.id, type: eventType } : { id: rest.id, type: eventType, incidentId: incidentId.get(i) as string };
    events.push({ ...head, ...rest, seq: seq.get(i) as number, recordedAt: recordedAt.get(i) as number, grid: grid.get(i) as string } as StoredEvent);
  }
  return events;
}
