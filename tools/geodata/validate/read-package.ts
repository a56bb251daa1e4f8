/**
 * Reads a city package folder without trusting it: every file is parsed and checked against its schema, every bad
 * file or feature becomes a Problem, and whatever is usable is returned for the rule modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { AREA_LEVELS, type AreaLevel, type CityMeta } from '../../../server/geodata/types.js';
import type { Problem } from './problem.js';
import {
  AreaPropertiesSchema,
  CityMetaSchema,
  DepartmentPropertiesSchema,
  FeatureCollectionSchema,
  PointFeatureSchema,
  ServiceCentrePropertiesSchema,
  StaffSchema,
  TopoGeometrySchema,
  TopologySchema,
  describeIssues,
} from './schema.js';

/** An area as read: fields are present only where they passed the schema. */
export interface AreaFeature {
  level: AreaLevel;
  index: number;
  /** the code when it is a string, else `#index` */
  ref: string;
  code?: string;
  parent?: string;
  geometry: Polygon | MultiPolygon | null;
}

export interface PointFeature {
  index: number;
  ref: string;
  lon: number;
  lat: number;
  /** the area code it must lie in: a service centre's `area`, a department's `jurisdiction` */
  area?: string;
  level?: string;
}

export interface PackageContents {
  meta?: CityMeta;
  areas: Record<AreaLevel, AreaFeature[]>;
  serviceCentres: PointFeature[];
  departments: PointFeature[];
  staffGridCodes: string[];
  /** the water mask: gaps under water are not gaps */
  water: Array<Polygon | MultiPolygon>;
}

export const PACKAGE_FILES = {
  meta: 'city.json',
  areas: 'areas.topo.json',
  serviceCentres: 'service-centres.geojson',
  departments: 'departments.geojson',
  water: 'water.geojson',
  staff: 'staff.json',
} as const;

function fileProblem(file: string, message: string): Problem {
  return { rule: 'file', severity: 'error', subject: 'file', ref: file, message: `file ${file}: ${message}` };
}

function readJson(dir: string, file: string, problems: Problem[]): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) {
    problems.push(fileProblem(file, 'is missing'));
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    problems.push(fileProblem(file, `is not valid JSON (${(err as Error).message})`));
    return undefined;
  }
}

/** Reads and schema-checks every file of the package in `dir`. */
export function readCityPackage(dir: string, problems: Problem[]): PackageContents {
  const contents: PackageContents = {
    areas: { district: [], street: [], community: [], grid: [] },
    serviceCentres: [],
    departments: [],
    staffGridCodes: [],
    water: [],
  };
  const metaJson = readJson(dir, PACKAGE_FILES.meta, problems);
  if (metaJson !== undefined) {
    const parsed = CityMetaSchema.safeParse(metaJson);
    if (parsed.success) contents.meta = parsed.data as CityMeta;
    else
      for (const line of describeIssues(parsed.error, 'field'))
        problems.push({ rule: 'schema', severity: 'error', subject: 'city', ref: PACKAGE_FILES.meta, message: `city.json: ${line}` });
  }
  readAreas(dir, problems, contents);
  contents.serviceCentres = readPoints(dir, PACKAGE_FILES.serviceCentres, 'service-centre', problems, (p) => {
    const parsed = ServiceCentrePropertiesSchema.safeParse(p);
    return parsed.success ? { ok: true, ref: parsed.data.id, area: parsed.data.area, level: parsed.data.level } : { ok: false, error: parsed.error };
  });
  contents.departments = readPoints(dir, PACKAGE_FILES.departments, 'department', problems, (p) => {
    const parsed = DepartmentPropertiesSchema.safeParse(p);
    return parsed.success
      ? { ok: true, ref: parsed.data.code, area: parsed.data.jurisdiction, level: parsed.data.level }
      : { ok: false, error: parsed.error };
  });
  const water = readJson(dir, PACKAGE_FILES.water, problems);
  if (water !== undefined) {
    const parsed = FeatureCollectionSchema.safeParse(water);
    if (!parsed.success) problems.push(fileProblem(PACKAGE_FILES.water, 'is not a GeoJSON FeatureCollection'));
    else
      parsed.data.features.forEach((f, i) => {
        const g = (f as { geometry?: { type?: unknown; coordinates?: unknown } } | null)?.geometry;
        if ((g?.type === 'Polygon' || g?.type === 'MultiPolygon') && Array.isArray(g.coordinates)) contents.water.push(g as Polygon | MultiPolygon);
        else problems.push(schemaProblem('water', `#${i}`, 'geometry must be a GeoJSON Polygon or MultiPolygon'));
      });
  }
  const staff = readJson(dir, PACKAGE_FILES.staff, problems);
  if (staff !== undefined) {
    const parsed = StaffSchema.safeParse(staff);
    if (parsed.success) contents.staffGridCodes = Object.keys(parsed.data);
    else
      for (const line of describeIssues(parsed.error, 'entry').slice(0, 20))
        problems.push({ rule: 'schema', severity: 'error', subject: 'staff', ref: PACKAGE_FILES.staff, message: `staff.json: ${line}` });
  }
  return contents;
}

