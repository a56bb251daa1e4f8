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
 *
 * `frames()` serves bench/frames.bench.ts: the camera orbits without pause (as a wall's tour or an officer's pan
 * does) while batches arrive on a timer, and every frame MapLibre draws is timed.
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

let active: 'ours' | 'naive' | null = null;

/** Nearest-rank percentile of a sorted array. */
function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface FrameRun {
  seconds: number;
  frames: number;
  fps: number;
  frameMs: { p50: number; p95: number; p99: number; max: number };
  /** frames that took over 50 ms (under 20 fps): what an eye sees as a stall */
  slowFrames: number;
  batches: number;
  /** main-thread time spent applying the batches (the path's own work, before MapLibre and deck.gl draw) */
  applyMsPerBatch: number;
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
    active = 'ours';
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
    active = null;
    await idle();
  },

  async startNaive(): Promise<void> {
    const colour: unknown[] = ['match', ['get', 'status']];
    for (const s of STATUSES) colour.push(s, `rgba(${STATUS_COLOURS[s].slice(0, 3).join(',')},1)`);
    colour.push('#888');
    map.addSource('naive', { type: 'geojson', data: featureCollection() });
    map.addLayer({ id: 'naive', type: 'circle', source: 'naive', paint: { 'circle-radius': 3, 'circle-color': colour as never } });
    active = 'naive';
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
    active = null;
    await idle();
  },

  /**
   * Orbits the camera for `seconds` (a full turn of bearing every 36 s, the centre circling the city, zoom
   * breathing between 10.8 and 11.8), applying a batch of `batchSize` status changes `batchesPerSecond` times a
   * second on the active path, and times every frame MapLibre draws (`render` events).
   */
  async frames(seconds: number, batchesPerSecond: number, batchSize: number): Promise<FrameRun> {
    if (!active) throw new Error('frames: start a path first (startOurs or startNaive)');
    const path = active;
    const [cx, cy] = [(BOUNDS[0] + BOUNDS[2]) / 2, (BOUNDS[1] + BOUNDS[3]) / 2];
    const stamps: number[] = [];
    const onRender = () => stamps.push(performance.now());
    let batches = 0;
    let applyMs = 0;
    const applyBatch = () => {
      const t = performance.now();
      if (path === 'ours') {
        for (const i of mutate(batchSize)) buffers.upsert(i.id, { position: i.position, status: i.status, priority: i.priority, overdue: false });
        overlay!.setProps({ layers: [ourLayer()] });
      } else {
        mutate(batchSize);
        (map.getSource('naive') as GeoJSONSource).setData(featureCollection());
      }
      applyMs += performance.now() - t;
      batches++;
    };
    const start = performance.now();
    map.on('render', onRender);
    const timer = batchesPerSecond > 0 ? setInterval(applyBatch, 1000 / batchesPerSecond) : undefined;
    await new Promise<void>((resolve) => {
      const step = (now: number) => {
        const t = (now - start) / 1000;
        if (t >= seconds) return resolve();
        const a = (t / 36) * 2 * Math.PI;
        map.jumpTo({ center: [cx + 0.08 * Math.cos(a), cy + 0.06 * Math.sin(a)], bearing: t * 10, zoom: 11.3 + 0.5 * Math.sin(a * 3), pitch: 30 });
        requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    if (timer) clearInterval(timer);
    map.off('render', onRender);
    const elapsed = (performance.now() - start) / 1000;
    const gaps = stamps.slice(1).map((s, i) => s - stamps[i]!).sort((a, b) => a - b);
    map.jumpTo({ bearing: 0, pitch: 0 });
    map.fitBounds(BOUNDS, { duration: 0 });
    await idle();
    return {
      seconds: elapsed,
      frames: stamps.length,
      fps: stamps.length / elapsed,
      frameMs: { p50: percentile(gaps, 50), p95: percentile(gaps, 95), p99: percentile(gaps, 99), max: gaps.at(-1) ?? 0 },
      slowFrames: gaps.filter((g) => g > 50).length,
      batches,
      applyMsPerBatch: batches ? applyMs / batches : 0,
    };
  },

  /** The WebGL renderer behind the map: an NVIDIA or other GPU, or SwiftShader (software). */
  renderer(): string {
    const gl = map.getCanvas().getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return 'unknown';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  },
};

declare global {
  interface Window {
    clientUpdateBench: typeof api;
  }
}
window.clientUpdateBench = api;
document.documentElement.dataset.ready = '1';
