/**
 * `npm run geodata:check -- <city dir> [--tolerance-m2 N] [--json]`
 *
 * Validates a city package and prints every problem: the feature's code (or index), the rule it breaks and the
 * measured amount. Exits 0 when there are no errors (warnings alone pass), 1 when there are, 2 on bad usage.
 */
import { existsSync, statSync } from 'node:fs';
import { DEFAULT_TOLERANCE_M2, isAcceptable, validateCityPackageWithCounts, type Problem } from './validate/index.js';

function usage(message: string): never {
  console.error(`geodata:check: ${message}\nusage: npm run geodata:check -- <city dir> [--tolerance-m2 N] [--json]`);
  process.exit(2);
}

function parseArgs(argv: string[]): { dir: string; toleranceM2: number; json: boolean } {
  let dir: string | undefined;
  let toleranceM2 = DEFAULT_TOLERANCE_M2;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--tolerance-m2') {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value < 0) usage(`--tolerance-m2 needs a non-negative number of m², got "${argv[i] ?? ''}"`);
      toleranceM2 = value;
    } else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else if (dir === undefined) dir = arg;
    else usage(`one city dir only, got "${dir}" and "${arg}"`);
  }
  if (dir === undefined) usage('the city dir is missing');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) usage(`${dir} is not a directory`);
  return { dir, toleranceM2, json };
}

const args = parseArgs(process.argv.slice(2));
const started = performance.now();
const { problems, checked } = validateCityPackageWithCounts(args.dir, { toleranceM2: args.toleranceM2 });
const seconds = (performance.now() - started) / 1000;
const errors = problems.filter((p) => p.severity === 'error');
const warnings = problems.filter((p) => p.severity === 'warning');

if (args.json) {
  console.log(JSON.stringify({ dir: args.dir, toleranceM2: args.toleranceM2, seconds, checked, errors: errors.length, warnings: warnings.length, problems }, null, 2));
} else {
  const line = (p: Problem) => `${p.severity === 'error' ? 'error  ' : 'warning'} [${p.rule}] ${p.message}`;
  for (const p of errors) console.log(line(p));
  for (const p of warnings) console.log(line(p));
  const verdict = isAcceptable(problems) ? 'OK' : 'FAILED';
  console.log(
    `checked ${checked.district} districts, ${checked.street} streets, ${checked.community} communities, ${checked.grid} grids, ` +
      `${checked.serviceCentres} service centres, ${checked.departments} departments`,
  );
  console.log(
    `${verdict}: ${args.dir}: ${errors.length} error(s), ${warnings.length} warning(s); area tolerance ${args.toleranceM2} m²; ${seconds.toFixed(2)} s`,
  );
}
process.exit(isAcceptable(problems) ? 0 : 1);
