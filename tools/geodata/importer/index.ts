/**
 * `importCity(options)`: builds a city package from a city's own files and commits it only if the validator finds
 * no errors. The package is written to a temporary sibling folder and renamed into place, so a refused or failed
 * import leaves nothing half-written.
 *
 * @example
 * ```ts
 * const result = await importCity(parseImportArgs(['--out', 'geodata/demo', '--crs', 'gcj02', '--grids', 'grids.zip', '--code-field', 'WGBM']));
 * if (!result.ok) for (const p of result.problems) console.error(p.message);
 * ```
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { isAcceptable, validateCityPackage, type Problem } from '../validate/index.js';
import { collectAreas, writePackage } from './build.js';
import type { ImportOptions } from './options.js';
import { ImportInputError } from './read-layer.js';

export { parseImportArgs, IMPORT_USAGE, type ImportOptions } from './options.js';
export { ImportInputError } from './read-layer.js';

export interface ImportResult {
  /** true when the package was written to `out` */
  ok: boolean;
  out: string;
  /** every problem the validator found (warnings too, even on success) */
  problems: Problem[];
  /** what the importer decided along the way (encodings, dissolved levels, counts) */
  notes: string[];
}

/** Imports; throws ImportInputError on unusable input, returns ok: false when the validator refuses the result. */
export async function importCity(options: ImportOptions): Promise<ImportResult> {
  const out = resolve(options.out);
  if (existsSync(out) && !options.force) throw new ImportInputError(`${options.out} already exists; pass --force to replace it`);
  const { areas, notes } = await collectAreas(options);
  if (areas.grid.length === 0) throw new ImportInputError(`${options.layers.grid}: holds no grids`);
  mkdirSync(dirname(out), { recursive: true });
  const staging = `${out}.importing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    writePackage(staging, basename(out), areas, options, notes);
    // districts dissolved from grids have a hole only where grids leave a gap, unless the city says it is an enclave
    const districtHoles = !options.layers.district && !options.allowEnclaves ? 'error' : 'warning';
    const problems = validateCityPackage(staging, { districtHoles, ...(options.toleranceM2 !== undefined && { toleranceM2: options.toleranceM2 }) });
    if (!isAcceptable(problems)) return { ok: false, out: options.out, problems, notes };
    if (existsSync(out)) {
      // replace: move the old package aside first, so a failure in between never leaves no package at all
      const old = `${out}.replaced-${process.pid}`;
      renameSync(out, old);
      renameSync(staging, out);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(staging, out);
    return { ok: true, out: options.out, problems, notes };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
