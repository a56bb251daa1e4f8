/**
 * Ingest as the server does it, in memory: validate with the wire schema, convert to WGS84, locate the grid, assign
 * seq, apply with the shared reducer. Refusals are collected, not thrown.
 */
import { IncomingEventSchema, type IncomingEvent, type StoredEvent } from '../../protocol/events';
import { applyEvent, createState, type CityState } from '../../protocol/reducer';
import { createGridIndex } from '../../server/geodata/grid-index';
import { toWgs84 } from '../../server/ingest/crs';
import type { SimCity } from '../../server/simulator/city-model';

export class FakeIngest {
  readonly state: CityState = createState({ retainClosedMs: 30 * 86_400_000 });
  readonly refusals: string[] = [];
  private readonly index;
  private seq = 0;

  constructor(city: SimCity) {
    this.index = createGridIndex(city.grids);
  }

  ingest(events: IncomingEvent[]): void {
    for (const event of events) {
      const { crs, ...canonical } = IncomingEventSchema.parse(event);
      let grid: string;
      if (canonical.type === 'incident.reported') {
        const location = toWgs84(canonical.incident.location, crs ?? 'wgs84');
        canonical.incident = { ...canonical.incident, location };
        grid = this.index.locate(location[0], location[1]) ?? 'outside';
      } else {
        grid = this.state.incidents.get(canonical.incidentId)?.grid ?? 'unknown';
      }
      this.seq += 1;
      const applied = applyEvent(this.state, { ...canonical, seq: this.seq, recordedAt: 0, grid } as StoredEvent);
      if (!applied.ok) this.refusals.push(`${event.type} ${event.id} ${applied.field}: ${applied.reason}`);
    }
  }
}
