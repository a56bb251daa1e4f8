/**
 * `npm run geodata:build -- <city> [--out <dir>]`: builds a city package (see geodata/README.md).
 * Deterministic: the same sources and config give byte-identical files.
 *
 * @example
 *   npm run geodata:build -- kunming
 *   npm run geodata:build -- hefei-shushan --out /tmp/shushan
 */
import { CITIES } from './cities/index';
import { buildCity } from './pipeline/build-city';

async function main(argv: string[]): Promise<void> {
  const args = argv.filter((a) => a !== '--');
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  if (outAt >= 0 && !out) throw new Error('--out needs a directory');
  const ids = args.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));
  const wanted = ids.length > 0 ? ids : ['kunming', 'hefei-shushan'];
  for (const id of wanted) {
    const config = CITIES[id];
    if (!config) throw new Error(`unknown city "${id}"; known: ${Object.keys(CITIES).join(', ')}`);
    const report = await buildCity(config, out ?? config.outDir);
    const topo = report.files['areas.topo.json'] ?? 0;
    console.log(JSON.stringify({
      city: id, seconds: Number(report.seconds.toFixed(1)), counts: report.counts,
      areasTopo: { rawBytes: topo, gzipBytes: report.topoGzipBytes }, files: report.files,
      repair: report.repair, pieces: report.pieces, maxNestingResidualM2: report.maxNestingResidualM2,
      landAreaKm2: Number(report.landAreaKm2.toFixed(1)), waterAreaKm2: Number(report.waterAreaKm2.toFixed(1)),
      sourceOverlapKm2: Number(report.sourceOverlapKm2.toFixed(3)), insertedVertices: report.insertedVertices,
      filledGapKm2: Number(report.filledGapKm2.toFixed(3)),
    }, null, 2));
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`geodata:build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
