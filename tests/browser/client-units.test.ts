/**
 * The wall's pure modules, without a browser: settings parsing, the 15-minute circle and coverage gaps, the
 * deadline watch, the GPU columns, and the live model folding relayed events through the shared reducer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../protocol/events';
import { createState, fold, snapshotOf, type IncidentRecord } from '../../protocol/reducer';
import { parseWallConfig } from '../../client/config';
import { coverageGaps, SERVICE_CIRCLE_RADIUS_M } from '../../client/geo/coverage';
import { buildCityModel } from '../../client/geo/city-model';
import { basemapShift } from '../../client/geo/basemap-shift';
import { IncidentBuffers } from '../../client/live/incident-buffers';
import { OverdueWatch } from '../../client/live/overdue-watch';
import { LiveModel } from '../../client/live/live-model';
import { HeatmapLayer, HexagonLayer } from '@deck.gl/aggregation-layers';
import type { Layer } from '@deck.gl/core';
import { PolygonLayer, ScatterplotLayer, SolidPolygonLayer } from '@deck.gl/layers';
import { WallLayers } from '../../client/app/wall-layers';
import { LAYER_KEYS, type LayerToggles } from '../../client/map/layer-toggles';
import { GridChoropleth, gridChoroplethLayer } from '../../client/map/layers/grid-choropleth';
import { DISTRICT_LABEL_LAYER, FIRST_LABEL_LAYER, offlineStyle } from '../../client/map/offline-style';
import { PlaybackPoints, playbackHeatLayer } from '../../client/playback/playback-points';
import { busyAfternoon } from './helpers/scenario';
import { wallCity } from './helpers/wall-city';

describe('wall settings from the URL', () => {
  it('reads kiosk mode, tour interval, language and basemap CRS', () => {
    const { config, problems } = parseWallConfig('?wall=1&tour=30&lang=en&basemapCrs=gcj02&area=530102');
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ kiosk: true, tourIntervalMs: 30_000, language: 'en', basemapCrs: 'gcj02', area: '530102' });
  });

  it('names the field and the reason for each bad value and keeps the defaults', () => {
    const { config, problems } = parseWallConfig('?tour=2&lang=fr&area=12&basemapCrs=utm&basemap=ftp://x/style.json');
    expect(problems.map((p) => p.field).sort()).toEqual(['area', 'basemap', 'basemapCrs', 'lang', 'tour']);
    expect(problems.find((p) => p.field === 'tour')?.reason).toContain('at least 5 seconds');
    expect(config.tourIntervalMs).toBe(60_000);
    expect(config.language).toBe('zh-CN');
  });
});

describe('15-minute service circles', () => {
  it('walk 15 min at 4.5 km/h with a 0.85 detour factor: about 956 m', () => {
    expect(SERVICE_CIRCLE_RADIUS_M).toBeCloseTo(956.25, 2);
  });

  it('mark as gaps exactly the grids farther than the radius from every centre', () => {
    const centre: [number, number] = [102.7, 25.04];
    const metresPerDegreeLon = 110_574 * Math.cos((25.04 * Math.PI) / 180);
    const east = (m: number): [number, number] => [102.7 + m / metresPerDegreeLon, 25.04];
    const gaps = coverageGaps([centre], [east(100), east(900), east(1_000), east(5_000)]);
    expect([...gaps]).toEqual([2, 3]);
  });
});

describe('the overdue watch', () => {
  const record = (id: string, deadline: number, status: IncidentRecord['status'] = 'dispatched') =>
    ({ id, status, deadline }) as IncidentRecord;

  it('reports each case once, when its deadline passes, and drops stale deadlines', () => {
    const watch = new OverdueWatch();
    const records = new Map([
      ['a', record('a', 1_000)],
      ['b', record('b', 2_000)],
    ]);
    for (const r of records.values()) expect(watch.update(r, 0)).toBe(false);
    records.set('b', record('b', 2_000, 'resolved')); // resolved before its deadline
    expect(watch.due(1_500, (id) => records.get(id)).map((r) => r.id)).toEqual(['a']);
    expect(watch.due(3_000, (id) => records.get(id))).toEqual([]);
    expect(watch.has('a')).toBe(true);
    expect(watch.count).toBe(1);
  });

  it('holds one entry per case and deadline, however many events a case has, and lets go of cases that leave', () => {
    const watch = new OverdueWatch();
    const ids = Array.from({ length: 1_000 }, (_, i) => `c${i}`);
    // ten events each (registered, dispatched, whistled, reports, …) with the same deadline: a wall left up for days
    // sees hundreds of thousands of such events
    for (let step = 0; step < 10; step++) for (const id of ids) watch.update(record(id, 60_000), step);
    expect(watch.entries).toBe(1_000);
    // resolved, then evicted: their entries go long before their deadline does
    for (const id of ids.slice(0, 900)) watch.update(record(id, 60_000, 'resolved'), 20);
    expect(watch.entries).toBeLessThanOrEqual(2 * 100 + 256);
    for (const id of ids.slice(100)) watch.forget(id);
    // redispatched again and again, each time with a later deadline: stale entries stay bounded
    for (let k = 1; k <= 50; k++) for (const id of ids.slice(0, 100)) watch.update(record(id, 60_000 + k * 1_000), 30);
    expect(watch.entries).toBeLessThanOrEqual(2 * 100 + 256);
    // and the latest deadline of each still counts, once
    const records = new Map(ids.slice(0, 100).map((id) => [id, record(id, 110_000)] as const));
    expect(watch.due(100_000, (id) => records.get(id))).toEqual([]);
    expect(watch.due(120_000, (id) => records.get(id)).map((r) => r.id).sort()).toEqual(ids.slice(0, 100).sort());
    expect(watch.due(130_000, (id) => records.get(id))).toEqual([]);
    expect(watch.count).toBe(100);
    expect(watch.entries).toBe(0);
  });
});

describe('incident GPU columns', () => {
  it('reuse freed slots and hand deck.gl a new wrapper only after a change', () => {
    const buffers = new IncidentBuffers();
    buffers.upsert('a', { position: [102.7, 25], status: 'reported', priority: 'normal', overdue: false });
    buffers.upsert('b', { position: [102.8, 25], status: 'dispatched', priority: 'urgent', overdue: true });
    const first = buffers.attributes();
    expect(buffers.attributes()).toBe(first);
    expect(first.length).toBe(2);
    expect([...first.attributes.getFillColor.value.slice(4, 8)]).toEqual([239, 68, 68, 255]);
    buffers.remove('a');
    buffers.upsert('c', { position: [102.9, 25], status: 'reported', priority: 'low', overdue: false });
    const second = buffers.attributes();
    expect(second).not.toBe(first);
    expect(second.length).toBe(2);
    expect(buffers.idAt(0)).toBe('c');
  });

  it('find the case under a click: the nearest within reach, an open case before an ended dot, none beyond', () => {
    const buffers = new IncidentBuffers();
    buffers.upsert('ended', { position: [102.7, 25], status: 'closed', priority: 'normal', overdue: false });
    buffers.upsert('open-far', { position: [102.7008, 25], status: 'reported', priority: 'normal', overdue: false });
    buffers.upsert('open-near', { position: [102.7005, 25], status: 'dispatched', priority: 'normal', overdue: false });
    buffers.upsert('removed', { position: [102.7, 25.0001], status: 'reported', priority: 'normal', overdue: false });
    buffers.remove('removed');
    // reach 0.001° across, 0.0005° up: the open cases win over the ended dot under the click, the nearer one first
    expect(buffers.nearest(102.7, 25, 0.001, 0.0005)).toBe('open-near');
    // only the ended dot within reach
    expect(buffers.nearest(102.7, 25, 0.0004, 0.0004)).toBe('ended');
    // nothing within reach (an ellipse: 0.0009° across and 0.0009° up is outside it)
    expect(buffers.nearest(102.6991, 25.0009, 0.001, 0.001)).toBeUndefined();
    expect(new IncidentBuffers().nearest(102.7, 25, 1, 1)).toBeUndefined();
  });

  it('give deck.gl a new descriptor only for the columns that changed', () => {
    const buffers = new IncidentBuffers();
    buffers.upsert('a', { position: [102.7, 25], status: 'reported', priority: 'normal', overdue: false });
    const first = buffers.attributes().attributes;
    buffers.upsert('a', { position: [102.7, 25], status: 'dispatched', priority: 'normal', overdue: false });
    const second = buffers.attributes().attributes;
    expect(second.getPosition).toBe(first.getPosition);
    expect(second.getRadius).toBe(first.getRadius);
    expect(second.getFillColor).not.toBe(first.getFillColor);
  });

  it('grow past their initial capacity without losing slots', () => {
    const buffers = new IncidentBuffers();
    for (let i = 0; i < 10_000; i++) buffers.upsert(`i${i}`, { position: [102 + i * 1e-5, 25], status: 'reported', priority: 'normal', overdue: false });
    const { attributes, length } = buffers.attributes();
    expect(length).toBe(10_000);
    expect(attributes.getPosition.value[2 * 9_999]).toBeCloseTo(102 + 9_999e-5, 4);
  });
});

describe('the live model', () => {
  const city = wallCity();
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(city.dir, file), 'utf8'));
  const model = () =>
    new LiveModel(
      buildCityModel({ meta: city.meta }, read('areas.topo.json'), read('service-centres.geojson'), read('departments.geojson'), read('water.geojson'), basemapShift('wgs84')),
      basemapShift('wgs84'),
      () => now,
    );
  const now = Date.now();
  // turn the scenario into stored events, as the server would (grid found by the bbox of the synthetic squares)
  const gridOf = (lon: number, lat: number) => city.grids.find((g) => lon >= g.bbox[0] && lon < g.bbox[2] && lat >= g.bbox[1] && lat < g.bbox[3])!.code;
  const grids = new Map<string, string>();
  const stored: StoredEvent[] = busyAfternoon(city, { now, incidents: 40 }).map((event, i) => {
    const { crs: _crs, ...rest } = event as typeof event & { crs?: string };
    if (event.type === 'incident.reported') grids.set(event.incident.id, gridOf(...event.incident.location));
    const incidentId = event.type === 'incident.reported' ? event.incident.id : event.incidentId;
    return { ...rest, seq: i + 1, recordedAt: now, grid: grids.get(incidentId)! } as StoredEvent;
  });

  it('folds relayed batches through the reducer and keeps per-grid load and overdue in step with it', () => {
    const live = model();
    live.applySnapshot(snapshotOf(createState(), 'city'), 0);
    live.applyEvents(stored.slice(0, 50));
    live.applyEvents(stored.slice(50));
    const reference = fold(stored);
    expect(live.state.headSeq).toBe(stored.length);
    for (const grid of live.city.grids) expect(live.gridOpen(grid.index)).toBe(reference.areas.get(grid.code)?.open ?? 0);
    const overdue = [...reference.incidents.values()].filter((r) => r.status === 'dispatched' && (r.deadline ?? Infinity) < now).length;
    expect(live.gridOverdue.reduce((a, b) => a + b, 0)).toBe(overdue);
    expect(live.buffers.size).toBe(reference.incidents.size);
    expect(live.whistles.length).toBeGreaterThan(0);
  });

  it('applies an event replayed after a reconnect only once', () => {
    const live = model();
    live.applySnapshot(snapshotOf(fold(stored.slice(0, 60)), 'city'), 60);
    expect(live.applyEvents(stored.slice(40))).toBe(stored.length - 60);
    expect(snapshotOf(live.state, 'city').areas).toEqual(snapshotOf(fold(stored), 'city').areas);
  });

  it('starts a freshly loaded ticker from the snapshot, latest change first', () => {
    const live = model();
    live.applySnapshot(snapshotOf(fold(stored), 'city'), stored.length);
    expect(live.ticker.length).toBeGreaterThan(0);
    expect(live.ticker[0]!.at).toBeGreaterThanOrEqual(live.ticker[live.ticker.length - 1]!.at);
  });

  it('tops an area’s ticker up with the area’s latest-changed cases, latest first, so a street’s list is not near-empty', () => {
    const live = model();
    live.applySnapshot(snapshotOf(fold(stored.slice(0, 100)), 'city'), 100);
    live.applyEvents(stored.slice(100));
    // a community with more cases than the ticker's own (city-wide, short) entries in it
    const counts = new Map<string, number>();
    for (const record of live.state.incidents.values()) counts.set(record.grid.slice(0, 12), (counts.get(record.grid.slice(0, 12)) ?? 0) + 1);
    const inTicker = (area: string) => live.ticker.filter((entry) => entry.incident.grid.startsWith(area));
    const [street, cases] = [...counts].sort((a, b) => b[1] - a[1]).find(([area, n]) => inTicker(area).length < Math.min(16, n))!;
    const own = inTicker(street);
    const entries = live.tickerIn(street, 16);
    expect(own.length).toBeLessThan(entries.length);
    expect(entries.length).toBe(Math.min(16, own.length + cases - new Set(own.map((e) => e.incident.id)).size));
    expect(entries.every((entry) => entry.incident.grid.startsWith(street))).toBe(true);
    // every entry of the ticker's own is kept; the rest are cases it has no entry for, each once; all latest first
    for (const entry of own) expect(entries).toContain(entry);
    const seeded = entries.filter((entry) => !own.includes(entry));
    expect(new Set(seeded.map((entry) => entry.incident.id)).size).toBe(seeded.length);
    for (const entry of seeded) expect(own.some((o) => o.incident.id === entry.incident.id)).toBe(false);
    for (let i = 1; i < entries.length; i++) expect(entries[i - 1]!.at).toBeGreaterThanOrEqual(entries[i]!.at);
    // asked again with nothing new, the same list
    expect(live.tickerIn(street, 16)).toBe(entries);
  });

  it('draws every layer that fills an area under the map labels, and the markers over them but under the district names', () => {
    const live = model();
    live.applySnapshot(snapshotOf(fold(stored), 'city'), stored.length);
    const all = Object.fromEntries(LAYER_KEYS.map((key) => [key, true])) as LayerToggles;
    // Zoomed out (density hexagons) and in (points), then playback's cumulative heat map and choropleth.
    const layers: Layer[] = [
      ...new WallLayers(basemapShift('wgs84')).build({ model: live, toggles: all, zoom: 8, scale: 1, frameTime: 0, gridVersion: 1 }),
      ...new WallLayers(basemapShift('wgs84')).build({ model: live, toggles: all, zoom: 15, scale: 1, frameTime: 0, gridVersion: 1 }),
      playbackHeatLayer(new PlaybackPoints(now - 3_600_000, (x, y) => [x, y]), now, true),
      gridChoroplethLayer(live.city, new GridChoropleth(), true),
    ];
    // Polygons, aggregation cells and circles sized in metres cover ground; pixel-sized points and lines mark things.
    const fillsArea = (layer: Layer) =>
      layer instanceof SolidPolygonLayer || layer instanceof PolygonLayer || layer instanceof HexagonLayer || layer instanceof HeatmapLayer ||
      (layer instanceof ScatterplotLayer && layer.props.radiusUnits === 'meters');
    const beforeId = (layer: Layer) => (layer.props as { beforeId?: string }).beforeId;
    const areas = layers.filter(fillsArea);
    expect(new Set(areas.map((l) => l.id))).toEqual(new Set(['grid-load', 'coverage-gaps', 'service-circles', 'incident-density', 'playback-heat', 'grid-choropleth']));
    for (const layer of areas) expect(beforeId(layer), layer.id).toBe(FIRST_LABEL_LAYER);
    const markers = layers.filter((l) => !fillsArea(l));
    expect(markers.map((l) => l.id)).toEqual(expect.arrayContaining(['incidents', 'service-centres', 'departments', 'whistle-flow']));
    for (const layer of markers) expect(beforeId(layer), layer.id).toBe(DISTRICT_LABEL_LAYER);
    // the style's order: street and community names over the fills, under the markers; district names over all
    const order = offlineStyle(live.city, 1).layers.map((l) => l.id);
    expect(order.indexOf(FIRST_LABEL_LAYER)).toBeLessThan(order.indexOf('label-community'));
    expect(order.indexOf(DISTRICT_LABEL_LAYER)).toBe(order.length - 1);
  });
});