function readAreas(dir: string, problems: Problem[], contents: PackageContents): void {
  const json = readJson(dir, PACKAGE_FILES.areas, problems);
  if (json === undefined) return;
  const parsed = TopologySchema.safeParse(json);
  if (!parsed.success) {
    for (const line of describeIssues(parsed.error, 'member').slice(0, 20))
      problems.push(fileProblem(PACKAGE_FILES.areas, `not a TopoJSON topology: ${line}`));
    return;
  }
  const topology = parsed.data;
  const arcCount = topology.arcs.length;
  for (const level of AREA_LEVELS) {
    const object = topology.objects[level];
    if (!object) {
      problems.push(fileProblem(PACKAGE_FILES.areas, `has no object "${level}" (expected ${AREA_LEVELS.join(', ')})`));
      continue;
    }
    object.geometries.forEach((raw, index) => {
      const props = (raw as { properties?: unknown } | null)?.properties;
      const code = typeof (props as { code?: unknown } | undefined)?.code === 'string' ? (props as { code: string }).code : undefined;
      const ref = code ?? `#${index}`;
      const area: AreaFeature = { level, index, ref, geometry: null };
      if (code !== undefined) area.code = code;
      const propsParsed = AreaPropertiesSchema.safeParse(props);
      if (propsParsed.success) {
        area.parent = propsParsed.data.parent;
        if (propsParsed.data.level !== level)
          problems.push(schemaProblem(level, ref, `property "level" is "${propsParsed.data.level}" but it sits in the "${level}" object`));
      } else {
        for (const line of describeIssues(propsParsed.error)) problems.push(schemaProblem(level, ref, line));
        const parent = (props as { parent?: unknown } | undefined)?.parent;
        if (typeof parent === 'string') area.parent = parent;
      }
      const geometry = TopoGeometrySchema.safeParse(raw);
      if (!geometry.success) {
        problems.push(schemaProblem(level, ref, 'geometry must be a TopoJSON Polygon or MultiPolygon with arcs'));
      } else {
        const bad = geometry.data.arcs.flat(2).find((i) => (i < 0 ? ~i : i) >= arcCount);
        if (bad !== undefined) problems.push(schemaProblem(level, ref, `geometry refers to arc ${bad}, but there are ${arcCount}`));
        else {
          const decoded = feature(topology as unknown as Topology, geometry.data as never) as unknown as { geometry: Polygon | MultiPolygon };
          area.geometry = decoded.geometry;
        }
      }
      contents.areas[level].push(area);
    });
  }
}

function schemaProblem(subject: string, ref: string, detail: string): Problem {
  return { rule: 'schema', severity: 'error', subject, ref, message: `${subject} ${ref}: ${detail}` };
}

type PointProps = { ok: true; ref: string; area: string; level: string } | { ok: false; error: import('zod').ZodError };

function readPoints(dir: string, file: string, subject: string, problems: Problem[], parse: (props: unknown) => PointProps): PointFeature[] {
  const json = readJson(dir, file, problems);
  if (json === undefined) return [];
  const collection = FeatureCollectionSchema.safeParse(json);
  if (!collection.success) {
    problems.push(fileProblem(file, 'is not a GeoJSON FeatureCollection'));
    return [];
  }
  const out: PointFeature[] = [];
  collection.data.features.forEach((raw, index) => {
    const feat = PointFeatureSchema.safeParse(raw);
    const props = parse((raw as { properties?: unknown } | null)?.properties);
    const ref = props.ok ? props.ref : `#${index}`;
    if (!props.ok) for (const line of describeIssues(props.error)) problems.push(schemaProblem(subject, ref, line));
    if (!feat.success) {
      problems.push(schemaProblem(subject, ref, 'geometry must be a GeoJSON Point'));
      return;
    }
    const [lon, lat] = feat.data.geometry.coordinates as [number, number];
    const point: PointFeature = { index, ref, lon, lat };
    if (props.ok) {
      point.area = props.area;
      point.level = props.level;
    }
    out.push(point);
  });
  return out;
}
