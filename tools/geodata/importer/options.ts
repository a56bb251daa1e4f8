/**
 * Command-line options of `npm run geodata:import`, checked up front so a typo fails before any file is read.
 */
import { z } from 'zod';
import { AREA_LEVELS, type AreaLevel } from '../../../server/geodata/types.js';
import { ImportInputError } from './read-layer.js';

export const INPUT_CRS = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'] as const;
export type InputCrs = (typeof INPUT_CRS)[number];

/** Attribute names for one level's layer. For a level dissolved from grids, `name` is read from the grid layer. */
export interface LevelFields {
  code: string;
  name?: string;
  parent?: string;
  households?: string;
  population?: string;
}

export interface ImportOptions {
  /** package folder to create, e.g. geodata/chengdu-wuhou */
  out: string;
  crs: InputCrs;
  /** input files per level; `grid` is required, the others are dissolved from grids when absent */
  layers: Partial<Record<AreaLevel, string>>;
  fields: Record<AreaLevel, LevelFields>;
  /** DBF text encoding; default the .cpg's, else GBK */
  encoding?: string;
  cityCode?: string;
  name?: string;
  nameEn?: string;
  licence?: string;
  serviceCentres?: string;
  departments?: string;
  water?: string;
  /** replace an existing package at `out` */
  force?: boolean;
  /**
   * Accept holes in districts dissolved from grids as enclaves of areas outside the package. Without it such a hole
   * is refused, since it is far more often a gap between grids.
   */
  allowEnclaves?: boolean;
  toleranceM2?: number;
  /** TopoJSON quantisation (default 1e6) */
  quantization?: number;
}

export const IMPORT_USAGE = `usage: npm run geodata:import -- --out geodata/<id> --crs wgs84|cgcs2000|gcj02|bd09 --grids <file>
  [--communities <file>] [--streets <file>] [--districts <file>]        (.geojson, .json, .shp or a .zip of a shapefile)
  --code-field X [--name-field Y] [--parent-field Z] [--households-field H] [--population-field P]
  [--<level>-code-field …] [--<level>-name-field …] [--<level>-parent-field …]   (level: grid, community, street, district;
                                                   for a level dissolved from grids, its name field is read from the grid layer)
  [--encoding gbk|utf8|…] [--city-code 530100] [--name 昆明市] [--name-en Kunming] [--licence …]
  [--service-centres <geojson>] [--departments <geojson>] [--water <geojson>] [--tolerance-m2 1] [--quantization 1e6] [--force]
  [--allow-enclaves]   (accept holes in districts dissolved from grids as enclaves of areas outside the package)`;

const LAYER_FLAGS: Record<string, AreaLevel> = { grids: 'grid', communities: 'community', streets: 'street', districts: 'district' };
const FIELD_KINDS = ['code', 'name', 'parent', 'households', 'population'] as const;

/** Parses argv (without node and script). Throws ImportInputError naming the option and the reason. */
export function parseImportArgs(argv: string[]): ImportOptions {
  const values = new Map<string, string>();
  let force = false;
  let allowEnclaves = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--force' || arg === '--allow-enclaves') {
      if (arg === '--force') force = true;
      else allowEnclaves = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new ImportInputError(`unexpected argument "${arg}"`);
    const key = arg.slice(2);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) throw new ImportInputError(`option --${key} needs a value`);
    if (values.has(key)) throw new ImportInputError(`option --${key} is given twice`);
    values.set(key, value);
  }
  const known = new Set(['out', 'crs', 'encoding', 'city-code', 'name', 'name-en', 'licence', 'service-centres', 'departments', 'water', 'tolerance-m2', 'quantization', ...Object.keys(LAYER_FLAGS)]);
  for (const kind of FIELD_KINDS) {
    known.add(`${kind}-field`);
    for (const level of AREA_LEVELS) known.add(`${level}-${kind}-field`);
  }
  for (const key of values.keys()) if (!known.has(key)) throw new ImportInputError(`unknown option --${key}`);

  const out = values.get('out');
  if (!out) throw new ImportInputError('option --out is required (the package folder to create, e.g. geodata/<id>)');
  const crs = z.enum(INPUT_CRS).safeParse(values.get('crs'));
  if (!crs.success) throw new ImportInputError(`option --crs must be one of ${INPUT_CRS.join(', ')}, got "${values.get('crs') ?? ''}"`);
  const layers: ImportOptions['layers'] = {};
  for (const [flag, level] of Object.entries(LAYER_FLAGS)) {
    const file = values.get(flag);
    if (file) layers[level] = file;
  }
  if (!layers.grid) throw new ImportInputError('option --grids is required (the grid layer)');
  const fields = {} as Record<AreaLevel, LevelFields>;
  for (const level of AREA_LEVELS) {
    const pick = (kind: (typeof FIELD_KINDS)[number]) => values.get(`${level}-${kind}-field`) ?? values.get(`${kind}-field`);
    const code = pick('code');
    if (!code && (layers[level] || level === 'grid')) throw new ImportInputError(`option --code-field (or --${level}-code-field) is required for the ${level} layer`);
    const f: LevelFields = { code: code ?? '' };
    for (const kind of ['name', 'parent', 'households', 'population'] as const) {
      const v = layers[level] ? pick(kind) : values.get(`${level}-${kind}-field`);
      if (v) f[kind] = v;
    }
    fields[level] = f;
  }
  const number = (key: string, check: (n: number) => boolean, what: string): number | undefined => {
    const raw = values.get(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || !check(n)) throw new ImportInputError(`option --${key} must be ${what}, got "${raw}"`);
    return n;
  };
  const cityCode = values.get('city-code');
  if (cityCode !== undefined && !/^\d{6}$/.test(cityCode)) throw new ImportInputError(`option --city-code must be 6 digits, got "${cityCode}"`);
  const options: ImportOptions = { out, crs: crs.data, layers, fields, force, allowEnclaves };
  const optional = { encoding: 'encoding', cityCode: 'city-code', name: 'name', nameEn: 'name-en', licence: 'licence', serviceCentres: 'service-centres', departments: 'departments', water: 'water' } as const;
  for (const [prop, key] of Object.entries(optional)) {
    const v = values.get(key);
    if (v !== undefined) options[prop as keyof typeof optional] = v;
  }
  const tolerance = number('tolerance-m2', (n) => n >= 0, 'a non-negative number of m²');
  if (tolerance !== undefined) options.toleranceM2 = tolerance;
  const quantization = number('quantization', (n) => n >= 2 && Number.isInteger(n), 'an integer ≥ 2');
  if (quantization !== undefined) options.quantization = quantization;
  return options;
}
