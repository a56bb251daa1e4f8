/**
 * Page side of bench/client-update.bench.ts: one MapLibre map with two ways of showing N incidents and applying
 * batches of status changes to them.
 *
 * - ours: the wall's path. IncidentBuffers patched in place, a ScatterplotLayer (MapLibreOverlay, interleaved) with
 *   binary attributes; per batch only the changed slots are rewritten and the columns re-uploaded.
 * - naive: a MapLibre GeoJSON source of every incident; per batch the FeatureCollection is rebuilt and `setData`
 *   is called (serialised to the worker, re-tiled, re-uploaded).
 *
 * Both wait until the map has drawn the result (`idle`) before the next batch. The bench reads main-thread time
 * from the Chrome DevTools Protocol around each run.
 */
import { Map as MapLibreMap, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { ScatterplotLayer } from '@deck.gl/layers';
import type { IncidentStatus, Priority } from '../../protocol/events';
import { IncidentBuffers } from '../live/incident-buffers';
import { STATUS_COLOURS } from '../live/incident-style';

setWorkerUrl(workerUrl);

const STATUSES: IncidentStatus[] = ['reported', 'registered', 'dispatched', 'in_progress', 'resolved'];
const PRIORITIES: Priority[] = ['low', 'normal', 'high', 'urgent'];
const BOUNDS: [number, number, number, number] = [102.55, 24.85, 102.95, 25.15];

interface Incident {
  id: string;
  position: [number, number];
  status: IncidentStatus;
  priority: Priority;
}

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

const map = new MapLibreMap({
  container: 'map',
  style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#060b16' } }] },
  bounds: BOUNDS,
  attributionControl: false,
  fadeDuration: 0,
});
const loaded = new Promise<void>((resolve) => map.on('load', () => resolve()));
let overlay: MapLibreOverlay | null = null;
let incidents: Incident[] = [];
let buffers = new IncidentBuffers();

function idle(): Promise<void> {
  return new Promise((resolve) => {
    map.once('idle', () => resolve());
    map.triggerRepaint();
  });
}

function ourLayer() {
  return new ScatterplotLayer({ id: 'incidents', data: buffers.attributes(), radiusUnits: 'pixels', radiusScale: 1 });
}

function featureCollection(): GeoJSON.FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: incidents.map((i) => ({ type: 'Feature', properties: { id: i.id, status: i.status, priority: i.priority }, geometry: { type: 'Point', coordinates: i.position } })),
  };
}

function mutate(batchSize: number): Incident[] {
  const changed: Incident[] = [];
  for (let k = 0; k < batchSize; k++) {
    const incident = incidents[Math.floor(random() * incidents.length)]!;
    incident.status = STATUSES[(STATUSES.indexOf(incident.status) + 1) % STATUSES.length]!;
    changed.push(incident);
  }
  return changed;
}

const api = {
  /** Creates `count` incidents and draws them with both paths hidden. */
  async setup(count: number): Promise<void> {
    await loaded;
    incidents = [];
    buffers = new IncidentBuffers();
    for (let i = 0; i < count; i++) {
      incidents.push({
        id: `i${i}`,
        position: [BOUNDS[0] + random() * (BOUNDS[2] - BOUNDS[0]), BOUNDS[1] + random() * (BOUNDS[3] - BOUNDS[1])],
        status: STATUSES[i % STATUSES.length]!,
        priority: PRIORITIES[i % PRIORITIES.length]!,
      });
    }
    if (overlay) {
      map.removeControl(overlay);
      overlay = null;
    }
    if (map.getLayer('naive')) map.removeLayer('naive');
    if (map.getSource('naive')) map.removeSource('naive');
    await idle();
  },

  async startOurs(): Promise<void> {
    for (const i of incidents) buffers.upsert(i.id, { position: i.position, status: i.status, priority: i.priority, overdue: false });
    overlay = new MapLibreOverlay({ interleaved: true, layers: [ourLayer()] });
    map.addControl(overlay);
    await idle();
  },

  /** One batch on our path: patch the changed slots, hand deck.gl the new column wrapper, wait for the frame. */
  async batchOurs(batchSize: number): Promise<void> {
    for (const i of mutate(batchSize)) buffers.upsert(i.id, { position: i.position, status: i.status, priority: i.priority, overdue: false });
    overlay!.setProps({ layers: [ourLayer()] });
    await idle();
  },

  async stopOurs(): Promise<void> {
    if (overlay) map.removeControl(overlay);
    overlay = null;
    await idle();
  },

  async startNaive(): Promise<void> {
    const colour: unknown[] = ['match', ['get', 'status']];
    for (const s of STATUSES) colour.push(s, `rgba(${STATUS_COLOURS[s].slice(0, 3).join(',')},1)`);
    colour.push('#888');
    map.addSource('naive', { type: 'geojson', data: featureCollection() });
    map.addLayer({ id: 'naive', type: 'circle', source: 'naive', paint: { 'circle-radius': 3, 'circle-color': colour as never } });
    await idle();
  },

  /** One batch on the naive path: rebuild the FeatureCollection and setData, wait for the re-tiled frame. */
  async batchNaive(batchSize: number): Promise<void> {
    mutate(batchSize);
    (map.getSource('naive') as GeoJSONSource).setData(featureCollection());
    await idle();
  },

  async stopNaive(): Promise<void> {
    map.removeLayer('naive');
    map.removeSource('naive');
    await idle();
  },
};

declare global {
  interface Window {
    clientUpdateBench: typeof api;
  }
}
window.clientUpdateBench = api;
document.documentElement.dataset.ready = '1';
