/**
 * Writes a city package. Output must be byte-identical on rerun, so objects are built with a fixed key order,
 * lists are sorted by code, numbers are rounded before serialising, and files end with one newline.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureCollection, Point as GeoPoint } from 'geojson';

/** Serialises compactly (the big files) or indented (the small, human-read files). */
export function stableJson(value: unknown, indent = false): string {
  return `${JSON.stringify(value, null, indent ? 2 : undefined)}\n`;
}

/** Point features with properties in the given key order. */
export function pointCollection<P extends object>(items: Array<P & { position: [number, number] }>): FeatureCollection<GeoPoint, P> {
  return {
    type: 'FeatureCollection',
    features: items.map(({ position, ...properties }) => ({
      type: 'Feature',
      properties: properties as unknown as P,
      geometry: { type: 'Point', coordinates: position },
    })),
  };
}

/**
 * Writes all files into `dir` atomically per file (temp file, then rename), so a reader never sees half a file.
 * @returns bytes written per file name
 */
export function writePackage(dir: string, files: Record<string, string>): Record<string, number> {
  mkdirSync(dir, { recursive: true });
  const sizes: Record<string, number> = {};
  for (const name of Object.keys(files).sort()) {
    const text = files[name]!;
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
    sizes[name] = Buffer.byteLength(text);
  }
  return sizes;
}
