/**
 * zod schemas for the files of a city package (format: server/geodata/types.ts and geodata/README.md). They check
 * shape and types only; the rules about codes, coordinates and geometry live in their own modules.
 */
import { z } from 'zod';
import { AREA_LEVELS, DEPARTMENT_KINDS } from '../../../server/geodata/types.js';

const lonLat = z.tuple([z.number(), z.number()]);

/** The CRS a package may declare. Built packages store WGS84; the others are accepted by the importer only. */
export const PACKAGE_CRS = ['wgs84'] as const;

export const CityMetaSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  nameEn: z.string().min(1),
  code: z.string().regex(/^\d{6}$/, 'must be 6 digits'),
  crs: z.enum(PACKAGE_CRS, { message: 'must be "wgs84": packages store WGS84; convert with geodata:import --crs' }),
  center: lonLat,
  view: z.object({
    center: lonLat,
    zoom: z.number(),
    bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  }),
  timezone: z.string().min(1),
  synthetic: z.record(z.string(), z.union([z.string(), z.boolean()])),
  provenance: z.array(
    z.object({ what: z.string(), source: z.string(), licence: z.string(), note: z.string().optional() }),
  ),
  counts: z.object(Object.fromEntries(AREA_LEVELS.map((l) => [l, z.number().int().nonnegative()])) as Record<
    (typeof AREA_LEVELS)[number],
    z.ZodNumber
  >),
});

export const AreaPropertiesSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  level: z.enum(AREA_LEVELS),
  parent: z.string().min(1),
  households: z.number().int().nonnegative(),
  population: z.number().int().nonnegative(),
});

const arcIndexes = z.array(z.number().int());
export const TopoGeometrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), arcs: z.array(arcIndexes), properties: z.unknown() }),
  z.object({ type: z.literal('MultiPolygon'), arcs: z.array(z.array(arcIndexes)), properties: z.unknown() }),
]);

export const TopologySchema = z.object({
  type: z.literal('Topology'),
  transform: z
    .object({ scale: z.tuple([z.number(), z.number()]), translate: z.tuple([z.number(), z.number()]) })
    .optional(),
  arcs: z.array(z.array(z.array(z.number()).min(2))),
  objects: z.record(
    z.string(),
    z.object({ type: z.literal('GeometryCollection'), geometries: z.array(z.unknown()) }),
  ),
});

const point = z.object({ type: z.literal('Point'), coordinates: z.array(z.number()).min(2) });

export const ServiceCentrePropertiesSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  level: z.enum(['city', 'district', 'street', 'community', 'station']),
  area: z.string().min(1),
});

export const DepartmentPropertiesSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(DEPARTMENT_KINDS),
  level: z.enum(['city', 'district', 'street']),
  jurisdiction: z.string().min(1),
});

export const PointFeatureSchema = z.object({ type: z.literal('Feature'), geometry: point, properties: z.unknown() });

export const FeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.unknown()),
});

export const StaffSchema = z.record(
  z.string(),
  z.array(
    z.object({
      role: z.enum(['secretary', 'head', 'worker', 'volunteer']),
      name: z.string().min(1),
      phone: z.string(),
      synthetic: z.literal(true),
    }),
  ),
);

/** One line per zod issue: `property "households" expected a non-negative integer, got -3`. */
export function describeIssues(error: z.ZodError, what = 'property'): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.join('.');
    const where = path ? `${what} "${path}"` : 'value';
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `${where} is missing`;
    return `${where}: ${issue.message}`;
  });
}
