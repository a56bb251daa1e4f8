/**
 * `npm run geodata:import -- --out geodata/<id> --crs gcj02 --grids grids.shp.zip --code-field WGBM …`
 *
 * Builds a city package from a city's own GeoJSON or zipped Shapefiles (see IMPORT_USAGE for every option), runs the
 * validator and refuses the result on errors with the validator's messages. Exit codes: 0 written, 1 refused by the
 * validator, 2 bad options or unreadable input. Nothing is left half-written in any case.
 */
import { IMPORT_USAGE, ImportInputError, importCity, parseImportArgs } from './importer/index.js';

try {
  const options = parseImportArgs(process.argv.slice(2));
  const result = await importCity(options);
  for (const note of result.notes) console.log(`note: ${note}`);
  for (const p of result.problems) console.log(`${p.severity === 'error' ? 'error  ' : 'warning'} [${p.rule}] ${p.message}`);
  if (!result.ok) {
    const errors = result.problems.filter((p) => p.severity === 'error').length;
    console.error(`REFUSED: ${errors} error(s); nothing was written to ${result.out}`);
    process.exit(1);
  }
  console.log(`OK: wrote ${result.out}`);
} catch (err) {
  if (err instanceof ImportInputError) {
    console.error(`geodata:import: ${err.message}\n\n${IMPORT_USAGE}`);
    process.exit(2);
  }
  throw err;
}
