/**
 * Reads one input layer: a GeoJSON FeatureCollection, or a Shapefile (.shp with its .dbf, .prj and .cpg beside it,
 * or all of them in a .zip). Attributes are decoded with the declared encoding (.cpg, or --encoding, or GBK).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Geometry } from 'geojson';
import JSZip from 'jszip';
import * as shapefile from 'shapefile';
import { encodingFromCpg, readDbf, type DbfValue } from './dbf.js';

export interface LayerFeature {
  /** position in the file, for messages */
  index: number;
  properties: Record<string, unknown>;
  geometry: Geometry | null;
}

export interface Layer {
  file: string;
  features: LayerFeature[];
  /** attribute names, for "field X is missing (fields: …)" messages */
  fields: string[];
  /** what the reader decided (encoding, .prj), printed by the CLI */
  notes: string[];
}

/** Raised for bad input files; the message names the file and the reason. */
export class ImportInputError extends Error {}

interface ShapefileParts {
  shp: Uint8Array;
  dbf?: Uint8Array;
  prj?: string;
  cpg?: string;
}

/** Reads `path` by its extension: .geojson/.json, .shp, or .zip holding one shapefile. */
export async function readLayer(path: string, encodingOverride?: string): Promise<Layer> {
  if (!existsSync(path)) throw new ImportInputError(`${path}: no such file`);
  const ext = extname(path).toLowerCase();
  if (ext === '.geojson' || ext === '.json') return readGeoJson(path);
  if (ext === '.shp') {
    const stem = path.slice(0, -4);
    const side = (e: string) => (existsSync(stem + e) ? readFileSync(stem + e) : undefined);
    const dbf = side('.dbf');
    const prj = side('.prj');
    const cpg = side('.cpg');
    return readShapefile(path, {
      shp: readFileSync(path),
      ...(dbf && { dbf }),
      ...(prj && { prj: prj.toString('utf8') }),
      ...(cpg && { cpg: cpg.toString('utf8') }),
    }, encodingOverride);
  }
  if (ext === '.zip') return readShapefile(path, await unzipShapefile(path), encodingOverride);
  throw new ImportInputError(`${path}: unsupported file type "${ext}" (use .geojson, .json, .shp or a .zip of a shapefile)`);
}

function readGeoJson(path: string): Layer {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ImportInputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const fc = json as { type?: unknown; features?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new ImportInputError(`${path}: not a GeoJSON FeatureCollection`);
  const fields = new Set<string>();
  const features = (fc.features as Array<{ properties?: unknown; geometry?: unknown }>).map((f, index) => {
    const properties = (f?.properties && typeof f.properties === 'object' ? f.properties : {}) as Record<string, unknown>;
    for (const k of Object.keys(properties)) fields.add(k);
    return { index, properties, geometry: (f?.geometry ?? null) as Geometry | null };
  });
  return { file: basename(path), features, fields: [...fields], notes: [] };
}

async function unzipShapefile(path: string): Promise<ShapefileParts> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(readFileSync(path));
  } catch (err) {
    throw new ImportInputError(`${path}: not a readable zip (${(err as Error).message})`);
  }
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir && !n.startsWith('__MACOSX/'));
  const shps = names.filter((n) => n.toLowerCase().endsWith('.shp'));
  if (shps.length !== 1)
    throw new ImportInputError(`${path}: must hold exactly one .shp, found ${shps.length}${shps.length ? ` (${shps.join(', ')})` : ''}`);
  const stem = shps[0]!.slice(0, -4).toLowerCase();
  const find = (ext: string) => names.find((n) => n.toLowerCase() === stem + ext);
  const bytes = async (name: string | undefined) => (name ? await zip.files[name]!.async('uint8array') : undefined);
  const text = async (name: string | undefined) => (name ? await zip.files[name]!.async('string') : undefined);
  const dbf = await bytes(find('.dbf'));
  const prj = await text(find('.prj'));
  const cpg = await text(find('.cpg'));
  return { shp: (await bytes(shps[0]))!, ...(dbf && { dbf }), ...(prj && { prj }), ...(cpg && { cpg }) };
}

async function readShapefile(path: string, parts: ShapefileParts, encodingOverride?: string): Promise<Layer> {
  const file = basename(path);
  const notes: string[] = [];
  if (parts.prj !== undefined) {
    if (/^\s*PROJCS/i.test(parts.prj))
      throw new ImportInputError(`${file}: the .prj declares a projected CRS (${parts.prj.slice(0, 60)}…); export longitude/latitude (a GEOGCS) instead`);
    notes.push(`${file}: .prj ${parts.prj.match(/GEOGCS\["([^"]+)"/)?.[1] ?? 'present'}`);
  }
  const encoding = encodingOverride ?? (parts.cpg ? encodingFromCpg(parts.cpg) : 'gbk');
  notes.push(`${file}: attributes decoded as ${encoding}${encodingOverride ? ' (--encoding)' : parts.cpg ? ' (.cpg)' : ' (no .cpg; GBK assumed)'}`);
  if (!parts.dbf) throw new ImportInputError(`${file}: the .dbf with the attributes is missing`);
  let table;
  try {
    table = readDbf(parts.dbf, encoding, file.replace(/\.(zip|shp)$/i, '.dbf'));
  } catch (err) {
    throw new ImportInputError((err as Error).message);
  }
  const geometries: Array<Geometry | null> = [];
  try {
    const source = await shapefile.openShp(parts.shp);
    for (let r = await source.read(); !r.done; r = await source.read()) geometries.push((r.value as Geometry | null) ?? null);
  } catch (err) {
    throw new ImportInputError(`${file}: the .shp cannot be read (${(err as Error).message})`);
  }
  if (geometries.length !== table.records.length)
    throw new ImportInputError(`${file}: the .shp has ${geometries.length} shapes but the .dbf has ${table.records.length} records`);
  const features: LayerFeature[] = [];
  geometries.forEach((geometry, index) => {
    const record = table.records[index];
    if (record === null || record === undefined) return;
    features.push({ index, properties: record as Record<string, DbfValue>, geometry });
  });
  return { file, features, fields: table.fields.map((f) => f.name), notes };
}
